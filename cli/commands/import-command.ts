import { parseArgs } from 'node:util';
import type { ImportReport } from '#domain/import/import-types.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { localStore } from '#local/seizure-home.ts';
import { UsageError } from '../cli-errors.ts';
import { progressLine } from '../output/progress.ts';

export const importUsage = `seizure import <dir> [--json] [--force] [--chunk-mb <n>]
seizure import --cloud <dir> [--stack <name>] [--json]

Uploads <dir> (manifest.json and the files it lists) to the local landing bucket, verifies every SHA-256,
normalizes every record and writes the lake and the quarantine under $SEIZURE_HOME, then indexes it.
  --json          print the import report as JSON
  --force         run again although this manifest was imported already
  --chunk-mb <n>  chunk size in MB (default 64)
  --cloud         upload to the deployed landing bucket instead (AWS credentials from the environment) and
                  follow the import the manifest starts there
  --stack <name>  the deployed stack (default SeizureLake)`;

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'chunk-mb': { type: 'string' },
      cloud: { type: 'boolean', default: false },
      stack: { type: 'string', default: 'SeizureLake' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('import takes exactly one directory');
  const chunkMb = values['chunk-mb'] === undefined ? undefined : Number(values['chunk-mb']);
  if (chunkMb !== undefined && !(chunkMb > 0)) throw new UsageError('--chunk-mb must be a positive number');

  if (values.cloud) {
    if (values.force || chunkMb !== undefined)
      throw new UsageError('--force and --chunk-mb are local options');
    return cloudImport(positionals[0] as string, values.stack, values.json);
  }
  const progress = progressLine();
  let result: Awaited<ReturnType<typeof runLocalImport>>;
  try {
    result = await runLocalImport(localStore(), positionals[0] as string, {
      force: values.force,
      chunkBytes: chunkMb ? Math.round(chunkMb * 1024 * 1024) : undefined,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.stop();
  }
  const { report, alreadyImported, execution } = result;
  if (values.json) process.stdout.write(`${JSON.stringify({ ...report, execution }, null, 2)}\n`);
  else process.stdout.write(summary(report, alreadyImported));
  return report.status === 'succeeded' ? 0 : 1;
}

function summary(report: ImportReport, alreadyImported: boolean): string {
  const c = report.counts;
  const lines = [
    alreadyImported
      ? `${report.seizureId}: this manifest was imported already (${report.importId}); nothing ran. Use --force to run it again.`
      : `${report.seizureId}: import ${report.importId} ${report.status}`,
    `  read ${c.read}  written ${c.written}  rejected ${c.rejected}  duplicates ${c.duplicates}`,
    ...report.files.map(
      (f) =>
        `  ${f.path}: read ${f.read}, written ${f.written}, rejected ${f.rejected}, duplicates ${f.duplicates}`,
    ),
  ];
  if (c.rejected) lines.push(`  rejected records (with reasons): quarantine/${report.quarantine.rejected}`);
  return `${lines.join('\n')}\n`;
}

async function cloudImport(directory: string, stack: string, json: boolean): Promise<number> {
  const [{ S3Client }, { SFNClient }, { readStackOutputs }, { runCloudImport }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-sfn'),
    import('../cloud/stack-outputs.ts'),
    import('../cloud/cloud-import.ts'),
  ]);
  const outputs = await readStackOutputs(stack);
  const result = await runCloudImport(directory, {
    outputs,
    s3: new S3Client({}),
    sfn: new SFNClient({}),
    onStatus: (status) => process.stderr.isTTY && process.stderr.write(`\r${status.padEnd(12)}`),
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  const { report } = result;
  if (json)
    process.stdout.write(`${JSON.stringify({ ...report, executionArn: result.executionArn }, null, 2)}\n`);
  else if (report) process.stdout.write(summary(report, false));
  process.stderr.write(`execution ${result.executionArn}: ${result.status}\n`);
  return result.status === 'SUCCEEDED' && report?.status === 'succeeded' ? 0 : 1;
}
