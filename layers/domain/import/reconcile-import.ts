import path from 'node:path';
import { appendCustody } from '../custody/custody-log.ts';
import { mapConcurrently } from '../lake/map-concurrently.ts';
import { readJsonObjectIfPresent } from '../storage/json-objects.ts';
import type { BucketRole, ObjectStore } from '../storage/object-store.ts';
import { PIPELINE_VERSION, pipelineActor } from '../version.ts';
import {
  duplicatesPrefix,
  importFilePrefix,
  monthInputKey,
  monthPartitionPrefix,
  rejectedPrefix,
  reportKey,
  sliceResultKey,
  slicesKey,
  stagingPrefix,
} from './import-layout.ts';
import type {
  ChunkResult,
  Counts,
  FileReport,
  ImportRef,
  ImportReport,
  MonthInput,
  Slice,
  SliceResult,
} from './import-types.ts';
import { readChunkResults } from './plan-slices.ts';
import { ReconciliationError } from './reconciliation-error.ts';
import { evidenceFiles, readManifest, sha256Hex } from './verify-evidence.ts';

/** S3 requests in flight at once (reading results, checking and deleting files). */
const REQUESTS_AT_ONCE = 32;

/**
 * Finalize, step 3 ("Finalize import"): once every slice is compacted, checks that each slice's files are in
 * the lake as it wrote them and that the counts reconcile per file and in total (read = written + rejected +
 * duplicates, and every staged message reached exactly one slice), then removes the partition files the new
 * ones replace, writes the import report and the custody entry, and clears the staging area. Any mismatch is
 * a ReconciliationError, raised before anything is removed.
 */
export async function reconcileImport(store: ObjectStore, ref: ImportRef): Promise<ImportReport> {
  const { seizureId, importId } = ref;
  const { manifest, sha256 } = await readManifest(store, seizureId);
  const chunks = await readChunkResults(store, ref);
  const slices = await readJsonObjectIfPresent<Slice[]>(store, 'reports', slicesKey(seizureId, importId));
  if (!slices) throw new ReconciliationError('finalize was not planned: there is no slice list');
  const results = await mapConcurrently(slices, REQUESTS_AT_ONCE, (s) =>
    readJsonObjectIfPresent<SliceResult>(store, 'reports', sliceResultKey(seizureId, importId, s.sliceId)),
  );
  const missing = slices.filter((_, i) => !results[i]).map((s) => s.sliceId);
  if (missing.length)
    throw new ReconciliationError(`no result for slice(s) ${missing.join(', ')}: they did not finish`);
  const done = results as SliceResult[];
  await checkSliceFiles(store, done);
  checkMonths(chunks, done);

  const report = reconcile(ref, manifest, sha256, chunks, done);
  await removeReplaced(store, ref, done);

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
  // Staging goes last: until the report is written, a re-run of finalize finds everything it needs.
  await deleteAll(store, 'lake', await keysUnder(store, 'lake', stagingPrefix(seizureId, importId)));
  return report;
}

/** Every file a slice recorded is in the lake, of the size it wrote, and its rows add up to the slice's. */
async function checkSliceFiles(store: ObjectStore, results: SliceResult[]): Promise<void> {
  const problems: string[] = [];
  for (const r of results) {
    const inFiles = r.files.reduce((n, f) => n + f.rows, 0);
    if (inFiles !== r.rows)
      problems.push(`slice ${r.sliceId}: ${r.rows} rows, but its files hold ${inFiles}`);
  }
  const files = results.flatMap((r) => r.files.map((f) => ({ ...f, sliceId: r.sliceId })));
  const found = await mapConcurrently(files, REQUESTS_AT_ONCE, (f) => store.head('lake', f.key));
  for (const [i, f] of files.entries()) {
    const info = found[i];
    if (!info) problems.push(`slice ${f.sliceId} wrote ${f.key}, which is not in the lake`);
    else if (info.size !== f.bytes)
      problems.push(`slice ${f.sliceId} wrote ${f.key} of ${f.bytes} bytes; the lake holds ${info.size}`);
  }
  if (problems.length)
    throw new ReconciliationError(`the slices' output is not in the lake:\n  - ${problems.join('\n  - ')}`);
}

/** Per month, the slices took in exactly what the chunks staged: no row lost and none in two slices. */
function checkMonths(chunks: ChunkResult[], results: SliceResult[]): void {
  const staged = new Map<string, number>();
  for (const c of chunks) for (const m of c.months) staged.set(m.month, (staged.get(m.month) ?? 0) + m.rows);
  const sliced = new Map<string, number>();
  for (const r of results) sliced.set(r.month, (sliced.get(r.month) ?? 0) + r.staged);
  const problems: string[] = [];
  for (const month of new Set([...staged.keys(), ...sliced.keys()])) {
    const want = staged.get(month) ?? 0;
    const got = sliced.get(month) ?? 0;
    if (want !== got) problems.push(`${month}: chunks staged ${want} messages but the slices took in ${got}`);
  }
  if (problems.length)
    throw new ReconciliationError(`counts do not reconcile:\n  - ${problems.join('\n  - ')}`);
}

/**
 * The partition files the slices' files replace: those the partition held when finalize was planned, and
 * any other file of this import (an earlier attempt's), but never a file a slice has just written. Same for
 * this import's duplicates files of the months it wrote.
 */
async function removeReplaced(store: ObjectStore, ref: ImportRef, results: SliceResult[]): Promise<void> {
  const { seizureId, importId } = ref;
  const kept = new Set(results.flatMap((r) => r.files.map((f) => f.key)));
  const replaced = new Set<string>();
  for (const month of new Set(results.map((r) => r.month))) {
    const input = await readJsonObjectIfPresent<MonthInput>(
      store,
      'reports',
      monthInputKey(seizureId, importId, month),
    );
    for (const o of input?.existing ?? []) replaced.add(o.key);
    const prefix = monthPartitionPrefix(seizureId, month);
    for (const key of await keysUnder(store, 'lake', prefix))
      if (path.posix.basename(key).startsWith(importFilePrefix(importId))) replaced.add(key);
  }
  await deleteAll(
    store,
    'lake',
    [...replaced].filter((k) => !kept.has(k)),
  );
  const months = new Set(results.map((r) => r.month));
  const keptDuplicates = new Set(results.map((r) => r.duplicatesKey).filter(Boolean));
  const staleDuplicates = (
    await keysUnder(store, 'quarantine', duplicatesPrefix(seizureId, importId))
  ).filter((k) => !keptDuplicates.has(k) && months.has(path.posix.basename(k).slice(0, 7)));
  await deleteAll(store, 'quarantine', staleDuplicates);
}

async function keysUnder(store: ObjectStore, bucket: BucketRole, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(bucket, prefix)) keys.push(o.key);
  return keys;
}

async function deleteAll(store: ObjectStore, bucket: BucketRole, keys: string[]): Promise<void> {
  await mapConcurrently(keys, REQUESTS_AT_ONCE, (key) => store.delete(bucket, key));
}

function reconcile(
  ref: ImportRef,
  manifest: Awaited<ReturnType<typeof readManifest>>['manifest'],
  manifestSha256: string,
  chunks: ChunkResult[],
  slices: SliceResult[],
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
  for (const s of slices) {
    for (const [key, counts] of Object.entries(s.bySource)) {
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
  const partitions = new Map<string, { month: string; rows: number; files: string[] }>();
  for (const s of [...slices].sort((a, b) => a.month.localeCompare(b.month) || a.bucket - b.bucket)) {
    const p = partitions.get(s.month) ?? { month: s.month, rows: 0, files: [] };
    p.rows += s.rows;
    p.files.push(...s.files.map((f) => f.key));
    partitions.set(s.month, p);
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
    partitions: [...partitions.values()],
    quarantine: {
      rejected: rejectedPrefix(ref.seizureId, ref.importId),
      duplicates: duplicatesPrefix(ref.seizureId, ref.importId),
    },
  };
}
