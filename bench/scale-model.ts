#!/usr/bin/env node
/**
 * `npm run scale-model [-- --concurrency 1000 --chunk-mb 64 --data-nodes 6]`: what an import of 10 M, 100 M and
 * 1 B messages takes in the cloud, phase by phase, and what it costs, from the per-chunk figures `npm run
 * bench` measured (bench/results.json; documented defaults when it is absent) and the AWS limits below.
 *
 * A model, not a measurement: every assumption is printed beside its result. Prices are us-east-1 list prices
 * (x86 Lambda, Step Functions Standard, S3 Standard, Athena), as read from the AWS pricing pages in 2026;
 * check them before quoting a budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  bytesPerRecord: number;
  /** peak RSS of one 64 MB chunk's normalize step */
  chunk64RssMB: number;
  /** finalize (dedup + sort + compaction), rows per second per core */
  finalizePerCore: number;
  /** lake Parquet bytes per message after compaction (zstd) */
  lakeBytesPerRow: number;
  /** our bulk indexing into the local single node, docs/s, and that node's cores */
  indexDocsPerSecond: number;
  indexNodeCores: number;
}
const defaults: Measured = {
  source: 'documented defaults (no bench/results.json)',
  normalizePerCore: 20_000,
  bytesPerRecord: 260,
  chunk64RssMB: 1400,
  finalizePerCore: 60_000,
  lakeBytesPerRow: 80,
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
    bytesPerRecord: pick(r.input?.bytesPerRecord, defaults.bytesPerRecord),
    chunk64RssMB: pick(r.memory?.chunk64?.peakRssMB, defaults.chunk64RssMB),
    finalizePerCore: pick(r.finalize?.rowsPerSecond / (r.finalize?.cores ?? 2), defaults.finalizePerCore),
    lakeBytesPerRow: pick(r.finalize?.lakeBytesPerRow, defaults.lakeBytesPerRow),
    indexDocsPerSecond: pick(r.index?.ours?.docsPerSecond, defaults.indexDocsPerSecond),
    indexNodeCores: pick(r.machine?.cpus, defaults.indexNodeCores),
  };
}

// ---------------------------------------------------------------------------------------------------------
// AWS limits (service quotas pages) and prices (us-east-1 list prices).
const AWS = {
  distributedMapMaxConcurrency: 10_000,
  lambdaAccountConcurrencyDefault: 1_000, // soft quota; raise it for more than 1,000 chunks at once
  lambdaMbPerVcpu: 1769, // 1,769 MB = 1 vCPU; 10,240 MB = 6 vCPUs
  lambdaMaxMb: 10_240,
  lambdaMaxVcpu: 6,
  lambdaTimeoutS: 900,
  lambdaMaxTmpMB: 10_240,
  lambdaColdStartS: 1.5, // Node 24 + DuckDB layer, measured order of magnitude
  s3GetPerSecondPerPrefix: 5_500,
  s3PutPerSecondPerPrefix: 3_500,
  s3StreamMBps: 90, // one GET stream from Lambda, typical
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
// The deployment modelled (infra/settings.ts and infra/import-workflow; overridable by flags).
const m = measured();
const chunkMB = flag('chunk-mb', 64);
const concurrency = Math.min(
  flag('concurrency', AWS.lambdaAccountConcurrencyDefault),
  AWS.distributedMapMaxConcurrency,
);
const lambdaVcpuSpeed = flag('lambda-core-speed', 1); // a Lambda vCPU relative to one core of the bench machine
const normalizeMemMB = Math.max(
  AWS.lambdaMbPerVcpu,
  Math.ceil((m.chunk64RssMB * (chunkMB / 64) * 1.3) / 64) * 64,
);
const finalizeMemMB = AWS.lambdaMaxMb; // 6 vCPUs per partition task
const finalizeVcpu = AWS.lambdaMaxVcpu;
const rowsPerFinalizeTask = flag('rows-per-compaction', 25e6); // a month x hash-bucket slice of the lake
const dataNodes = flag('data-nodes', 6);
const nodeVcpu = flag('node-vcpu', 8); // r6g.2xlarge.search: 8 vCPU, 64 GiB
const replicas = flag('replicas', 0); // replicas added after the load
const indexEfficiency = 0.7; // a cluster indexes less than n x one node (coordination, merges)

interface Phase {
  name: string;
  seconds: number;
  note: string;
}

function model(messages: number) {
  const bytes = messages * m.bytesPerRecord;
  const chunks = Math.ceil(bytes / (chunkMB * MB));
  const perChunk = messages / chunks;
  const phases: Phase[] = [];

  // verify: SHA-256 of every file, files in parallel (one stream each), a file's hash is sequential.
  const files = Math.max(1, Math.ceil(bytes / (5 * 1024 * MB))); // dumps arrive as files of at most ~5 GB
  const verifyS = (bytes / files / (AWS.s3StreamMBps * MB)) * Math.ceil(files / Math.min(files, 64));
  phases.push({
    name: 'verify',
    seconds: verifyS,
    note: `${files} files of <=5 GB hashed 64 at a time at ${AWS.s3StreamMBps} MB/s each`,
  });

  // plan: one ranged GET per chunk boundary (NDJSON: seek and find the next newline), 32 at a time.
  const planS = 2 + (chunks * 0.03) / 32;
  phases.push({
    name: 'plan',
    seconds: planS,
    note: `${chunks.toLocaleString('en')} boundaries, one ranged GET each`,
  });

  // normalize: one Lambda per chunk, one vCPU each (Node and DuckDB threads=1).
  const chunkS = AWS.lambdaColdStartS + perChunk / (m.normalizePerCore * lambdaVcpuSpeed) + 2; // + S3 put
  const waves = Math.ceil(chunks / concurrency);
  const normalizeS = waves * chunkS;
  const putsPerSecond = (Math.min(chunks, concurrency) * 4) / chunkS;
  phases.push({
    name: 'normalize',
    seconds: normalizeS,
    note: `${chunks.toLocaleString('en')} chunks of ${chunkMB} MB, ${Math.min(chunks, concurrency)} at once, ${chunkS.toFixed(0)} s each at ${normalizeMemMB} MB; ${putsPerSecond.toFixed(0)} PUT/s (limit ${AWS.s3PutPerSecondPerPrefix}/prefix)`,
  });

  // finalize: dedup + sort + compaction, one task per (month x hash bucket) slice, 6 vCPUs each.
  const tasks = Math.max(1, Math.ceil(messages / rowsPerFinalizeTask));
  const taskRows = messages / tasks;
  const taskS = AWS.lambdaColdStartS + taskRows / (m.finalizePerCore * finalizeVcpu * lambdaVcpuSpeed * 0.8);
  const finalizeS = Math.ceil(tasks / concurrency) * taskS;
  const sliceGB = (taskRows * m.lakeBytesPerRow) / 1024 ** 3;
  phases.push({
    name: 'finalize',
    seconds: finalizeS,
    note: `${tasks} slices of ${(taskRows / 1e6).toFixed(1)} M rows (${sliceGB.toFixed(1)} GB Parquet) at ${finalizeMemMB} MB, ${taskS.toFixed(0)} s each${taskS > AWS.lambdaTimeoutS ? ' > 15 min Lambda limit!' : ''}`,
  });

  // index: the domain's indexing rate, scaled from the local node per vCPU.
  const perVcpu = m.indexDocsPerSecond / m.indexNodeCores;
  const clusterDocsPerSecond = (perVcpu * nodeVcpu * dataNodes * indexEfficiency) / (1 + replicas);
  const indexS = messages / clusterDocsPerSecond;

  // As deployed today (infra/settings.ts, infra/import-workflow): Map concurrency 40, normalize at 3,008 MB, and
  // ONE finalize Lambda (3,008 MB = 1.7 vCPUs, 15 min, 10 GB /tmp) compacting every month partition in turn.
  const deployedNormalizeS = Math.ceil(chunks / 40) * chunkS;
  const deployedFinalizeS =
    AWS.lambdaColdStartS +
    messages / (m.finalizePerCore * (3008 / AWS.lambdaMbPerVcpu) * lambdaVcpuSpeed * 0.8);
  const largestMonthGB = ((messages / 6) * m.lakeBytesPerRow * 2) / 1024 ** 3; // 6 months; staged + compacted copy
  const deployedVerifyS = bytes / (AWS.s3StreamMBps * MB); // today: one Lambda hashes the files one after another
  const deployed = {
    verifyS: deployedVerifyS,
    normalizeS: deployedNormalizeS,
    finalizeS: deployedFinalizeS,
    overTimeout: deployedFinalizeS > AWS.lambdaTimeoutS,
    overTmp: largestMonthGB * 1024 > AWS.lambdaMaxTmpMB,
    largestMonthGB,
  };
  const lakeS = phases.reduce((n, p) => n + p.seconds, 0);
  const bottleneck = phases.reduce((a, b) => (b.seconds > a.seconds ? b : a));

  // cost
  const gbS =
    (verifyS * AWS.lambdaMbPerVcpu) / 1024 +
    (planS * 1024) / 1024 +
    (chunks * chunkS * normalizeMemMB) / 1024 +
    (tasks * taskS * finalizeMemMB) / 1024;
  const tmpGbS = (chunks * chunkS * 3.5 + tasks * taskS * 9.5) * 1; // GB of /tmp above 512 MB
  const lambdaCost =
    gbS * PRICE.lambdaGbSecond +
    (chunks + tasks + 10) * PRICE.lambdaRequest +
    tmpGbS * PRICE.lambdaTmpGbSecond;
  const transitions = 20 + chunks * 3 + tasks * 3; // parent states + (start, task, end) per child execution
  const sfnCost = transitions * PRICE.sfnTransition;
  const gets = files * Math.ceil((5 * 1024) / 8) + chunks * 4 + tasks * Math.ceil(chunks / tasks) * 2;
  const puts = chunks * 5 + tasks * 10 + 20;
  const s3Cost = gets * PRICE.s3Get + puts * PRICE.s3Put;
  const lakeBytes = messages * m.lakeBytesPerRow;
  const athenaCost = (lakeBytes / 1e12) * PRICE.athenaPerTB;
  return {
    messages,
    bytes,
    phases,
    lakeS,
    bottleneck: bottleneck.name,
    deployed,
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

const hms = (s: number) =>
  s < 90 ? `${s.toFixed(0)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;
const usd = (x: number) => `$${x < 1 ? x.toFixed(3) : x.toFixed(2)}`;
const out: string[] = [];
out.push(`seizure-lake scale model: ${m.source}`);
out.push(
  `  measured: normalize ${m.normalizePerCore.toLocaleString('en')} msg/s per core, ${m.bytesPerRecord} B/record (NDJSON), ` +
    `64 MB chunk peak RSS ${m.chunk64RssMB} MB, finalize ${Math.round(m.finalizePerCore).toLocaleString('en')} rows/s per core, ` +
    `${m.lakeBytesPerRow} B/row in the lake, index ${m.indexDocsPerSecond.toLocaleString('en')} docs/s on a ${m.indexNodeCores}-core node`,
);
out.push(
  `  assumed: ${chunkMB} MB chunks, Map concurrency ${concurrency} (Distributed Map allows ${AWS.distributedMapMaxConcurrency.toLocaleString('en')}; ` +
    `Lambda's default account concurrency is ${AWS.lambdaAccountConcurrencyDefault.toLocaleString('en')}), a Lambda vCPU = ${lambdaVcpuSpeed} bench core, ` +
    `normalize at ${normalizeMemMB} MB (1,769 MB = 1 vCPU), finalize slices of ${rowsPerFinalizeTask / 1e6} M rows at ${finalizeMemMB} MB (6 vCPUs)`,
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
    `${(n / 1e6).toLocaleString('en')} M messages (${(r.bytes / 1024 ** 3).toFixed(1)} GiB NDJSON, ${(r.cost.lakeBytes / 1024 ** 3).toFixed(1)} GiB Parquet)`,
  );
  for (const p of r.phases) out.push(`  ${p.name.padEnd(10)} ${hms(p.seconds).padStart(9)}  ${p.note}`);
  out.push(`  ${'lake total'.padEnd(10)} ${hms(r.lakeS).padStart(9)}  bottleneck: ${r.bottleneck}`);
  out.push(
    `  ${'index'.padEnd(10)} ${hms(r.indexS).padStart(9)}  at ${Math.round(r.clusterDocsPerSecond).toLocaleString('en')} docs/s on the domain above (runs after or beside the lake)`,
  );
  out.push(
    `  cost       Lambda ${Math.round(r.cost.gbS).toLocaleString('en')} GB-s = ${usd(r.cost.lambdaCost)}; Step Functions ${r.cost.transitions.toLocaleString('en')} transitions = ${usd(r.cost.sfnCost)}; ` +
      `S3 ${r.cost.gets.toLocaleString('en')} GET + ${r.cost.puts.toLocaleString('en')} PUT = ${usd(r.cost.s3Cost)}; compute total ${usd(r.cost.total)}`,
  );
  const d = r.deployed;
  out.push(
    `  deployed   as synthesized today: verify in one Lambda ${hms(d.verifyS)}${d.verifyS > AWS.lambdaTimeoutS ? ' > 15 min: FAILS' : ''}, normalize ${hms(d.normalizeS)} (Map concurrency 40), finalize in one Lambda ${hms(d.finalizeS)}` +
      `${d.overTimeout ? ' > 15 min Lambda limit: FAILS' : ''}${d.overTmp ? `; needs ~${d.largestMonthGB.toFixed(0)} GB /tmp for its largest month > 10 GB: FAILS` : ''}`,
  );
  out.push(
    `             Athena scan of the full seizure (every column) = ${usd(r.cost.athenaCost)} per query`,
  );
  out.push('');
}
const billion = model(1e9);
out.push(
  `Goal (1 B messages into the lake in < 1 h for < $50 of compute): ${hms(billion.lakeS)}, ${usd(billion.cost.total)} -> ` +
    `${billion.lakeS < 3600 && billion.cost.total < 50 ? 'met in the model' : 'NOT met in the model'}` +
    ` (the deployed defaults differ: see BENCHMARKS.md)`,
);
process.stdout.write(`${out.join('\n')}\n`);
