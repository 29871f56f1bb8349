#!/usr/bin/env node
/**
 * `npm run bench [-- --messages 200000] [--keep]`: generates one Sky ECC (NDJSON) seizure and measures, on
 * that same input and each beside its reference:
 *   1. normalize + Parquet on one core (our normalize step, DuckDB threads=1) vs DuckDB's own read_json ->
 *      Parquet (zstd, threads=1) and vs a bare read-lines + JSON.parse loop; beside them, DuckDB writing the
 *      rows we staged once more, alone: the ceiling of any normalize whose Parquet DuckDB writes;
 *   2. bulk indexing into a local OpenSearch (own home, free port, heap 1g) vs a plain `_bulk` of the same
 *      documents pre-serialized as NDJSON, sent with the same request size and concurrency;
 *   3. peak RSS of one chunk's normalize step (child process per case) at 64 MB and 256 MB chunks, and at
 *      64 MB in a dump ten times larger;
 *   4. the whole local import (state machine, lake and index) end to end.
 * Prints a table and writes bench/results.json. Ratios are ours / reference: higher is better. Absolute
 * figures on a shared machine are noise; the ratios are what matter.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_CHUNK_BYTES, planImport } from '#domain/import/plan-import.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import { seizureAlias } from '#domain/search/index-names.ts';
import { indexSeizure } from '#domain/search/index-seizure.ts';
import { lakeDocuments } from '#domain/search/lake-documents.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { startOpenSearch, stopOpenSearch } from '#local/opensearch/stack.ts';
import { localSearchClient } from '#local/search/local-search.ts';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const MB = 1024 * 1024;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}
const messages = Number(flag('messages') ?? process.env.BENCH_MESSAGES ?? 1_000_000);
const keep = process.argv.includes('--keep');
const skipIndex = process.argv.includes('--no-index');
const BULK = { maxBytes: 5 * MB, maxDocs: 5000, concurrency: 2 };

type Figures = { ms: number; cpuMs: number; records: number; bytes: number; peakRssBytes: number } & Record<
  string,
  number
>;
/**
 * Runs one case in a child process. The throughput cases are pinned to one CPU (`taskset`, where there is
 * one): "single core" then holds for V8's and DuckDB's helper threads too, for ours and the references alike.
 */
async function child(...args: string[]): Promise<Figures> {
  const pinned = PINNED_CASES.has(args[0] as string) && hasTaskset;
  const [command, commandArgs] = pinned
    ? ['taskset', ['-c', String(os.availableParallelism() - 1), process.execPath]]
    : [process.execPath, []];
  const { stdout } = await run(command, [...commandArgs, path.join(here, 'case.ts'), ...args], {
    maxBuffer: 16 * MB,
    env: process.env,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Figures;
}
const PINNED_CASES = new Set(['ours', 'ours-sql', 'ours-adapter', 'duckdb', 'parse', 'write-only']);
const hasTaskset = await run('taskset', ['-c', '0', 'true']).then(
  () => true,
  () => false,
);

function log(text: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}
/** Two runs of one case as one: mean times, the larger peak. */
function meanOf(x: Figures, y: Figures): Figures {
  return {
    ...x,
    ms: (x.ms + y.ms) / 2,
    cpuMs: (x.cpuMs + y.cpuMs) / 2,
    peakRssBytes: Math.max(x.peakRssBytes, y.peakRssBytes),
  };
}
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Uploads and plans a seizure into its own store; writes the plan where `case.ts ours` reads it. */
async function planned(root: string, seizureDir: string, chunkBytes: number, name: string) {
  const { uploadSeizure } = await import('#local/import/upload-seizure.ts');
  const store = new DirectoryStore(root);
  const { manifest, manifestSha256 } = await uploadSeizure(store, seizureDir);
  const ref = {
    seizureId: manifest.seizureId,
    importId: importIdFor(manifestSha256),
    ingestedAt: Date.now(),
  };
  const { chunks } = await planImport(store, ref, chunkBytes);
  const planFile = path.join(root, `${name}.plan.json`);
  await fs.writeFile(planFile, JSON.stringify({ ...ref, chunks }));
  return { store, planFile, chunks, seizureId: ref.seizureId };
}

/** A dump `times` times larger: the data file repeated (the normalize step does not de-duplicate). */
async function repeatedSeizure(from: string, to: string, times: number): Promise<void> {
  const manifest = JSON.parse(await fs.readFile(path.join(from, 'manifest.json'), 'utf8'));
  manifest.seizureId = `${manifest.seizureId}-x${times}`;
  for (const file of manifest.files) {
    const target = path.join(to, file.path);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const out = createWriteStream(target);
    const hash = createHash('sha256');
    let bytes = 0;
    for (let i = 0; i < times; i++) {
      for await (const piece of createReadStream(path.join(from, file.path), { highWaterMark: 4 * MB })) {
        hash.update(piece as Buffer);
        bytes += (piece as Buffer).length;
        if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
    }
    await new Promise<void>((r, j) => out.end((e?: Error) => (e ? j(e) : r())));
    file.sha256 = hash.digest('hex');
    file.bytes = bytes;
  }
  await fs.writeFile(path.join(to, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'seizure-bench-'));
const results: Record<string, unknown> = {};
try {
  // --- the input -------------------------------------------------------------------------------------
  log(`generating ${messages.toLocaleString('en')} skyecc messages in ${work}`);
  const seizureDir = path.join(work, 'seizure');
  let t = performance.now();
  const generated = await generateSeizure({
    platform: 'skyecc',
    messages,
    seed: 'bench',
    out: seizureDir,
    malformedRate: 0,
    recordsPerFile: Number.MAX_SAFE_INTEGER, // one file, so 256 MB chunks exist at a million messages
  });
  const dataFiles = generated.files.map((f) => path.join(seizureDir, f.path));
  const inputBytes = (await Promise.all(dataFiles.map((f) => fs.stat(f)))).reduce((n, s) => n + s.size, 0);
  const records = generated.messages + generated.duplicates;
  log(
    `generated ${records} records, ${(inputBytes / MB).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  // --- 1. normalize + Parquet, one core ----------------------------------------------------------------
  const a = await planned(path.join(work, 'store-a'), seizureDir, DEFAULT_CHUNK_BYTES, 'a64');
  // The references run before and after ours and count with their mean, so that a change of the
  // machine's load during the long run of ours weighs on both sides alike.
  const references = async () => {
    log('reference: DuckDB read_json -> Parquet (zstd), threads=1');
    const duckdb = await child('duckdb', path.join(work, 'duckdb.parquet'), ...dataFiles);
    log('reference: read lines + JSON.parse');
    return { duckdb, parse: await child('parse', ...dataFiles) };
  };
  const before = await references();
  log(`ours: normalize ${a.chunks.length} chunks of ${DEFAULT_CHUNK_BYTES / MB} MB, one after another`);
  const ours = await child('ours', a.store.root, a.planFile);
  if (!ours.mappedNatively) {
    throw new Error(
      'the native normalize path did not run: build it with `npm run build:native` (needs cargo)',
    );
  }
  // The same chunks mapped in DuckDB, the path taken where the native one is not built (the same rows).
  log('ours, mapped in SQL instead of natively');
  const sqlPath = await child('ours-sql', a.store.root, a.planFile);
  // The same chunks with every record through the adapter: what either fast path gains (the same rows).
  log('ours, without SQL: every record through the adapter');
  const adapterPath = await child('ours-adapter', a.store.root, a.planFile);
  // The ceiling of any normalize that writes through DuckDB: its Parquet writer alone, on the rows ours staged.
  log('DuckDB writing the staged rows again, alone');
  const writeOnly = await child('write-only', a.store.root, a.planFile);
  const after = await references();
  const duck = meanOf(before.duckdb, after.duckdb);
  const parse = meanOf(before.parse, after.parse);
  const convert = {
    ours: {
      ...ours,
      messagesPerSecond: perSecond(ours.records, ours.ms),
      mbPerSecond: round(ours.bytes / MB / (ours.ms / 1000)),
    },
    duckdb: {
      ...duck,
      messagesPerSecond: perSecond(duck.records, duck.ms),
      mbPerSecond: round(duck.bytes / MB / (duck.ms / 1000)),
    },
    parseLoop: {
      ...parse,
      messagesPerSecond: perSecond(parse.records, parse.ms),
      mbPerSecond: round(parse.bytes / MB / (parse.ms / 1000)),
    },
    sqlPath: {
      ...sqlPath,
      messagesPerSecond: perSecond(sqlPath.records, sqlPath.ms),
      mbPerSecond: round(sqlPath.bytes / MB / (sqlPath.ms / 1000)),
    },
    adapterPath: {
      ...adapterPath,
      messagesPerSecond: perSecond(adapterPath.records, adapterPath.ms),
      mbPerSecond: round(adapterPath.bytes / MB / (adapterPath.ms / 1000)),
    },
    writeOnly: {
      ...writeOnly,
      messagesPerSecond: perSecond(writeOnly.records, writeOnly.ms),
      shareOfOurs: round(writeOnly.ms / ours.ms),
    },
  };
  results.normalize = { ...convert, referenceRuns: { before, after } };

  // --- 3. peak memory of one chunk ---------------------------------------------------------------------
  log('memory: one 64 MB chunk');
  const mem64 = await child('ours', a.store.root, a.planFile, '0');
  const b = await planned(path.join(work, 'store-b'), seizureDir, 256 * MB, 'b256');
  log(`memory: one 256 MB chunk (${((b.chunks[0]?.end ?? 0) / MB).toFixed(0)} MB actual)`);
  const mem256 = await child('ours', b.store.root, b.planFile, '0');
  const bigDir = path.join(work, 'seizure-x10');
  log('memory: a dump ten times larger, its last 64 MB chunk');
  await repeatedSeizure(seizureDir, bigDir, 10);
  const c = await planned(path.join(work, 'store-c'), bigDir, DEFAULT_CHUNK_BYTES, 'c64');
  // A full-size chunk as deep into the file as there is one (the very last chunk is usually a short tail).
  const deepest = c.chunks.findLastIndex((k) => k.end - k.start >= 0.9 * DEFAULT_CHUNK_BYTES);
  const memBig = await child(
    'ours',
    c.store.root,
    c.planFile,
    String(deepest === -1 ? c.chunks.length - 1 : deepest),
  );
  await fs.rm(bigDir, { recursive: true, force: true });
  await fs.rm(c.store.root, { recursive: true, force: true });
  const mb = (x: Figures) => ({
    chunkMB: round(x.bytes / MB, 1),
    records: x.records,
    peakRssMB: Math.round(x.peakRssBytes / MB),
    peakV8HeapMB: Math.round((x.peakHeapBytes ?? 0) / MB),
    seconds: round(x.ms / 1000, 1),
  });
  results.memory = {
    chunk64: mb(mem64),
    chunk256: mb(mem256),
    dump10xChunk64: { ...mb(memBig), dumpMB: Math.round((inputBytes * 10) / MB) },
  };

  // --- the finalize step on what `ours` staged: dedup, sort, compaction per month partition ----------
  log('finalize: dedup + sort + compaction of the staged chunks (DuckDB, all cores, memory_limit 2GB)');
  const fin = await child('finalize', a.store.root, a.planFile);
  results.finalize = {
    ...fin,
    rowsPerSecond: perSecond(fin.records, fin.ms),
    cores: os.availableParallelism(),
    lakeBytesPerRow: round(fin.bytes / Math.max(1, fin.written ?? 0), 1),
    stagedParquetBytesPerRow: round((ours.parquetBytes ?? 0) / Math.max(1, ours.staged ?? 1), 1),
  };

  // --- 4. end to end, then 2. indexing ----------------------------------------------------------------
  if (!skipIndex) {
    const home = path.join(work, 'home');
    const port = await freePort();
    log(`starting OpenSearch on port ${port} (heap 1g)`);
    const node = await startOpenSearch({ home, port, heap: '1g' });
    process.env.SEIZURE_HOME = home;
    process.env.OPENSEARCH_URL = node.url;
    try {
      const store = new DirectoryStore(path.join(work, 'store-e2e'));
      log('end to end: local import (state machine, lake and index)');
      t = performance.now();
      const imported = await runLocalImport(store, seizureDir, { force: true });
      const e2eMs = performance.now() - t;
      results.endToEnd = {
        ms: Math.round(e2eMs),
        records,
        messagesPerSecond: perSecond(records, e2eMs),
        mapMaxConcurrency: os.availableParallelism(),
        counts: imported.report.counts,
      };

      const { client } = await localSearchClient({ home });
      // Reference first: the same documents the lake gives, pre-serialized into the same bulk bodies.
      log("reference: serializing the lake's documents into bulk bodies");
      const bodies: string[] = [];
      let body: string[] = [];
      let bodyBytes = 0;
      let docs = 0;
      let total = 0;
      for await (const batch of lakeDocuments(store, imported.report.seizureId)) {
        for (const d of batch.documents) {
          const lines = `{"index":{"_index":"bench-plain","_id":${JSON.stringify(d.id)}}}\n${d.source}\n`;
          const bytes = Buffer.byteLength(lines);
          if (docs && (docs === BULK.maxDocs || bodyBytes + bytes > BULK.maxBytes)) {
            bodies.push(body.join(''));
            body = [];
            bodyBytes = 0;
            docs = 0;
          }
          body.push(lines);
          bodyBytes += bytes;
          docs++;
          total++;
        }
      }
      if (docs) bodies.push(body.join(''));
      // The same mapping, analysis and shard count as the seizure's own index.
      const alias = seizureAlias(imported.report.seizureId);
      const existing = (await client.indices.get({ index: alias })).body as Record<
        string,
        { settings: { index: Record<string, unknown> }; mappings: unknown }
      >;
      const ownIndex = Object.values(existing)[0] as (typeof existing)[string];
      const s = ownIndex.settings.index;
      const plainIndex = {
        settings: {
          number_of_shards: s.number_of_shards,
          number_of_replicas: 0,
          refresh_interval: '-1',
          ...(s.analysis ? { analysis: s.analysis } : {}),
        },
        mappings: ownIndex.mappings,
      };
      /** One plain `_bulk` run into a fresh index: docs/s of what the node accepted. */
      const plainBulk = async () => {
        await client.indices.create({ index: 'bench-plain', body: plainIndex as never });
        const started = performance.now();
        let next = 0;
        let errors = 0;
        await Promise.all(
          Array.from({ length: BULK.concurrency }, async () => {
            while (next < bodies.length) {
              const b = bodies[next++] as string;
              const response = await fetch(`${node.url}/_bulk`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-ndjson' },
                body: b,
              });
              const json = (await response.json()) as { errors: boolean };
              if (!response.ok || json.errors) errors++;
            }
          }),
        );
        const ms = performance.now() - started;
        await client.indices.refresh({ index: 'bench-plain' });
        const docs = Number((await client.count({ index: 'bench-plain' })).body.count);
        await client.indices.delete({ index: 'bench-plain' });
        return { docs, ms, errors, docsPerSecond: perSecond(docs, ms) };
      };
      // Reference, ours, reference: the mean of the two reference runs is what ours is compared with, so
      // neither side gets the JVM warmed up by the other, nor a quieter machine.
      log('reference: plain _bulk of pre-serialized NDJSON');
      const plainBefore = await plainBulk();
      log('ours: indexSeizure (rebuild) from the lake');
      const indexed = await indexSeizure(store, client, imported.report.seizureId, {
        mode: 'rebuild',
        bulk: BULK,
      });
      log('reference again: plain _bulk');
      const plainAfter = await plainBulk();
      const plainMs = (plainBefore.ms + plainAfter.ms) / 2;
      const plainCount = plainBefore.docs;
      const errors = plainBefore.errors + plainAfter.errors;
      results.index = {
        ours: {
          docs: indexed.indexed,
          failed: indexed.failed,
          retried: indexed.retried,
          ms: indexed.durationMs,
          docsPerSecond: perSecond(indexed.indexed, indexed.durationMs),
        },
        plainBulk: {
          docs: plainCount,
          sent: total,
          requestsWithErrors: errors,
          ms: Math.round(plainMs),
          docsPerSecond: perSecond(plainCount, plainMs),
          runs: [plainBefore, plainAfter],
        },
        bulk: BULK,
        shards: Number(s.number_of_shards),
        heap: '1g',
      };
    } finally {
      delete process.env.OPENSEARCH_URL;
      await stopOpenSearch({ home, port });
    }
  }

  const index = results.index as
    | { ours: { docsPerSecond: number }; plainBulk: { docsPerSecond: number } }
    | undefined;
  results.ratios = {
    parquetVsDuckdb: round(convert.ours.messagesPerSecond / convert.duckdb.messagesPerSecond),
    parquetVsParseLoop: round(convert.ours.messagesPerSecond / convert.parseLoop.messagesPerSecond),
    indexVsPlainBulk: index ? round(index.ours.docsPerSecond / index.plainBulk.docsPerSecond) : null,
    nativeVsSqlPath: round(convert.ours.messagesPerSecond / convert.sqlPath.messagesPerSecond),
    sqlVsAdapterPath: round(convert.sqlPath.messagesPerSecond / convert.adapterPath.messagesPerSecond),
    // What parquetVsDuckdb would be if mapping, ids and enrichment cost nothing: DuckDB writing our rows alone.
    writeOnlyVsDuckdb: round(convert.writeOnly.messagesPerSecond / convert.duckdb.messagesPerSecond),
    // The same comparisons by CPU time (every thread of each process): steadier on a loaded machine.
    parquetVsDuckdbByCpu: round(duck.cpuMs / ours.cpuMs / (duck.records / ours.records)),
    parquetVsParseLoopByCpu: round(parse.cpuMs / ours.cpuMs / (parse.records / ours.records)),
  };
  results.pinnedToOneCpu = hasTaskset;
  results.targets = { parquetVsDuckdb: 0.5, parquetVsParseLoop: 0.3, indexVsPlainBulk: 0.8 };
  results.input = {
    platform: 'skyecc',
    format: 'ndjson',
    messages,
    records,
    bytes: inputBytes,
    bytesPerRecord: Math.round(inputBytes / records),
  };
  results.machine = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model,
    memoryGB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    loadAverage: os.loadavg().map((x) => round(x)),
  };
  results.date = new Date().toISOString();
  await fs.writeFile(path.join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
} finally {
  if (!keep) await fs.rm(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

function printTable(r: Record<string, unknown>) {
  const n = r.normalize as Record<string, Figures>;
  const m = r.memory as Record<string, Figures>;
  const i = r.index as Record<string, Figures> | undefined;
  const e = r.endToEnd as { ms: number; messagesPerSecond: number } | undefined;
  const ratios = r.ratios as Record<string, number | null>;
  const f = (x: number | undefined) => (x === undefined ? '-' : x.toLocaleString('en'));
  const rows: [string, string, string][] = [
    [
      'normalize + Parquet (ours, 1 core)',
      `${f(n.ours?.messagesPerSecond)} msg/s`,
      `${f(n.ours?.mbPerSecond)} MB/s`,
    ],
    [
      'DuckDB read_json -> Parquet (1 thread)',
      `${f(n.duckdb?.messagesPerSecond)} msg/s`,
      `${f(n.duckdb?.mbPerSecond)} MB/s`,
    ],
    [
      'read lines + JSON.parse',
      `${f(n.parseLoop?.messagesPerSecond)} msg/s`,
      `${f(n.parseLoop?.mbPerSecond)} MB/s`,
    ],
    [
      '  of which mapped natively',
      `${f(n.ours?.mappedNatively)} of ${f(n.ours?.records)} records`,
      `${f(n.sqlPath?.messagesPerSecond)} msg/s mapped in SQL, ${f(n.adapterPath?.messagesPerSecond)} all through the adapter`,
    ],
    ['  ratio ours / DuckDB (target >= 0.5)', `${ratios.parquetVsDuckdb}`, ''],
    [
      '  DuckDB writing our rows alone / DuckDB',
      `${ratios.writeOnlyVsDuckdb}`,
      `${f(n.writeOnly?.messagesPerSecond)} msg/s, ${f(n.writeOnly?.shareOfOurs)} of our time`,
    ],
    ['  ratio ours / parse loop (target >= 0.3)', `${ratios.parquetVsParseLoop}`, ''],
    [
      '  the same by CPU time',
      `${ratios.parquetVsDuckdbByCpu} / ${ratios.parquetVsParseLoopByCpu}`,
      r.pinnedToOneCpu ? 'pinned to one CPU' : 'not pinned',
    ],
    ['bulk index (ours, from the lake)', i ? `${f(i.ours?.docsPerSecond)} docs/s` : 'skipped', ''],
    ['plain _bulk, pre-serialized', i ? `${f(i.plainBulk?.docsPerSecond)} docs/s` : 'skipped', ''],
    ['  ratio ours / plain (target >= 0.8)', `${ratios.indexVsPlainBulk ?? '-'}`, ''],
    ['peak RSS, one 64 MB chunk', `${f(m.chunk64?.peakRssMB)} MB`, `${f(m.chunk64?.chunkMB)} MB chunk`],
    ['peak RSS, one 256 MB chunk', `${f(m.chunk256?.peakRssMB)} MB`, `${f(m.chunk256?.chunkMB)} MB chunk`],
    [
      'peak RSS, 64 MB chunk of a 10x dump',
      `${f(m.dump10xChunk64?.peakRssMB)} MB`,
      `${f(m.dump10xChunk64?.chunkMB)} MB chunk`,
    ],
    [
      'finalize (dedup, sort, compact), all cores',
      `${f((r.finalize as { rowsPerSecond?: number } | undefined)?.rowsPerSecond)} rows/s`,
      `${f((r.finalize as { files?: number } | undefined)?.files)} files`,
    ],
    [
      'local import end to end (lake + index)',
      e ? `${f(e.messagesPerSecond)} msg/s` : 'skipped',
      e ? `${round(e.ms / 1000, 1)} s` : '',
    ],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  process.stdout.write(
    `\n${rows.map(([a, b, c]) => `${a.padEnd(w)}  ${b.padStart(18)}  ${c}`).join('\n')}\n\n`,
  );
}
