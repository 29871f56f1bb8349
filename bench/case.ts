#!/usr/bin/env node
/**
 * One measured case of `npm run bench`, run in a child process of its own so that its peak RSS and its JIT
 * and heap state belong to it alone. Prints one JSON line on stdout.
 *
 *   node bench/case.ts ours <store-root> <plan.json> [chunk-index]   our normalize step, chunk after chunk
 *   node bench/case.ts ours-sql <store-root> <plan.json>             the same mapped in DuckDB instead of natively
 *   node bench/case.ts ours-adapter <store-root> <plan.json>         the same with every record through the adapter
 *   node bench/case.ts duckdb <out.parquet> <file>...                DuckDB read_json -> Parquet (zstd), 1 thread
 *   node bench/case.ts parse <file>...                               read lines + JSON.parse, nothing else
 *   node bench/case.ts write-only <store-root> <plan.json>           DuckDB writing each chunk's staged rows again
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Chunk } from '#domain/adapters/adapter.ts';
import { finalizeImport } from '#domain/import/finalize-import.ts';
import { stagingPrefix } from '#domain/import/import-layout.ts';
import type { ChunkTask } from '#domain/import/import-types.ts';
import { normalizeChunk } from '#domain/import/normalize-chunk.ts';
import { stagedParquetCopy } from '#domain/lake/chunk-parquet-writer.ts';
import { openDuckDB, sqlList, sqlString } from '#domain/lake/duckdb-session.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';

interface Plan {
  seizureId: string;
  importId: string;
  ingestedAt: number;
  chunks: Chunk[];
}

const [kind, ...args] = process.argv.slice(2);

/** Our normalize step over the plan's chunks: `native` as deployed, `sql` and `adapter` the paths it falls back to. */
async function ours(way: 'native' | 'sql' | 'adapter'): Promise<Record<string, number>> {
  const [root, planFile, only] = args as [string, string, string | undefined];
  const plan = JSON.parse(await fs.readFile(planFile, 'utf8')) as Plan;
  const store = new DirectoryStore(root);
  const chunks = only === undefined ? plan.chunks : [plan.chunks[Number(only)] as Chunk];
  let records = 0;
  let staged = 0;
  let mappedInSql = 0;
  let mappedNatively = 0;
  let bytes = 0;
  const started = performance.now();
  for (const chunk of chunks) {
    const task: ChunkTask = {
      seizureId: plan.seizureId,
      importId: plan.importId,
      ingestedAt: plan.ingestedAt,
      chunk,
    };
    const result = await normalizeChunk(store, task, {
      mapInSql: way !== 'adapter',
      mapNatively: way === 'native',
    });
    records += result.read;
    mappedInSql += result.mappedInSql ?? 0;
    mappedNatively += result.mappedNatively ?? 0;
    staged += result.staged;
    bytes += chunk.end - chunk.start;
  }
  const ms = performance.now() - started;
  const parquetBytes = await treeBytes(`${root}/lake`);
  return { ms, records, staged, mappedInSql, mappedNatively, bytes, chunks: chunks.length, parquetBytes };
}

async function treeBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.parquet')) n += (await fs.stat(`${e.parentPath}/${e.name}`)).size;
  return n;
}

/** The finalize step (dedup, sort, compaction into month partitions) over what `ours` staged. */
async function finalize(): Promise<Record<string, number>> {
  const [root, planFile] = args as [string, string];
  const plan = JSON.parse(await fs.readFile(planFile, 'utf8')) as Plan;
  const store = new DirectoryStore(root);
  const started = performance.now();
  const report = await finalizeImport(
    store,
    { seizureId: plan.seizureId, importId: plan.importId, ingestedAt: plan.ingestedAt },
    { memoryLimit: '2GB' },
  );
  const ms = performance.now() - started;
  const files = report.partitions.reduce((n, p) => n + p.files.length, 0);
  const lakeBytes = await treeBytes(`${root}/lake/messages`);
  return {
    ms,
    records: report.counts.read,
    written: report.counts.written,
    bytes: lakeBytes,
    files,
    partitions: report.partitions.length,
  };
}

/**
 * The part of our normalize that DuckDB's Parquet writer alone accounts for: each chunk's rows, read back
 * from what `ours` staged into a table first (not timed), written again by the normalize step's own `COPY`.
 * No normalize that writes these columns through DuckDB can be faster than this.
 */
async function writeOnly(): Promise<Record<string, number>> {
  const [root, planFile] = args as [string, string];
  const plan = JSON.parse(await fs.readFile(planFile, 'utf8')) as Plan;
  const staging = path.join(root, 'lake', stagingPrefix(plan.seizureId, plan.importId));
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'write-only-'));
  const session = await openDuckDB({ threads: 1 });
  let ms = 0;
  let records = 0;
  let bytes = 0;
  try {
    for (const chunk of plan.chunks) {
      const files = path.join(staging, '*', `${chunk.chunkId}.parquet`);
      await session.connection.run(
        `CREATE OR REPLACE TEMP TABLE chunk_rows AS SELECT * FROM read_parquet(${sqlString(files)}, hive_partitioning = false)`,
      );
      const started = performance.now();
      await session.connection.run(
        stagedParquetCopy('SELECT * FROM chunk_rows', path.join(out, chunk.chunkId)),
      );
      ms += performance.now() - started;
      const counted = await session.connection.runAndReadAll('SELECT count(*)::INTEGER FROM chunk_rows');
      records += Number(counted.getRows()[0]?.[0]);
      bytes += chunk.end - chunk.start;
    }
    return { ms, records, bytes };
  } finally {
    session.close();
    await fs.rm(out, { recursive: true, force: true });
  }
}

async function duckdb(): Promise<Record<string, number>> {
  const [out, ...files] = args as [string, ...string[]];
  const bytes = (await Promise.all(files.map((f) => fs.stat(f)))).reduce((n, s) => n + s.size, 0);
  const session = await openDuckDB({ threads: 1 });
  try {
    const started = performance.now();
    await session.connection.run(
      `COPY (SELECT * FROM read_json(${sqlList(files)}, format = 'newline_delimited'))
       TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const ms = performance.now() - started;
    const rows = await session.connection.runAndReadAll(
      `SELECT count(*)::INTEGER FROM read_parquet(${sqlString(out)})`,
    );
    return { ms, records: Number(rows.getRows()[0]?.[0]), bytes };
  } finally {
    session.close();
  }
}

async function parse(): Promise<Record<string, number>> {
  let records = 0;
  let bytes = 0;
  let keys = 0;
  const started = performance.now();
  for (const file of args) {
    let rest: Buffer | undefined;
    for await (const piece of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      bytes += piece.length;
      const buffer = rest ? Buffer.concat([rest, piece]) : piece;
      let start = 0;
      for (let nl = buffer.indexOf(10, start); nl !== -1; nl = buffer.indexOf(10, start)) {
        if (nl > start) {
          const value = JSON.parse(buffer.toString('utf8', start, nl)) as object;
          if (value) keys++;
          records++;
        }
        start = nl + 1;
      }
      rest = start < buffer.length ? buffer.subarray(start) : undefined;
    }
    if (rest?.length) {
      JSON.parse(rest.toString('utf8'));
      records++;
    }
  }
  return { ms: performance.now() - started, records, bytes, parsed: keys };
}

const cases: Record<string, () => Promise<Record<string, number>>> = {
  ours: () => ours('native'),
  'ours-sql': () => ours('sql'),
  'ours-adapter': () => ours('adapter'),
  duckdb,
  parse,
  finalize,
  'write-only': writeOnly,
};
const run = cases[kind ?? ''];
if (!run) throw new Error(`unknown case ${kind}; one of ${Object.keys(cases).join(', ')}`);
// Where the peak lives: V8's heap (JavaScript objects) or outside it (DuckDB, buffers), sampled every 20 ms.
let peakHeapBytes = 0;
let peakExternalBytes = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeapBytes = Math.max(peakHeapBytes, m.heapTotal);
  peakExternalBytes = Math.max(peakExternalBytes, m.external + m.arrayBuffers);
}, 20);
const cpuBefore = process.cpuUsage();
const figures = await run();
// CPU time of every thread of the process (JavaScript, DuckDB's, V8's helpers): the load a Lambda would bear.
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
clearInterval(sampler);
// ru_maxrss is in kilobytes on Linux: the peak resident set of this process, native memory included.
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ ...figures, cpuMs, peakRssBytes, peakHeapBytes, peakExternalBytes })}\n`,
);
