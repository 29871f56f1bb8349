import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Chunk } from '../adapters/adapter.ts';
import { appendCustody } from '../custody/custody-log.ts';
import { compactPartition, type PartitionResult } from '../lake/compact-partition.ts';
import { openDuckDB } from '../lake/duckdb-session.ts';
import { listKeys } from '../lake/local-copies.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { PIPELINE_VERSION, pipelineActor } from '../version.ts';
import {
  chunkResultPrefix,
  duplicatesKey,
  duplicatesPrefix,
  monthPartitionPrefix,
  planKey,
  rejectedPrefix,
  reportKey,
  stagingPrefix,
} from './import-layout.ts';
import type { ChunkResult, Counts, FileReport, ImportRef, ImportReport } from './import-types.ts';
import { evidenceFiles, readManifest, sha256Hex } from './verify-evidence.ts';

/** The counts do not add up: something was lost or counted twice, and the import must not pass. */
export class ReconciliationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconciliationError';
  }
}

export interface FinalizeOptions {
  workDirectory?: string;
  memoryLimit?: string;
}

async function readJson<T>(store: ObjectStore, key: string): Promise<T> {
  return JSON.parse((await store.readBuffer('reports', key)).toString('utf8')) as T;
}

/**
 * Step "finalize": merges the staged chunks into the lake partitions (dropping duplicates), reconciles the
 * counts per file and in total (read = written + rejected + duplicates), and writes the import report.
 */
export async function finalizeImport(
  store: ObjectStore,
  ref: ImportRef,
  options: FinalizeOptions = {},
): Promise<ImportReport> {
  const { seizureId, importId } = ref;
  const { manifest, sha256 } = await readManifest(store, seizureId);
  const planned = await readJson<Chunk[]>(store, planKey(seizureId, importId));
  // Only the chunks of this plan count: a re-run with another chunk size may have left others behind.
  const plannedIds = new Set(planned.map((c) => c.chunkId));
  const results = new Map<string, ChunkResult>();
  for (const key of await listKeys(store, 'reports', chunkResultPrefix(seizureId, importId), '.json')) {
    const r = await readJson<ChunkResult>(store, key);
    if (plannedIds.has(r.chunkId)) results.set(r.chunkId, r);
  }
  const missing = planned.filter((c) => !results.has(c.chunkId)).map((c) => c.chunkId);
  if (missing.length)
    throw new ReconciliationError(`no result for chunk(s) ${missing.join(', ')}: they did not finish`);

  const allStaged = await listKeys(store, 'lake', stagingPrefix(seizureId, importId), '.parquet');
  const stagedKeys = allStaged.filter((k) => plannedIds.has(path.posix.basename(k, '.parquet')));
  const months = [...new Set([...results.values()].flatMap((r) => r.months.map((m) => m.month)))].sort();
  const work = await fs.mkdtemp(path.join(options.workDirectory ?? os.tmpdir(), `finalize-${importId}-`));
  const duckdb = await openDuckDB({
    memoryLimit: options.memoryLimit,
    tempDirectory: path.join(work, 'duckdb'),
  });
  const partitions: PartitionResult[] = [];
  try {
    for (const month of months) {
      const monthStaged = stagedKeys.filter((k) => k.includes(`/sent_month=${month}/`));
      partitions.push(
        await compactPartition(store, duckdb, {
          seizureId,
          importId,
          month,
          partitionPrefix: monthPartitionPrefix(seizureId, month),
          stagedKeys: monthStaged,
          duplicatesKey: duplicatesKey(seizureId, importId, month),
          workDirectory: path.join(work, month),
        }),
      );
    }
  } finally {
    duckdb.close();
    await fs.rm(work, { recursive: true, force: true });
  }

  const report = reconcile(ref, manifest, sha256, [...results.values()], partitions);
  const reportBytes = JSON.stringify(report, null, 2);
  await store.write('reports', reportKey(seizureId, importId), reportBytes, {
    contentType: 'application/json',
  });
  await appendCustody(store, {
    action: 'import-finished',
    seizureId,
    importId,
    actor: pipelineActor,
    details: {
      pipelineVersion: PIPELINE_VERSION,
      counts: report.counts,
      files: report.files.map(({ path, read, written, rejected, duplicates }) => ({
        path,
        read,
        written,
        rejected,
        duplicates,
      })),
      report: reportKey(seizureId, importId),
      reportSha256: sha256Hex(reportBytes),
    },
  });
  // Staging goes last: until the report is written, a re-run of this step finds everything it needs.
  for (const key of allStaged) await store.delete('lake', key);
  return report;
}

function reconcile(
  ref: ImportRef,
  manifest: Awaited<ReturnType<typeof readManifest>>['manifest'],
  manifestSha256: string,
  chunks: ChunkResult[],
  partitions: PartitionResult[],
): ImportReport {
  const files: FileReport[] = evidenceFiles(manifest).map((f) => ({
    ...f,
    chunks: 0,
    read: 0,
    written: 0,
    rejected: 0,
    duplicates: 0,
  }));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const byKey = new Map(files.map((f) => [f.key, f]));
  const staged = new Map<string, number>();
  for (const c of chunks) {
    const f = byPath.get(c.path);
    if (!f)
      throw new ReconciliationError(`chunk ${c.chunkId} names ${c.path}, which the manifest does not list`);
    f.chunks++;
    f.read += c.read;
    f.rejected += c.rejected;
    staged.set(f.key, (staged.get(f.key) ?? 0) + c.staged);
  }
  for (const p of partitions) {
    for (const [key, counts] of p.bySource) {
      const f = byKey.get(key);
      if (!f)
        throw new ReconciliationError(`the lake holds rows of ${key}, which the manifest does not list`);
      f.written += counts.written;
      f.duplicates += counts.duplicates;
    }
  }
  const problems: string[] = [];
  for (const f of files) {
    const inLake = f.written + f.duplicates;
    if (inLake !== (staged.get(f.key) ?? 0)) {
      problems.push(
        `${f.path}: chunks staged ${staged.get(f.key) ?? 0} messages but ${inLake} reached the partitions`,
      );
    }
    if (f.read !== f.written + f.rejected + f.duplicates) {
      problems.push(
        `${f.path}: read ${f.read} ≠ written ${f.written} + rejected ${f.rejected} + duplicates ${f.duplicates}`,
      );
    }
  }
  if (problems.length)
    throw new ReconciliationError(`counts do not reconcile:\n  - ${problems.join('\n  - ')}`);

  const counts: Counts = { read: 0, written: 0, rejected: 0, duplicates: 0 };
  for (const f of files) {
    counts.read += f.read;
    counts.written += f.written;
    counts.rejected += f.rejected;
    counts.duplicates += f.duplicates;
  }
  return {
    importId: ref.importId,
    seizureId: manifest.seizureId,
    caseId: manifest.caseId,
    platform: manifest.platform,
    format: manifest.format,
    status: 'succeeded',
    legalAuthority: manifest.legalAuthority,
    uploadedBy: manifest.uploadedBy,
    manifestSha256,
    pipelineVersion: PIPELINE_VERSION,
    startedAt: new Date(ref.ingestedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    counts,
    files,
    partitions: partitions.map((p) => ({ month: p.month, rows: p.rows, files: p.files })),
    quarantine: {
      rejected: rejectedPrefix(ref.seizureId, ref.importId),
      duplicates: duplicatesPrefix(ref.seizureId, ref.importId),
    },
  };
}
