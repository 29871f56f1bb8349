import { ArnFormat, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SECRET_PREFIX } from '#domain/adapters/adapter.ts';
import { nativeAddonOnLambda } from '../../layers/native-normalize/package-layer.ts';
import type { EvidenceStore } from '../evidence-store/evidence-store.ts';
import type { DuckDbLayer } from '../lambda/duckdb-layer.ts';
import { FunctionWithLogGroup } from '../lambda/function-with-log-group.ts';
import { NativeNormalizeLayer } from '../lambda/native-normalize-layer.ts';
import {
  acknowledgeRule,
  acknowledgeWildcards,
  bucketGrantReasons,
  objectsOf,
  versionsOf,
} from '../nag/seizure-lake-checks.ts';
import { searchIndexStates } from '../search/search-index-states.ts';
import { type ImportStep, importDefinition } from './import-definition.ts';

export interface ImportWorkflowProps {
  store: EvidenceStore;
  /** Evidence files hashed at once (the hash map's MaxConcurrency), and cut into chunks at once (the plan map's). */
  verifyMapMaxConcurrency: number;
  /** Memory of the hash-evidence and plan-file functions, in MB. */
  verifyMemoryMb: number;
  /** Chunks normalized at once (Distributed Map MaxConcurrency). */
  mapMaxConcurrency: number;
  /** Chunk size the plan map cuts evidence files into, in bytes. */
  chunkBytes: number;
  /** Memory of the normalize function, in MB. */
  normalizeMemoryMb: number;
  /** Slices of finalize compacted at once (the compaction map's MaxConcurrency). */
  finalizeMapMaxConcurrency: number;
  /** Memory of the compact-slice function, in MB. */
  finalizeMemoryMb: number;
  /** Parquet bytes one slice compacts at most. */
  sliceBytes: number;
  /** The DuckDB layer (shared with search's index function). */
  duckdb: DuckDbLayer;
  /** The function of the index step after finalize (Search.indexFunction); without it, no index step. */
  indexFunction?: IFunction;
}

/** The manifest key pattern that starts an import (EventBridge wildcard). */
export const manifestKeyPattern = 'seizures/*/manifest.json';

const hashTimeout = Duration.minutes(15);
const planFileTimeout = Duration.minutes(15);
const normalizeTimeout = Duration.minutes(10);
const compactTimeout = Duration.minutes(15);

/** DuckDB's share of the compact-slice memory: the rest is Node's and the S3 transfers' (it spills beyond). */
const DUCKDB_MEMORY_SHARE = 0.7;

/**
 * The import of DESIGN.md on AWS: the step functions, the Standard state machine that runs them, and the
 * trigger that starts one execution per manifest content when a manifest lands in the evidence bucket.
 */
export class ImportWorkflow extends Construct {
  readonly functions: Record<ImportStep, FunctionWithLogGroup>;
  readonly trigger: FunctionWithLogGroup;
  readonly stateMachine: StateMachine;
  /** Manifest events the trigger could not turn into an execution, after all retries. */
  readonly triggerDeadLetters: Queue;
  readonly duckdb: DuckDbLayer;
  /** The normalize step's native fast path, for its function alone. */
  readonly nativeNormalize: NativeNormalizeLayer;

  constructor(scope: Construct, id: string, props: ImportWorkflowProps) {
    super(scope, id);
    const { store } = props;
    this.duckdb = props.duckdb;
    this.nativeNormalize = new NativeNormalizeLayer(this, 'NativeNormalizeLayer');

    const checkManifest = new FunctionWithLogGroup(this, 'CheckManifestFunction', {
      folder: 'check-manifest',
      description:
        'seizure-lake import: validates the manifest and writes the list of evidence files to hash',
      memorySize: 512,
      timeout: Duration.minutes(1),
    });
    store.bind(checkManifest, { landing: 'read', reports: 'readWrite' });

    const hashEvidence = new FunctionWithLogGroup(this, 'HashEvidenceFunction', {
      folder: 'hash-evidence',
      description:
        'seizure-lake import: hashes one evidence file (SHA-256) and records it against the manifest',
      // SHA-256 runs on one core; parallel ranged reads keep it fed (BENCHMARKS.md, "Scale model").
      memorySize: props.verifyMemoryMb,
      timeout: hashTimeout,
    });
    store.bind(hashEvidence, { landing: 'read', reports: 'readWrite' });

    const verify = new FunctionWithLogGroup(this, 'VerifyFunction', {
      folder: 'verify',
      description:
        'seizure-lake import: collects the evidence hashes; records the verified evidence in the custody log',
      memorySize: 1024,
      timeout: Duration.minutes(5),
    });
    store.bind(verify, { landing: 'read', reports: 'read' });
    store.grantCustodyAppend(verify);

    const planFile = new FunctionWithLogGroup(this, 'PlanFileFunction', {
      folder: 'plan-file',
      description:
        'seizure-lake import: cuts one evidence file into chunks on record boundaries and writes its chunk list',
      // A quoted CSV file is scanned whole on one core, fed by parallel ranged reads, as verify hashes it.
      memorySize: props.verifyMemoryMb,
      timeout: planFileTimeout,
      environment: { CHUNK_BYTES: String(props.chunkBytes) },
    });
    store.bind(planFile, { landing: 'read', reports: 'readWrite' });

    const plan = new FunctionWithLogGroup(this, 'PlanFunction', {
      folder: 'plan',
      description: "seizure-lake import: joins the evidence files' chunk lists into the chunk list",
      memorySize: 1024,
      timeout: Duration.minutes(5),
    });
    store.bind(plan, { landing: 'read', reports: 'readWrite' });

    const normalize = new FunctionWithLogGroup(this, 'NormalizeFunction', {
      folder: 'normalize',
      description: 'seizure-lake import: normalizes one chunk into staged Parquet and quarantined rejects',
      // One vCPU: the step is single-threaded; a chunk peaks at ~1.0 GB whatever its size (BENCHMARKS.md).
      memorySize: props.normalizeMemoryMb,
      timeout: normalizeTimeout,
      ephemeralStorageSize: Size.gibibytes(4),
      layers: [this.duckdb, this.nativeNormalize],
      environment: { NATIVE_NORMALIZE_ADDON: nativeAddonOnLambda },
    });
    // PGP keys a manifest names by secret: only under the prefix (functions/shared/secret-resolver.ts).
    normalize.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          Stack.of(this).formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${SECRET_PREFIX}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    acknowledgeWildcards(normalize.role!, {
      finding:
        /^Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:seizure-lake\/\*$/,
      reason:
        'PGP keys and passphrases that manifests name as secrets, by a name chosen per seizure: only secrets under seizure-lake/.',
    });
    store.bind(normalize, {
      landing: 'read',
      lake: 'readWrite',
      quarantine: 'readWrite',
      reports: 'readWrite',
    });

    const planSlices = new FunctionWithLogGroup(this, 'PlanSlicesFunction', {
      folder: 'plan-slices',
      description: 'seizure-lake import: cuts the staged month partitions into slices for compaction',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: { SLICE_BYTES: String(props.sliceBytes) },
    });
    store.bind(planSlices, { lake: 'read', reports: 'readWrite' });

    const compactSlice = new FunctionWithLogGroup(this, 'CompactSliceFunction', {
      folder: 'compact-slice',
      description:
        'seizure-lake import: de-duplicates, sorts and writes one slice of a month partition into the lake',
      memorySize: props.finalizeMemoryMb,
      timeout: compactTimeout,
      ephemeralStorageSize: Size.gibibytes(10),
      layers: [this.duckdb],
      // DuckDB spills to /tmp beyond this.
      environment: {
        DUCKDB_MEMORY_LIMIT: `${Math.floor(props.finalizeMemoryMb * DUCKDB_MEMORY_SHARE)}MB`,
      },
    });
    store.bind(compactSlice, { lake: 'readWrite', quarantine: 'readWrite', reports: 'readWrite' });

    const finalize = new FunctionWithLogGroup(this, 'FinalizeFunction', {
      folder: 'finalize',
      description:
        'seizure-lake import: reconciles the counts, removes replaced lake files, writes the report',
      memorySize: 1024,
      timeout: Duration.minutes(15),
    });
    store.bind(finalize, {
      landing: 'read',
      lake: 'readWrite',
      quarantine: 'readWrite',
      reports: 'readWrite',
    });
    store.grantCustodyAppend(finalize);

    const recordFailure = new FunctionWithLogGroup(this, 'RecordFailureFunction', {
      folder: 'record-failure',
      description: 'seizure-lake import: records a failed import (report with status failed and its cause)',
      memorySize: 512,
      timeout: Duration.minutes(1),
    });
    // Lake write access: it removes what the slices of a failed finalize wrote (discard-slice-output.ts).
    store.bind(recordFailure, { landing: 'read', lake: 'readWrite', reports: 'readWrite' });
    store.grantCustodyAppend(recordFailure);

    this.functions = {
      'check-manifest': checkManifest,
      'hash-evidence': hashEvidence,
      verify,
      'plan-file': planFile,
      plan,
      normalize,
      'plan-slices': planSlices,
      'compact-slice': compactSlice,
      finalize,
      'record-failure': recordFailure,
    };

    const stateMachineLogs = new LogGroup(this, 'StateMachineLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment:
        'seizure-lake: imports one seizure (verify every file, plan, normalize every chunk, compact every slice, finalize)',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(
        importDefinition(this, {
          functions: this.functions,
          reports: store.reports,
          verifyMapMaxConcurrency: props.verifyMapMaxConcurrency,
          hashTimeout,
          planMapMaxConcurrency: props.verifyMapMaxConcurrency,
          planFileTimeout,
          mapMaxConcurrency: props.mapMaxConcurrency,
          finalizeMapMaxConcurrency: props.finalizeMapMaxConcurrency,
          normalizeTimeout,
          compactTimeout,
          ...(props.indexFunction
            ? {
                indexSteps: (onFailure) =>
                  searchIndexStates(this, { indexFunction: props.indexFunction!, onFailure }),
              }
            : {}),
        }),
      ),
      tracingEnabled: true,
      logs: { destination: stateMachineLogs, level: LogLevel.ALL, includeExecutionData: false },
    });
    // The Distributed Maps read their items from, and write their results to, the KMS-encrypted reports bucket:
    // CDK grants the S3 actions but not the key (aws-cdk #35390, #35391).
    store.dataKey.grantEncryptDecrypt(this.stateMachine);
    acknowledgeWildcards(
      this.stateMachine,
      versionsOf(...Object.values(this.functions), ...(props.indexFunction ? [props.indexFunction] : [])),
      objectsOf(store.reports),
      ...bucketGrantReasons,
      {
        finding:
          /^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+\/\*:\*$|^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+:\*$/,
        reason:
          'The Distributed Map describes, stops and redrives its own child executions: execution ARNs of this state machine (states:::execution:<state machine name>:*), named at run time.',
      },
      {
        finding: /^Resource::\*$/,
        starActions:
          /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/,
        reason:
          'CloudWatch Logs vended-log delivery (logs:*LogDelivery*, resource policies) and X-Ray tracing actions do not support resource-level permissions.',
      },
    );

    this.triggerDeadLetters = new Queue(this, 'TriggerDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeRule(
      this.triggerDeadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the import trigger (EventBridge target and Lambda on-failure destination).',
    );

    this.trigger = new FunctionWithLogGroup(this, 'TriggerFunction', {
      folder: 'trigger',
      description: 'seizure-lake import: starts one import execution per manifest content (SHA-256)',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
    });
    store.bind(this.trigger, { landing: 'read' });
    this.stateMachine.grantStartExecution(this.trigger);
    this.trigger.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.triggerDeadLetters),
    });

    new Rule(this, 'ManifestLanded', {
      description: `seizure-lake: a manifest landed at ${manifestKeyPattern} in the evidence bucket`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [store.landing.bucketName] },
          object: { key: Match.wildcard(manifestKeyPattern) },
        },
      },
      targets: [
        new LambdaFunction(this.trigger, {
          deadLetterQueue: this.triggerDeadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
