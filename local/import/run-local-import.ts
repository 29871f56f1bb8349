import { chunkResultPrefix, rejectedPrefix, stagingPrefix } from '#domain/import/import-layout.ts';
import type { ImportReport } from '#domain/import/import-types.ts';
import { readImportReport } from '#domain/import/record-failure.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import type { BucketRole, ObjectStore } from '#domain/storage/object-store.ts';
import { executionKey } from '#functions/shared/execution-record.ts';
import { indexAfterImport, SearchIndexingError } from '../search/index-after-import.ts';
import { localSearchClient } from '../search/local-search.ts';
import { type ExecutionSummary, summarizeExecution } from '../workflow/execution-summary.ts';
import { type LocalRunOptions, runImportStateMachine } from '../workflow/run-import-state-machine.ts';
import { uploadSeizure } from './upload-seizure.ts';

export interface ImportProgress {
  phase: 'upload' | 'import';
  records: number;
  bytes: number;
  totalBytes: number;
}

export interface LocalImportOptions extends Omit<LocalRunOptions, 'onProgress'> {
  /** Run again even when this manifest was imported already. */
  force?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface LocalImportResult {
  report: ImportReport;
  /** The state machine execution that ran the import; absent when nothing ran. */
  execution?: ExecutionSummary;
  /** true when the manifest had been imported before and nothing ran */
  alreadyImported: boolean;
  /** What the index step found: every message of the seizure searchable (index count = lake count). */
  search?: unknown;
}

/** An import whose execution failed; its report (status failed) says in which step and why. */
export class ImportFailedError extends Error {
  readonly report: ImportReport | undefined;
  readonly execution: ExecutionSummary;

  constructor(message: string, execution: ExecutionSummary, report?: ImportReport) {
    super(message);
    this.name = 'ImportFailedError';
    this.report = report;
    this.execution = execution;
  }
}

/**
 * `seizure import <dir>`: uploads the seizure to the local landing bucket as a team would upload it to S3,
 * then runs the import state machine that CDK synthesizes (verify, plan, normalize each chunk, finalize),
 * each task calling the same step as its Lambda handler. The same manifest is the same import: unless
 * forced, a manifest imported before starts nothing, like a duplicate trigger event in the cloud.
 */
export async function runLocalImport(
  store: ObjectStore,
  directory: string,
  options: LocalImportOptions = {},
): Promise<LocalImportResult> {
  const progress = options.onProgress ?? (() => {});
  progress({ phase: 'upload', records: 0, bytes: 0, totalBytes: 0 });
  const { manifest, manifestSha256 } = await uploadSeizure(store, directory);
  const seizureId = manifest.seizureId;
  const importId = importIdFor(manifestSha256);

  const previous = await readImportReport(store, seizureId, importId);
  if (previous?.status === 'succeeded' && !options.force) {
    // Nothing to import; an index an earlier run left incomplete is completed (throws SearchIndexingError).
    const search = await indexAfterImport(store, previous, { whenIncomplete: true });
    return { report: previous, alreadyImported: true, ...(search ? { search } : {}) };
  }
  await clearPreviousRun(store, seizureId, importId);
  // The index step needs an OpenSearch: this home's node, started on first use. If none can be had, the import
  // still runs (the lake does not depend on it) and ends in "Index failed" with this reason.
  const searchUnavailable = await localSearchClient({ start: true }).then(
    ({ url }) => {
      // The index step reads its connection from the environment, as its Lambda does.
      process.env.OPENSEARCH_URL ||= url;
      return undefined;
    },
    (error: Error) => error.message,
  );

  const totalBytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  const perChunk = new Map<string, { records: number; bytes: number }>();
  const done = { records: 0, bytes: 0 };
  const execution = await runImportStateMachine(
    store,
    { seizureId, importId, ingestedAt: Date.now(), manifestSha256 },
    {
      ...options,
      onProgress: ({ chunkId, records, bytes }) => {
        const last = perChunk.get(chunkId) ?? { records: 0, bytes: 0 };
        done.records += records - last.records;
        done.bytes += bytes - last.bytes;
        perChunk.set(chunkId, { records, bytes });
        progress({ phase: 'import', ...done, totalBytes });
      },
    },
  );
  const summary = summarizeExecution(execution);
  // The steps record what the state data shows; locally the event log shows more: each state's attempts.
  await store.write('reports', executionKey(seizureId, importId), JSON.stringify(summary, null, 2), {
    contentType: 'application/json',
  });
  const report = await readImportReport(store, seizureId, importId);
  if (report?.status === 'succeeded' && execution.status === 'FAILED') {
    // Finalize wrote a complete lake; what failed is the index step after it.
    throw new SearchIndexingError(seizureId, searchUnavailable ?? `${execution.error}: ${execution.cause}`);
  }
  if (execution.status === 'FAILED' || !report || report.status !== 'succeeded') {
    const why = report?.error
      ? `in step ${report.error.step}: ${report.error.message}`
      : `${execution.error}: ${execution.cause}`;
    throw new ImportFailedError(`import ${importId} failed ${why}`, summary, report);
  }
  const search = (execution.output as { search?: { result?: unknown } } | undefined)?.search?.result;
  return { report, execution: summary, alreadyImported: false, search };
}

/** A forced re-run starts from nothing but the evidence and the lake's other imports. */
async function clearPreviousRun(store: ObjectStore, seizureId: string, importId: string): Promise<void> {
  const prefixes: [BucketRole, string][] = [
    ['lake', stagingPrefix(seizureId, importId)],
    ['reports', chunkResultPrefix(seizureId, importId)],
    ['quarantine', rejectedPrefix(seizureId, importId)],
  ];
  for (const [bucket, prefix] of prefixes) {
    for await (const o of store.list(bucket, prefix)) await store.delete(bucket, o.key);
  }
}
