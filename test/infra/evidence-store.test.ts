import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { bucketVariable } from '#infra/evidence-store/evidence-store.ts';
import { actionsOf, logicalIdOf, resourcesOf, synthesize } from './synth-app.ts';

describe('evidence store', () => {
  const synth = synthesize();
  const { template, stack } = synth;
  const store = stack.store;
  const buckets = template.findResources('AWS::S3::Bucket');
  const id = (bucket: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(synth, bucket);
  const dataBuckets = [store.landing, store.lake, store.quarantine, store.reports, store.queryResults];

  it('has the evidence, lake, quarantine, reports, query results and access log buckets (and the audit trail its own)', () => {
    expect(Object.keys(buckets).sort()).toEqual(
      [...dataBuckets, store.accessLogs, stack.audit.bucket].map(id).sort(),
    );
  });

  it('encrypts the evidence with its own KMS key and the derived data with another, using bucket keys', () => {
    const encryption = (bucketId: string) =>
      buckets[bucketId]?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(encryption(id(store.landing))).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { 'Fn::GetAtt': [id(store.evidenceKey), 'Arn'] },
      },
    });
    for (const bucket of [store.lake, store.quarantine, store.reports, store.queryResults]) {
      expect(encryption(id(bucket))).toEqual({
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [id(store.dataKey), 'Arn'] },
        },
      });
    }
  });

  it('encrypts the access log bucket with SSE-S3, the only encryption S3 log delivery accepts', () => {
    expect(
      buckets[id(store.accessLogs)]?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]
        .ServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
  });

  it('rotates both KMS keys and keeps them when the stack is deleted', () => {
    for (const key of [store.evidenceKey, store.dataKey]) {
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      expect(template.findResources('AWS::KMS::Key')[id(key)]?.DeletionPolicy).toBe('Retain');
    }
  });

  it('versions the landing bucket and locks every evidence object version for the configured retention', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.anyValue(),
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3650 } },
      },
    });
    expect(buckets[id(store.landing)]?.Properties.ObjectLockEnabled).toBe(true);
  });

  it('takes the Object Lock mode and retention from the context', () => {
    const compliance = synthesize({ objectLockMode: 'COMPLIANCE', objectLockRetentionDays: '30' });
    const landing =
      compliance.template.findResources('AWS::S3::Bucket')[
        logicalIdOf(compliance, compliance.stack.store.landing)
      ];
    expect(landing?.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'COMPLIANCE',
      Days: 30,
    });
  });

  it('sends the landing bucket events to EventBridge natively, without a notifications custom resource', () => {
    expect(buckets[id(store.landing)]?.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    expect(template.findResources('Custom::S3BucketNotifications')).toEqual({});
  });

  it('blocks all public access and disables ACLs on every bucket', () => {
    for (const [bucketId, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, bucketId).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls.Rules, bucketId).toEqual([
        { ObjectOwnership: 'BucketOwnerEnforced' },
      ]);
    }
  });

  it('denies every request without TLS, or with TLS older than 1.2, on every bucket', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    for (const bucketId of Object.keys(buckets)) {
      const policy = policies.find((p) => p.Properties.Bucket.Ref === bucketId);
      expect(policy, bucketId).toBeDefined();
      const statements = policy?.Properties.PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      );
    }
  });

  it('logs every data bucket to the access log bucket, each under its own prefix', () => {
    const prefixes = dataBuckets.map((b) => {
      const logging = buckets[id(b)]?.Properties.LoggingConfiguration;
      expect(logging.DestinationBucketName).toEqual({ Ref: id(store.accessLogs) });
      return logging.LogFilePrefix;
    });
    expect(new Set(prefixes).size).toBe(dataBuckets.length);
  });

  it('retains every bucket and every log group when the stack is deleted or a resource replaced', () => {
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
    const logGroups = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(
      ([logicalId]) => !logicalId.includes('ViewsProviderLogs'),
    );
    expect(logGroups.length).toBeGreaterThan(5);
    for (const [, group] of logGroups) expect(group.DeletionPolicy).toBe('Retain');
  });

  it('expires query results after 30 days and aborts forgotten multipart uploads everywhere', () => {
    const rules = (bucket: Parameters<typeof logicalIdOf>[1]) =>
      buckets[id(bucket)]?.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules(store.queryResults)).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' }),
    );
    for (const bucket of [...dataBuckets, store.accessLogs]) {
      expect(rules(bucket)).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      );
    }
    // Evidence never expires.
    expect(
      rules(store.landing).some((r) => 'ExpirationInDays' in r || 'NoncurrentVersionExpiration' in r),
    ).toBe(false);
  });

  it('lets no role write or delete evidence: only custody log entries may be added to the landing bucket', () => {
    const landingArn = { 'Fn::GetAtt': [id(store.landing), 'Arn'] };
    const custodyEntries = { 'Fn::Join': ['', [landingArn, '/seizures/*/custody/*']] };
    const touchesLanding = (resource: unknown) =>
      JSON.stringify(resource).includes(JSON.stringify(landingArn));
    const appenders: string[] = [];
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (!resourcesOf(statement).some(touchesLanding)) continue;
        const writes = actionsOf(statement).filter((a) => /^s3:(Put|Delete|Abort|Restore|Bypass|\*)/.test(a));
        if (!writes.length) continue;
        expect(statement, JSON.stringify(statement)).toEqual({
          Action: 's3:PutObject',
          Effect: 'Allow',
          Resource: custodyEntries,
        });
        appenders.push(policy.Properties.Roles[0].Ref);
      }
    }
    const workflow = stack.workflow.functions;
    expect(appenders.sort()).toEqual(
      [workflow.verify, workflow.finalize, workflow['record-failure']]
        .map((f) => id(f.role! as never))
        .sort(),
    );
  });

  it('refuses to bind the landing bucket for writing', () => {
    expect(() => store.bind(stack.workflow.functions.plan, { landing: 'readWrite' })).toThrow(/read-only/);
  });

  it('names each bound bucket in the environment variable the handlers read', () => {
    expect(['landing', 'lake', 'quarantine', 'reports'].map((r) => bucketVariable(r as 'landing'))).toEqual([
      'LANDING_BUCKET',
      'LAKE_BUCKET',
      'QUARANTINE_BUCKET',
      'REPORTS_BUCKET',
    ]);
  });
});
