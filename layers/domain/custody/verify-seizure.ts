import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Chunk, EvidenceFile } from '../adapters/adapter.ts';
import { adapterFor } from '../adapters/adapter-registry.ts';
import { planKey, seizurePartitionPrefix } from '../import/import-layout.ts';
import { checkFiles, evidenceFiles, readManifest } from '../import/verify-evidence.ts';
import { openDuckDB, sqlList } from '../lake/duckdb-session.ts';
import { listKeys, localCopies } from '../lake/local-copies.ts';
import { readJsonObjectIfPresent } from '../storage/json-objects.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { checkCustodyChain, readCustodyLog } from './custody-log.ts';

export interface VerifyCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface VerifyResult {
  seizureId: string;
  ok: boolean;
  checks: VerifyCheck[];
  problems: string[];
}

interface SampledRow {
  message_id: string;
  import_id: string;
  source_object: string;
  source_sha256: string;
  source_offset: number;
  source_length: number;
  sender: string;
  body: string | null;
  sent_at: number;
}

/**
 * `seizure verify`: re-hashes every evidence file against the manifest, checks the custody chain and that it
 * recorded the same hashes, and for a sample of lake rows reads the bytes their provenance columns point at
 * and normalizes them again: the same message must come out.
 */
export async function verifySeizure(
  store: ObjectStore,
  seizureId: string,
  options: { sample?: number } = {},
): Promise<VerifyResult> {
  const checks: VerifyCheck[] = [];
  const add = (check: string, problems: string[], okDetail: string) =>
    checks.push({
      check,
      ok: problems.length === 0,
      detail: problems.length ? problems.join('; ') : okDetail,
    });

  const { manifest } = await readManifest(store, seizureId);
  const files = evidenceFiles(manifest);
  const hashProblems = await checkFiles(files, {
    size: async (p) => (await store.head('landing', files.find((f) => f.path === p)!.key))?.size,
    open: (p) => store.read('landing', files.find((f) => f.path === p)!.key),
  });
  add('evidence hashes', hashProblems, `${files.length} file(s) match the manifest's SHA-256`);

  const log = await readCustodyLog(store, seizureId);
  const chainProblems = checkCustodyChain(log);
  if (log.length === 0) chainProblems.push('the custody log is empty');
  add('custody chain', chainProblems, `${log.length} entries, each naming the hash of the one before`);

  const recorded = log.filter((e) => e.entry.action === 'evidence-verified');
  const recordProblems: string[] = [];
  if (!recorded.length) recordProblems.push('no evidence-verified entry in the custody log');
  for (const r of recorded) {
    const hashes = (r.entry.details.files ?? []) as { path: string; sha256: string }[];
    for (const f of files) {
      const h = hashes.find((x) => x.path === f.path);
      if (!h || h.sha256 !== f.sha256)
        recordProblems.push(
          `${r.key} records ${f.path} as ${h?.sha256 ?? 'absent'}, the manifest says ${f.sha256}`,
        );
    }
  }
  add(
    'custody records the same hashes',
    recordProblems,
    `${recorded.length} verification(s) recorded the manifest's hashes`,
  );

  const rows = await sampleRows(store, seizureId, options.sample ?? 100);
  const provenanceProblems = await checkProvenance(store, manifest, files, rows);
  add(
    'row provenance',
    provenanceProblems,
    `${rows.length} sampled row(s) re-read from their source bytes gave the same message`,
  );
  if (rows.length === 0) checks.at(-1)!.detail = 'the lake holds no rows of this seizure';

  const problems = checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
  return { seizureId, ok: problems.length === 0, checks, problems };
}

async function sampleRows(store: ObjectStore, seizureId: string, n: number): Promise<SampledRow[]> {
  const keys = await listKeys(store, 'lake', seizurePartitionPrefix(seizureId), '.parquet');
  if (!keys.length || n <= 0) return [];
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'verify-'));
  const duckdb = await openDuckDB();
  try {
    const paths = await localCopies(store, 'lake', keys, work);
    const result = await duckdb.connection.runAndReadAll(
      `SELECT message_id, import_id, source_object, source_sha256, source_offset, source_length, sender, body,
              epoch_ms(sent_at) AS sent_at
       FROM read_parquet(${sqlList(paths)}, hive_partitioning = false) USING SAMPLE reservoir(${Math.floor(n)} ROWS) REPEATABLE (7)`,
    );
    return result.getRowObjectsJS().map((r) => ({
      ...(r as unknown as SampledRow),
      source_offset: Number(r.source_offset),
      sent_at: Number(r.sent_at),
    }));
  } finally {
    duckdb.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function checkProvenance(
  store: ObjectStore,
  manifest: Awaited<ReturnType<typeof readManifest>>['manifest'],
  files: EvidenceFile[],
  rows: SampledRow[],
): Promise<string[]> {
  const problems: string[] = [];
  const plans = new Map<string, Chunk[]>();
  const adapters = new Map<string, ReturnType<typeof adapterFor>>();
  for (const row of rows) {
    const file = files.find((f) => f.key === row.source_object);
    const where = `${row.message_id} (${row.source_object} @ ${row.source_offset}+${row.source_length})`;
    if (!file) {
      problems.push(`${where}: the manifest lists no such evidence file`);
      continue;
    }
    if (file.sha256 !== row.source_sha256) {
      problems.push(
        `${where}: row says source SHA-256 ${row.source_sha256}, the manifest says ${file.sha256}`,
      );
      continue;
    }
    if (!plans.has(row.import_id)) {
      const key = planKey(manifest.seizureId, row.import_id);
      plans.set(row.import_id, (await readJsonObjectIfPresent<Chunk[]>(store, 'reports', key)) ?? []);
    }
    const columns = plans.get(row.import_id)!.find((c) => c.file.key === file.key)?.columns;
    const chunk: Chunk = {
      chunkId: 'verify',
      index: 0,
      file,
      start: row.source_offset,
      end: row.source_offset + row.source_length,
      columns,
    };
    let adapter = adapters.get(row.import_id);
    if (!adapter) {
      adapter = adapterFor(manifest, { importId: row.import_id, ingestedAt: 0 });
      adapters.set(row.import_id, adapter);
    }
    const results = [];
    for await (const batch of adapter.read(chunk, await store.read('landing', file.key, chunk)))
      results.push(...batch);
    const again = results.length === 1 && 'message' in results[0]! ? results[0].message : undefined;
    if (!again) {
      problems.push(`${where}: those bytes do not read as one message`);
    } else if (
      again.message_id !== row.message_id ||
      again.body !== row.body ||
      again.sender !== row.sender ||
      again.sent_at !== row.sent_at
    ) {
      problems.push(`${where}: those bytes read as message ${again.message_id}, not the row's`);
    }
  }
  return problems;
}
