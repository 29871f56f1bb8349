import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCustodyLog } from '#domain/custody/custody-log.ts';
import { landingFileKey, landingManifestKey } from '#domain/import/import-layout.ts';
import { readImportReport } from '#domain/import/record-failure.ts';
import { importIdFor, sha256Hex } from '#domain/import/verify-evidence.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { importStates } from '#infra/import-workflow/import-definition.ts';
import { ImportFailedError, runLocalImport } from '#local/import/run-local-import.ts';
import { uploadSeizure } from '#local/import/upload-seizure.ts';
import { openLocalLake, queryRows } from '#local/sql/local-lake.ts';
import { runImportStateMachine } from '#local/workflow/run-import-state-machine.ts';

const CHUNK_BYTES = 120_000;

async function setup(seed: string) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sfn-'));
  const dir = path.join(root, 'seizure');
  await generateSeizure({ platform: 'skyecc', messages: 3000, seed, out: dir, malformedRate: 0.01 });
  return { store: new DirectoryStore(path.join(root, 'home')), home: path.join(root, 'home'), dir };
}

async function lakeIds(home: string): Promise<string[]> {
  const duckdb = await openLocalLake(home);
  try {
    return (await queryRows(duckdb, 'SELECT message_id FROM messages ORDER BY 1')).rows.map(
      (r) => r.message_id as string,
    );
  } finally {
    duckdb.close();
  }
}

/**
 * A store whose writes fail, `times` times (Infinity: always): of one chunk's staged Parquet (a chunk id), or
 * of the objects a predicate picks. They throw, as S3 might, or hang, as a stuck step would until its Lambda
 * timed out. A hung write is let go (it throws) by `release()`, so that the abandoned attempt ends.
 */
class FaultyStore extends DirectoryStore {
  failures = 0;
  readonly #fails: (bucket: string, key: string) => boolean;
  readonly #times: number;
  readonly #fault: 'throw' | 'hang';
  readonly #released = Promise.withResolvers<void>();

  constructor(
    root: string,
    target: string | ((bucket: string, key: string) => boolean),
    times: number,
    fault: 'throw' | 'hang' = 'throw',
  ) {
    super(root);
    this.#fails =
      typeof target === 'string'
        ? (bucket, key) => bucket === 'lake' && key.endsWith(`/${target}.parquet`)
        : target;
    this.#times = times;
    this.#fault = fault;
  }

  release(): void {
    this.#released.resolve();
  }

  override async write(...args: Parameters<DirectoryStore['write']>): Promise<void> {
    const [bucket, key] = args;
    if (this.#fails(bucket, key) && this.failures < this.#times) {
      this.failures++;
      if (this.#fault === 'hang') {
        await this.#released.promise;
        throw new Error('abandoned attempt released (injected hang)');
      }
      throw new Error('SlowDown: please reduce your request rate (injected)');
    }
    return super.write(...args);
  }
}

describe('the import state machine, run locally', () => {
  it('retries a chunk that fails once, and the import succeeds with every record accounted for', async () => {
    const clean = await setup('sfn-a');
    const cleanResult = await runLocalImport(clean.store, clean.dir, {
      chunkBytes: CHUNK_BYTES,
      retryIntervalMs: 10,
    });

    const faulty = await setup('sfn-a');
    const store = new FaultyStore(faulty.home, 'f0000-c00001', 1);
    const { report, execution } = await runLocalImport(store, faulty.dir, {
      chunkBytes: CHUNK_BYTES,
      retryIntervalMs: 10,
    });
    expect(store.failures).toBe(1);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toEqual(cleanResult.report.counts);
    const chunkState = execution!.states.find((s) => s.state === 'Normalize chunk')!;
    expect(chunkState.iterations!.succeeded).toBeGreaterThan(2);
    expect(chunkState.attempts).toBe(chunkState.iterations!.succeeded + 1);
    expect(await lakeIds(faulty.home)).toEqual(await lakeIds(clean.home));
  });

  it('fails the import naming the chunk and the cause when a chunk always fails; a re-run completes it without duplicates', async () => {
    const { home, dir } = await setup('sfn-b');
    const store = new FaultyStore(home, 'f0000-c00002', Infinity);
    const failing = runLocalImport(store, dir, { chunkBytes: CHUNK_BYTES, retryIntervalMs: 10 });
    const error = (await failing.catch((e) => e)) as ImportFailedError;
    expect(error).toBeInstanceOf(ImportFailedError);
    expect(error.report).toMatchObject({
      status: 'failed',
      error: {
        step: 'normalize',
        message: expect.stringMatching(
          /chunk f0000-c00002 \(data\/sky-messages-0001\.ndjson bytes \d+-\d+\): SlowDown/,
        ),
      },
    });
    expect(error.execution.status).toBe('FAILED');
    expect(error.execution.states.find((s) => s.state === 'Record failure')?.status).toBe('succeeded');
    expect(await lakeIds(home)).toEqual([]); // nothing of a failed import enters the lake
    const custody = (await readCustodyLog(store, error.report!.seizureId)).map((e) => e.entry.action);
    expect(custody).toEqual(['evidence-verified', 'import-started', 'import-failed']);

    expect(store.failures).toBe(3); // the first attempt and two retries
    const again = await runLocalImport(new DirectoryStore(home), dir, {
      chunkBytes: CHUNK_BYTES,
      retryIntervalMs: 10,
    });
    expect(again.report.status).toBe('succeeded');
    const ids = await lakeIds(home);
    expect(ids).toHaveLength(again.report.counts.written);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('compacts months cut into slices in the second map, retries a slice that fails once, and the lake is that of one slice per month', async () => {
    const clean = await setup('sfn-d');
    const cleanResult = await runLocalImport(clean.store, clean.dir, {
      chunkBytes: CHUNK_BYTES,
      retryIntervalMs: 10,
    });
    expect(cleanResult.report.partitions.every((p) => p.files.length === 1)).toBe(true);

    const sliced = await setup('sfn-d');
    // The first slice result written fails once, after the slice's lake files were written: the retry
    // writes them again under the same names.
    const store = new FaultyStore(
      sliced.home,
      (bucket, key) => bucket === 'reports' && /\/slices\/\d{4}-\d{2}-0of\d+\.json$/.test(key),
      1,
    );
    const { report, execution } = await runLocalImport(store, sliced.dir, {
      chunkBytes: CHUNK_BYTES,
      sliceBytes: 15_000,
      retryIntervalMs: 10,
    });
    expect(store.failures).toBe(1);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toEqual(cleanResult.report.counts);
    expect(report.partitions.map((p) => [p.month, p.rows])).toEqual(
      cleanResult.report.partitions.map((p) => [p.month, p.rows]),
    );
    expect(report.partitions.every((p) => p.files.length > 1)).toBe(true);
    const sliceState = execution!.states.find((s) => s.state === 'Compact slice')!;
    expect(sliceState.iterations!.succeeded).toBeGreaterThan(2 * report.partitions.length);
    expect(sliceState.attempts).toBe(sliceState.iterations!.succeeded + 1);
    const ids = await lakeIds(sliced.home);
    expect(ids).toEqual(await lakeIds(clean.home));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fails the import naming the slice when a slice always fails, leaves nothing of it in the lake, and a re-run completes it', async () => {
    const { home, dir } = await setup('sfn-e');
    const failing = (bucket: string, key: string) =>
      bucket === 'lake' && /\/part-imp-[0-9a-f]{20}-1of\d+-0\.parquet$/.test(key);
    const store = new FaultyStore(home, failing, Infinity);
    const options = { chunkBytes: CHUNK_BYTES, sliceBytes: 15_000, retryIntervalMs: 10 };
    const error = (await runLocalImport(store, dir, options).catch((e) => e)) as ImportFailedError;
    expect(error).toBeInstanceOf(ImportFailedError);
    expect(error.report).toMatchObject({
      status: 'failed',
      error: { step: 'compact', message: expect.stringMatching(/slice \d{4}-\d{2}-1of\d+: SlowDown/) },
    });
    expect(error.execution.states.find((s) => s.state === 'Compact slice')?.status).toBe('failed');
    // The slices that did finish wrote their files; the failure path removed them.
    expect(await lakeIds(home)).toEqual([]);
    const custody = (await readCustodyLog(store, error.report!.seizureId)).map((e) => e.entry.action);
    expect(custody).toEqual(['evidence-verified', 'import-started', 'import-failed']);

    const again = await runLocalImport(new DirectoryStore(home), dir, { ...options, force: true });
    expect(again.report.status).toBe('succeeded');
    const ids = await lakeIds(home);
    expect(ids).toHaveLength(again.report.counts.written);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hashes every file in the map and fails once, naming both a file with the wrong hash and a missing one: nothing in the lake, no verified evidence in custody', async () => {
    const { store, home, dir } = await setup('sfn-v');
    const generated = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    const media = (name: string, bytes: Buffer) => ({
      path: `media/${name}`,
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
      role: 'media',
    });
    const photo = Buffer.from('a synthetic photo');
    const tampered = Buffer.from('a synthetic voice note');
    const manifest = {
      ...generated,
      files: [
        ...generated.files,
        media('photo.jpg', photo),
        media('voice.ogg', tampered),
        media('video.mp4', Buffer.from('never uploaded')),
      ],
    };
    const seizureId = manifest.seizureId as string;
    for (const file of generated.files)
      await store.write(
        'landing',
        landingFileKey(seizureId, file.path),
        await fs.readFile(path.join(dir, file.path)),
      );
    await store.write('landing', landingFileKey(seizureId, 'media/photo.jpg'), photo);
    const changed = Buffer.from(tampered);
    changed[0] = 0x41;
    await store.write('landing', landingFileKey(seizureId, 'media/voice.ogg'), changed);
    const manifestBytes = JSON.stringify(manifest);
    await store.write('landing', landingManifestKey(seizureId), manifestBytes);
    const manifestSha256 = sha256Hex(manifestBytes);
    const importId = importIdFor(manifestSha256);

    const execution = await runImportStateMachine(
      store,
      { seizureId, importId, ingestedAt: Date.now(), manifestSha256 },
      { retryIntervalMs: 10 },
    );
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('EvidenceVerificationError');
    // Every file was hashed, each in its own item of the map, before the one failure.
    const hashed = execution.events.filter(
      (e) => e.type === 'StateExited' && e.state === importStates.hashFile,
    );
    expect(hashed).toHaveLength(4);
    expect(execution.events.filter((e) => e.type === 'StateRetried')).toEqual([]);
    expect(execution.cause).toContain(
      `media/voice.ogg: SHA-256 is ${sha256Hex(changed)}, the manifest says ${sha256Hex(tampered)}`,
    );
    expect(execution.cause).toContain('media/video.mp4: missing (listed in the manifest, not found)');
    expect(execution.cause).not.toContain('photo.jpg');
    expect(execution.cause).not.toContain('sky-messages');
    const report = await readImportReport(store, seizureId, importId);
    expect(report?.error?.step).toBe('verify');
    expect(report?.error?.message).toMatch(/voice\.ogg: SHA-256 is [\s\S]*video\.mp4: missing/);
    expect(await lakeIds(home)).toEqual([]);
    const custody = (await readCustodyLog(store, seizureId)).map((e) => e.entry.action);
    expect(custody).toEqual(['import-failed']);
  });

  it('retries a hash item that fails once, and the import succeeds with the evidence verified once', async () => {
    const { home, dir } = await setup('sfn-h');
    const store = new FaultyStore(
      home,
      (bucket, key) => bucket === 'reports' && /\/evidence\/f0000\.json$/.test(key),
      1,
    );
    const { report, execution } = await runLocalImport(store, dir, {
      chunkBytes: CHUNK_BYTES,
      retryIntervalMs: 10,
    });
    expect(store.failures).toBe(1);
    expect(report.status).toBe('succeeded');
    const hashState = execution!.states.find((s) => s.state === importStates.hashFile)!;
    expect(hashState.status).toBe('succeeded');
    expect(hashState.attempts).toBe(hashState.iterations!.succeeded + 1);
    const custody = (await readCustodyLog(store, report.seizureId)).map((e) => e.entry);
    expect(custody.map((e) => e.action)).toEqual(['evidence-verified', 'import-started', 'import-finished']);
    expect(custody[0]?.details.files).toEqual([
      expect.objectContaining({ path: 'data/sky-messages-0001.ndjson' }),
    ]);
    expect(await lakeIds(home)).toHaveLength(report.counts.written);
  });

  it('does not retry evidence that no longer matches its manifest, and records why', async () => {
    const { store, home, dir } = await setup('sfn-c');
    const { manifest, manifestSha256 } = await uploadSeizure(store, dir);
    const key = `seizures/${manifest.seizureId}/${manifest.files[0]!.path}`;
    const file = store.localPath('landing', key);
    const bytes = await fs.readFile(file);
    bytes[0] = 0x20;
    await fs.chmod(file, 0o644);
    await fs.writeFile(file, bytes);
    const importId = importIdFor(manifestSha256);
    const execution = await runImportStateMachine(
      store,
      { seizureId: manifest.seizureId, importId, ingestedAt: Date.now(), manifestSha256 },
      { retryIntervalMs: 10 },
    );
    expect(execution.status).toBe('FAILED');
    expect(execution.events.filter((e) => e.type === 'StateRetried')).toEqual([]);
    const report = await readImportReport(store, manifest.seizureId, importId);
    expect(report?.error).toMatchObject({ step: 'verify', message: expect.stringContaining('SHA-256 is') });
    expect(await lakeIds(home)).toEqual([]);
    expect(sha256Hex(bytes)).not.toBe(manifest.files[0]!.sha256);
  });
});

/** Every column of every lake row but the time of the import: what two imports of one seizure share. */
async function lakeRows(home: string) {
  const duckdb = await openLocalLake(home);
  try {
    return (await queryRows(duckdb, 'SELECT * EXCLUDE (ingested_at) FROM messages ORDER BY message_id')).rows;
  } finally {
    duckdb.close();
  }
}

describe('the import state machine, run locally, with a chunk that times out', () => {
  // The normalize task's TimeoutSeconds is 11 minutes; here 1.5 s, ten times what a chunk of this size takes.
  const timeouts = {
    chunkBytes: CHUNK_BYTES,
    retryIntervalMs: 10,
    taskTimeoutMs: { [importStates.normalize]: 1500 },
  };
  let clean: Awaited<ReturnType<typeof setup>> & { counts: unknown };

  beforeAll(async () => {
    const imported = await setup('sfn-t');
    const { report } = await runLocalImport(imported.store, imported.dir, timeouts);
    clean = { ...imported, counts: report.counts };
  });

  it('retries a chunk whose step hangs past its timeout once, and the import succeeds with the lake of a clean import', async () => {
    const { home, dir } = await setup('sfn-t');
    const store = new FaultyStore(home, 'f0000-c00001', 1, 'hang');
    try {
      const { report, execution } = await runLocalImport(store, dir, timeouts);
      expect(store.failures).toBe(1);
      expect(report.status).toBe('succeeded');
      expect(report.counts).toEqual(clean.counts);
      const { read, written, rejected, duplicates } = report.counts;
      expect(read).toBe(written + rejected + duplicates);
      const chunkState = execution!.states.find((s) => s.state === importStates.normalize)!;
      expect(chunkState.status).toBe('succeeded');
      expect(chunkState.errors).toContainEqual(
        expect.stringMatching(
          /^States\.Timeout: Normalize chunk timed out: no result within 1\.5 s \(.*chunkId f0000-c00001\)$/,
        ),
      );
      expect(await lakeRows(home)).toEqual(await lakeRows(clean.home));
    } finally {
      store.release();
    }
  });

  it("fails the import naming the chunk and its timeout when a chunk's step always hangs; a re-run completes it with the lake of a clean import", async () => {
    const { home, dir } = await setup('sfn-t');
    const store = new FaultyStore(home, 'f0000-c00002', Infinity, 'hang');
    let error: ImportFailedError;
    try {
      error = (await runLocalImport(store, dir, timeouts).catch((e) => e)) as ImportFailedError;
    } finally {
      store.release();
    }
    expect(error).toBeInstanceOf(ImportFailedError);
    expect(store.failures).toBe(3); // the first attempt and the two retries of States.Timeout
    const timedOut =
      /^States\.Timeout: Normalize chunk timed out: no result within 1\.5 s \(.*chunkId f0000-c00002\)$/;
    expect(error.report).toMatchObject({
      status: 'failed',
      error: { step: 'normalize', message: expect.stringMatching(timedOut) },
    });
    expect(error.execution.status).toBe('FAILED');
    expect(await lakeIds(home)).toEqual([]);
    const custody = (await readCustodyLog(store, error.report!.seizureId)).map((e) => e.entry);
    expect(custody.map((e) => e.action)).toEqual(['evidence-verified', 'import-started', 'import-failed']);
    expect(custody.at(-1)?.details).toMatchObject({
      step: 'normalize',
      message: expect.stringMatching(timedOut),
    });

    const again = await runLocalImport(new DirectoryStore(home), dir, timeouts);
    expect(again.report.status).toBe('succeeded');
    expect(again.report.counts).toEqual(clean.counts);
    expect(await lakeRows(home)).toEqual(await lakeRows(clean.home));
  });
});
