import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chunk } from '#domain/adapters/adapter.ts';
import { compactSlice } from '#domain/import/compact-slice.ts';
import { discardSliceOutput } from '#domain/import/discard-slice-output.ts';
import { finalizeImport, ReconciliationError } from '#domain/import/finalize-import.ts';
import {
  duplicatesPrefix,
  monthPartitionPrefix,
  reportKey,
  sliceResultKey,
  stagingPrefix,
} from '#domain/import/import-layout.ts';
import type { ImportRef, ImportReport, SliceResult } from '#domain/import/import-types.ts';
import { normalizeChunk } from '#domain/import/normalize-chunk.ts';
import { planImport } from '#domain/import/plan-import.ts';
import { planSlices } from '#domain/import/plan-slices.ts';
import { reconcileImport } from '#domain/import/reconcile-import.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import { openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { uploadSeizure } from '#local/import/upload-seizure.ts';

const MESSAGES = 3000;
const CHUNK_BYTES = 60_000;
/** Small enough to cut every month of this seizure into several hash buckets. */
const SLICE_BYTES = 40_000;

let root: string;
let staged: string; // a home with the seizure uploaded, planned and normalized: the input of finalize
let ref: ImportRef;
let chunks: Chunk[];
let generated: Awaited<ReturnType<typeof generateSeizure>>;
let reference: { home: string; report: ImportReport; lake: Lake };

interface Lake {
  rows: number;
  ids: string[];
  digest: string;
  files: string[];
  unsortedFiles: string[];
}

/** What the lake holds, read with DuckDB: every row (digest of all columns), its ids, its files. */
async function readLake(home: string): Promise<Lake> {
  const glob = path.join(home, 'lake', 'messages', '**', '*.parquet');
  const duckdb = await openDuckDB();
  try {
    const q = async (sql: string) => (await duckdb.connection.runAndReadAll(sql)).getRowObjects();
    const source = `read_parquet(${sqlString(glob)}, hive_partitioning = true, filename = true, file_row_number = true)`;
    const [summary] = await q(`SELECT count(*)::INTEGER AS n,
        md5(string_agg(t::VARCHAR, '\n' ORDER BY t.message_id)) AS digest
      FROM (SELECT * EXCLUDE (filename, file_row_number) FROM ${source}) t`);
    const ids = (await q(`SELECT message_id FROM ${source} ORDER BY 1`)).map((r) => String(r.message_id));
    const files = (await q(`SELECT DISTINCT filename FROM ${source} ORDER BY 1`)).map((r) =>
      path.relative(path.join(home, 'lake'), String(r.filename)),
    );
    // Within a file, rows are in send time order (min/max statistics prune).
    const unsorted = await q(`SELECT DISTINCT filename FROM (
        SELECT filename, sent_at, lag(sent_at) OVER (PARTITION BY filename ORDER BY file_row_number) AS before
        FROM ${source}) WHERE sent_at < before`);
    return {
      rows: Number(summary?.n),
      ids,
      digest: String(summary?.digest),
      files,
      unsortedFiles: unsorted.map((r) => String(r.filename)),
    };
  } finally {
    duckdb.close();
  }
}

/** A copy of the normalized home, to finalize one way or another. */
async function copyOfStaged(name: string): Promise<{ home: string; store: DirectoryStore }> {
  const home = path.join(root, name);
  await fs.cp(staged, home, { recursive: true });
  return { home, store: new DirectoryStore(home) };
}

async function readJson<T>(store: ObjectStore, bucket: 'reports' | 'quarantine', key: string): Promise<T> {
  return JSON.parse((await store.readBuffer(bucket, key)).toString('utf8')) as T;
}

async function duplicateRecords(store: ObjectStore): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  for await (const o of store.list('quarantine', duplicatesPrefix(ref.seizureId, ref.importId))) {
    const text = (await store.readBuffer('quarantine', o.key)).toString('utf8');
    for (const line of text.split('\n')) if (line) records.push(JSON.parse(line));
  }
  return records;
}

async function keys(store: ObjectStore, bucket: 'lake' | 'reports', prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(bucket, prefix)) out.push(o.key);
  return out;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'finalize-slices-'));
  generated = await generateSeizure({
    platform: 'skyecc',
    messages: MESSAGES,
    seed: 'slices',
    out: `${root}/dir`,
  });
  staged = path.join(root, 'staged');
  const store = new DirectoryStore(staged);
  const { manifest, manifestSha256 } = await uploadSeizure(store, `${root}/dir`);
  ref = {
    seizureId: manifest.seizureId,
    importId: importIdFor(manifestSha256),
    ingestedAt: 1_700_000_000_000,
  };
  const plan = await planImport(store, ref, CHUNK_BYTES);
  chunks = plan.chunks;
  for (const chunk of chunks) await normalizeChunk(store, { ...ref, chunk });

  // The reference: finalize as it always was, one slice per month.
  const one = await copyOfStaged('one-slice');
  const report = await finalizeImport(one.store, ref);
  reference = { home: one.home, report, lake: await readLake(one.home) };
}, 120_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('finalize, one slice per month (a small seizure)', () => {
  it('writes exactly the layout an unsliced finalize wrote: one part-<import>-0 file and one duplicates file per month', async () => {
    const months = reference.report.partitions.map((p) => p.month);
    expect(months.length).toBeGreaterThan(3);
    expect(reference.lake.files).toEqual(
      months.map((m) => `${monthPartitionPrefix(ref.seizureId, m)}part-${ref.importId}-0.parquet`),
    );
    const store = new DirectoryStore(reference.home);
    for await (const o of store.list('quarantine', duplicatesPrefix(ref.seizureId, ref.importId)))
      expect(path.posix.basename(o.key)).toMatch(/^\d{4}-\d{2}\.ndjson$/);
    expect(reference.lake.unsortedFiles).toEqual([]);
  });

  it('keeps every message once and drops every duplicate once, even when the copies are in different chunks', async () => {
    const { counts } = reference.report;
    expect(counts).toMatchObject({ written: MESSAGES, rejected: 0, duplicates: generated.duplicates });
    expect(reference.lake.rows).toBe(MESSAGES);
    expect(new Set(reference.lake.ids).size).toBe(MESSAGES);
    const dropped = await duplicateRecords(new DirectoryStore(reference.home));
    expect(dropped).toHaveLength(generated.duplicates);
    const chunkOf = (offset: number) => chunks.findIndex((c) => offset >= c.start && offset < c.end);
    const acrossChunks = dropped.filter(
      (d) => chunkOf(Number(d.source_offset)) !== chunkOf(Number(d.kept_source_offset)),
    );
    expect(acrossChunks.length).toBeGreaterThan(0);
  });
});

describe('finalize cut into hash-bucket slices', () => {
  let sliced: { home: string; store: DirectoryStore; report: ImportReport; lake: Lake; sliceCount: number };

  beforeAll(async () => {
    const copy = await copyOfStaged('sliced');
    const planned = await planSlices(copy.store, ref, SLICE_BYTES);
    const report = await finalizeImport(copy.store, ref, { sliceBytes: SLICE_BYTES });
    sliced = { ...copy, report, lake: await readLake(copy.home), sliceCount: planned.sliceCount };
  }, 60_000);

  it('cuts every month into several slices', () => {
    expect(sliced.sliceCount).toBeGreaterThanOrEqual(2 * sliced.report.partitions.length);
    for (const p of sliced.report.partitions) expect(p.files.length).toBeGreaterThan(1);
  });

  it('writes exactly the rows one slice per month writes: same ids, same counts, same row contents', () => {
    expect(sliced.lake.ids).toEqual(reference.lake.ids);
    expect(sliced.lake.rows).toBe(reference.lake.rows);
    expect(sliced.lake.digest).toBe(reference.lake.digest);
    expect(sliced.report.counts).toEqual(reference.report.counts);
    expect(sliced.report.files).toEqual(reference.report.files);
    expect(sliced.report.partitions.map((p) => [p.month, p.rows])).toEqual(
      reference.report.partitions.map((p) => [p.month, p.rows]),
    );
  });

  it('drops the same duplicates, once each, and names its files after the slices', async () => {
    const sortKey = (d: Record<string, unknown>) => `${d.source_object}:${d.source_offset}`;
    const dropped = (await duplicateRecords(sliced.store)).map(sortKey).sort();
    const expected = (await duplicateRecords(new DirectoryStore(reference.home))).map(sortKey).sort();
    expect(dropped).toEqual(expected);
    for (const f of sliced.lake.files)
      expect(path.posix.basename(f)).toMatch(/^part-imp-[0-9a-f]{20}-\d+of\d+-\d+\.parquet$/);
    expect(sliced.lake.unsortedFiles).toEqual([]);
  });

  it('clears the staging area once the report is written', async () => {
    expect(await keys(sliced.store, 'lake', stagingPrefix(ref.seizureId, ref.importId))).toEqual([]);
    expect(await sliced.store.head('reports', reportKey(ref.seizureId, ref.importId))).toBeDefined();
  });
});

describe('a retried slice', () => {
  it('overwrites its own output: the lake holds every row once, and a stale file of an earlier attempt goes', async () => {
    const { home, store } = await copyOfStaged('retried');
    const { slices } = await planSlices(store, ref, SLICE_BYTES);
    const results: SliceResult[] = [];
    for (const slice of slices) results.push(await compactSlice(store, { ...ref, slice }));
    // An earlier attempt of slice 0 had written one more file (a copy of its rows) before it failed.
    const first = results[0] as SliceResult;
    const written = first.files[0]?.key as string;
    const stale = written.replace(/-0\.parquet$/, '-7.parquet');
    await store.write('lake', stale, await store.readBuffer('lake', written));
    // ... and the slice is retried (twice: a retry of the retry changes nothing either).
    const again = await compactSlice(store, { ...ref, slice: slices[0] as (typeof slices)[0] });
    expect(await compactSlice(store, { ...ref, slice: slices[0] as (typeof slices)[0] })).toEqual(again);
    expect(again).toEqual(first);

    const report = await reconcileImport(store, ref);
    expect(report.counts).toEqual(reference.report.counts);
    expect(await store.head('lake', stale)).toBeUndefined();
    const lake = await readLake(home);
    expect(lake.ids).toEqual(reference.lake.ids);
    expect(lake.digest).toBe(reference.lake.digest);
  });

  it('re-running finalize with another slice count leaves only the new files, with the same rows', async () => {
    const { home, store } = await copyOfStaged('rerun');
    await finalizeImport(store, ref, { sliceBytes: SLICE_BYTES });
    // A forced re-run: the chunks are normalized again, then finalize runs with one slice per month.
    for (const chunk of chunks) await normalizeChunk(store, { ...ref, chunk });
    const report = await finalizeImport(store, ref);
    expect(report.counts).toEqual(reference.report.counts);
    const lake = await readLake(home);
    expect(lake.files).toEqual(reference.lake.files);
    expect(lake.digest).toBe(reference.lake.digest);
    const duplicatesFiles = async (s: ObjectStore) => {
      const out: string[] = [];
      for await (const o of s.list('quarantine', duplicatesPrefix(ref.seizureId, ref.importId)))
        out.push(o.key);
      return out;
    };
    expect(await duplicatesFiles(store)).toEqual(await duplicatesFiles(new DirectoryStore(reference.home)));
  });
});

describe('slices read from a store that is not a directory (S3), a group of files at a time', () => {
  it('gives the same lake as reading in place', async () => {
    const { home, store } = await copyOfStaged('remote');
    // The directory store without localPath: every file is downloaded, as from S3.
    const remote: ObjectStore = {
      read: (...a) => store.read(...a),
      readBuffer: (...a) => store.readBuffer(...a),
      write: (...a) => store.write(...a),
      head: (...a) => store.head(...a),
      list: (...a) => store.list(...a),
      delete: (...a) => store.delete(...a),
    };
    const report = await finalizeImport(remote, ref, { sliceBytes: SLICE_BYTES, downloadGroupBytes: 30_000 });
    expect(report.counts).toEqual(reference.report.counts);
    const lake = await readLake(home);
    expect(lake.ids).toEqual(reference.lake.ids);
    expect(lake.digest).toBe(reference.lake.digest);
  });
});

describe('rows of an earlier import already in the partitions', () => {
  it('are kept, win over this import’s copies, and are replaced into the slices’ files the same way', async () => {
    const other = 'imp-00000000000000000000';
    const setup = async (name: string) => {
      const copy = await copyOfStaged(name);
      // An earlier import holds the messages whose id starts with 0-7, in a file of its own per month.
      const duckdb = await openDuckDB();
      try {
        for (const p of reference.report.partitions) {
          const dir = path.join(copy.home, 'lake', monthPartitionPrefix(ref.seizureId, p.month));
          await fs.mkdir(dir, { recursive: true });
          const files = p.files.map((f) => sqlString(path.join(reference.home, 'lake', f))).join(', ');
          await duckdb.connection.run(`COPY (
              SELECT * REPLACE (${sqlString(other)} AS import_id) FROM read_parquet([${files}], hive_partitioning = false)
              WHERE message_id < '8' ORDER BY sent_at, message_id
            ) TO ${sqlString(path.join(dir, `part-${other}-0.parquet`))} (FORMAT parquet)`);
        }
      } finally {
        duckdb.close();
      }
      return copy;
    };
    const one = await setup('earlier-one');
    const many = await setup('earlier-many');
    const oneReport = await finalizeImport(one.store, ref);
    const manyReport = await finalizeImport(many.store, ref, { sliceBytes: SLICE_BYTES });
    const earlier = reference.lake.ids.filter((id) => id < '8').length;
    expect(earlier).toBeGreaterThan(0);
    expect(oneReport.counts).toEqual({
      read: reference.report.counts.read,
      written: MESSAGES - earlier,
      rejected: 0,
      duplicates: generated.duplicates + earlier,
    });
    expect(manyReport.counts).toEqual(oneReport.counts);
    const [oneLake, manyLake] = [await readLake(one.home), await readLake(many.home)];
    expect(manyLake.ids).toEqual(reference.lake.ids);
    expect(manyLake.digest).toBe(oneLake.digest);
    // The earlier import's file is replaced by the slices' files, which hold its rows.
    expect(manyLake.files.some((f) => f.includes(other))).toBe(false);
    const duckdb = await openDuckDB();
    try {
      const glob = sqlString(path.join(many.home, 'lake', 'messages', '**', '*.parquet'));
      const kept = await duckdb.connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM read_parquet(${glob}) WHERE import_id = ${sqlString(other)}`,
      );
      expect(Number(kept.getRowObjects()[0]?.n)).toBe(earlier);
    } finally {
      duckdb.close();
    }
  });
});

describe('the reconcile step fails loudly, and removes nothing, when', () => {
  const compacted = async (name: string) => {
    const copy = await copyOfStaged(name);
    const { slices } = await planSlices(copy.store, ref, SLICE_BYTES);
    const results: SliceResult[] = [];
    for (const slice of slices) results.push(await compactSlice(copy.store, { ...ref, slice }));
    return { ...copy, slices, results };
  };
  const expectNothingRemoved = async (store: ObjectStore, stagedBefore: string[]) => {
    expect(await keys(store, 'lake', stagingPrefix(ref.seizureId, ref.importId))).toEqual(stagedBefore);
    expect(await store.head('reports', reportKey(ref.seizureId, ref.importId))).toBeUndefined();
  };
  const stagedKeys = (store: ObjectStore) => keys(store, 'lake', stagingPrefix(ref.seizureId, ref.importId));

  it('a slice’s output file is missing from the lake', async () => {
    const { store, results } = await compacted('missing-file');
    const before = await stagedKeys(store);
    const lost = results[1]?.files[0]?.key as string;
    await store.delete('lake', lost);
    const error = await reconcileImport(store, ref).catch((e) => e);
    expect(error).toBeInstanceOf(ReconciliationError);
    expect(error.name).toBe('ReconciliationError');
    expect(error.message).toContain(`slice ${results[1]?.sliceId} wrote ${lost}, which is not in the lake`);
    await expectNothingRemoved(store, before);
    // The failure path then removes what the slices wrote: the partitions read as before the import.
    const written = results.flatMap((r) => r.files.map((f) => f.key)).filter((k) => k !== lost);
    expect(await discardSliceOutput(store, ref)).toBe(written.length);
    expect(await keys(store, 'lake', 'messages/')).toEqual([]);
  });

  it('(failure path) removes nothing once a file the partitions held is gone: the new files are its only copy', async () => {
    const { store } = await copyOfStaged('held-gone');
    const month = reference.report.partitions[0]?.month as string;
    const held = `${monthPartitionPrefix(ref.seizureId, month)}part-imp-00000000000000000000-0.parquet`;
    const first = reference.report.partitions[0]?.files[0] as string;
    await store.write('lake', held, await new DirectoryStore(reference.home).readBuffer('lake', first));
    const { slices } = await planSlices(store, ref, SLICE_BYTES);
    for (const slice of slices) await compactSlice(store, { ...ref, slice });
    await store.delete('lake', held); // as the reconcile step does once everything checked out
    const before = await keys(store, 'lake', 'messages/');
    expect(await discardSliceOutput(store, ref)).toBeUndefined();
    expect(await keys(store, 'lake', 'messages/')).toEqual(before);
  });

  it('a slice never finished (no result)', async () => {
    const { store, results } = await compacted('missing-result');
    const before = await stagedKeys(store);
    const sliceId = results[2]?.sliceId as string;
    await store.delete('reports', sliceResultKey(ref.seizureId, ref.importId, sliceId));
    await expect(reconcileImport(store, ref)).rejects.toThrow(
      new RegExp(`no result for slice\\(s\\) ${sliceId}: they did not finish`),
    );
    await expectNothingRemoved(store, before);
  });

  it('a slice’s counts are off: it took in fewer rows than the chunks staged', async () => {
    const { store, results } = await compacted('counts-off');
    const before = await stagedKeys(store);
    const r = results[0] as SliceResult;
    const key = sliceResultKey(ref.seizureId, ref.importId, r.sliceId);
    const tampered = await readJson<SliceResult>(store, 'reports', key);
    const [source, counts] = Object.entries(tampered.bySource)[0] as [string, { written: number }];
    tampered.bySource[source] = { ...counts, written: counts.written - 1 } as never;
    tampered.staged -= 1;
    await store.write('reports', key, JSON.stringify(tampered));
    const error = await reconcileImport(store, ref).catch((e) => e);
    expect(error).toBeInstanceOf(ReconciliationError);
    expect(error.message).toMatch(
      new RegExp(`${r.month}: chunks staged \\d+ messages but the slices took in \\d+`),
    );
    await expectNothingRemoved(store, before);
  });

  it('a slice’s files do not hold the rows it says it wrote', async () => {
    const { store, results } = await compacted('rows-off');
    const r = results[0] as SliceResult;
    const key = sliceResultKey(ref.seizureId, ref.importId, r.sliceId);
    await store.write('reports', key, JSON.stringify({ ...r, rows: r.rows + 1 }));
    await expect(reconcileImport(store, ref)).rejects.toThrow(
      `slice ${r.sliceId}: ${r.rows + 1} rows, but its files hold ${r.rows}`,
    );
  });
});
