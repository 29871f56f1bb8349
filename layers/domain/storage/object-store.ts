import type { Readable } from 'node:stream';

/**
 * The buckets of DESIGN.md, by role. In the cloud each is an S3 bucket; locally each is a directory under
 * $SEIZURE_HOME with the same keys. `landing` holds the evidence and is write-once.
 */
export type BucketRole = 'landing' | 'lake' | 'quarantine' | 'reports';
export const bucketRoles: readonly BucketRole[] = ['landing', 'lake', 'quarantine', 'reports'];

export interface ObjectInfo {
  key: string;
  size: number;
}

/** A byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A local file as a body. `consume`: the caller gives the file up (a step's own output in its work directory),
 * so a directory store may move it into place instead of copying it.
 */
export type ObjectBody = Buffer | string | Readable | { file: string; consume?: boolean };

export interface WriteOptions {
  contentType?: string;
  /** Refuse to replace an existing object (evidence, custody entries). */
  createOnly?: boolean;
}

/** Raised when a create-only write meets an object that is already there. */
export class ObjectExistsError extends Error {
  readonly bucket: BucketRole;
  readonly key: string;

  constructor(bucket: BucketRole, key: string) {
    super(`${bucket}/${key} already exists and is write-once`);
    this.bucket = bucket;
    this.key = key;
    this.name = 'ObjectExistsError';
  }
}

/** Raised when an object that must exist does not. */
export class ObjectNotFoundError extends Error {
  readonly bucket: BucketRole;
  readonly key: string;

  constructor(bucket: BucketRole, key: string) {
    super(`${bucket}/${key} does not exist`);
    this.bucket = bucket;
    this.key = key;
    this.name = 'ObjectNotFoundError';
  }
}

/** The storage the handlers use: S3 in the cloud, directories locally. One contract suite tests both. */
export interface ObjectStore {
  /** A stream of the object's bytes, or of `range` of them. */
  read(bucket: BucketRole, key: string, range?: ByteRange): Promise<Readable>;
  readBuffer(bucket: BucketRole, key: string, range?: ByteRange): Promise<Buffer>;
  write(bucket: BucketRole, key: string, body: ObjectBody, options?: WriteOptions): Promise<void>;
  /** Size of the object, or undefined when it does not exist. */
  head(bucket: BucketRole, key: string): Promise<ObjectInfo | undefined>;
  /** Every object under `prefix`, in key order. */
  list(bucket: BucketRole, prefix: string): AsyncIterable<ObjectInfo>;
  /** Deletes an object; refused for the landing (evidence) bucket. */
  delete(bucket: BucketRole, key: string): Promise<void>;
  /** A local file path for the object when the store is a directory (lets DuckDB read in place). */
  localPath?(bucket: BucketRole, key: string): string;
}
