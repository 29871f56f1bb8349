#!/usr/bin/env node
/**
 * `npm run scale-model [-- --concurrency 1000 --finalize-concurrency 100 --slice-mb 768 --chunk-mb 64
 * --verify-concurrency 100 --verify-memory-mb 2048 --file-gb 5 --data-nodes 6 --months 6 --csv]`: what an import of 10 M, 100 M and 1 B messages takes in the cloud, phase by
 * phase, and what it costs, from the per-chunk figures `npm run bench` measured (bench/results.json;
 * documented defaults when it is absent), the AWS limits below and the workflow as it is synthesized
 * (infra/import-workflow, with the defaults of infra/settings.ts unless a flag says otherwise). `--csv` models a
 * quoted CSV seizure (EncroChat, Anom): every file scanned whole to plan it, every record mapped by the adapter.
 *
 * A model, not a measurement: every assumption is printed beside its result. Prices are us-east-1 list prices
 * (x86 Lambda, Step Functions Standard, S3 Standard, Athena), as read from the AWS pricing pages in 2026;
 * check them before quoting a budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { READ_AHEAD_PARALLEL, READ_AHEAD_RANGE_BYTES } from '#domain/storage/read-ahead.ts';
import { defaultSettings } from '#infra/settings.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const MB = 1024 * 1024;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// ---------------------------------------------------------------------------------------------------------
// Measured figures (bench/results.json), else these defaults: a 1 M-message Sky ECC run on 2 shared cores.
interface Measured {
  source: string;
  /** normalize + Parquet, messages per second on one core (our normalize step, enrichment included) */
  normalizePerCore: number;
  /** the same with every record through the adapter, as a CSV mapping reads it */
  adapterPerCore: number;
  bytesPerRecord: number;
  /** peak RSS of one 64 MB chunk's normalize step */
  chunk64RssMB: number;
  /** finalize (dedup + sort + compaction), rows per second per core */
  finalizePerCore: number;
  /** lake Parquet bytes per message after compaction (zstd) */
  lakeBytesPerRow: number;
  /** staged Parquet bytes per message (what the slices read) */
  stagedBytesPerRow: number;
  /** our bulk indexing into the local single node, docs/s, and that node's cores */
  indexDocsPerSecond: number;
  indexNodeCores: number;
}
const defaults: Measured = {
  source: 'documented defaults (no bench/results.json)',
  normalizePerCore: 20_000,
  adapterPerCore: 10_000,
  bytesPerRecord: 260,
  chunk64RssMB: 1400,
  finalizePerCore: 60_000,
  lakeBytesPerRow: 80,
  stagedBytesPerRow: 80,
  indexDocsPerSecond: 5_000,
  indexNodeCores: 2,
};
function measured(): Measured {
  const file = path.join(here, 'results.json');
  if (!fs.existsSync(file)) return defaults;
  // biome-ignore lint/suspicious/noExplicitAny: a results file of our own making
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as any;
  const pick = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    source: `bench/results.json of ${r.date} (${r.input?.messages?.toLocaleString('en')} messages, ${r.machine?.cpus} cpus, load ${r.machine?.loadAverage?.[0]})`,
    normalizePerCore: pick(r.normalize?.ours?.messagesPerSecond, defaults.normalizePerCore),
    adapterPerCore: pick(r.normalize?.adapterPath?.messagesPerSecond, defaults.adapterPerCore),
    bytesPerRecord: pick(r.input?.bytesPerRecord, defaults.bytesPerRecord),
    chunk64RssMB: pick(r.memory?.chunk64?.peakRssMB, defaults.chunk64RssMB),
    finalizePerCore: pick(r.finalize?.rowsPerSecond / (r.finalize?.cores ?? 2), defaults.finalizePerCore),
    lakeBytesPerRow: pick(r.finalize?.lakeBytesPerRow, defaults.lakeBytesPerRow),
    stagedBytesPerRow: pick(r.finalize?.stagedParquetBytesPerRow, defaults.stagedBytesPerRow),
    indexDocsPerSecond: pick(r.index?.ours?.docsPerSecond, defaults.indexDocsPerSecond),
    indexNodeCores: pick(r.machine?.cpus, defaults.indexNodeCores),
  };
}

/**
 * Measured once by hand for the slice budget (BENCHMARKS.md, "Scale model"), not by `npm run bench`: what a
 * slice's DuckDB holds per row (ranked provenance columns resident, full rows sorted and spilled), and how
 * fast one core scans staged Parquet, all columns, filtering one hash bucket out of it.
 */
const SLICE = { duckdbBytesPerRow: 1_000, scanMBpsPerCore: 80 };

/**
 * Measured by `npm run bench:hash` (2026-11-25, the bench machine, BENCHMARKS.md): SHA-256 on one core, MiB/s,
 * with the CPU's SHA extensions and without them (OpenSSL's AVX2 code). Lambda does not say whether its x86
 * CPUs have them, so the model takes the slower figure.
 */
const HASH = { withShaExtensionsMBps: 1_840, withoutShaExtensionsMBps: 497 };

/**
 * Measured by `npm run bench:plan` (2026-11-25, the bench machine, one pinned core, BENCHMARKS.md): the scan of
 * quoted CSV for record boundaries, MiB/s. A plan item reads such a file whole; NDJSON it only seeks into.
 */
const PLAN = { csvScanMBps: 398 };

// ---------------------------------------------------------------------------------------------------------
// AWS limits (service quotas pages) and prices (us-east-1 list prices).
const AWS = {
  distributedMapMaxConcurrency: 10_000,
  lambdaAccountConcurrencyDefault: 1_000, // soft quota (new accounts may start lower); raise it for more
  lambdaMbPerVcpu: 1769, // 1,769 MB = 1 vCPU; 10,240 MB = 6 vCPUs
  lambdaMaxMb: 10_240,
  lambdaMaxVcpu: 6,
  lambdaTimeoutS: 900,
  lambdaMaxTmpMB: 10_240,
  lambdaColdStartS: 1.5, // Node 24 + DuckDB layer, measured order of magnitude
  s3GetPerSecondPerPrefix: 5_500,
  s3PutPerSecondPerPrefix: 3_500,
  s3StreamMBps: 90, // one GET stream from Lambda, typical
  lambdaNetworkMBps: 600, // a large Lambda's total S3 throughput with parallel streams, typical (not documented)
  s3RequestS: 0.03, // latency of one small GET/PUT/HEAD
};
const PRICE = {
  lambdaGbSecond: 0.0000166667, // x86, first tier
  lambdaRequest: 0.2 / 1e6,
  lambdaTmpGbSecond: 0.0000000309, // ephemeral storage above 512 MB
  sfnTransition: 0.025 / 1000, // Standard workflows (the Distributed Map's children are Standard too)
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  athenaPerTB: 5, // per TB scanned (10^12 bytes)
};

// ---------------------------------------------------------------------------------------------------------
// The deployment modelled: the workflow as synthesized (infra/import-workflow) with the defaults of
// infra/settings.ts; flags override them.
const m = measured();
const chunkMB = flag('chunk-mb', defaultSettings.chunkMb);
const concurrency = Math.min(
  flag('concurrency', defaultSettings.mapMaxConcurrency),
  AWS.distributedMapMaxConcurrency,
);
const finalizeConcurrency = Math.min(
  flag('finalize-concurrency', defaultSettings.finalizeMapMaxConcurrency),
  AWS.distributedMapMaxConcurrency,
);
const lambdaVcpuSpeed = flag('lambda-core-speed', 1); // a Lambda vCPU relative to one core of the bench machine
const normalizeMemMB = flag('normalize-memory-mb', defaultSettings.normalizeMemoryMb);
const normalizeNeedMB = Math.ceil(m.chunk64RssMB * (chunkMB / 64) * 1.2);
const finalizeMemMB = flag('finalize-memory-mb', defaultSettings.finalizeMemoryMb);
const finalizeVcpu = Math.min(AWS.lambdaMaxVcpu, finalizeMemMB / AWS.lambdaMbPerVcpu);
const duckdbMemMB = finalizeMemMB * 0.7; // DUCKDB_MEMORY_LIMIT of compact-slice (infra/import-workflow)
const sliceMB = flag('slice-mb', defaultSettings.finalizeSliceMb);
const months = flag('months', 6); // months a seizure spans; a month partition is cut into slices
const dataNodes = flag('data-nodes', 6);
const nodeVcpu = flag('node-vcpu', 8); // r6g.2xlarge.search: 8 vCPU, 64 GiB
const replicas = flag('replicas', 0); // replicas added after the load
const indexEfficiency = 0.7; // a cluster indexes less than n x one node (coordination, merges)
const normalizeTimeoutS = 600;
const verifyConcurrency = Math.min(
  flag('verify-concurrency', defaultSettings.verifyMapMaxConcurrency),
  AWS.distributedMapMaxConcurrency,
);
const verifyMemMB = flag('verify-memory-mb', defaultSettings.verifyMemoryMb);
const fileGB = flag('file-gb', 5); // dumps arrive as files of at most this many GiB
const quotedCsv = process.argv.includes('--csv');
const normalizePerCore = quotedCsv ? m.adapterPerCore : m.normalizePerCore;
/**
 * One hash item reads its file in READ_AHEAD_PARALLEL ranges at once ahead of a single-threaded SHA-256: the
 * slowest of the hash, those streams and the Lambda's network bounds it.
 */
const hashMBps = Math.min(
  HASH.withoutShaExtensionsMBps * lambdaVcpuSpeed,
  READ_AHEAD_PARALLEL * AWS.s3StreamMBps,
  AWS.lambdaNetworkMBps,
);
/** The largest single file one hash item reads and hashes within the Lambda's 15 minutes, in GiB. */
const largestFileGB = ((AWS.lambdaTimeoutS - AWS.lambdaColdStartS) * hashMBps) / 1024;

interface Phase {
  name: string;
  seconds: number;
  note: string;
  /** the phase cannot run as synthesized (a Lambda's time or disk limit) */
  fails?: string;
}

function model(messages: number) {
  const bytes = messages * m.bytesPerRecord;
  const chunks = Math.ceil(bytes / (chunkMB * MB));
  const perChunk = messages / chunks;
  const phases: Phase[] = [];

  // verify, as synthesized: "Check manifest" lists the files, the hash map hashes each in a Lambda of its own
  // (verifyConcurrency at once), "Verify evidence" reads every file's result and writes the custody entries.
  const files = Math.max(1, Math.ceil(bytes / (fileGB * 1024 * MB)));
  const fileBytes = bytes / files;
  const hashItemS = AWS.lambdaColdStartS + fileBytes / (hashMBps * MB);
  const hashS = Math.ceil(files / verifyConcurrency) * hashItemS;
  const verifyS = 2 * (AWS.lambdaColdStartS + 0.5) + hashS + (files * AWS.s3RequestS) / 32;
  phases.push({
    name: 'verify',
    seconds: verifyS,
    note: `${files.toLocaleString('en')} file(s) of ${(fileBytes / 1024 ** 3).toFixed(1)} GiB, ${Math.min(files, verifyConcurrency)} hashed at once at ${verifyMemMB} MB, ${hashItemS.toFixed(0)} s each at ${hashMBps} MB/s (${READ_AHEAD_PARALLEL} ranges of ${READ_AHEAD_RANGE_BYTES / MB} MiB ahead of SHA-256)`,
    ...(hashItemS > AWS.lambdaTimeoutS
      ? { fails: `a ${(fileBytes / 1024 ** 3).toFixed(0)} GiB file takes ${hms(hashItemS)} to hash (15 min)` }
      : {}),
  });

  // plan, as synthesized: the plan map cuts each file in a Lambda of its own (verify's concurrency and memory).
  // NDJSON: one ranged GET per boundary, in turn (seek and find the next newline); quoted CSV: the whole file
  // scanned for quote parity on one vCPU, fed by ranges read ahead as the hash is. "Plan chunks" then joins
  // the files' lists.
  const planVcpu = Math.min(1, verifyMemMB / AWS.lambdaMbPerVcpu) * lambdaVcpuSpeed;
  const planScanMBps = Math.min(
    PLAN.csvScanMBps * planVcpu,
    READ_AHEAD_PARALLEL * AWS.s3StreamMBps,
    AWS.lambdaNetworkMBps,
  );
  const chunksPerFile = chunks / files;
  const planItemS =
    AWS.lambdaColdStartS + (quotedCsv ? fileBytes / (planScanMBps * MB) : chunksPerFile * AWS.s3RequestS);
  const planJoinS = AWS.lambdaColdStartS + 0.5 + (files * AWS.s3RequestS) / 32;
  const planS = Math.ceil(files / verifyConcurrency) * planItemS + planJoinS;
  phases.push({
    name: 'plan',
    seconds: planS,
    note: quotedCsv
      ? `${Math.min(files, verifyConcurrency)} file(s) at once, each scanned whole at ${planScanMBps.toFixed(0)} MB/s (${planItemS.toFixed(0)} s), ${chunks.toLocaleString('en')} chunks`
      : `${Math.min(files, verifyConcurrency)} file(s) at once, ${Math.round(chunksPerFile).toLocaleString('en')} boundaries each, one ranged GET each (${planItemS.toFixed(0)} s), ${chunks.toLocaleString('en')} chunks`,
    ...(planItemS > AWS.lambdaTimeoutS
      ? { fails: `a ${(fileBytes / 1024 ** 3).toFixed(0)} GiB file takes ${hms(planItemS)} to plan (15 min)` }
      : {}),
  });

  // normalize: one Lambda per chunk, one vCPU each (Node and DuckDB threads=1).
  const stagedFiles = chunks * Math.min(months, 2); // a chunk of a time-ordered dump spans a month or two
  const chunkS = AWS.lambdaColdStartS + perChunk / (normalizePerCore * lambdaVcpuSpeed) + 2; // + S3 puts
  const normalizeS = Math.ceil(chunks / concurrency) * chunkS;
  const putsPerSecond = (Math.min(chunks, concurrency) * 4) / chunkS;
  phases.push({
    name: 'normalize',
    seconds: normalizeS,
    note: `${chunks.toLocaleString('en')} chunks of ${chunkMB} MB, ${Math.min(chunks, concurrency)} at once, ${chunkS.toFixed(0)} s each at ${normalizeMemMB} MB; ${putsPerSecond.toFixed(0)} PUT/s (limit ${AWS.s3PutPerSecondPerPrefix}/prefix)`,
    ...(chunkS > normalizeTimeoutS ? { fails: `a chunk takes ${hms(chunkS)} (timeout 10 min)` } : {}),
    ...(normalizeMemMB < normalizeNeedMB
      ? { fails: `a ${chunkMB} MB chunk needs ~${normalizeNeedMB} MB, the function has ${normalizeMemMB}` }
      : {}),
  });

  // finalize 1, plan slices: read the chunk results and list the staging and the partitions.
  const planSlicesS = 1 + (chunks * AWS.s3RequestS) / 32 + stagedFiles / 1000;
  // finalize 2, the slice map: each month cut into hash buckets of at most the slice budget; each slice
  // downloads its month's staged files, keeps its bucket's rows, de-duplicates and sorts them.
  const monthBytes = (messages / months) * m.stagedBytesPerRow;
  const buckets = Math.max(1, Math.ceil(monthBytes / (sliceMB * MB)));
  const slices = months * buckets;
  const sliceRows = messages / slices;
  const sliceCpu = finalizeVcpu * lambdaVcpuSpeed * 0.8;
  const downloadS =
    buckets > 1
      ? monthBytes / (AWS.lambdaNetworkMBps * MB)
      : (sliceRows * m.stagedBytesPerRow) / (AWS.lambdaNetworkMBps * MB);
  const scanS = buckets > 1 ? monthBytes / (SLICE.scanMBpsPerCore * MB * sliceCpu) : 0;
  const computeS = sliceRows / (m.finalizePerCore * sliceCpu);
  const uploadS = (sliceRows * m.lakeBytesPerRow) / (AWS.s3StreamMBps * MB);
  const sliceS = AWS.lambdaColdStartS + downloadS + scanS + computeS + uploadS;
  const spillMB = Math.max(0, (sliceRows * SLICE.duckdbBytesPerRow) / MB - duckdbMemMB);
  const tmpMB =
    spillMB + (sliceRows * (m.stagedBytesPerRow + m.lakeBytesPerRow)) / MB + (buckets > 1 ? 1024 : 0);
  const compactS = Math.ceil(slices / finalizeConcurrency) * sliceS;
  phases.push({
    name: 'compact',
    seconds: planSlicesS + compactS,
    note: `${months} months x ${buckets} bucket(s) = ${slices} slices of ${(sliceRows / 1e6).toFixed(1)} M rows, ${Math.min(slices, finalizeConcurrency)} at once at ${finalizeMemMB} MB; ${sliceS.toFixed(0)} s each (${downloadS.toFixed(0)} s download, ${scanS.toFixed(0)} s bucket scan of the month, ${computeS.toFixed(0)} s dedup+sort); ~${(tmpMB / 1024).toFixed(1)} GB of /tmp`,
    ...(sliceS > AWS.lambdaTimeoutS ? { fails: `a slice takes ${hms(sliceS)} (15 min)` } : {}),
    ...(tmpMB > AWS.lambdaMaxTmpMB
      ? { fails: `a slice needs ~${(tmpMB / 1024).toFixed(0)} GB of /tmp (10 GB)` }
      : {}),
  });

  // finalize 3, reconcile: read the chunk and slice results, check the slices' files, remove the staging.
  const reconcileS = 2 + ((chunks + slices * 2 + stagedFiles) * AWS.s3RequestS) / 32;
  phases.push({
    name: 'reconcile',
    seconds: reconcileS,
    note: `${chunks.toLocaleString('en')} chunk results, ${slices} slice results, ${stagedFiles.toLocaleString('en')} staged files removed, 32 requests at once`,
    ...(reconcileS > AWS.lambdaTimeoutS ? { fails: `reconcile takes ${hms(reconcileS)} (15 min)` } : {}),
  });

  // index: the domain's indexing rate, scaled from the local node per vCPU.
  const perVcpu = m.indexDocsPerSecond / m.indexNodeCores;
  const clusterDocsPerSecond = (perVcpu * nodeVcpu * dataNodes * indexEfficiency) / (1 + replicas);
  const indexS = messages / clusterDocsPerSecond;

  const lakeS = phases.reduce((n, p) => n + p.seconds, 0);
  const bottleneck = phases.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const failures = phases.flatMap((p) => (p.fails ? [p.fails] : []));

  // cost
  const gbS =
    (files * (hashItemS + planItemS) * verifyMemMB) / 1024 +
    (2 * (AWS.lambdaColdStartS + 0.5) * 1024) / 1024 + // check manifest and verify, small functions
    (planJoinS + planSlicesS + reconcileS) * 1 + // the small functions, 1,024 MB
    (chunks * chunkS * normalizeMemMB) / 1024 +
    (slices * sliceS * finalizeMemMB) / 1024;
  const tmpGbS = chunks * chunkS * 3.5 + slices * sliceS * 9.5; // GB of /tmp above 512 MB
  const lambdaCost =
    gbS * PRICE.lambdaGbSecond +
    (files * 2 + chunks + slices + 10) * PRICE.lambdaRequest +
    tmpGbS * PRICE.lambdaTmpGbSecond;
  // parent states + (start, task, end) per child execution
  const transitions = 30 + files * 6 + chunks * 3 + slices * 3;
  const sfnCost = transitions * PRICE.sfnTransition;
  const stagedPerMonth = stagedFiles / months;
  // verify reads every file in ranges; plan reads a quoted CSV file so too, an NDJSON file a window per boundary
  const ranges =
    files * Math.ceil(fileBytes / READ_AHEAD_RANGE_BYTES) * (quotedCsv ? 2 : 1) + (quotedCsv ? 0 : chunks);
  const gets = ranges + files * 2 + chunks * 4 + slices * (stagedPerMonth + 3) + chunks * 2;
  const puts = files * 3 + chunks * (3 + Math.min(months, 2)) + slices * 3 + 30;
  const s3Cost = gets * PRICE.s3Get + puts * PRICE.s3Put;
  const lakeBytes = messages * m.lakeBytesPerRow;
  const athenaCost = (lakeBytes / 1e12) * PRICE.athenaPerTB;
  return {
    messages,
    bytes,
    phases,
    lakeS,
    bottleneck: bottleneck.name,
    failures,
    slices,
    indexS,
    clusterDocsPerSecond,
    cost: {
      gbS,
      lambdaCost,
      transitions,
      sfnCost,
      gets,
      puts,
      s3Cost,
      lakeBytes,
      athenaCost,
      total: lambdaCost + sfnCost + s3Cost,
    },
  };
}

function hms(s: number): string {
  return s < 90
    ? `${s.toFixed(0)} s`
    : s < 5400
      ? `${(s / 60).toFixed(1)} min`
      : `${(s / 3600).toFixed(1)} h`;
}
const usd = (x: number) => `$${x < 1 ? x.toFixed(3) : x.toFixed(2)}`;
const out: string[] = [];
out.push(`seizure-lake scale model: ${m.source}`);
out.push(
  `  input: ${quotedCsv ? 'quoted CSV (--csv): each file scanned whole to plan it, every record through the adapter' : 'NDJSON mapped in SQL (Sky ECC)'}, ${m.bytesPerRecord} B/record as the bench's NDJSON\n` +
    `  measured: normalize ${normalizePerCore.toLocaleString('en')} msg/s per core${quotedCsv ? ' (the adapter path)' : ''}, ` +
    `64 MB chunk peak RSS ${m.chunk64RssMB} MB, finalize ${Math.round(m.finalizePerCore).toLocaleString('en')} rows/s per core, ` +
    `${m.stagedBytesPerRow} B/row staged and ${m.lakeBytesPerRow} B/row in the lake, index ${m.indexDocsPerSecond.toLocaleString('en')} docs/s on a ${m.indexNodeCores}-core node; ` +
    `by hand: a slice's DuckDB ~${SLICE.duckdbBytesPerRow} B/row, a bucket scan of staged Parquet ${SLICE.scanMBpsPerCore} MB/s per core; ` +
    `npm run bench:hash: SHA-256 ${HASH.withShaExtensionsMBps} MiB/s per core, ${HASH.withoutShaExtensionsMBps} without SHA extensions (the figure used); ` +
    `npm run bench:plan: quoted CSV scanned for record boundaries at ${PLAN.csvScanMBps} MiB/s per core`,
);
out.push(
  `  workflow as synthesized (infra/settings.ts defaults unless flagged): ${chunkMB} MB chunks, normalize map concurrency ${concurrency} at ${normalizeMemMB} MB; ` +
    `finalize = plan slices, a map of slices (${sliceMB} MiB of Parquet each, concurrency ${finalizeConcurrency}, ${finalizeMemMB} MB = ${finalizeVcpu.toFixed(1)} vCPUs, DuckDB at ${Math.round(duckdbMemMB)} MB), reconcile; ` +
    `verify = check manifest, a map hashing each evidence file (files of <= ${fileGB} GiB, concurrency ${verifyConcurrency}, ${verifyMemMB} MB), verify evidence; ` +
    `plan = a map cutting each file into chunks (the same concurrency and memory), plan chunks; ` +
    `a seizure spans ${months} months; a Lambda vCPU = ${lambdaVcpuSpeed} bench core`,
);
out.push(
  `  limits: Distributed Map concurrency ${AWS.distributedMapMaxConcurrency.toLocaleString('en')}; Lambda's default account concurrency ${AWS.lambdaAccountConcurrencyDefault.toLocaleString('en')} ` +
    `(the maps draw on it: above it items are throttled and retried), 15 min and 10 GB /tmp per Lambda, ${AWS.s3StreamMBps} MB/s per S3 stream and ${AWS.lambdaNetworkMBps} MB/s of S3 into one Lambda`,
);
out.push(
  `  prices (us-east-1 list, x86): Lambda $${PRICE.lambdaGbSecond}/GB-s + $0.20/M requests, Step Functions Standard $0.025/1,000 transitions, ` +
    `S3 PUT $0.005/1,000, GET $0.0004/1,000, Athena $${PRICE.athenaPerTB}/TB scanned`,
);
out.push(
  `  search domain: ${dataNodes} data nodes x ${nodeVcpu} vCPU (r6g.2xlarge.search), ${replicas} replicas during the load, ` +
    `${indexEfficiency} cluster efficiency, per-vCPU rate from the local node`,
);
out.push('');
for (const n of [10e6, 100e6, 1e9]) {
  const r = model(n);
  out.push(
    `${(n / 1e6).toLocaleString('en')} M messages (${(r.bytes / 1024 ** 3).toFixed(1)} GiB ${quotedCsv ? 'CSV' : 'NDJSON'}, ${(r.cost.lakeBytes / 1024 ** 3).toFixed(1)} GiB Parquet)`,
  );
  for (const p of r.phases)
    out.push(
      `  ${p.name.padEnd(10)} ${hms(p.seconds).padStart(9)}  ${p.note}${p.fails ? `  FAILS: ${p.fails}` : ''}`,
    );
  out.push(`  ${'lake total'.padEnd(10)} ${hms(r.lakeS).padStart(9)}  bottleneck: ${r.bottleneck}`);
  out.push(
    `  ${'index'.padEnd(10)} ${hms(r.indexS).padStart(9)}  at ${Math.round(r.clusterDocsPerSecond).toLocaleString('en')} docs/s on the domain above (runs after the lake)`,
  );
  out.push(
    `  cost       Lambda ${Math.round(r.cost.gbS).toLocaleString('en')} GB-s = ${usd(r.cost.lambdaCost)}; Step Functions ${r.cost.transitions.toLocaleString('en')} transitions = ${usd(r.cost.sfnCost)}; ` +
      `S3 ${Math.round(r.cost.gets).toLocaleString('en')} GET + ${r.cost.puts.toLocaleString('en')} PUT = ${usd(r.cost.s3Cost)}; compute total ${usd(r.cost.total)}`,
  );
  out.push(
    `             Athena scan of the full seizure (every column) = ${usd(r.cost.athenaCost)} per query`,
  );
  out.push('');
}
const billion = model(1e9);
const met = billion.lakeS < 3600 && billion.cost.total < 50 && !billion.failures.length;
out.push(
  `Goal (1 B messages into the lake in < 1 h for < $50 of compute): ${hms(billion.lakeS)}, ${usd(billion.cost.total)} -> ` +
    (met
      ? 'met in the model'
      : `NOT met${billion.failures.length ? `: ${billion.failures.join('; ')}` : ''}`),
);
out.push(
  `Largest single evidence file one hash item reads and hashes in its 15 minutes: ~${largestFileGB.toFixed(0)} GiB at ${hashMBps} MB/s ` +
    `(one S3 stream alone: ~${(((AWS.lambdaTimeoutS - AWS.lambdaColdStartS) * AWS.s3StreamMBps) / 1024).toFixed(0)} GiB); a bigger file fails verify (split it before upload).`,
);
process.stdout.write(`${out.join('\n')}\n`);
