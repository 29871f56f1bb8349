import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

const TMP_PREFIX = '.tmp-';

/**
 * Buckets as plain directories, key for key as in S3. Writes land in a temporary file first and are then
 * renamed (or, for create-only writes, hard-linked, which fails atomically if the key exists), so a reader
 * never sees half an object. The landing bucket is write-once: nothing overwrites or deletes evidence.
 */
export class DirectoryStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  localPath(bucket: BucketRole, key: string): string {
    if (!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new Error(`invalid object key: ${JSON.stringify(key)}`);
    }
    return path.join(this.root, bucket, key);
  }

  async read(bucket: BucketRole, key: string, range?: ByteRange): Promise<Readable> {
    const file = this.localPath(bucket, key);
    const handle = await fs.open(file, 'r').catch((e) => {
      throw e.code === 'ENOENT' || e.code === 'ENOTDIR' ? new ObjectNotFoundError(bucket, key) : e;
    });
    // A directory is a key prefix, not an object (S3 has no object there either).
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new ObjectNotFoundError(bucket, key);
    }
    if (range && range.end <= range.start) {
      await handle.close();
      return Readable.from([]);
    }
    return createReadStream('', {
      fd: handle,
      start: range?.start,
      end: range ? range.end - 1 : undefined,
      highWaterMark: 1 << 20,
    });
  }

  async readBuffer(bucket: BucketRole, key: string, range?: ByteRange): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of await this.read(bucket, key, range)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  async write(bucket: BucketRole, key: string, body: ObjectBody, options: WriteOptions = {}): Promise<void> {
    const target = this.localPath(bucket, key);
    const createOnly = options.createOnly || bucket === 'landing';
    if (createOnly && (await exists(target))) throw new ObjectExistsError(bucket, key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `${TMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) await fs.writeFile(tmp, body);
      else if (body instanceof Readable) await pipeline(body, (await fs.open(tmp, 'w')).createWriteStream());
      else if (body.consume) {
        // Across file systems a rename fails (EXDEV): then the file is copied like any other.
        await fs.rename(body.file, tmp).catch(async (e) => {
          if (e.code !== 'EXDEV') throw e;
          await fs.copyFile(body.file, tmp);
        });
      } else await fs.copyFile(body.file, tmp);
      if (createOnly) {
        await fs.chmod(tmp, 0o444);
        await fs.link(tmp, target).catch((e) => {
          throw e.code === 'EEXIST' ? new ObjectExistsError(bucket, key) : e;
        });
      } else {
        await fs.rename(tmp, target);
      }
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined> {
    const stat = await fs.stat(this.localPath(bucket, key)).catch(() => undefined);
    return stat?.isFile() ? { key, size: stat.size } : undefined;
  }

  async *list(bucket: BucketRole, prefix: string): AsyncIterable<ObjectInfo> {
    const base = path.join(this.root, bucket);
    // Only descend into directories that can hold keys with this prefix.
    const slash = prefix.lastIndexOf('/');
    const startDir = slash >= 0 ? prefix.slice(0, slash) : '';
    const keys: ObjectInfo[] = [];
    await walk(path.join(base, startDir), startDir, prefix, keys);
    // S3's order: UTF-8 bytes (JavaScript's < compares UTF-16 code units, which differs above U+FFFF).
    const sorted = keys.map((info) => ({ info, bytes: Buffer.from(info.key) }));
    sorted.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    for (const { info } of sorted) yield info;
  }

  async delete(bucket: BucketRole, key: string): Promise<void> {
    if (bucket === 'landing') throw new Error(`refusing to delete evidence: ${bucket}/${key}`);
    await fs.rm(this.localPath(bucket, key), { force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

async function walk(dir: string, relative: string, prefix: string, out: ObjectInfo[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.name.startsWith(TMP_PREFIX)) continue;
    const key = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`))
        await walk(path.join(dir, entry.name), key, prefix, out);
    } else if (entry.isFile() && key.startsWith(prefix)) {
      const stat = await fs.stat(path.join(dir, entry.name));
      out.push({ key, size: stat.size });
    }
  }
}
