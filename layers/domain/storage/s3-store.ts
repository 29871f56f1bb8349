import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type PutObjectCommandInput,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type BucketRole,
  type ByteRange,
  type ObjectBody,
  ObjectExistsError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type WriteOptions,
} from './object-store.ts';

/** The S3 bucket behind each role. */
export type BucketNames = Readonly<Record<BucketRole, string>>;

export interface S3StoreOptions {
  /** A client, or the settings for one (then `maxAttempts` defaults to 5 with the SDK's standard retry mode). */
  client: S3Client | S3ClientConfig;
  buckets: BucketNames;
  /**
   * Multipart part size in bytes for bodies larger than one part (default 8 MiB, S3's minimum is 5 MiB).
   * Bodies of unknown length can reach 10,000 parts, so the default allows about 78 GiB per stream;
   * files, whose size is known, get larger parts as needed.
   */
  partSize?: number;
  /** Parts uploaded at once (default 4); memory use is about partSize × queueSize. */
  queueSize?: number;
}

const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

/**
 * The storage interface on S3. Every upload carries a SHA-256 checksum (per part for multipart uploads)
 * that S3 verifies before it stores the object, and full reads verify the stored checksum on the way back
 * (the SDK's response validation). Create-only writes are conditional (`If-None-Match: *`), so two racing
 * writers cannot both win; the landing (evidence) bucket is always create-only and never deleted from.
 * Request failures are retried by the SDK's standard retry strategy; every body is sent from memory buffers
 * (multipart parts are buffered), so every request can be retried.
 */
export class S3Store implements ObjectStore {
  readonly client: S3Client;
  readonly buckets: BucketNames;
  readonly partSize: number;
  readonly queueSize: number;

  constructor(options: S3StoreOptions) {
    this.client =
      options.client instanceof S3Client
        ? options.client
        : new S3Client({ maxAttempts: 5, retryMode: 'standard', ...options.client });
    this.buckets = options.buckets;
    this.partSize = options.partSize ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
    if (this.partSize < 5 * MiB)
      throw new RangeError(`partSize must be at least 5 MiB (S3's minimum part size)`);
  }

  async read(bucket: BucketRole, key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    if (range) assertValidRange(range);
    if (range && range.end <= range.start) {
      if (!(await this.head(bucket, key))) throw new ObjectNotFoundError(bucket, key);
      return Readable.from([]);
    }
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.buckets[bucket],
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : { ChecksumMode: 'ENABLED' }),
        }),
      );
      const body = response.Body;
      if (body === undefined) return Readable.from([]);
      if (!(body instanceof Readable)) throw new Error(`unexpected S3 response body for ${bucket}/${key}`);
      return body;
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(bucket, key);
      // A range that starts at or past the end of the object: the object exists, the range holds no bytes.
      if (range && errorStatus(error) === 416) return Readable.from([]);
      throw error;
    }
  }

  async readBuffer(bucket: BucketRole, key: string, range?: ByteRange): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of await this.read(bucket, key, range)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  async write(bucket: BucketRole, key: string, body: ObjectBody, options: WriteOptions = {}): Promise<void> {
    assertValidKey(key);
    const createOnly = options.createOnly || bucket === 'landing';
    const params: PutObjectCommandInput = {
      Bucket: this.buckets[bucket],
      Key: key,
      ChecksumAlgorithm: 'SHA256',
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(createOnly ? { IfNoneMatch: '*' } : {}),
    };
    let partSize = this.partSize;
    if (typeof body === 'string') params.Body = Buffer.from(body, 'utf8');
    else if (Buffer.isBuffer(body)) params.Body = body;
    else {
      // A stream or file may be large: refuse early rather than upload it all to be refused at the end.
      // The conditional write below still decides; this only saves the upload.
      if (createOnly && (await this.head(bucket, key))) throw new ObjectExistsError(bucket, key);
      if (body instanceof Readable) params.Body = body;
      else {
        const size = (await fs.stat(body.file)).size;
        partSize = Math.max(partSize, Math.ceil(size / MAX_PARTS));
        params.Body = createReadStream(body.file, { highWaterMark: MiB });
        params.ContentLength = size;
      }
    }
    try {
      // One PutObject when the body fits in one part, a multipart upload otherwise (and for streams that
      // turn out to be longer than a part). A failed multipart upload is aborted, leaving no parts behind.
      await new Upload({ client: this.client, params, partSize, queueSize: this.queueSize }).done();
    } catch (error) {
      if (errorStatus(error) === 412 || errorName(error) === 'PreconditionFailed') {
        throw new ObjectExistsError(bucket, key);
      }
      throw error;
    }
  }

  async head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.buckets[bucket], Key: key }),
      );
      return { key, size: response.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async *list(bucket: BucketRole, prefix: string): AsyncIterable<ObjectInfo> {
    // S3 returns keys in UTF-8 byte order, 1000 per page; the paginator follows the continuation tokens.
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: 1000 },
      { Bucket: this.buckets[bucket], Prefix: prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0 };
      }
    }
  }

  async delete(bucket: BucketRole, key: string): Promise<void> {
    if (bucket === 'landing') throw new Error(`refusing to delete evidence: ${bucket}/${key}`);
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.buckets[bucket], Key: key }));
  }
}

/**
 * The keys both stores accept: relative, `/`-separated, no empty, `.` or `..` segments. S3 itself would take
 * more, but a key the directory store cannot hold would make the two stores drift.
 */
export function assertValidKey(key: string): void {
  if (!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    throw new Error(`invalid object key: ${JSON.stringify(key)}`);
  }
}

function assertValidRange(range: ByteRange): void {
  if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0) {
    throw new RangeError(`invalid byte range: [${range.start}, ${range.end})`);
  }
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function errorStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** A missing key (GetObject: NoSuchKey; HeadObject, which has no body: a bare 404). A missing bucket is not. */
function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || errorStatus(error) === 404;
}
