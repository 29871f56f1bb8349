import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chunk } from '#domain/adapters/adapter.ts';
import { adapterFor } from '#domain/adapters/adapter-registry.ts';
import { filePlanKey, landingFileKey, landingManifestKey } from '#domain/import/import-layout.ts';
import type { ImportRef } from '#domain/import/import-types.ts';
import { planEvidenceFile } from '#domain/import/plan-evidence-file.ts';
import { collectPlan, planImport } from '#domain/import/plan-import.ts';
import { evidenceFiles, importIdFor, readManifest } from '#domain/import/verify-evidence.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import type { BucketRole, ByteRange } from '#domain/storage/object-store.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The directory store, remembering every ranged read of the landing bucket. */
class RecordingStore extends DirectoryStore {
  readonly bufferRanges: ByteRange[] = [];
  readonly streamRanges: ByteRange[] = [];
  override readBuffer(bucket: BucketRole, key: string, range?: ByteRange) {
    if (bucket === 'landing' && range) this.bufferRanges.push(range);
    return super.readBuffer(bucket, key, range);
  }
  override read(bucket: BucketRole, key: string, range?: ByteRange) {
    if (bucket === 'landing' && range) this.streamRanges.push(range);
    return super.read(bucket, key, range);
  }
}

/**
 * EncroChat-style CSV (Windows-1252, CRLF) whose bodies run over several lines inside quotes: a record
 * boundary is found only by scanning from the start, never by seeking to the next newline.
 */
function handsetCsv(rows: number): Buffer {
  const header =
    'msg_id;owner_imei;owner_handle;thread;from_handle;from_imei;to_handles;local_time;message;lat;lon';
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const id = i.toString(16).padStart(16, '0');
    const body = i % 3 === 0 ? `"first line ${i}\r\nsecond; ""quoted"" line\r\nthird"` : `plain ${i}`;
    lines.push(
      `${id};356938035643809;pinkpanther;;PinkPanther;356938035643809;icecold;25/03/2020 14:03:22;${body};;`,
    );
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'windows-1252');
}

describe('plan: one evidence file cut into chunks by an item of its own', () => {
  let root: string;
  let store: RecordingStore;
  let ref: ImportRef;
  const csv = handsetCsv(3000);
  const other = handsetCsv(500);
  const photo = Buffer.from('not a message: a media file');

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-plan-file-'));
    store = new RecordingStore(root);
    const files = [
      ['data/handsets-1.csv', csv],
      ['media/photo.jpg', photo, 'media'],
      ['data/empty.csv', Buffer.alloc(0)],
      ['data/handsets-2.csv', other],
    ] as const;
    const manifest = JSON.stringify({
      seizureId: 'synthetic-plan',
      platform: 'encrochat',
      format: 'mapping',
      caseId: 'case-1',
      legalAuthority: 'TEST-ORDER-1',
      uploadedBy: 'tester',
      timezone: 'Europe/Paris',
      files: files.map(([p, bytes, role]) => ({
        path: p,
        sha256: sha(bytes),
        bytes: bytes.length,
        ...(role ? { role } : {}),
      })),
    });
    for (const [p, bytes] of files) await store.write('landing', landingFileKey('synthetic-plan', p), bytes);
    await store.write('landing', landingManifestKey('synthetic-plan'), manifest);
    ref = { seizureId: 'synthetic-plan', importId: importIdFor(sha(manifest)), ingestedAt: 0 };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** The chunks the adapter cuts reading the file as one plain stream: what planning must not change. */
  async function chunksByOneStream(fileIndex: number, chunkBytes: number): Promise<Chunk[]> {
    const { manifest } = await readManifest(store, ref.seizureId);
    const file = evidenceFiles(manifest)[fileIndex]!;
    return adapterFor(manifest, ref).plan(
      file,
      (start, end) => new DirectoryStore(root).read('landing', file.key, { start, end }),
      chunkBytes,
    );
  }

  it('scans a quoted CSV file in ranges read ahead, and cuts it exactly where one stream would', async () => {
    const chunkBytes = 20_000;
    const plan = await planEvidenceFile(
      store,
      ref,
      { fileId: 'f0000', path: 'data/handsets-1.csv' },
      chunkBytes,
      {
        rangeBytes: 4096,
        parallel: 3,
      },
    );
    const listed = JSON.parse((await store.readBuffer('reports', plan.key)).toString('utf8')) as Chunk[];
    expect(plan).toEqual({
      fileId: 'f0000',
      chunkCount: listed.length,
      key: filePlanKey(ref.seizureId, ref.importId, 'f0000'),
    });
    expect(listed.length).toBeGreaterThan(5);
    const reference = await chunksByOneStream(0, chunkBytes);
    expect(listed.map((c) => [c.start, c.end])).toEqual(reference.map((c) => [c.start, c.end]));
    expect(listed.map((c) => c.chunkId)).toEqual(
      listed.map((_, i) => `f0000-c${String(i).padStart(5, '0')}`),
    );
    // Every chunk starts a record: a body's line breaks are inside its quotes, never at a boundary.
    for (const c of listed.slice(1))
      expect(csv.subarray(c.start - 2, c.start).toString('latin1')).toBe('\r\n');
    for (const c of listed.slice(1))
      expect(csv.subarray(c.start, c.start + 16).toString('latin1')).toMatch(/^[0-9a-f]{16}$/);
    // The whole file after the header came as ranges of 4 KiB; only the header was one short stream.
    expect(store.bufferRanges.length).toBeGreaterThan(csv.length / 4096 - 2);
    expect(store.bufferRanges.every((r) => (r.end ?? 0) - (r.start ?? 0) <= 4096)).toBe(true);
    expect(store.streamRanges.every((r) => (r.end ?? 0) - (r.start ?? 0) <= 3 * 4096)).toBe(true);
  });

  it('lists no chunk for a media file or an empty file, and joins every list in the manifest order', async () => {
    const { manifest } = await readManifest(store, ref.seizureId);
    // The plan map runs its items in any order.
    for (const i of [3, 1, 2, 0])
      await planEvidenceFile(store, ref, { fileId: `f000${i}`, path: manifest.files[i]!.path }, 20_000);
    const read = (fileId: string) =>
      store
        .readBuffer('reports', filePlanKey(ref.seizureId, ref.importId, fileId))
        .then((b) => JSON.parse(b.toString('utf8')));
    expect(await read('f0001')).toEqual([]);
    expect(await read('f0002')).toEqual([]);
    const plan = await collectPlan(store, ref);
    expect(plan.chunks.map((c) => c.file.path)).toEqual([
      ...(await chunksByOneStream(0, 20_000)).map(() => 'data/handsets-1.csv'),
      ...(await chunksByOneStream(3, 20_000)).map(() => 'data/handsets-2.csv'),
    ]);
    expect(plan.chunks.map((c) => c.chunkId).filter((id) => id.startsWith('f0003'))).toEqual(
      plan.chunks
        .filter((c) => c.file.path === 'data/handsets-2.csv')
        .map((_, i) => `f0003-c${String(i).padStart(5, '0')}`),
    );
    // The same as planning in one process.
    expect((await planImport(store, ref, 20_000)).chunks).toEqual(plan.chunks);
  });

  it('refuses to join a plan in which a file has no chunk list, naming the file', async () => {
    for (const i of [0, 1, 2])
      await planEvidenceFile(
        store,
        ref,
        { fileId: `f000${i}`, path: (await readManifest(store, ref.seizureId)).manifest.files[i]!.path },
        20_000,
      );
    await expect(collectPlan(store, ref)).rejects.toThrow(
      'data/handsets-2.csv (f0003) has no chunk list: its plan item did not finish',
    );
  });

  it('refuses an item that is not a file of the manifest', async () => {
    await expect(
      planEvidenceFile(store, ref, { fileId: 'f0001', path: 'data/handsets-1.csv' }, 20_000),
    ).rejects.toThrow('f0001 (data/handsets-1.csv) is not a file of the manifest');
  });
});
