import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketRoles, ObjectExistsError, ObjectNotFoundError } from '#domain/storage/object-store.ts';
import { type BucketNames, S3Store } from '#domain/storage/s3-store.ts';
import { type S3Server, startS3Server } from '#local/s3-server/server.ts';
import { chunksOf, describeObjectStoreContract, expectSameBytes } from './object-store.contract.ts';

const MiB = 1024 * 1024;

let server: S3Server;
let client: S3Client;
let serial = 0;

beforeAll(async () => {
  server = await startS3Server();
  client = new S3Client({ ...server.clientConfig, maxAttempts: 5 });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

/**
 * Fresh buckets for every store, the landing bucket made the way the evidence-store construct makes it:
 * Object Lock enabled at creation (which turns versioning on) and a default retention on every new version.
 */
async function createBuckets(): Promise<BucketNames> {
  const run = `t${++serial}-${randomBytes(3).toString('hex')}`;
  const names = Object.fromEntries(
    bucketRoles.map((role) => [role, `seizure-${role}-${run}`]),
  ) as BucketNames;
  await client.send(new CreateBucketCommand({ Bucket: names.landing, ObjectLockEnabledForBucket: true }));
  await client.send(
    new PutObjectLockConfigurationCommand({
      Bucket: names.landing,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } },
      },
    }),
  );
  for (const role of ['lake', 'quarantine', 'reports'] as const) {
    await client.send(new CreateBucketCommand({ Bucket: names[role] }));
  }
  return names;
}

describeObjectStoreContract('S3Store on moto', async () => ({
  store: new S3Store({ client, buckets: await createBuckets() }),
}));

describe('S3Store custody on S3', () => {
  it('writes evidence into an Object Lock bucket, where no version can be deleted', async () => {
    const buckets = await createBuckets();
    const store = new S3Store({ client, buckets });
    const evidence = randomBytes(4096);
    const key = 'seizures/s-lock/data/handset.bin';
    await store.write('landing', key, evidence);

    expect((await client.send(new GetBucketVersioningCommand({ Bucket: buckets.landing }))).Status).toBe(
      'Enabled',
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: buckets.landing, Key: key }));
    expect(head.VersionId).toBeTruthy();
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    // Deleting the locked version is refused, even with the governance bypass.
    for (const bypass of [false, true]) {
      const refused = await client
        .send(
          new DeleteObjectCommand({
            Bucket: buckets.landing,
            Key: key,
            VersionId: head.VersionId,
            BypassGovernanceRetention: bypass,
          }),
        )
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    }
    expectSameBytes(await store.readBuffer('landing', key), evidence);

    // A delete without a version only hides the object behind a delete marker; the locked version and
    // its bytes stay. (The store itself never sends one: it refuses to delete from landing.)
    await expect(store.delete('landing', key)).rejects.toThrow(/refusing to delete evidence/);
    const marker = await client.send(new DeleteObjectCommand({ Bucket: buckets.landing, Key: key }));
    expect(marker.DeleteMarker).toBe(true);
    await expect(store.readBuffer('landing', key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    const versions = await client.send(
      new ListObjectVersionsCommand({ Bucket: buckets.landing, Prefix: key }),
    );
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([head.VersionId]);
    const original = await client.send(
      new GetObjectCommand({ Bucket: buckets.landing, Key: key, VersionId: head.VersionId }),
    );
    expectSameBytes(Buffer.from(await original.Body!.transformToByteArray()), evidence);
  });

  it('sends a SHA-256 checksum with every upload: whole-object for one part, per part for multipart', async () => {
    const buckets = await createBuckets();
    const store = new S3Store({ client, buckets });
    const small = Buffer.from('one part, one checksum');
    await store.write('lake', 'sums/small', small, { contentType: 'text/plain' });
    const smallHead = await client.send(
      new HeadObjectCommand({ Bucket: buckets.lake, Key: 'sums/small', ChecksumMode: 'ENABLED' }),
    );
    expect(smallHead.ChecksumSHA256).toBe(createHash('sha256').update(small).digest('base64'));
    expect(smallHead.ContentType).toBe('text/plain');

    // 3 parts of 8 MiB (the default part size), streamed with no known length. S3 keeps a checksum of the
    // parts' checksums, "<base64>-<parts>"; it matches only if every part went up with its own true SHA-256.
    const large = randomBytes(2 * store.partSize + 5 * MiB);
    await store.write('landing', 'seizures/s-sums/data/big.bin', Readable.from(chunksOf(large, 300_000)));
    const largeHead = await client.send(
      new HeadObjectCommand({
        Bucket: buckets.landing,
        Key: 'seizures/s-sums/data/big.bin',
        ChecksumMode: 'ENABLED',
      }),
    );
    const partDigests = [...chunksOf(large, store.partSize)].map((part) =>
      createHash('sha256').update(part).digest(),
    );
    const composite = createHash('sha256').update(Buffer.concat(partDigests)).digest('base64');
    // AWS S3 appends the part count ("-3") on HeadObject; moto 5.2.5 leaves it off there.
    expect(largeHead.ChecksumSHA256?.replace(/-3$/, '')).toBe(composite);
    expect(largeHead.ETag).toMatch(/-3"$/);
  });

  it('refuses a multipart upload whose key was taken while it ran, by the condition on completion', async () => {
    const buckets = await createBuckets();
    const store = new S3Store({ client, buckets });
    const key = 'seizures/s-race/data/dump.bin';
    // A slow upload: it finds the key free, starts a multipart upload and sends its first part...
    const slow = new PassThrough();
    const slowWrite = store.write('landing', key, slow);
    slowWrite.catch(() => {});
    slow.write(randomBytes(store.partSize + MiB));
    await until(async () => {
      const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: buckets.landing }));
      return (pending.Uploads ?? []).some((u) => u.Key === key);
    });
    // ...meanwhile another writer stores the same key and wins.
    const winner = randomBytes(1000);
    await store.write('landing', key, winner);
    // Only If-None-Match on CompleteMultipartUpload can refuse the slow one now.
    slow.end(randomBytes(MiB));
    await expect(slowWrite).rejects.toBeInstanceOf(ObjectExistsError);
    expectSameBytes(await store.readBuffer('landing', key), winner);
    // The refused upload was aborted: no parts are left behind.
    const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: buckets.landing }));
    expect(pending.Uploads ?? []).toEqual([]);
  });

  it('refuses, on a full read, bytes that do not match the stored SHA-256', async () => {
    const buckets = await createBuckets();
    const store = new S3Store({ client, buckets });
    // Plant an object whose recorded checksum is not that of its bytes: what corruption at rest, or a
    // server that stored the wrong bytes, looks like to a reader. (AWS S3 would refuse this PutObject with
    // BadDigest; moto stores the claimed checksum unverified, which is what makes the plant possible.)
    await client.send(
      new PutObjectCommand({
        Bucket: buckets.lake,
        Key: 'corrupt/obj',
        Body: 'the bytes on disk',
        ChecksumAlgorithm: 'SHA256', // without it moto records no checksum at all
        ChecksumSHA256: createHash('sha256').update('the bytes that were sent').digest('base64'),
      }),
    );
    await expect(store.readBuffer('lake', 'corrupt/obj')).rejects.toThrow(/checksum mismatch/i);
    // Ranged reads carry no checksum (S3 returns none for a range), so they are not verified.
    expect((await store.readBuffer('lake', 'corrupt/obj', { start: 4, end: 9 })).toString()).toBe('bytes');
  });

  it('does not mistake a missing bucket for a missing object', async () => {
    const buckets = await createBuckets();
    const store = new S3Store({ client, buckets: { ...buckets, lake: 'seizure-no-such-bucket' } });
    const error = await store.readBuffer('lake', 'any/key').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ObjectNotFoundError);
    expect(error).toMatchObject({ name: 'NoSuchBucket' });
  });

  it('rides out throttling and transient errors with the SDK retry strategy, for single and multipart uploads', async () => {
    const buckets = await createBuckets();
    const proxy = await startFlakyProxy(server.endpoint);
    try {
      const store = new S3Store({ client: { ...server.clientConfig, endpoint: proxy.endpoint }, buckets });
      expect(await store.client.config.maxAttempts()).toBe(5);
      const small = randomBytes(1000);
      const large = randomBytes(store.partSize + MiB);
      await store.write('lake', 'flaky/small', small);
      await store.write('lake', 'flaky/large', Readable.from(chunksOf(large, 64 * 1024)));
      expectSameBytes(await store.readBuffer('lake', 'flaky/small'), small);
      expectSameBytes(await store.readBuffer('lake', 'flaky/large'), large);
      const listed = [];
      for await (const o of store.list('lake', 'flaky/')) listed.push(o.key);
      expect(listed).toEqual(['flaky/large', 'flaky/small']);
      // PutObject, CreateMultipartUpload, 2 × UploadPart, CompleteMultipartUpload, 2 × GetObject, ListObjectsV2:
      // every one of them was refused once and then retried.
      expect(proxy.refused()).toBeGreaterThanOrEqual(8);
      store.client.destroy();
    } finally {
      await proxy.stop();
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/**
 * A real HTTP hop in front of the S3 server that refuses the first attempt of every request, alternately with
 * 503 SlowDown (throttling) and 500 InternalError (transient), and forwards the retries.
 */
async function startFlakyProxy(target: string) {
  const upstream = new URL(target);
  let refused = 0;
  const proxy = http.createServer((req, res) => {
    // The SDK numbers the attempts of each operation: `amz-sdk-request: attempt=1; max=5`.
    if (/attempt=1;/.test(String(req.headers['amz-sdk-request']))) {
      refused++;
      req.resume();
      const [status, code] = refused % 2 ? [503, 'SlowDown'] : [500, 'InternalError'];
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>try again</Message></Error>`);
      });
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (e) => res.destroy(e));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    refused: () => refused,
    stop: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}
