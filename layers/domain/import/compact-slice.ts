import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compactPartitionSlice } from '../lake/compact-partition.ts';
import { type DuckDBSession, openDuckDB } from '../lake/duckdb-session.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import {
  duplicatesKey,
  monthInputKey,
  monthPartitionPrefix,
  sliceFileStem,
  sliceResultKey,
} from './import-layout.ts';
import type { MonthInput, SliceResult, SliceTask } from './import-types.ts';

export interface CompactSliceOptions {
  /** Scratch space for downloads, DuckDB's spill and the new files (Lambda: /tmp). */
  workDirectory?: string;
  /** DuckDB's memory limit, e.g. '6GB'; it spills to the work directory beyond it. */
  memoryLimit?: string;
  /** A DuckDB to use instead of opening one (one process compacting every slice in turn). */
  duckdb?: DuckDBSession;
  /** Parquet downloaded at once from S3 (see compact-partition.ts). */
  downloadGroupBytes?: number;
}

/**
 * Finalize, step 2 (one item of "Compact slices"): compacts one slice of a month partition from the input
 * fixed when finalize was planned, and records what it wrote and its counts in the reports bucket. Every
 * output is named after the slice, so a retry overwrites its own output and never duplicates it.
 */
export async function compactSlice(
  store: ObjectStore,
  task: SliceTask,
  options: CompactSliceOptions = {},
): Promise<SliceResult> {
  const { seizureId, importId, slice } = task;
  const input = JSON.parse(
    (await store.readBuffer('reports', monthInputKey(seizureId, importId, slice.month))).toString('utf8'),
  ) as MonthInput;
  if (input.buckets !== slice.buckets)
    throw new Error(`slice ${slice.sliceId} is not a slice of the plan (${input.buckets} buckets)`);

  const work = await fs.mkdtemp(
    path.join(options.workDirectory ?? os.tmpdir(), `slice-${importId}-${slice.sliceId}-`),
  );
  const duckdb =
    options.duckdb ??
    (await openDuckDB({ memoryLimit: options.memoryLimit, tempDirectory: path.join(work, 'duckdb') }));
  try {
    const dupesKey = duplicatesKey(seizureId, importId, slice.sliceId);
    const compacted = await compactPartitionSlice(store, duckdb, {
      importId,
      partitionPrefix: monthPartitionPrefix(seizureId, slice.month),
      existing: input.existing,
      staged: input.staged,
      bucket: slice.bucket,
      buckets: slice.buckets,
      fileStem: sliceFileStem(importId, slice.bucket, slice.buckets),
      duplicatesKey: dupesKey,
      workDirectory: work,
      ...(options.downloadGroupBytes ? { downloadGroupBytes: options.downloadGroupBytes } : {}),
    });
    const result: SliceResult = {
      ...slice,
      rows: compacted.rows,
      staged: compacted.staged,
      files: compacted.files,
      bySource: Object.fromEntries(compacted.bySource),
      ...(compacted.duplicates ? { duplicatesKey: dupesKey } : {}),
    };
    await store.write('reports', sliceResultKey(seizureId, importId, slice.sliceId), JSON.stringify(result), {
      contentType: 'application/json',
    });
    return result;
  } finally {
    if (!options.duckdb) duckdb.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}
