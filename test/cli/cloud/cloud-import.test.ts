import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectLockConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCloudImport } from '#cli/cloud/cloud-import.ts';
import type { SeizureLakeOutputs } from '#cli/cloud/stack-outputs.ts';
import { readCustodyLog } from '#domain/custody/custody-log.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import { sharedSearchClient } from '#domain/search/search-client.ts';
import { installSearchSetup } from '#domain/search/search-setup.ts';
import { S3Store } from '#domain/storage/s3-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { type S3Server, startS3Server } from '#local/s3-server/server.ts';
import { runImportStateMachine } from '#local/workflow/run-import-state-machine.ts';
import { openSearchUrl } from '../../support/search-lake.ts';

/**
 * `seizure import --cloud` against a real S3-compatible server (moto), the landing bucket created as the CDK
 * creates it (versioned, Object Lock). Mocked AWS: only the Step Functions control plane. The fake plays the
 * trigger: once the manifest has landed it "starts" the execution by running the synthesized state machine
 * against the same S3 buckets, as the cloud would.
 */
describe('seizure import --cloud (mocked AWS: Step Functions; S3 is a real S3-compatible server)', () => {
  let server: S3Server;
  let s3: S3Client;
  let outputs: SeizureLakeOutputs;

  beforeAll(async () => {
    server = await startS3Server();
    s3 = new S3Client(server.clientConfig);
    const suffix = Date.now().toString(36);
    outputs = {
      LandingBucketName: `landing-${suffix}`,
      LakeBucketName: `lake-${suffix}`,
      QuarantineBucketName: `quarantine-${suffix}`,
      ReportsBucketName: `reports-${suffix}`,
      ImportStateMachineArn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:SeizureLake-import',
      GlueDatabaseName: 'seizure_lake',
      AthenaWorkGroupName: 'seizure-lake',
    };
    await s3.send(
      new CreateBucketCommand({ Bucket: outputs.LandingBucketName, ObjectLockEnabledForBucket: true }),
    );
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: outputs.LandingBucketName,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        },
      }),
    );
    for (const bucket of [outputs.LakeBucketName, outputs.QuarantineBucketName, outputs.ReportsBucketName]) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    // What the stack's search setup custom resource installs at deploy time, before any import runs.
    await installSearchSetup(sharedSearchClient({ url: openSearchUrl() }));
  });
  afterAll(async () => server?.stop());

  it('uploads the evidence, follows the execution the manifest starts, and returns its report', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'cloud-')), 'seizure');
    await generateSeizure({ platform: 'anom', messages: 2000, seed: 'cloud', out: dir, malformedRate: 0.01 });
    const manifestBytes = await fs.readFile(path.join(dir, 'manifest.json'));
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    const store = new S3Store({
      client: s3,
      buckets: {
        landing: outputs.LandingBucketName,
        lake: outputs.LakeBucketName,
        quarantine: outputs.QuarantineBucketName,
        reports: outputs.ReportsBucketName,
      },
    });

    const described: string[] = [];
    let execution: Promise<{ status: string }> | undefined;
    const sfn = {
      async send(command: { input: { executionArn: string } }) {
        described.push(command.input.executionArn);
        if (!execution) {
          // The trigger starts nothing before the manifest has landed.
          if (!(await store.head('landing', `seizures/${manifest.seizureId}/manifest.json`))) {
            throw Object.assign(new Error('Execution does not exist'), { name: 'ExecutionDoesNotExist' });
          }
          const { createHash } = await import('node:crypto');
          const sha = createHash('sha256').update(manifestBytes).digest('hex');
          execution = runImportStateMachine(
            store,
            {
              seizureId: manifest.seizureId,
              importId: importIdFor(sha),
              ingestedAt: Date.now(),
              manifestSha256: sha,
            },
            { retryIntervalMs: 10 },
          );
          return { status: 'RUNNING' };
        }
        return { status: (await execution).status };
      },
    };

    const result = await runCloudImport(dir, { outputs, s3, sfn: sfn as never, pollMs: 20 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.executionArn).toMatch(
      /^arn:aws:states:eu-west-1:000000000000:execution:SeizureLake-import:anom-cloud-[0-9a-f]{20}$/,
    );
    expect(new Set(described)).toEqual(new Set([result.executionArn]));
    const { counts } = result.report!;
    expect(result.report!.status).toBe('succeeded');
    expect(counts.read).toBe(counts.written + counts.rejected + counts.duplicates);
    expect(counts.rejected).toBeGreaterThan(0);
    const custody = (await readCustodyLog(store, manifest.seizureId)).map((e) => e.entry.action);
    expect(custody).toEqual(['evidence-verified', 'import-started', 'import-finished']);

    // Uploading the same seizure again finds its evidence in place and starts nothing new.
    const again = await runCloudImport(dir, { outputs, s3, sfn: sfn as never, pollMs: 20 });
    expect(again.executionArn).toBe(result.executionArn);
    expect(again.report!.counts).toEqual(counts);
  });
});
