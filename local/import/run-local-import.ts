import { finalizeImport } from '#domain/import/finalize-import.ts';
import { chunkResultPrefix, rejectedKey, stagingPrefix } from '#domain/import/import-layout.ts';
import type { ImportRef, ImportReport } from '#domain/import/import-types.ts';
import { normalizeChunk } from '#domain/import/normalize-chunk.ts';
import { DEFAULT_CHUNK_BYTES, planImport } from '#domain/import/plan-import.ts';
import { readImportReport, recordImportFailure } from '#domain/import/record-failure.ts';
import { importIdFor, verifyEvidence } from '#domain/import/verify-evidence.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import { uploadSeizure } from './upload-seizure.ts';

export interface ImportProgress {
  phase: 'upload' | 'verify' | 'plan' | 'normalize' | 'finalize';
  records: number;
  bytes: number;
  totalBytes: number;
}

export interface LocalImportOptions {
  chunkBytes?: number;
  /** Chunks normalized at once. */
  concurrency?: number;
  /** Run again even when this manifest was imported already. */
  force?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface LocalImportResult {
  report: ImportReport;
  /** true when the manifest had been imported before and nothing ran */
  alreadyImported: boolean;
}

/** An import that failed in a step; its report (status failed) is written before this is thrown. */
export class ImportFailedError extends Error {
  readonly report: ImportReport | undefined;

  constructor(message: string, report?: ImportReport) {
    super(message);
    this.name = 'ImportFailedError';
    this.report = report;
  }
}

/**
 * `seizure import <dir>` without the state machine: upload, verify, plan, normalize every chunk, finalize,
 * in this process. The steps are the same functions the Lambda handlers call.
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
  if (previous?.status === 'succeeded' && !options.force) return { report: previous, alreadyImported: true };

  const totalBytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  progress({ phase: 'verify', records: 0, bytes: 0, totalBytes });
  const verified = await verifyEvidence(store, seizureId);
  const ref: ImportRef = { seizureId, importId: verified.importId, ingestedAt: verified.ingestedAt };
  let step = 'plan';
  try {
    await clearPreviousRun(store, ref);
    progress({ phase: 'plan', records: 0, bytes: 0, totalBytes });
    const plan = await planImport(store, ref, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);

    step = 'normalize';
    const done = { records: 0, bytes: 0 };
    const queue = [...plan.chunks];
    const worker = async () => {
      for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
        let last = { records: 0, bytes: 0 };
        const result = await normalizeChunk(
          store,
          { ...ref, chunk },
          {
            onProgress: (records, bytes) => {
              done.records += records - last.records;
              done.bytes += bytes - last.bytes;
              last = { records, bytes };
              progress({ phase: 'normalize', ...done, totalBytes });
            },
          },
        );
        done.records += result.read - last.records;
        done.bytes += chunk.end - chunk.start - last.bytes;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));

    step = 'finalize';
    progress({ phase: 'finalize', ...done, totalBytes });
    const report = await finalizeImport(store, ref);
    return { report, alreadyImported: false };
  } catch (error) {
    const report = await recordImportFailure(store, ref, { step, message: (error as Error).message });
    throw new ImportFailedError(
      `import ${importId} failed in step ${step}: ${(error as Error).message}`,
      report,
    );
  }
}

/** A forced re-run starts from nothing but the evidence and the lake's other imports. */
async function clearPreviousRun(store: ObjectStore, ref: ImportRef): Promise<void> {
  const prefixes: [Parameters<ObjectStore['delete']>[0], string][] = [
    ['lake', stagingPrefix(ref.seizureId, ref.importId)],
    ['reports', chunkResultPrefix(ref.seizureId, ref.importId)],
    ['quarantine', rejectedKey(ref.seizureId, ref.importId, '').replace(/\.ndjson$/, '')],
  ];
  for (const [bucket, prefix] of prefixes) {
    for await (const o of store.list(bucket, prefix)) await store.delete(bucket, o.key);
  }
}
