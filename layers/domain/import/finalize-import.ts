import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDuckDB } from '../lake/duckdb-session.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { compactSlice } from './compact-slice.ts';
import type { ImportRef, ImportReport } from './import-types.ts';
import { DEFAULT_SLICE_BYTES, planSlices } from './plan-slices.ts';
import { reconcileImport } from './reconcile-import.ts';

export { ReconciliationError } from './reconciliation-error.ts';

export interface FinalizeOptions {
  workDirectory?: string;
  memoryLimit?: string;
  /** Parquet per slice (see plan-slices.ts); smaller cuts a month into more slices. */
  sliceBytes?: number;
  /** Parquet downloaded at once from S3 by a slice (see compact-partition.ts). */
  downloadGroupBytes?: number;
}

/**
 * Finalize in one process, as the state machine runs it in three states: plan the slices, compact each
 * (here one after another, on one DuckDB), reconcile and write the report. For the benchmark and for tests
 * that need a finalized import without a state machine.
 */
export async function finalizeImport(
  store: ObjectStore,
  ref: ImportRef,
  options: FinalizeOptions = {},
): Promise<ImportReport> {
  const { slices } = await planSlices(store, ref, options.sliceBytes ?? DEFAULT_SLICE_BYTES);
  const work = await fs.mkdtemp(path.join(options.workDirectory ?? os.tmpdir(), `finalize-${ref.importId}-`));
  const duckdb = await openDuckDB({
    memoryLimit: options.memoryLimit,
    tempDirectory: path.join(work, 'duckdb'),
  });
  try {
    for (const slice of slices) {
      await compactSlice(
        store,
        { ...ref, slice },
        {
          workDirectory: work,
          duckdb,
          ...(options.downloadGroupBytes ? { downloadGroupBytes: options.downloadGroupBytes } : {}),
        },
      );
    }
  } finally {
    duckdb.close();
    await fs.rm(work, { recursive: true, force: true });
  }
  return reconcileImport(store, ref);
}
