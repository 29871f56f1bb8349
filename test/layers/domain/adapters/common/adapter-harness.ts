import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type {
  Adapter,
  Chunk,
  EvidenceFile,
  ImportContext,
  NormalizedRecord,
} from '#domain/adapters/adapter.ts';
import type { ImportReport } from '#domain/import/import-types.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import type { CanonicalMessage } from '#domain/schema/message-schema.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { openLocalLake, queryRows, type Row } from '#local/sql/local-lake.ts';

/** A manifest for adapter tests: synthetic case, given format and zone. */
export function testManifest(format: Manifest['format'], extra: Partial<Manifest> = {}): Manifest {
  return {
    seizureId: 's1',
    platform: 'generic',
    format,
    caseId: 'case-test',
    legalAuthority: 'TEST-ORDER-1 (synthetic)',
    uploadedBy: 'adapter tests',
    timezone: 'Europe/Amsterdam',
    files: [],
    ...extra,
  };
}

export function testContext(manifest: Manifest, extra: Partial<ImportContext> = {}): ImportContext {
  return { manifest, importId: 'imp-test', ingestedAt: 0, ...extra };
}

export const testFile = (bytes: Buffer, p = 'data/x'): EvidenceFile => ({
  path: p,
  key: `seizures/s1/${p}`,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  bytes: bytes.length,
});

/**
 * Plans and reads a file with an adapter, in memory, the way the import does: chunk by chunk, each read
 * from its own byte range. `pieceBytes` cuts the streams into small pieces to exercise carry-over.
 */
export async function runAdapter(
  adapter: Adapter,
  bytes: Buffer,
  options: { chunkBytes?: number; pieceBytes?: number; path?: string } = {},
) {
  const file = testFile(bytes, options.path);
  const piece = options.pieceBytes ?? 1 << 20;
  const open = async (start: number, end: number) => {
    const parts: Buffer[] = [];
    for (let at = start; at < end; at += piece) parts.push(bytes.subarray(at, Math.min(end, at + piece)));
    return Readable.from(parts);
  };
  const chunks: Chunk[] = await adapter.plan(file, open, options.chunkBytes ?? 64 << 20);
  const records: NormalizedRecord[] = [];
  for (const chunk of chunks) {
    // the plan is sent through JSON between steps
    const roundTripped = JSON.parse(JSON.stringify(chunk)) as Chunk;
    for await (const batch of adapter.read(roundTripped, await open(chunk.start, chunk.end)))
      records.push(...batch);
  }
  const messages = records.flatMap((r) => ('message' in r ? [r.message] : []));
  const rejections = records.flatMap((r) => ('rejection' in r ? [r.rejection] : []));
  return { file, chunks, records, messages, rejections };
}

/** The bytes a row or rejection points at. */
export const sourceBytes = (bytes: Buffer, r: { source_offset: number; source_length: number }) =>
  bytes.subarray(r.source_offset, r.source_offset + r.source_length);

export const iso = (m: CanonicalMessage | { sent_at: number }) => new Date(m.sent_at).toISOString();

export interface SeizureFile {
  path: string;
  bytes: Buffer | string;
  role?: 'data' | 'key' | 'media';
}

/** Writes a seizure directory: the files and a manifest with their real SHA-256 and sizes. */
export async function writeSeizure(
  dir: string,
  manifest: Omit<Manifest, 'files'>,
  files: SeizureFile[],
): Promise<Manifest> {
  const listed: Manifest['files'] = [];
  for (const f of files) {
    const bytes = typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes;
    const target = path.join(dir, ...f.path.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, bytes);
    listed.push({
      path: f.path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      ...(f.role ? { role: f.role } : {}),
    });
  }
  const full = { ...manifest, files: listed } as Manifest;
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(full, null, 2));
  return full;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
}

/**
 * Imports a seizure with the real local pipeline (upload, verify, plan, normalize, finalize) into a fresh
 * $SEIZURE_HOME, and opens the lake for SQL.
 */
export async function importSeizure(
  manifest: Omit<Manifest, 'files'>,
  files: SeizureFile[],
  options: { chunkBytes?: number } = {},
) {
  const home = await tempDir('seizure-home');
  const dir = await tempDir('seizure-dir');
  await writeSeizure(dir, manifest, files);
  const store = new DirectoryStore(home);
  const { report } = await runLocalImport(store, dir, {
    chunkBytes: options.chunkBytes,
    mapMaxConcurrency: 2,
  });
  const duckdb = await openLocalLake(home);
  const query = async (sql: string): Promise<Row[]> => (await queryRows(duckdb, sql)).rows;
  const quarantine = async (): Promise<Record<string, unknown>[]> => {
    const out: Record<string, unknown>[] = [];
    const prefix = path.join(home, 'quarantine', report.quarantine.rejected);
    for (const f of await fs.readdir(prefix).catch(() => [] as string[])) {
      const text = await fs.readFile(path.join(prefix, f), 'utf8');
      for (const line of text.split('\n')) if (line) out.push(JSON.parse(line));
    }
    return out;
  };
  return {
    home,
    dir,
    store,
    report: report as ImportReport,
    query,
    quarantine,
    close: async () => {
      duckdb.close();
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Counts reconcile per file and in total. */
export function expectReconciled(report: ImportReport, expect: (v: unknown) => { toBe(x: unknown): void }) {
  const { read, written, rejected, duplicates } = report.counts;
  expect(read).toBe(written + rejected + duplicates);
  for (const f of report.files) expect(f.read).toBe(f.written + f.rejected + f.duplicates);
}
