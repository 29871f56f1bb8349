import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BucketRole, ObjectStore } from '../storage/object-store.ts';
import { mapConcurrently } from './map-concurrently.ts';

/** Downloads at once: one S3 stream gives ~90 MB/s, a few in parallel fill a large Lambda's network. */
const DOWNLOADS_AT_ONCE = 8;

/**
 * Local file paths for objects, for DuckDB to read: the objects themselves when the store is a directory,
 * downloaded copies in `directory` otherwise (S3 from a Lambda, whose DuckDB has no S3 access offline).
 */
export async function localCopies(
  store: ObjectStore,
  bucket: BucketRole,
  keys: readonly string[],
  directory: string,
): Promise<string[]> {
  const { localPath } = store;
  if (localPath) return keys.map((key) => localPath.call(store, bucket, key));
  return mapConcurrently(keys, DOWNLOADS_AT_ONCE, async (key, i) => {
    const file = path.join(directory, `${i}-${path.basename(key)}`);
    await pipeline(await store.read(bucket, key), createWriteStream(file));
    return file;
  });
}

export async function listKeys(
  store: ObjectStore,
  bucket: BucketRole,
  prefix: string,
  suffix = '',
): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(bucket, prefix)) if (o.key.endsWith(suffix)) keys.push(o.key);
  return keys;
}
