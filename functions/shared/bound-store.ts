import type { Readable } from 'node:stream';
import type {
  BucketRole,
  ByteRange,
  ObjectBody,
  ObjectInfo,
  ObjectStore,
  WriteOptions,
} from '#domain/storage/object-store.ts';

/** The function was deployed without access to this bucket role: its construct did not bind it. */
export class UnboundBucketError extends Error {
  constructor(role: BucketRole) {
    super(`this function has no ${role} bucket: bind it in the function's construct (and grant it there)`);
    this.name = 'UnboundBucketError';
  }
}

/**
 * An ObjectStore limited to the bucket roles a function was given (the roles whose `<ROLE>_BUCKET` variable
 * its construct set together with the IAM grant). A call on any other role fails with a clear message
 * instead of an S3 AccessDenied on a bucket name nobody set.
 */
export class BoundStore implements ObjectStore {
  readonly inner: ObjectStore;
  readonly roles: ReadonlySet<BucketRole>;

  constructor(inner: ObjectStore, roles: Iterable<BucketRole>) {
    this.inner = inner;
    this.roles = new Set(roles);
  }

  #check(role: BucketRole): void {
    if (!this.roles.has(role)) throw new UnboundBucketError(role);
  }

  async read(bucket: BucketRole, key: string, range?: ByteRange): Promise<Readable> {
    this.#check(bucket);
    return this.inner.read(bucket, key, range);
  }

  async readBuffer(bucket: BucketRole, key: string, range?: ByteRange): Promise<Buffer> {
    this.#check(bucket);
    return this.inner.readBuffer(bucket, key, range);
  }

  async write(bucket: BucketRole, key: string, body: ObjectBody, options?: WriteOptions): Promise<void> {
    this.#check(bucket);
    return this.inner.write(bucket, key, body, options);
  }

  async head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined> {
    this.#check(bucket);
    return this.inner.head(bucket, key);
  }

  list(bucket: BucketRole, prefix: string): AsyncIterable<ObjectInfo> {
    this.#check(bucket);
    return this.inner.list(bucket, prefix);
  }

  async delete(bucket: BucketRole, key: string): Promise<void> {
    this.#check(bucket);
    return this.inner.delete(bucket, key);
  }
}
