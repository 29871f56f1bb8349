import path from 'node:path';
import { Duration, RemovalPolicy, type Size } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeWildcards, xrayReason } from '../nag/seizure-lake-checks.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Lambda runs the functions on x86_64: the DuckDB layer's native binding is built for linux-x64. */
export const functionArchitecture = Architecture.X86_64;
export const functionRuntime = Runtime.NODEJS_24_X;

/** The CloudWatch namespace of the functions' own metrics (RecordsRead, ImportsStarted, ...). */
export const metricsNamespace = 'SeizureLake';

/** ESM bundles with CommonJS dependencies (X-Ray SDK, DuckDB's loader) need `require`. */
export const esmRequireBanner =
  "import { createRequire as __seizureCreateRequire } from 'node:module'; const require = __seizureCreateRequire(import.meta.url);";

/**
 * The esbuild settings of every function: one ESM file per function, minified with a source map, for
 * Node 24, the AWS SDK bundled (its version is the one the code was tested with, not the runtime's) and
 * `@duckdb/*` left to the DuckDB layer. Always local esbuild, never Docker.
 */
export function houseBundling(externalModules: string[] = ['@duckdb/*']): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: esmRequireBanner,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    externalModules,
    forceDockerBundling: false,
  };
}

export interface FunctionWithLogGroupProps {
  /** The folder under functions/ whose handler.ts this function runs. */
  folder: string;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  ephemeralStorageSize?: Size;
  environment?: Record<string, string>;
  layers?: ILayerVersion[];
  logRetention?: RetentionDays;
}

/**
 * The house Lambda function (after Powertools' FunctionWithLogGroup): Node 24 on x86_64, active tracing,
 * source maps, ESM bundle, its own role with nothing but its log group and what its construct grants, and its
 * own log group, kept for a year and retained on stack deletion (logs are part of the import's record).
 */
export class FunctionWithLogGroup extends NodejsFunction {
  readonly folder: string;
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: FunctionWithLogGroupProps) {
    const logs = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the seizure-lake ${props.folder} function`,
    });
    logs.grantWrite(role);
    super(scope, id, {
      entry: path.join(repoRoot, 'functions', props.folder, 'handler.ts'),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      description: props.description,
      runtime: functionRuntime,
      architecture: functionArchitecture,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(1),
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      tracing: Tracing.ACTIVE,
      logGroup: logs,
      role,
      layers: props.layers ?? [],
      bundling: houseBundling(),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.folder,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
    this.folder = props.folder;
    this.logs = logs;
    acknowledgeWildcards(role, xrayReason);
  }
}
