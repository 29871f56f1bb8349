import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfStream } from '#domain/import/verify-evidence.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { bucketRoles, type ObjectStore } from '#domain/storage/object-store.ts';
import { readAhead } from '#domain/storage/read-ahead.ts';
import { type BucketNames, S3Store } from '#domain/storage/s3-store.ts';
import { type S3Server, startS3Server } from '#local/s3-server/server.ts';

const RANGE = 64 * 1024;
/** Around the range boundaries: empty, one byte, one range less a byte, exactly one, one and a byte, several. */
const sizes = [0, 1, RANGE - 1, RANGE, RANGE + 1, 2 * RANGE, 3 * RANGE + 5];

let server: S3Server;
let client: S3Client;
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'read-ahead-'));
  server = await startS3Server();
  client = new S3Client({ ...server.clientConfig, maxAttempts: 5 });
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

async function s3Store(): Promise<ObjectStore> {
  const run = randomBytes(3).toString('hex');
  const buckets = Object.fromEntries(bucketRoles.map((r) => [r, `read-ahead-${r}-${run}`])) as BucketNames;
  for (const role of bucketRoles) await client.send(new CreateBucketCommand({ Bucket: buckets[role] }));
  return new S3Store({ client, buckets });
}

describe.each([
  ['the directory store', async () => new DirectoryStore(root)],
  ['S3 (moto)', s3Store],
])('reading ahead in parallel ranges, on %s', (_name, makeStore) => {
  it('gives the SHA-256 of a plain stream for sizes around the range boundaries, whatever the parallelism', async () => {
    const store = await makeStore();
    for (const size of sizes) {
      const key = `seizures/s/data/file-${size}.bin`;
      await store.write('reports', key, randomBytes(size));
      const plain = await sha256OfStream(await store.read('reports', key));
      for (const parallel of [1, 3]) {
        const ranged = readAhead((range) => store.readBuffer('reports', key, range), size, {
          rangeBytes: RANGE,
          parallel,
        });
        expect(await sha256OfStream(ranged), `${size} bytes, ${parallel} at once`).toBe(plain);
      }
    }
  });
});

describe('reading ahead in parallel ranges', () => {
  const bytes = randomBytes(10 * 1000 + 7);
  const fake = (fail?: number) => {
    let inFlight = 0;
    let most = 0;
    const requested: number[] = [];
    const read = async ({ start, end }: { start: number; end: number }) => {
      requested.push(start);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, start === 0 ? 20 : 1));
      inFlight--;
      if (start === fail) throw new Error(`range at ${start} failed (injected)`);
      return bytes.subarray(start, end);
    };
    return { read, requested, most: () => most };
  };

  it('keeps at most `parallel` ranges requested, and yields them in order', async () => {
    const { read, requested, most } = fake();
    const pieces: Buffer[] = [];
    for await (const piece of readAhead(read, bytes.length, { rangeBytes: 1000, parallel: 4 }))
      pieces.push(piece);
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
    expect(pieces).toHaveLength(11);
    expect(requested).toHaveLength(11);
    expect(most()).toBe(4);
  });

  it('fails with the failed range when its turn comes, with no unhandled rejection of the ranges in flight', async () => {
    const { read } = fake(3000);
    const consumed: number[] = [];
    const reading = (async () => {
      for await (const piece of readAhead(read, bytes.length, { rangeBytes: 1000, parallel: 4 }))
        consumed.push(piece.length);
    })();
    await expect(reading).rejects.toThrow('range at 3000 failed (injected)');
    expect(consumed).toHaveLength(3);
  });

  it('refuses a range that returns fewer bytes than asked: the object is not the size it was', async () => {
    const short = async ({ start, end }: { start: number; end: number }) => bytes.subarray(start, end - 1);
    const reading = (async () => {
      for await (const _ of readAhead(short, 2500, { rangeBytes: 1000 })) {
        // consume
      }
    })();
    await expect(reading).rejects.toThrow(/returned 999 bytes: the object changed/);
  });
});
