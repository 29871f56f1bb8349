import { type BucketRole, ObjectNotFoundError, type ObjectStore } from './object-store.ts';

/** A JSON object the steps wrote (plans, results, reports), parsed. */
export async function readJsonObject<T>(store: ObjectStore, bucket: BucketRole, key: string): Promise<T> {
  return JSON.parse((await store.readBuffer(bucket, key)).toString('utf8')) as T;
}

/** The same, or undefined when there is no such object: one request, not a HEAD before the GET. */
export async function readJsonObjectIfPresent<T>(
  store: ObjectStore,
  bucket: BucketRole,
  key: string,
): Promise<T | undefined> {
  try {
    return await readJsonObject<T>(store, bucket, key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}
