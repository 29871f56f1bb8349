import { S3Client } from '@aws-sdk/client-s3';
import { type BucketRole, bucketRoles } from '#domain/storage/object-store.ts';
import { S3Store } from '#domain/storage/s3-store.ts';
import { BoundStore } from './bound-store.ts';
import { tracer } from './powertools.ts';

/** The environment variable that names a role's bucket: LANDING_BUCKET, LAKE_BUCKET, ... */
export const bucketVariable = (role: BucketRole) => `${role.toUpperCase()}_BUCKET`;

/**
 * The store of a Lambda function: S3, with the buckets its environment names. Built once per process at
 * module scope, so the S3 client and its connections are reused across invocations.
 */
export function storeFromEnvironment(env: NodeJS.ProcessEnv = process.env): BoundStore {
  const bound = bucketRoles.filter((role) => env[bucketVariable(role)]);
  const buckets = Object.fromEntries(
    bucketRoles.map((role) => [role, env[bucketVariable(role)] ?? '']),
  ) as Record<BucketRole, string>;
  const client = tracer.captureAWSv3Client(new S3Client({ maxAttempts: 5, retryMode: 'standard' }));
  return new BoundStore(new S3Store({ client, buckets }), bound);
}
