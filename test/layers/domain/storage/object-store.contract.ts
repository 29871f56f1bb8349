import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BucketRole,
  ObjectExistsError,
  ObjectNotFoundError,
  type ObjectStore,
} from '#domain/storage/object-store.ts';

export interface ContractFixture {
  /** An empty store: every bucket role exists and holds nothing. */
  store: ObjectStore;
  cleanup?(): Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * The behaviour every ObjectStore must have, so the directory store and S3 cannot drift. `makeStore` is
 * called before every test and must return an empty store.
 */
export function describeObjectStoreContract(name: string, makeStore: () => Promise<ContractFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: ObjectStore;
    let scratch: string;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
      scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'store-contract-'));
    });

    afterEach(async () => {
      await fixture.cleanup?.();
      await fs.rm(scratch, { recursive: true, force: true });
    });

    describe('write and read', () => {
      it('round-trips a Buffer, a string, a stream and a file, byte for byte', async () => {
        const binary = randomBytes(70_000);
        const text = 'Grüße aus Zürich — 你好 — 🙂\n';
        const file = path.join(scratch, 'upload.bin');
        const fileBytes = randomBytes(123_457);
        await fs.writeFile(file, fileBytes);

        await store.write('lake', 'round/buffer.bin', binary);
        await store.write('lake', 'round/text.txt', text, { contentType: 'text/plain; charset=utf-8' });
        await store.write(
          'lake',
          'round/stream.bin',
          Readable.from([binary.subarray(0, 1), binary.subarray(1, 40_000), binary.subarray(40_000)]),
        );
        await store.write('lake', 'round/text-stream.txt', Readable.from(['line one\n', 'line two\n']));
        await store.write('lake', 'round/file.bin', { file });
        // A file given up to the store (a step's own output): moved or copied, the object holds its bytes.
        const given = path.join(scratch, 'given.bin');
        await fs.writeFile(given, fileBytes);
        await store.write('lake', 'round/given.bin', { file: given, consume: true });
        await store.write('lake', 'round/empty', Buffer.alloc(0));

        expectSameBytes(await store.readBuffer('lake', 'round/buffer.bin'), binary);
        expect((await store.readBuffer('lake', 'round/text.txt')).toString('utf8')).toBe(text);
        expectSameBytes(await store.readBuffer('lake', 'round/stream.bin'), binary);
        expect((await store.readBuffer('lake', 'round/text-stream.txt')).toString()).toBe(
          'line one\nline two\n',
        );
        expectSameBytes(await store.readBuffer('lake', 'round/file.bin'), fileBytes);
        expectSameBytes(await store.readBuffer('lake', 'round/given.bin'), fileBytes);
        expectSameBytes(await store.readBuffer('lake', 'round/empty'), Buffer.alloc(0));
        expectSameBytes(await collect(await store.read('lake', 'round/file.bin')), fileBytes);

        expect(await store.head('lake', 'round/buffer.bin')).toEqual({
          key: 'round/buffer.bin',
          size: 70_000,
        });
        expect(await store.head('lake', 'round/text.txt')).toEqual({
          key: 'round/text.txt',
          size: Buffer.byteLength(text),
        });
        expect(await store.head('lake', 'round/file.bin')).toEqual({ key: 'round/file.bin', size: 123_457 });
        expect(await store.head('lake', 'round/empty')).toEqual({ key: 'round/empty', size: 0 });
      });

      it('keeps the buckets apart', async () => {
        await store.write('lake', 'same/key', 'lake bytes');
        await store.write('reports', 'same/key', 'report bytes');
        expect((await store.readBuffer('lake', 'same/key')).toString()).toBe('lake bytes');
        expect((await store.readBuffer('reports', 'same/key')).toString()).toBe('report bytes');
        expect(await store.head('quarantine', 'same/key')).toBeUndefined();
        expect(await keys(store, 'quarantine', '')).toEqual([]);
      });

      it('refuses keys that are not plain relative paths', async () => {
        for (const key of ['', '/absolute', '../escape', 'a/../b', 'a//b', 'a/./b', 'trailing/']) {
          await expect(store.write('lake', key, 'x'), key).rejects.toThrow(/invalid object key/);
          await expect(store.head('lake', key), key).rejects.toThrow(/invalid object key/);
        }
        expect(await keys(store, 'lake', '')).toEqual([]);
      });
    });

    describe('ranged reads', () => {
      const content = 'hello world!'; // 12 bytes
      const ranged = async (start: number, end: number) =>
        (await store.readBuffer('lake', 'range/obj', { start, end })).toString();

      it('returns exactly the bytes [start, end)', async () => {
        await store.write('lake', 'range/obj', content);
        expect(await ranged(0, 5)).toBe('hello');
        expect(await ranged(6, 11)).toBe('world');
        expect(await ranged(0, 1)).toBe('h');
        expect(await ranged(0, 12)).toBe(content);
        expect((await collect(await store.read('lake', 'range/obj', { start: 4, end: 8 }))).toString()).toBe(
          'o wo',
        );
      });

      it('handles the end of the object: a range ending there, one running past it, one starting at or past it', async () => {
        await store.write('lake', 'range/obj', content);
        expect(await ranged(6, 12)).toBe('world!');
        expect(await ranged(11, 12)).toBe('!');
        expect(await ranged(10, 100)).toBe('d!');
        expect(await ranged(12, 20)).toBe('');
        expect(await ranged(30, 40)).toBe('');
      });

      it('returns nothing for an empty range, and ranges of an empty object are empty', async () => {
        await store.write('lake', 'range/obj', content);
        await store.write('lake', 'range/empty', Buffer.alloc(0));
        expect(await ranged(5, 5)).toBe('');
        expect(await ranged(0, 0)).toBe('');
        expect(await ranged(12, 12)).toBe('');
        expectSameBytes(
          await collect(await store.read('lake', 'range/obj', { start: 3, end: 3 })),
          Buffer.alloc(0),
        );
        expectSameBytes(
          await store.readBuffer('lake', 'range/empty', { start: 0, end: 10 }),
          Buffer.alloc(0),
        );
      });
    });

    describe('missing objects', () => {
      it('head is undefined, read and readBuffer raise ObjectNotFoundError, also for ranges', async () => {
        expect(await store.head('lake', 'missing/key')).toBeUndefined();
        const error = await store.read('lake', 'missing/key').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ObjectNotFoundError);
        expect(error).toMatchObject({ bucket: 'lake', key: 'missing/key' });
        await expect(store.readBuffer('landing', 'missing/key')).rejects.toBeInstanceOf(ObjectNotFoundError);
        await expect(store.readBuffer('lake', 'missing/key', { start: 0, end: 4 })).rejects.toBeInstanceOf(
          ObjectNotFoundError,
        );
        await expect(store.readBuffer('lake', 'missing/key', { start: 2, end: 2 })).rejects.toBeInstanceOf(
          ObjectNotFoundError,
        );
      });

      it('a key prefix is not an object', async () => {
        await store.write('lake', 'folder/inner/file', 'x');
        expect(await store.head('lake', 'folder')).toBeUndefined();
        expect(await store.head('lake', 'folder/inner')).toBeUndefined();
        await expect(store.readBuffer('lake', 'folder/inner')).rejects.toBeInstanceOf(ObjectNotFoundError);
        await expect(store.readBuffer('lake', 'folder', { start: 0, end: 1 })).rejects.toBeInstanceOf(
          ObjectNotFoundError,
        );
      });
    });

    describe('listing', () => {
      it('lists every object under a prefix, with sizes, in key order (UTF-8 byte order, as S3)', async () => {
        const written = [
          'p/b',
          'p/a/2',
          'p/a/10',
          'p/a-b',
          'p/a0',
          'p/A',
          'p/alpha/1',
          'p/alphabet',
          'p/\uFFFD',
          'p/\u{1F600}',
          'p/é',
          'q/outside',
          'pq/outside',
        ];
        for (const key of written) await store.write('lake', key, key.repeat(2));

        // '-' (0x2D) < '/' (0x2F) < '0' (0x30) < 'A' < 'a'; U+1F600 (4 UTF-8 bytes, F0..) sorts after U+FFFD (EF BF BD)
        // in byte order although its UTF-16 surrogates sort before it.
        const expected = [
          'p/A',
          'p/a-b',
          'p/a/10',
          'p/a/2',
          'p/a0',
          'p/alpha/1',
          'p/alphabet',
          'p/b',
          'p/é',
          'p/\uFFFD',
          'p/\u{1F600}',
        ];
        const listed = await all(store.list('lake', 'p/'));
        expect(listed.map((o) => o.key)).toEqual(expected);
        for (const o of listed) expect(o.size).toBe(Buffer.byteLength(o.key) * 2);

        expect(await keys(store, 'lake', 'p/a')).toEqual([
          'p/a-b',
          'p/a/10',
          'p/a/2',
          'p/a0',
          'p/alpha/1',
          'p/alphabet',
        ]);
        expect(await keys(store, 'lake', 'p/a/')).toEqual(['p/a/10', 'p/a/2']);
        expect(await keys(store, 'lake', 'p/alpha')).toEqual(['p/alpha/1', 'p/alphabet']);
        expect(await keys(store, 'lake', 'p/alphabet')).toEqual(['p/alphabet']);
        expect(await keys(store, 'lake', 'p/nothing')).toEqual([]);
        expect(await keys(store, 'lake', 'nothing/at/all/')).toEqual([]);
        expect(await keys(store, 'lake', 'p')).toEqual([...expected, 'pq/outside']);
        expect(await keys(store, 'lake', '')).toEqual([...expected, 'pq/outside', 'q/outside']);
      });

      it('lists more than one page (1000 keys) completely and in order', async () => {
        const count = 1100;
        const names = Array.from({ length: count }, (_, i) => `many/${String(i).padStart(5, '0')}.json`);
        await inParallel(names, 16, (key) => store.write('lake', key, '{}'));
        await store.write('lake', 'many0', 'just outside the prefix');
        const listed = await keys(store, 'lake', 'many/');
        expect(listed).toHaveLength(count);
        expect(listed).toEqual(names);
      });
    });

    describe('overwrite and delete outside the landing bucket', () => {
      it('replaces an object in the lake', async () => {
        await store.write('lake', 'over/obj', 'first version, longer');
        await store.write('lake', 'over/obj', 'second');
        expect((await store.readBuffer('lake', 'over/obj')).toString()).toBe('second');
        expect(await store.head('lake', 'over/obj')).toEqual({ key: 'over/obj', size: 6 });
        await store.write('lake', 'over/obj', Readable.from([Buffer.from('third, from a stream')]));
        expect((await store.readBuffer('lake', 'over/obj')).toString()).toBe('third, from a stream');
        expect(await keys(store, 'lake', 'over/')).toEqual(['over/obj']);
      });

      it('deletes from the lake; deleting a missing key is no error', async () => {
        await store.write('lake', 'del/obj', 'x');
        await store.write('lake', 'del/keep', 'y');
        await store.delete('lake', 'del/obj');
        expect(await store.head('lake', 'del/obj')).toBeUndefined();
        await expect(store.readBuffer('lake', 'del/obj')).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(await keys(store, 'lake', 'del/')).toEqual(['del/keep']);
        await store.delete('lake', 'del/obj');
        await store.delete('quarantine', 'never/written');
      });
    });

    describe('create-only writes', () => {
      it('refuse a second write with ObjectExistsError, whatever the body, and keep the first bytes', async () => {
        const file = path.join(scratch, 'other.bin');
        await fs.writeFile(file, 'from a file');
        await store.write('reports', 'once/obj', 'the original', { createOnly: true });
        for (const body of [
          'a string',
          Buffer.from('a buffer'),
          Readable.from([Buffer.from('a stream')]),
          { file },
        ]) {
          const error = await store
            .write('reports', 'once/obj', body, { createOnly: true })
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ObjectExistsError);
          expect(error).toMatchObject({ bucket: 'reports', key: 'once/obj' });
        }
        expect((await store.readBuffer('reports', 'once/obj')).toString()).toBe('the original');
        // Without createOnly the same key may be replaced (it is not the landing bucket).
        await store.write('reports', 'once/obj', 'replaced');
        expect((await store.readBuffer('reports', 'once/obj')).toString()).toBe('replaced');
      });

      it('let exactly one of several racing writers win', async () => {
        const bodies = Array.from({ length: 6 }, (_, i) => `writer ${i}`);
        const results = await Promise.allSettled(
          bodies.map((body) => store.write('lake', 'race/obj', body, { createOnly: true })),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [bodies[i]] : []));
        expect(won).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ObjectExistsError);
        expect((await store.readBuffer('lake', 'race/obj')).toString()).toBe(won[0]);
      });
    });

    describe('the landing bucket is write-once', () => {
      it('refuses a second write and any delete, and keeps the evidence bytes intact', async () => {
        const evidence = randomBytes(50_000);
        const key = 'seizures/s-1/data/dump.bin';
        await store.write('landing', key, Readable.from([evidence]));

        for (const body of [Buffer.from('tampered'), 'tampered', Readable.from([Buffer.from('tampered')])]) {
          await expect(store.write('landing', key, body)).rejects.toBeInstanceOf(ObjectExistsError);
        }
        await expect(store.write('landing', key, 'tampered', { createOnly: false })).rejects.toBeInstanceOf(
          ObjectExistsError,
        );
        await expect(store.delete('landing', key)).rejects.toThrow(/refusing to delete evidence/);
        await expect(store.delete('landing', 'seizures/s-1/data/not-there')).rejects.toThrow(
          /refusing to delete evidence/,
        );

        expect(sha256(await store.readBuffer('landing', key))).toBe(sha256(evidence));
        expect(await store.head('landing', key)).toEqual({ key, size: evidence.length });
        expect(await keys(store, 'landing', 'seizures/')).toEqual([key]);
      });
    });

    describe('large objects', () => {
      it('streams a 21 MiB upload of unknown length and reads back the same SHA-256', async () => {
        const size = 21 * MiB + 12_345;
        const data = randomBytes(size);
        const key = 'seizures/s-big/data/large.bin';
        await store.write('landing', key, Readable.from(chunksOf(data, 256 * 1024 + 7)));

        expect(await store.head('landing', key)).toEqual({ key, size });
        const hash = createHash('sha256');
        let streamed = 0;
        for await (const chunk of await store.read('landing', key)) {
          hash.update(chunk as Buffer);
          streamed += (chunk as Buffer).length;
        }
        expect(streamed).toBe(size);
        expect(hash.digest('hex')).toBe(sha256(data));

        // Ranges across part boundaries (5 and 8 MiB parts are common) and at the very end.
        for (const [start, end] of [
          [5 * MiB - 100, 5 * MiB + 100],
          [8 * MiB - 3, 16 * MiB + 3],
          [size - 10, size],
        ] as const) {
          expectSameBytes(await store.readBuffer('landing', key, { start, end }), data.subarray(start, end));
        }
      });
    });
  });
}

/** Compares by length and SHA-256: vitest's deep equality would walk every byte of a large buffer. */
export function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect({ length: actual.length, sha256: sha256(actual) }).toEqual({
    length: expected.length,
    sha256: sha256(expected),
  });
}

export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function keys(store: ObjectStore, bucket: BucketRole, prefix: string): Promise<string[]> {
  return (await all(store.list(bucket, prefix))).map((o) => o.key);
}

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function* chunksOf(data: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

export async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}
