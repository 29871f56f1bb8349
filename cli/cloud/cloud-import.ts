import type { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ImportReport } from '#domain/import/import-types.ts';
import { readImportReport } from '#domain/import/record-failure.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import { S3Store } from '#domain/storage/s3-store.ts';
import { executionNameFor } from '#functions/trigger/start-import.ts';
import { uploadSeizure } from '#local/import/upload-seizure.ts';
import type { SeizureLakeOutputs } from './stack-outputs.ts';

export interface CloudImportOptions {
  outputs: SeizureLakeOutputs;
  s3: S3Client;
  sfn: Pick<SFNClient, 'send'>;
  /** How long to wait for the trigger to start the execution after the manifest lands. */
  startTimeoutMs?: number;
  pollMs?: number;
  onStatus?: (status: string) => void;
}

export interface CloudImportResult {
  executionArn: string;
  status: string;
  report: ImportReport | undefined;
}

/**
 * `seizure import --cloud <dir>`: uploads the files and then the manifest to the deployed landing bucket (the
 * same checks as locally first; create-only writes with SHA-256 checksums), then follows the execution the
 * manifest's arrival starts, which has a name derived from the manifest's hash, and returns its report.
 */
export async function runCloudImport(
  directory: string,
  options: CloudImportOptions,
): Promise<CloudImportResult> {
  const { outputs } = options;
  const store = new S3Store({
    client: options.s3,
    buckets: {
      landing: outputs.LandingBucketName,
      lake: outputs.LakeBucketName,
      quarantine: outputs.QuarantineBucketName,
      reports: outputs.ReportsBucketName,
    },
  });
  options.onStatus?.('uploading');
  const { manifest, manifestSha256 } = await uploadSeizure(store, directory);
  const name = executionNameFor(manifest.seizureId, manifestSha256);
  const executionArn = `${outputs.ImportStateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

  const deadline = Date.now() + (options.startTimeoutMs ?? 5 * 60_000);
  let pause = options.pollMs ?? 1000;
  let status = 'PENDING';
  for (;;) {
    try {
      const execution = await options.sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = execution.status ?? 'UNKNOWN';
    } catch (e) {
      if ((e as Error).name !== 'ExecutionDoesNotExist') throw e;
      if (Date.now() > deadline) {
        throw new Error(
          `no execution ${name} started within ${Math.round((options.startTimeoutMs ?? 300_000) / 1000)} s of the manifest landing: check the trigger's dead-letter queue`,
        );
      }
    }
    options.onStatus?.(status);
    if (status !== 'PENDING' && status !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 15_000);
  }
  const report = await readImportReport(store, manifest.seizureId, importIdFor(manifestSha256));
  return { executionArn, status, report };
}
