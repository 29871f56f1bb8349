import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  importStates,
  nonRetryableErrors,
  taskHandlers,
  timeoutErrors,
  transientLambdaErrors,
} from '#infra/import-workflow/import-definition.ts';
import { manifestKeyPattern } from '#infra/import-workflow/import-workflow.ts';
import {
  searchNonRetryableErrors,
  searchStates,
  searchTaskHandlers,
} from '#infra/search/search-index-states.ts';
import { synthesizeImportDefinition } from '#infra/synth-definition.ts';
import { actionsOf, logicalIdOf, resourcesOf, statementsOfRole, synthesize } from './synth-app.ts';

type State = Record<string, unknown> & {
  Type: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; IntervalSeconds?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
};

describe('import workflow: state machine definition', () => {
  const { definition } = synthesizeImportDefinition({ mapMaxConcurrency: 7, finalizeMapMaxConcurrency: 5 });
  const states = definition.States as Record<string, State>;
  type DistributedMapState = State & {
    ItemReader: { Resource: string; ReaderConfig: unknown; Parameters: Record<string, string> };
    ItemProcessor: { ProcessorConfig: unknown; StartAt: string; States: Record<string, State> };
    ResultWriter: { Resource: string; Parameters: Record<string, string> };
    ResultSelector: Record<string, string>;
    ItemSelector: Record<string, string>;
    MaxConcurrency: number;
    ToleratedFailurePercentage?: number;
    ToleratedFailureCount?: number;
  };
  const hashMap = states[importStates.hashEvidence] as DistributedMapState;
  const planMap = states[importStates.planFiles] as DistributedMapState;
  const map = states[importStates.normalizeChunks] as DistributedMapState;
  const sliceMap = states[importStates.compactSlices] as DistributedMapState;
  const indexMap = states[searchStates.partitions] as State & {
    ItemProcessor: { States: Record<string, State> };
  };
  const tasks: [string, State][] = [
    ...Object.entries(states),
    ...Object.entries(hashMap.ItemProcessor.States),
    ...Object.entries(planMap.ItemProcessor.States),
    ...Object.entries(map.ItemProcessor.States),
    ...Object.entries(sliceMap.ItemProcessor.States),
    ...Object.entries(indexMap.ItemProcessor.States),
  ].filter(([, s]) => s.Type === 'Task');

  /** A Distributed Map of Standard children over a JSON item list in the reports bucket, the import's ids on each item. */
  const expectItemsFromReports = (m: DistributedMapState, startAt: string, keyPath: string, item: string) => {
    expect(m.Type).toBe('Map');
    expect(m.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(m.ItemProcessor.StartAt).toBe(startAt);
    expect(m.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: 'local-reports', 'Key.$': keyPath },
    });
    expect(m.ItemSelector).toEqual({
      'seizureId.$': '$.seizureId',
      'importId.$': '$.importId',
      'ingestedAt.$': '$.ingestedAt',
      [`${item}.$`]: '$$.Map.Item.Value',
    });
  };

  it('runs check manifest, the hash map, verify, the plan map, plan, the chunk map, plan slices, the slice map, finalize, then the index step, in that order', () => {
    expect(definition.StartAt).toBe(importStates.checkManifest);
    expect(states[importStates.checkManifest]?.Next).toBe(importStates.hashEvidence);
    expect(hashMap.Next).toBe(importStates.verify);
    expect(states[importStates.verify]?.Next).toBe(importStates.planFiles);
    expect(planMap.Next).toBe(importStates.plan);
    expect(states[importStates.plan]?.Next).toBe(importStates.normalizeChunks);
    expect(map.Next).toBe(importStates.planSlices);
    expect(states[importStates.planSlices]?.Next).toBe(importStates.compactSlices);
    expect(sliceMap.Next).toBe(importStates.finalize);
    expect(states[importStates.finalize]?.Next).toBe(searchStates.prepare);
    expect(states[searchStates.prepare]?.Next).toBe(searchStates.partitions);
    expect(states[searchStates.partitions]?.Next).toBe(searchStates.complete);
    expect(states[searchStates.complete]?.Next).toBe(importStates.succeeded);
    expect(states[importStates.succeeded]?.Type).toBe('Succeed');
  });

  it('ends a failed index step in "Index failed", not in the failure report: the lake is complete', () => {
    for (const name of [searchStates.prepare, searchStates.partitions, searchStates.complete]) {
      expect(states[name]?.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: importStates.indexFailed },
      ]);
    }
    expect(states[importStates.indexFailed]?.Type).toBe('Fail');
  });

  it('normalizes chunks in a Distributed Map reading the plan from the reports bucket', () => {
    expectItemsFromReports(map, importStates.normalize, '$.plan.planKey', 'chunk');
  });

  /**
   * A map over the evidence files listed under `$.<listed>`, whose items leave their results in the reports
   * bucket (the state data after it is as before), failing on any failed file.
   */
  const expectPerFileMap = (m: DistributedMapState, itemState: string, listed: string) => {
    expectItemsFromReports(m, itemState, `$.${listed}.itemsKey`, 'file');
    expect(m.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: 'local-reports', 'Prefix.$': `$.${listed}.resultPrefix` },
    });
    expect(m.ResultPath).toBeNull();
    expect(m.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(m.ToleratedFailureCount ?? 0).toBe(0);
    expect(m.Retry).toEqual(map.Retry);
  };

  it('hashes the evidence in a Distributed Map over the file list, one file per item, its task retried but never on a verification error', () => {
    expectPerFileMap(hashMap, importStates.hashFile, 'evidence');
    const hash = hashMap.ItemProcessor.States[importStates.hashFile] as State & { TimeoutSeconds: number };
    expect(hash.Retry?.[0]).toEqual({ ErrorEquals: [...nonRetryableErrors], MaxAttempts: 0 });
    expect(hash.Retry?.[0]?.ErrorEquals).toContain('EvidenceVerificationError');
    expect(hash.Retry?.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 2 });
    expect(hash.Retry?.find((r) => r.ErrorEquals.includes('States.Timeout'))?.MaxAttempts).toBeGreaterThan(0);
    expect(hash.TimeoutSeconds).toBe(16 * 60);
    expect(states[importStates.verify]?.Retry?.[0]?.ErrorEquals).toContain('EvidenceVerificationError');
    expect(states[importStates.verify]?.Retry?.[0]?.MaxAttempts).toBe(0);
    expect(states[importStates.verify]).toMatchObject({ ResultPath: '$.verified' });
  });

  it('cuts the verified files into chunks in a Distributed Map over the file list, one file per item, then joins their lists', () => {
    // Each file's chunk list is in the reports bucket, where "Plan chunks" joins them.
    expectPerFileMap(planMap, importStates.planFile, 'verified');
    const planFile = planMap.ItemProcessor.States[importStates.planFile] as State & {
      TimeoutSeconds: number;
    };
    expect(planFile.Retry?.[0]).toEqual({ ErrorEquals: [...nonRetryableErrors], MaxAttempts: 0 });
    expect(planFile.Retry?.[0]?.ErrorEquals).toContain('MappingError');
    expect(planFile.TimeoutSeconds).toBe(16 * 60);
    expect(states[importStates.plan]).toMatchObject({ ResultPath: '$.plan' });
  });

  it('takes the MaxConcurrency of the maps from the context, with the defaults of infra/settings.ts', () => {
    expect(map.MaxConcurrency).toBe(7);
    expect(sliceMap.MaxConcurrency).toBe(5);
    expect(
      synthesizeImportDefinition({ verifyMapMaxConcurrency: 3 }).definition.States[importStates.hashEvidence]
        ?.MaxConcurrency,
    ).toBe(3);
    expect(
      synthesizeImportDefinition({ verifyMapMaxConcurrency: 3 }).definition.States[importStates.planFiles]
        ?.MaxConcurrency,
    ).toBe(3);
    const defaults = synthesizeImportDefinition().definition.States;
    expect(defaults[importStates.hashEvidence]?.MaxConcurrency).toBe(100);
    expect(defaults[importStates.planFiles]?.MaxConcurrency).toBe(100);
    expect(defaults[importStates.normalizeChunks]?.MaxConcurrency).toBe(1000);
    expect(defaults[importStates.compactSlices]?.MaxConcurrency).toBe(100);
  });

  it('compacts the slices in a second Distributed Map over the slice list, failing on any failed slice', () => {
    expectItemsFromReports(sliceMap, importStates.compactSlice, '$.slices.slicesKey', 'slice');
    // No tolerated failures (Step Functions' default when neither is set): one failed slice fails the map.
    expect(sliceMap.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(sliceMap.ToleratedFailureCount ?? 0).toBe(0);
    expect(sliceMap.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: 'local-reports', 'Prefix.$': '$.slices.resultPrefix' },
    });
    expect(sliceMap.ResultPath).toBe('$.sliceRun');
    // The map retries its own reader and writer; the slice task retries like every task, timeouts included.
    expect(sliceMap.Retry).toEqual(map.Retry);
    expect(sliceMap.Retry?.[0]?.ErrorEquals).toEqual([
      'States.ItemReaderFailed',
      'States.ResultWriterFailed',
    ]);
    const slice = sliceMap.ItemProcessor.States[importStates.compactSlice] as State & {
      TimeoutSeconds: number;
    };
    expect(slice.Retry?.[0]).toEqual({ ErrorEquals: [...nonRetryableErrors], MaxAttempts: 0 });
    expect(slice.Retry?.find((r) => r.ErrorEquals.includes('States.Timeout'))?.ErrorEquals).toEqual([
      ...timeoutErrors,
    ]);
    expect(slice.Retry?.find((r) => r.ErrorEquals.includes('States.Timeout'))?.MaxAttempts).toBeGreaterThan(
      0,
    );
    expect(slice.TimeoutSeconds).toBe(16 * 60);
    expect(states[importStates.finalize]).toMatchObject({
      Parameters: expect.objectContaining({ 'slices.$': '$.slices', 'sliceRun.$': '$.sliceRun' }),
    });
  });

  it('writes the map run results next to the import (ResultWriter, kept by the V2 feature flag)', () => {
    expect(map.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: 'local-reports', 'Prefix.$': '$.plan.resultPrefix' },
    });
    expect(map.ResultSelector).toEqual({
      'mapRunArn.$': '$.MapRunArn',
      'results.$': '$.ResultWriterDetails',
    });
  });

  it('never retries the domain errors, and retries transient Lambda errors with exponential back-off', () => {
    expect(tasks.map(([name]) => name).sort()).toEqual(
      Object.keys({ ...taskHandlers, ...searchTaskHandlers }).sort(),
    );
    for (const [name, task] of tasks) {
      const retry = task.Retry ?? [];
      const own = name in searchTaskHandlers ? searchNonRetryableErrors : [];
      expect(retry[0], name).toEqual({ ErrorEquals: [...nonRetryableErrors, ...own], MaxAttempts: 0 });
      const transient = retry.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect(transient?.ErrorEquals, name).toEqual([...transientLambdaErrors]);
      expect(transient?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
      expect(transient?.BackoffRate, name).toBeGreaterThan(1);
      // States.ALL must come last (Step Functions rejects it anywhere else).
      expect(retry.at(-1)?.ErrorEquals, name).toEqual(['States.ALL']);
    }
  });

  it('retries a chunk that timed out, within a task timeout above the function timeout', () => {
    const chunk = map.ItemProcessor.States[importStates.normalize] as State & { TimeoutSeconds: number };
    expect(chunk.Retry?.find((r) => r.ErrorEquals.includes('States.Timeout'))?.MaxAttempts).toBeGreaterThan(
      0,
    );
    expect(chunk.Retry?.find((r) => r.ErrorEquals.includes('Sandbox.Timedout'))).toBeDefined();
    expect(chunk.TimeoutSeconds).toBe(11 * 60);
  });

  it('catches a failure of every step into "Record failure", then fails the execution with the original error', () => {
    const failedState: Record<string, string> = {
      [importStates.checkManifest]: importStates.checkManifestFailed,
      [importStates.hashEvidence]: importStates.hashFailed,
      [importStates.verify]: importStates.verifyFailed,
      [importStates.planFiles]: importStates.planFilesFailed,
      [importStates.plan]: importStates.planFailed,
      [importStates.normalizeChunks]: importStates.normalizeFailed,
      [importStates.planSlices]: importStates.planSlicesFailed,
      [importStates.compactSlices]: importStates.compactFailed,
      [importStates.finalize]: importStates.finalizeFailed,
    };
    for (const [step, handler] of Object.entries(failedState)) {
      expect(states[step]?.Catch, step).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: handler },
      ]);
      const pass = states[handler] as State & { Parameters: Record<string, unknown> };
      expect(pass.Type).toBe('Pass');
      expect(pass.Next).toBe(importStates.recordFailure);
      expect(pass.Parameters['error.$']).toBe('$.error');
    }
    const record = states[importStates.recordFailure] as State;
    expect(record.Next).toBe(importStates.failed);
    expect(record.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: importStates.failed },
    ]);
    expect(states[importStates.failed]).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('passes each failure handler only the results that exist when its step fails', () => {
    const params = (state: string) =>
      Object.keys((states[state] as unknown as { Parameters: object }).Parameters);
    expect(params(importStates.checkManifestFailed)).not.toContain('evidence.$');
    expect(params(importStates.hashFailed)).toContain('evidence.$');
    expect(params(importStates.verifyFailed)).toContain('evidence.$');
    expect(params(importStates.verifyFailed)).not.toContain('verified.$');
    expect(params(importStates.planFailed)).toContain('verified.$');
    expect(params(importStates.normalizeFailed)).toEqual(expect.arrayContaining(['verified.$', 'plan.$']));
    expect(params(importStates.normalizeFailed)).not.toContain('mapRun.$');
    expect(params(importStates.planSlicesFailed)).toEqual(
      expect.arrayContaining(['verified.$', 'plan.$', 'mapRun.$']),
    );
    expect(params(importStates.planSlicesFailed)).not.toContain('slices.$');
    expect(params(importStates.compactFailed)).toEqual(
      expect.arrayContaining(['verified.$', 'plan.$', 'mapRun.$', 'slices.$']),
    );
    expect(params(importStates.compactFailed)).not.toContain('sliceRun.$');
    expect(params(importStates.finalizeFailed)).toEqual(
      expect.arrayContaining(['verified.$', 'plan.$', 'mapRun.$', 'slices.$', 'sliceRun.$']),
    );
  });
});

describe('import workflow: resources and IAM', () => {
  const synth = synthesize({
    chunkMb: '16',
    normalizeMemoryMb: '2560',
    finalizeMemoryMb: '8192',
    finalizeSliceMb: '512',
    verifyMemoryMb: '3008',
  });
  const { template, stack } = synth;
  const workflow = stack.workflow;
  const machineId = logicalIdOf(synth, workflow.stateMachine);
  const machineRoleId = logicalIdOf(synth, workflow.stateMachine.role);
  const reportsId = logicalIdOf(synth, stack.store.reports);
  const dataKeyArn = { 'Fn::GetAtt': [logicalIdOf(synth, stack.store.dataKey), 'Arn'] };

  it('is a Standard state machine with tracing and full logging', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('lets the state machine start, describe, stop and redrive its own Distributed Map executions', () => {
    const statements = statementsOfRole(synth, machineRoleId);
    const stateMachineName = { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: machineId }] }] };
    const executionArn = (suffix: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':execution:',
          stateMachineName,
          suffix,
        ],
      ],
    });
    expect(statements).toContainEqual({
      Action: 'states:StartExecution',
      Effect: 'Allow',
      Resource: { Ref: machineId },
    });
    expect(statements).toContainEqual({
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Effect: 'Allow',
      Resource: executionArn(':*'),
    });
    expect(statements).toContainEqual({
      Action: 'states:RedriveExecution',
      Effect: 'Allow',
      Resource: executionArn('/*:*'),
    });
  });

  it('lets the state machine read the item list and write the results in the reports bucket, with its KMS key', () => {
    const statements = statementsOfRole(synth, machineRoleId);
    const reportsObjects = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: reportsId }, '/*']],
    };
    const s3 = statements.find((s) => JSON.stringify(s.Resource) === JSON.stringify(reportsObjects));
    expect(actionsOf(s3!)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    const kms = statements.find((s) => JSON.stringify(s.Resource) === JSON.stringify(dataKeyArn));
    expect(actionsOf(kms!)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
  });

  it('lets the state machine invoke each step function', () => {
    const invoke = statementsOfRole(synth, machineRoleId).find((s) =>
      actionsOf(s).includes('lambda:InvokeFunction'),
    );
    for (const fn of Object.values(workflow.functions)) {
      expect(resourcesOf(invoke!)).toContainEqual({ 'Fn::GetAtt': [logicalIdOf(synth, fn), 'Arn'] });
    }
  });

  it('allows the trigger states:StartExecution on this state machine only, and nothing else of Step Functions', () => {
    const statements = statementsOfRole(synth, logicalIdOf(synth, workflow.trigger.role!));
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId } },
    ]);
  });

  it('starts the trigger for manifests landing in the evidence bucket, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: logicalIdOf(synth, stack.store.landing) }] },
          object: { key: [{ wildcard: manifestKeyPattern }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(synth, workflow.trigger), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalIdOf(synth, workflow.triggerDeadLetters), 'Arn'] },
          },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('runs every function on Node 24, x86_64, traced, with its own log group', () => {
    for (const fn of [workflow.trigger, ...Object.values(workflow.functions)]) {
      const props = template.findResources('AWS::Lambda::Function')[logicalIdOf(synth, fn)]?.Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['x86_64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(synth, fn.logs) } },
      });
      expect(props.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(props.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(fn.folder);
    }
  });

  it('gives the DuckDB layer to the functions that use DuckDB, and the native layer to normalize alone', () => {
    const layerRef = { Ref: logicalIdOf(synth, workflow.duckdb) };
    const nativeRef = { Ref: logicalIdOf(synth, workflow.nativeNormalize) };
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of [workflow.trigger, ...Object.values(workflow.functions)]) {
      const props = functions[logicalIdOf(synth, fn)]?.Properties;
      const expected = { normalize: [layerRef, nativeRef], 'compact-slice': [layerRef] }[fn.folder as string];
      expect(props.Layers ?? [], fn.folder).toEqual(expected ?? []);
      // The native loader finds the addon where the layer mounts it.
      expect(props.Environment.Variables.NATIVE_NORMALIZE_ADDON, fn.folder).toBe(
        fn.folder === 'normalize' ? '/opt/native-normalize/native-normalize.node' : undefined,
      );
    }
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs24.x'],
      CompatibleArchitectures: ['x86_64'],
    });
  });

  it('names to each function exactly the buckets it was granted, and passes the chunk size', () => {
    const env = (fn: Parameters<typeof logicalIdOf>[1]) =>
      template.findResources('AWS::Lambda::Function')[logicalIdOf(synth, fn)]?.Properties.Environment
        .Variables;
    const bucketsOf = (fn: Parameters<typeof logicalIdOf>[1]) =>
      Object.keys(env(fn))
        .filter((k) => k.endsWith('_BUCKET'))
        .sort();
    expect(bucketsOf(workflow.functions['check-manifest'])).toEqual(['LANDING_BUCKET', 'REPORTS_BUCKET']);
    expect(bucketsOf(workflow.functions['hash-evidence'])).toEqual(['LANDING_BUCKET', 'REPORTS_BUCKET']);
    expect(bucketsOf(workflow.functions.verify)).toEqual(['LANDING_BUCKET', 'REPORTS_BUCKET']);
    expect(bucketsOf(workflow.functions['plan-file'])).toEqual(['LANDING_BUCKET', 'REPORTS_BUCKET']);
    expect(bucketsOf(workflow.functions.plan)).toEqual(['LANDING_BUCKET', 'REPORTS_BUCKET']);
    expect(bucketsOf(workflow.functions.normalize)).toEqual([
      'LAKE_BUCKET',
      'LANDING_BUCKET',
      'QUARANTINE_BUCKET',
      'REPORTS_BUCKET',
    ]);
    expect(bucketsOf(workflow.functions['record-failure'])).toEqual([
      'LAKE_BUCKET',
      'LANDING_BUCKET',
      'REPORTS_BUCKET',
    ]);
    expect(env(workflow.functions.normalize).LAKE_BUCKET).toEqual({
      Ref: logicalIdOf(synth, stack.store.lake),
    });
    expect(bucketsOf(workflow.functions['plan-slices'])).toEqual(['LAKE_BUCKET', 'REPORTS_BUCKET']);
    expect(bucketsOf(workflow.functions['compact-slice'])).toEqual([
      'LAKE_BUCKET',
      'QUARANTINE_BUCKET',
      'REPORTS_BUCKET',
    ]);
    expect(env(workflow.functions['plan-file']).CHUNK_BYTES).toBe(String(16 * 1024 * 1024));
    expect(env(workflow.functions.plan).CHUNK_BYTES).toBeUndefined();
    expect(env(workflow.functions['plan-slices']).SLICE_BYTES).toBe(String(512 * 1024 * 1024));
    expect(env(workflow.trigger).STATE_MACHINE_ARN).toEqual({ Ref: machineId });
  });

  it('sizes the hash, plan-file, normalize and compact-slice functions from the settings, DuckDB within the latter', () => {
    const props = (fn: Parameters<typeof logicalIdOf>[1]) =>
      template.findResources('AWS::Lambda::Function')[logicalIdOf(synth, fn)]?.Properties;
    expect(props(workflow.functions['hash-evidence'])).toMatchObject({ MemorySize: 3008, Timeout: 900 });
    expect(props(workflow.functions['plan-file'])).toMatchObject({ MemorySize: 3008, Timeout: 900 });
    expect(props(workflow.functions.normalize)).toMatchObject({ MemorySize: 2560 });
    expect(props(workflow.functions['compact-slice'])).toMatchObject({
      MemorySize: 8192,
      Timeout: 900,
      EphemeralStorage: { Size: 10240 },
    });
    expect(props(workflow.functions['compact-slice']).Environment.Variables.DUCKDB_MEMORY_LIMIT).toBe(
      `${Math.floor(8192 * 0.7)}MB`,
    );
    // Finalize only reconciles now: no DuckDB, and a small function.
    expect(props(workflow.functions.finalize).Environment.Variables.DUCKDB_MEMORY_LIMIT).toBeUndefined();
    expect(props(workflow.functions.finalize).MemorySize).toBeLessThanOrEqual(1024);
  });

  it('grants write access to the lake only to the functions that write it', () => {
    const lakeArn = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(synth, stack.store.lake), 'Arn'] });
    const writers = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) =>
        (p.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[]).some(
          (s) => JSON.stringify(s.Resource).includes(lakeArn) && [s.Action].flat().includes('s3:PutObject'),
        ),
      )
      .map(([, p]) => p.Properties.Roles[0].Ref)
      .sort();
    expect(writers).toEqual(
      [
        workflow.functions.normalize,
        workflow.functions['compact-slice'],
        workflow.functions.finalize,
        // removes what the slices of a failed finalize wrote
        workflow.functions['record-failure'],
      ]
        .map((f) => logicalIdOf(synth, f.role!))
        .sort(),
    );
  });
});

describe('import workflow: PGP keys named as secrets', () => {
  const synth = synthesize();
  const { workflow } = synth.stack;

  it('lets only the normalize function read secrets, and only under seizure-lake/', () => {
    for (const [name, fn] of Object.entries(workflow.functions)) {
      const roleId = logicalIdOf(synth, fn.role!);
      const reads = statementsOfRole(synth, roleId).filter((s) =>
        actionsOf(s).includes('secretsmanager:GetSecretValue'),
      );
      if (name !== 'normalize') {
        expect(reads, name).toEqual([]);
        continue;
      }
      expect(reads).toHaveLength(1);
      expect(JSON.stringify(reads[0]!.Resource)).toMatch(/:secretsmanager:.*:secret:seizure-lake\/\*"/);
      expect(actionsOf(reads[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    }
  });
});
