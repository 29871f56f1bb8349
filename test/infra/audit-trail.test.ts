import { describe, expect, it } from 'vitest';
import { logicalIdOf, synthesize } from './synth-app.ts';

describe('audit trail', () => {
  const synth = synthesize({ auditRetentionDays: '2555' });
  const { template, stack } = synth;
  const audit = stack.audit;
  const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'));
  const properties = trail[0]?.Properties;
  const bucketId = logicalIdOf(synth, audit.bucket);
  const keyId = logicalIdOf(synth, audit.key);

  it("records this region's management events (Athena StartQueryExecution, Lake Formation GetDataAccess), with log file validation, encrypted with its own key", () => {
    expect(trail).toHaveLength(1);
    expect(properties).toMatchObject({
      TrailName: 'SeizureLake-audit',
      IsLogging: true,
      EnableLogFileValidation: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: true,
      KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      S3BucketName: { Ref: bucketId },
    });
    expect(properties.EventSelectors[0]).toEqual({ IncludeManagementEvents: true, ReadWriteType: 'All' });
    expect(template.findResources('AWS::KMS::Key')[keyId]).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it('records every object read and write of the evidence and lake buckets as S3 data events', () => {
    const data = properties.EventSelectors[1];
    expect(data).toMatchObject({ ReadWriteType: 'All', IncludeManagementEvents: false });
    expect(data.DataResources).toEqual([
      {
        Type: 'AWS::S3::Object',
        Values: [stack.store.landing, stack.store.lake].map((b) => ({
          'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(synth, b), 'Arn'] }, '/']],
        })),
      },
    ]);
  });

  it('keeps the log files in a versioned, access-logged, KMS-encrypted bucket, locked (governance) for the retention, then expired', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2555 } },
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: logicalIdOf(synth, stack.store.accessLogs) },
          LogFilePrefix: 'audit-trail/',
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
              },
            },
          ],
        },
      },
    });
    const expiry = bucket?.Properties.LifecycleConfiguration.Rules.find(
      (r: { Id: string }) => r.Id === 'expire-after-retention',
    );
    // never before the lock ends
    expect(expiry.ExpirationInDays).toBeGreaterThanOrEqual(2555);
  });

  it('lets CloudTrail use the key only for the log files of this trail', () => {
    const statements = template.findResources('AWS::KMS::Key')[keyId]?.Properties.KeyPolicy.Statement as {
      Principal: { Service?: string };
      Action: string;
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    const cloudtrail = statements.filter((s) => s.Principal.Service === 'cloudtrail.amazonaws.com');
    expect(cloudtrail.map((s) => s.Action).sort()).toEqual(['kms:DescribeKey', 'kms:GenerateDataKey*']);
    for (const s of cloudtrail)
      expect(JSON.stringify(s.Condition?.StringEquals?.['aws:SourceArn'])).toContain(
        ':trail/SeizureLake-audit',
      );
    const encrypt = cloudtrail.find((s) => s.Action === 'kms:GenerateDataKey*');
    expect(encrypt?.Condition?.StringLike).toHaveProperty(['kms:EncryptionContext:aws:cloudtrail:arn']);
  });

  it('says where the logs are in the stack outputs: the trail bucket and the OpenSearch audit log group', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.AuditTrailBucketName.Value).toEqual({ Ref: bucketId });
    expect(outputs.SearchAuditLogGroupName.Value).toEqual({
      Ref: logicalIdOf(synth, stack.search.auditLogs),
    });
  });
});
