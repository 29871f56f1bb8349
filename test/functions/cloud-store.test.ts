import { describe, expect, it } from 'vitest';
import { bucketRoles } from '#domain/storage/object-store.ts';
import { UnboundBucketError } from '#functions/shared/bound-store.ts';
import { bucketVariable as handlerVariable, storeFromEnvironment } from '#functions/shared/cloud-store.ts';
import { bucketVariable as infraVariable } from '#infra/evidence-store/evidence-store.ts';

describe('the store of a Lambda function', () => {
  it('reads the bucket names from the variables the evidence store construct sets', () => {
    for (const role of bucketRoles) expect(handlerVariable(role)).toBe(infraVariable(role));
    const store = storeFromEnvironment({ AWS_REGION: 'eu-west-1', LANDING_BUCKET: 'l', REPORTS_BUCKET: 'r' });
    expect([...store.roles].sort()).toEqual(['landing', 'reports']);
  });

  it('refuses a bucket role the function was not bound to, before any request', async () => {
    const store = storeFromEnvironment({ AWS_REGION: 'eu-west-1', LANDING_BUCKET: 'l' });
    await expect(store.readBuffer('lake', 'messages/x.parquet')).rejects.toBeInstanceOf(UnboundBucketError);
    await expect(store.write('reports', 'k', 'v')).rejects.toThrow(/no reports bucket/);
    expect(() => store.list('quarantine', '')).toThrow(UnboundBucketError);
  });
});
