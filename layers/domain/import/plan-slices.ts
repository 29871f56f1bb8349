import path from 'node:path';
import type { Chunk } from '../adapters/adapter.ts';
import { mapConcurrently } from '../lake/map-concurrently.ts';
import { readJsonObject } from '../storage/json-objects.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import {
  chunkResultPrefix,
  monthInputKey,
  monthPartitionPrefix,
  planKey,
  sliceIdOf,
  slicesKey,
  stagingPrefix,
} from './import-layout.ts';
import type { ChunkResult, ImportRef, MonthInput, PlannedSlices, SizedKey, Slice } from './import-types.ts';
import { ReconciliationError } from './reconciliation-error.ts';

/**
 * Default slice budget: the Parquet (staged and already in the partition) one finalize task compacts. 768 MiB
 * is ~11 M rows at the ~70 bytes per row measured; DuckDB needs ~1 KB per row to de-duplicate and sort them,
 * so a 10,240 MB Lambda (DuckDB at 7 GB) spills ~4 GB, well within its 10 GB of /tmp, and writes one lake
 * file of ~750 MB per slice (BENCHMARKS.md, "Scale model").
 */
export const DEFAULT_SLICE_BYTES = 768 * 1024 ** 2;

/** S3 requests in flight at once when reading the chunk results. */
const READS_AT_ONCE = 32;

/** Every chunk of the plan with its result; a chunk without one did not finish, and nothing may be finalized. */
export async function readChunkResults(store: ObjectStore, ref: ImportRef): Promise<ChunkResult[]> {
  const { seizureId, importId } = ref;
  const planned = await readJsonObject<Chunk[]>(store, 'reports', planKey(seizureId, importId));
  // Only the chunks of this plan count: a re-run with another chunk size may have left others behind.
  const plannedIds = new Set(planned.map((c) => c.chunkId));
  const keys: string[] = [];
  for await (const o of store.list('reports', chunkResultPrefix(seizureId, importId))) {
    if (o.key.endsWith('.json') && plannedIds.has(path.posix.basename(o.key, '.json'))) keys.push(o.key);
  }
  const results = new Map<string, ChunkResult>();
  for (const r of await mapConcurrently(keys, READS_AT_ONCE, (key) =>
    readJsonObject<ChunkResult>(store, 'reports', key),
  ))
    if (plannedIds.has(r.chunkId)) results.set(r.chunkId, r);
  const missing = planned.filter((c) => !results.has(c.chunkId)).map((c) => c.chunkId);
  if (missing.length)
    throw new ReconciliationError(`no result for chunk(s) ${missing.join(', ')}: they did not finish`);
  return planned.map((c) => results.get(c.chunkId) as ChunkResult);
}

/**
 * Finalize, step 1 ("Plan slices"): lists what each month partition must merge (this import's staged files,
 * the partition's current files) and cuts every month into slices of at most `sliceBytes` of Parquet, by a
 * hash of message_id: one slice for a month that fits, which gives exactly the files an unsliced finalize
 * wrote. Writes each month's input list and the slice list (the compaction map's items) to the reports bucket.
 */
export async function planSlices(
  store: ObjectStore,
  ref: ImportRef,
  sliceBytes: number = DEFAULT_SLICE_BYTES,
): Promise<PlannedSlices & { slices: Slice[] }> {
  const { seizureId, importId } = ref;
  const chunks = await readChunkResults(store, ref);
  const chunkIds = new Set(chunks.map((c) => c.chunkId));
  const stagedRows = new Map<string, number>();
  for (const c of chunks)
    for (const m of c.months) stagedRows.set(m.month, (stagedRows.get(m.month) ?? 0) + m.rows);

  const staged = new Map<string, SizedKey[]>();
  for await (const o of store.list('lake', stagingPrefix(seizureId, importId))) {
    const month = /\/sent_month=([^/]+)\/([^/]+)\.parquet$/.exec(o.key);
    if (!month || !chunkIds.has(month[2] as string)) continue;
    const list = staged.get(month[1] as string) ?? [];
    list.push({ key: o.key, bytes: o.size });
    staged.set(month[1] as string, list);
  }

  const slices: Slice[] = [];
  const months = [...stagedRows.keys()].filter((m) => (stagedRows.get(m) ?? 0) > 0).sort();
  for (const month of months) {
    const monthStaged = staged.get(month) ?? [];
    if (!monthStaged.length)
      throw new ReconciliationError(`the chunks staged messages for ${month}, but no staged file is there`);
    const existing: SizedKey[] = [];
    for await (const o of store.list('lake', monthPartitionPrefix(seizureId, month)))
      if (o.key.endsWith('.parquet')) existing.push({ key: o.key, bytes: o.size });
    const bytes = [...monthStaged, ...existing].reduce((n, o) => n + o.bytes, 0);
    const buckets = Math.max(1, Math.ceil(bytes / sliceBytes));
    const input: MonthInput = {
      month,
      buckets,
      stagedRows: stagedRows.get(month) ?? 0,
      staged: monthStaged,
      existing,
    };
    await store.write('reports', monthInputKey(seizureId, importId, month), JSON.stringify(input), {
      contentType: 'application/json',
    });
    for (let bucket = 0; bucket < buckets; bucket++)
      slices.push({ sliceId: sliceIdOf(month, bucket, buckets), month, bucket, buckets });
  }
  const key = slicesKey(seizureId, importId);
  await store.write('reports', key, JSON.stringify(slices), { contentType: 'application/json' });
  return { ...ref, sliceCount: slices.length, months: months.length, slicesKey: key, slices };
}
