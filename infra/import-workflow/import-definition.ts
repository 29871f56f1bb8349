import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Chain,
  DistributedMap,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  Pass,
  ResultWriterV2,
  type RetryProps,
  S3JsonItemReader,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** The steps of an import, by the name of their handler folder under functions/. */
export type ImportStep =
  | 'check-manifest'
  | 'hash-evidence'
  | 'verify'
  | 'plan-file'
  | 'plan'
  | 'normalize'
  | 'plan-slices'
  | 'compact-slice'
  | 'finalize'
  | 'record-failure';

/** The state names of the import state machine: what the console, the logs and the local runner show. */
export const importStates = {
  checkManifest: 'Check manifest',
  hashEvidence: 'Hash evidence',
  hashFile: 'Hash evidence file',
  verify: 'Verify evidence',
  planFiles: 'Plan files',
  planFile: 'Plan evidence file',
  plan: 'Plan chunks',
  normalizeChunks: 'Normalize chunks',
  normalize: 'Normalize chunk',
  planSlices: 'Plan slices',
  compactSlices: 'Compact slices',
  compactSlice: 'Compact slice',
  finalize: 'Finalize import',
  indexFailed: 'Index failed',
  succeeded: 'Import succeeded',
  recordFailure: 'Record failure',
  failed: 'Import failed',
  checkManifestFailed: 'Check manifest failed',
  hashFailed: 'Hash failed',
  verifyFailed: 'Verify failed',
  planFilesFailed: 'Plan files failed',
  planFailed: 'Plan failed',
  normalizeFailed: 'Normalize failed',
  planSlicesFailed: 'Plan slices failed',
  compactFailed: 'Compact failed',
  finalizeFailed: 'Finalize failed',
} as const;

/** Which handler each Task state runs (the local runner maps Task states to handlers by this). */
export const taskHandlers: Readonly<Record<string, ImportStep>> = {
  [importStates.checkManifest]: 'check-manifest',
  [importStates.hashFile]: 'hash-evidence',
  [importStates.verify]: 'verify',
  [importStates.planFile]: 'plan-file',
  [importStates.plan]: 'plan',
  [importStates.normalize]: 'normalize',
  [importStates.planSlices]: 'plan-slices',
  [importStates.compactSlice]: 'compact-slice',
  [importStates.finalize]: 'finalize',
  [importStates.recordFailure]: 'record-failure',
};

/**
 * Errors a retry cannot mend: the evidence or the manifest is wrong, the counts do not reconcile, the
 * event is malformed. Retried 0 times, they go straight to the Catch and fail the import with their cause.
 */
export const nonRetryableErrors = [
  'InvalidManifestError',
  'EvidenceVerificationError',
  'ManifestChangedError',
  'MappingError',
  'ReconciliationError',
  'ObjectNotFoundError',
  'InvalidInputError',
  'UnboundBucketError',
] as const;

/** Lambda's own transient failures and throttling (the invoke did not run, or ran out of capacity). */
export const transientLambdaErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** A function or task that ran out of time: worth another try (a chunk or slice retry overwrites its own output). */
export const timeoutErrors = [Errors.TIMEOUT, 'Sandbox.Timedout'] as const;

/** The retry policy of every task, in the order Step Functions matches it (first match wins). */
export const taskRetries: readonly RetryProps[] = [
  { errors: [...nonRetryableErrors], maxAttempts: 0 },
  {
    errors: [...transientLambdaErrors],
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    maxDelay: Duration.minutes(1),
    jitterStrategy: JitterType.FULL,
  },
  {
    errors: [...timeoutErrors],
    interval: Duration.seconds(10),
    maxAttempts: 2,
    backoffRate: 2,
    jitterStrategy: JitterType.FULL,
  },
  {
    // Anything else (an S3 error that outlasted the SDK's own retries, a crash): two more tries.
    errors: [Errors.ALL],
    interval: Duration.seconds(5),
    maxAttempts: 2,
    backoffRate: 3,
    jitterStrategy: JitterType.FULL,
  },
];

/** What the Distributed Maps retry of their own: reading the item list, writing the run's results. */
export const mapRetry: RetryProps = {
  errors: ['States.ItemReaderFailed', 'States.ResultWriterFailed'],
  interval: Duration.seconds(10),
  maxAttempts: 2,
  backoffRate: 2,
};

export interface ImportDefinitionProps {
  functions: Record<ImportStep, IFunction>;
  /** Holds the file, chunk and slice lists (the Distributed Maps' items) and receives the map run results. */
  reports: IBucket;
  /** Evidence files hashed at once. */
  verifyMapMaxConcurrency: number;
  /** The hash-evidence function's timeout; the task gives it a minute more before States.Timeout. */
  hashTimeout: Duration;
  /** Evidence files cut into chunks at once. */
  planMapMaxConcurrency: number;
  /** The plan-file function's timeout; likewise. */
  planFileTimeout: Duration;
  /** Chunks normalized at once. */
  mapMaxConcurrency: number;
  /** Slices of finalize compacted at once. */
  finalizeMapMaxConcurrency: number;
  /** The normalize function's timeout; the task gives it a minute more before States.Timeout. */
  normalizeTimeout: Duration;
  /** The compact-slice function's timeout; likewise. */
  compactTimeout: Duration;
  /**
   * The step after finalize that makes the seizure searchable (infra/search: prepare, index each month,
   * check). It fails the execution through "Index failed", not the failure report: the lake is complete
   * and its report says so; `seizure reindex` (or a redrive) repairs the index.
   */
  indexSteps?: (onFailure: IChainable) => Chain;
}

/** The ids every task needs: the import reference. */
const ref = {
  seizureId: JsonPath.stringAt('$.seizureId'),
  importId: JsonPath.stringAt('$.importId'),
  ingestedAt: JsonPath.numberAt('$.ingestedAt'),
};

/** Which execution ran the import (recorded in its report). */
const execution = {
  name: JsonPath.stringAt('$$.Execution.Name'),
  id: JsonPath.stringAt('$$.Execution.Id'),
  startedAt: JsonPath.stringAt('$$.Execution.StartTime'),
};

/**
 * The import state machine of DESIGN.md, defined once: the cloud runs it as a Standard workflow, the local
 * runner runs the same synthesized definition (see infra/synth-definition.ts).
 *
 *   Check manifest → Hash evidence (Distributed Map over the file list in the reports bucket, one child
 *   execution per evidence file) → Verify evidence (every file's result; custody) → Plan files (Distributed
 *   Map over the verified files, each cut into chunks in a child execution of its own) → Plan chunks (the
 *   files' chunk lists joined) → Normalize chunks (Distributed Map over the chunk list in the reports
 *   bucket, one Standard child execution per chunk) → Plan slices → Compact slices (Distributed Map over the
 *   slice list: a month partition, or a hash bucket of one, per child) → Finalize import (reconcile, report)
 *   → Import succeeded
 *
 * The state data is the execution input (seizureId, importId, ingestedAt, ...) with each step's small
 * result added under its own key ($.evidence, $.verified, $.plan, $.mapRun, $.slices, $.sliceRun, $.report). Every step retries transient
 * failures with back-off and never retries the domain's own errors; a step that still fails is caught, its
 * error goes to "Record failure" (the import report, status failed) and the execution ends in "Import failed"
 * with the original error and cause.
 */
export function importDefinition(scope: Construct, props: ImportDefinitionProps): Chain {
  const task = (
    id: string,
    step: ImportStep,
    options: Partial<ConstructorParameters<typeof LambdaInvoke>[2]>,
  ) => {
    const invoke = new LambdaInvoke(scope, id, {
      lambdaFunction: props.functions[step],
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      ...options,
    });
    for (const retry of taskRetries) invoke.addRetry(retry);
    return invoke;
  };

  const failed = new Fail(scope, importStates.failed, {
    comment: 'The import failed; its report (status failed) says in which step and why.',
    errorPath: '$.error.Error',
    causePath: '$.error.Cause',
  });
  const recordFailure = task(importStates.recordFailure, 'record-failure', {
    comment: 'Writes the import report with status failed, the failed step and its cause.',
    resultPath: '$.recorded',
  });
  // If even the report cannot be written, the execution still fails with the original error.
  recordFailure.addCatch(failed, { resultPath: '$.recordError' });
  recordFailure.next(failed);

  /** The Catch target of one step: the failure event for "Record failure", with what the state data holds. */
  const onFailure = (
    id: string,
    step: string,
    earlier: ('evidence' | 'verified' | 'plan' | 'mapRun' | 'slices' | 'sliceRun')[],
  ) =>
    new Pass(scope, id, {
      comment: `Names the failed step (${step}) for the failure report.`,
      parameters: {
        ...ref,
        step,
        error: JsonPath.objectAt('$.error'),
        execution,
        ...Object.fromEntries(earlier.map((key) => [key, JsonPath.objectAt(`$.${key}`)])),
      },
    }).next(recordFailure);
  const catchInto = { resultPath: '$.error' };

  /**
   * A Distributed Map over an item list in the reports bucket (`$.<listed>.<listKey>`), one Standard child
   * execution per item, its run's results written under `$.<listed>.resultPrefix`. Any item that fails after
   * its retries fails the map: a file not hashed would go unverified, a lost chunk or slice would leave rows
   * out of the lake.
   */
  const distributedMap = (
    id: string,
    o: {
      comment: string;
      listed: string;
      listKey: string;
      item: string;
      maxConcurrency: number;
      resultPath: string;
    },
  ) => {
    const map = new DistributedMap(scope, id, {
      comment: o.comment,
      itemReader: new S3JsonItemReader({
        bucket: props.reports,
        key: JsonPath.stringAt(`$.${o.listed}.${o.listKey}`),
      }),
      itemSelector: { ...ref, [o.item]: JsonPath.objectAt('$$.Map.Item.Value') },
      maxConcurrency: o.maxConcurrency,
      toleratedFailurePercentage: 0,
      mapExecutionType: StateMachineType.STANDARD,
      resultWriterV2: new ResultWriterV2({
        bucket: props.reports,
        prefix: JsonPath.stringAt(`$.${o.listed}.resultPrefix`),
      }),
      resultSelector: {
        mapRunArn: JsonPath.stringAt('$.MapRunArn'),
        results: JsonPath.objectAt('$.ResultWriterDetails'),
      },
      resultPath: o.resultPath,
    });
    map.addRetry(mapRetry);
    return map;
  };

  const checkManifest = task(importStates.checkManifest, 'check-manifest', {
    comment:
      'Validates the manifest (the version the import was started for); writes the files it lists to the reports bucket.',
    resultPath: '$.evidence',
  }).addCatch(onFailure(importStates.checkManifestFailed, 'check-manifest', []), catchInto);

  const hashFile = task(importStates.hashFile, 'hash-evidence', {
    comment:
      'Hashes one evidence file (parallel ranged reads ahead of SHA-256); records its size and SHA-256 against the manifest in the reports bucket.',
    taskTimeout: Timeout.duration(props.hashTimeout.plus(Duration.minutes(1))),
  });
  const hashEvidence = distributedMap(importStates.hashEvidence, {
    comment: 'One child execution per evidence file the manifest lists, read from the reports bucket.',
    listed: 'evidence',
    listKey: 'itemsKey',
    item: 'file',
    maxConcurrency: props.verifyMapMaxConcurrency,
    // Every file's result is in the reports bucket, where "Verify evidence" reads it: the state data stays as it was.
    resultPath: JsonPath.DISCARD,
  });
  hashEvidence.itemProcessor(hashFile);
  hashEvidence.addCatch(onFailure(importStates.hashFailed, 'hash-evidence', ['evidence']), catchInto);

  const verify = task(importStates.verify, 'verify', {
    comment:
      "Collects every file's hash result: any file missing, of the wrong size or SHA-256 fails the import naming them all; else records the verified evidence in the custody log.",
    payload: TaskInput.fromObject(ref),
    resultPath: '$.verified',
  }).addCatch(onFailure(importStates.verifyFailed, 'verify', ['evidence']), catchInto);

  const planFile = task(importStates.planFile, 'plan-file', {
    comment:
      'Cuts one verified evidence file into chunks on record boundaries (a file scanned whole is read in parallel ranges ahead of the scan); writes its chunk list to the reports bucket.',
    taskTimeout: Timeout.duration(props.planFileTimeout.plus(Duration.minutes(1))),
  });
  const planFiles = distributedMap(importStates.planFiles, {
    comment: 'One child execution per verified evidence file, read from the reports bucket.',
    listed: 'verified',
    listKey: 'itemsKey',
    item: 'file',
    maxConcurrency: props.planMapMaxConcurrency,
    // Every file's chunk list is in the reports bucket, where "Plan chunks" reads it.
    resultPath: JsonPath.DISCARD,
  });
  planFiles.itemProcessor(planFile);
  planFiles.addCatch(onFailure(importStates.planFilesFailed, 'plan', ['verified']), catchInto);

  const plan = task(importStates.plan, 'plan', {
    comment:
      "Joins the files' chunk lists, in the manifest's order, into the chunk list in the reports bucket.",
    payload: TaskInput.fromObject(ref),
    resultPath: '$.plan',
  }).addCatch(onFailure(importStates.planFailed, 'plan', ['verified']), catchInto);

  const normalizeChunk = task(importStates.normalize, 'normalize', {
    comment: 'Parses one chunk: messages to staged Parquet, rejects to the quarantine.',
    taskTimeout: Timeout.duration(props.normalizeTimeout.plus(Duration.minutes(1))),
  });
  const normalizeChunks = distributedMap(importStates.normalizeChunks, {
    comment: 'One child execution per chunk of the plan, read from the reports bucket.',
    listed: 'plan',
    listKey: 'planKey',
    item: 'chunk',
    maxConcurrency: props.mapMaxConcurrency,
    resultPath: '$.mapRun',
  });
  normalizeChunks.itemProcessor(normalizeChunk);
  normalizeChunks.addCatch(
    onFailure(importStates.normalizeFailed, 'normalize', ['verified', 'plan']),
    catchInto,
  );

  const planSlices = task(importStates.planSlices, 'plan-slices', {
    comment:
      'Fixes what each month partition merges and cuts the months into slices (a month, or hash buckets of its message ids) within the slice budget; writes the slice list to the reports bucket.',
    payload: TaskInput.fromObject(ref),
    resultPath: '$.slices',
  }).addCatch(
    onFailure(importStates.planSlicesFailed, 'plan-slices', ['verified', 'plan', 'mapRun']),
    catchInto,
  );

  const compactSlice = task(importStates.compactSlice, 'compact-slice', {
    comment:
      'De-duplicates, sorts and writes one slice of a month partition; records its files and counts in the reports bucket.',
    taskTimeout: Timeout.duration(props.compactTimeout.plus(Duration.minutes(1))),
  });
  const compactSlices = distributedMap(importStates.compactSlices, {
    comment: 'One child execution per slice of the partitions, read from the reports bucket.',
    listed: 'slices',
    listKey: 'slicesKey',
    item: 'slice',
    maxConcurrency: props.finalizeMapMaxConcurrency,
    resultPath: '$.sliceRun',
  });
  compactSlices.itemProcessor(compactSlice);
  compactSlices.addCatch(
    onFailure(importStates.compactFailed, 'compact', ['verified', 'plan', 'mapRun', 'slices']),
    catchInto,
  );

  const finalize = task(importStates.finalize, 'finalize', {
    comment:
      'Checks the slices against the chunks, reconciles the counts, removes the replaced partition files, writes the import report.',
    payload: TaskInput.fromObject({
      ...ref,
      execution,
      verified: JsonPath.objectAt('$.verified'),
      plan: JsonPath.objectAt('$.plan'),
      mapRun: JsonPath.objectAt('$.mapRun'),
      slices: JsonPath.objectAt('$.slices'),
      sliceRun: JsonPath.objectAt('$.sliceRun'),
    }),
    resultPath: '$.report',
  }).addCatch(
    onFailure(importStates.finalizeFailed, 'finalize', ['verified', 'plan', 'mapRun', 'slices', 'sliceRun']),
    catchInto,
  );

  const succeeded = new Succeed(scope, importStates.succeeded, {
    comment: 'The import report has status succeeded and, with search, every message is indexed.',
  });
  const indexFailed = new Fail(scope, importStates.indexFailed, {
    comment: 'The lake is complete (its report says succeeded) but the index is not; reindex repairs it.',
    errorPath: '$.error.Error',
    causePath: '$.error.Cause',
  });
  const afterFinalize = props.indexSteps ? props.indexSteps(indexFailed).next(succeeded) : succeeded;
  return Chain.start(checkManifest)
    .next(hashEvidence)
    .next(verify)
    .next(planFiles)
    .next(plan)
    .next(normalizeChunks)
    .next(planSlices)
    .next(compactSlices)
    .next(finalize)
    .next(afterFinalize);
}
