import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { abortIncompleteUploads, guardedBucketProps } from '../evidence-store/evidence-store.ts';

export interface AuditTrailProps {
  /** Where the trail bucket's own server access logs go (the evidence store's access log bucket). */
  accessLogs: IBucket;
  /** Buckets whose object reads and writes are recorded as S3 data events: who touched which object. */
  dataEventBuckets: readonly IBucket[];
  /** How long every log file is kept and locked, in days. */
  retentionDays: number;
}

/**
 * Who did what, kept as evidence: a CloudTrail trail of this region's management events (every Athena
 * `StartQueryExecution` with the caller and the query text, `GetQueryResults`, Lake Formation's
 * `GetDataAccess` with the table and the caller, Glue, IAM and STS calls) and of the S3 data events of
 * the given buckets (object reads and writes by anyone, including reads that bypass Athena).
 *
 * The log files are encrypted with a key of their own, digested hourly (log file validation: a changed or
 * removed file is detected with `aws cloudtrail validate-logs`), and kept in a versioned, access-logged
 * bucket under S3 Object Lock in governance mode for `retentionDays`, then expired. Object Lock and not only
 * a lifecycle rule: a lifecycle rule keeps nobody from deleting a file, Object Lock does (a version cannot
 * be removed before its date). Governance and not compliance: a principal explicitly granted
 * s3:BypassGovernanceRetention (nobody in this stack) can still correct a wrong retention, which compliance
 * mode would make impossible for ten years, root included; the validation digests show any such removal.
 */
export class AuditTrail extends Construct {
  readonly trail: Trail;
  readonly bucket: Bucket;
  readonly key: Key;
  readonly trailName: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.trailName = `${stack.stackName}-audit`;
    const trailArn = stack.formatArn({
      service: 'cloudtrail',
      resource: 'trail',
      resourceName: this.trailName,
    });

    this.key = new Key(this, 'Key', {
      description: 'seizure-lake: encrypts the CloudTrail audit log',
      alias: `alias/${stack.stackName}/audit`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudTrail encrypts the log files of this trail only (encryption context and source ARN).
    const cloudtrail = new ServicePrincipal('cloudtrail.amazonaws.com');
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudtrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({
              service: 'cloudtrail',
              region: '*',
              resource: 'trail',
              resourceName: '*',
            }),
          },
          StringEquals: { 'aws:SourceArn': trailArn },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudtrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );

    this.bucket = new Bucket(this, 'Bucket', {
      ...guardedBucketProps(props.accessLogs, 'audit-trail/'),
      encryptionKey: this.key,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(props.retentionDays)),
      lifecycleRules: [
        // After the retention the files may go: current versions expire, their versions a day later.
        {
          id: 'expire-after-retention',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
        abortIncompleteUploads,
      ],
    });

    this.trail = new Trail(this, 'Trail', {
      trailName: this.trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      // This region's API calls (where the lake, Athena and the search domain are), plus IAM and STS.
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: true,
      managementEvents: ReadWriteType.ALL,
    });
    // Reads and writes of every object in these buckets (management events come from the selector above).
    this.trail.addS3EventSelector(
      props.dataEventBuckets.map((bucket) => ({ bucket })),
      { readWriteType: ReadWriteType.ALL, includeManagementEvents: false },
    );
  }
}
