import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type CfnBucket,
  type IBucket,
  type LifecycleRule,
  ObjectLockRetention,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { custodyPrefix } from '#domain/custody/custody-log.ts';
import type { BucketRole } from '#domain/storage/object-store.ts';
import {
  acknowledgeRule,
  acknowledgeWildcards,
  bucketGrantReasons,
  objectsOf,
} from '../nag/seizure-lake-checks.ts';

export type BucketAccess = 'read' | 'readWrite';

/** The environment variable that names a role's bucket to a function: LANDING_BUCKET, LAKE_BUCKET, ... */
export const bucketVariable = (role: BucketRole) => `${role.toUpperCase()}_BUCKET`;

export interface EvidenceStoreProps {
  objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
  objectLockRetentionDays: number;
}

/** A function (or anything with an environment) that can be given a bucket. */
export interface BucketUser extends IGrantable, IConstruct {
  addEnvironment(key: string, value: string): unknown;
  /** The role its grants land in (their policy is acknowledged there). */
  readonly role?: IRole;
}

export const abortIncompleteUploads: LifecycleRule = {
  id: 'abort-incomplete-multipart-uploads',
  abortIncompleteMultipartUploadAfter: Duration.days(7),
};

/**
 * The house rules of a bucket of this stack: SSE-KMS with bucket keys (give it `encryptionKey`), private
 * (BlockPublicAccess, ACLs disabled), TLS 1.2+ only, versioned, access-logged under `logPrefix`, retained.
 */
export function guardedBucketProps(accessLogs: IBucket, logPrefix: string): BucketProps {
  return {
    encryption: BucketEncryption.KMS,
    bucketKeyEnabled: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: logPrefix,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * Where everything of seizure-lake rests, one bucket per role of the storage interface:
 *
 * - landing: the evidence as uploaded. Versioned, S3 Object Lock with a default retention, its own KMS key;
 *   EventBridge notifications (the import trigger listens for manifests). Nothing in the stack may delete it.
 * - lake: the Parquet table; quarantine: rejected records and dropped duplicates (raw evidence content, so a
 *   bucket of its own, not a prefix analysts read by default); reports: plans, chunk results, import
 *   reports and map run results; query results: Athena output, expired after 30 days.
 *   One KMS key for all of these derived data, with S3 Bucket Keys to keep KMS requests (and cost) low.
 * - access logs: S3 server access logs of every bucket above (SSE-S3: log delivery cannot use SSE-KMS).
 *
 * All buckets are private (BlockPublicAccess, ACLs disabled), TLS-only (1.2+) and retained when the stack
 * is deleted; so are the keys.
 */
export class EvidenceStore extends Construct {
  readonly evidenceKey: Key;
  readonly dataKey: Key;
  readonly accessLogs: Bucket;
  readonly landing: Bucket;
  readonly lake: Bucket;
  readonly quarantine: Bucket;
  readonly reports: Bucket;
  readonly queryResults: Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.evidenceKey = new Key(this, 'EvidenceKey', {
      description: 'seizure-lake: encrypts the seized evidence (landing bucket)',
      alias: `alias/${stackName}/evidence`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.dataKey = new Key(this, 'DataKey', {
      description: 'seizure-lake: encrypts the lake, quarantine, reports and query results',
      alias: `alias/${stackName}/data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogs = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [abortIncompleteUploads],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeRule(
      this.accessLogs,
      'AwsSolutions-S1',
      'This is the server access log bucket of the other buckets; logging it into itself would log its own log deliveries without end.',
    );

    this.landing = this.bucket('LandingBucket', 'landing/', {
      encryptionKey: this.evidenceKey,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.objectLockMode === 'COMPLIANCE'
          ? ObjectLockRetention.compliance(Duration.days(props.objectLockRetentionDays))
          : ObjectLockRetention.governance(Duration.days(props.objectLockRetentionDays)),
      lifecycleRules: [
        abortIncompleteUploads,
        {
          // Evidence is read in bulk at import and rarely after: let S3 move cold objects to cheaper tiers
          // (no archive tiers, so a re-verification never waits for a restore).
          id: 'evidence-to-intelligent-tiering',
          transitions: [
            { storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) },
          ],
        },
      ],
    });
    // EventBridge notifications as a property of the bucket itself (CloudFormation supports them natively),
    // instead of CDK's notifications custom resource and its extra Lambda function.
    (this.landing.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    const derived = (id: string, prefix: string) =>
      this.bucket(id, prefix, {
        encryptionKey: this.dataKey,
        lifecycleRules: [
          abortIncompleteUploads,
          { id: 'expire-replaced-versions', noncurrentVersionExpiration: Duration.days(30) },
        ],
      });
    this.lake = derived('LakeBucket', 'lake/');
    this.quarantine = derived('QuarantineBucket', 'quarantine/');
    this.reports = derived('ReportsBucket', 'reports/');
    this.queryResults = this.bucket('QueryResultsBucket', 'query-results/', {
      encryptionKey: this.dataKey,
      versioned: false,
      lifecycleRules: [
        abortIncompleteUploads,
        // Query results are copies of evidence content: they do not outlive the analyst's session by much.
        { id: 'expire-query-results', expiration: Duration.days(30) },
      ],
    });
  }

  private bucket(id: string, logPrefix: string, props: BucketProps): Bucket {
    return new Bucket(this, id, { ...guardedBucketProps(this.accessLogs, logPrefix), ...props });
  }

  /** The bucket behind a role of the storage interface. */
  bucketFor(role: BucketRole): Bucket {
    return { landing: this.landing, lake: this.lake, quarantine: this.quarantine, reports: this.reports }[
      role
    ];
  }

  /**
   * Gives a function the buckets it works with, in one call: the IAM grant (with the bucket's KMS key) and
   * the `<ROLE>_BUCKET` variable its store reads, so permissions and configuration cannot drift apart.
   * The landing bucket can only be read: no function may write or delete evidence.
   */
  bind(user: BucketUser, access: Partial<Record<BucketRole, BucketAccess>>): void {
    const buckets: Bucket[] = [];
    for (const [role, level] of Object.entries(access) as [BucketRole, BucketAccess][]) {
      if (role === 'landing' && level !== 'read')
        throw new Error('the landing bucket (evidence) is read-only');
      const bucket = this.bucketFor(role);
      user.addEnvironment(bucketVariable(role), bucket.bucketName);
      if (level === 'read') bucket.grantRead(user);
      else bucket.grantReadWrite(user);
      buckets.push(bucket);
    }
    acknowledgeWildcards(user.role ?? user, objectsOf(...buckets), ...bucketGrantReasons);
  }

  /** Key pattern of the custody log entries in the landing bucket: `seizures/<seizure>/custody/<n>.json`. */
  static readonly custodyKeys = `${custodyPrefix('*')}*`;

  /**
   * Lets a function append to the chain of custody, which lives in the evidence bucket: s3:PutObject on the
   * custody keys only (the store writes them create-only, Object Lock keeps every version), and the evidence
   * key for encrypting them. No delete, no retention or legal-hold changes, nothing outside custody/.
   */
  grantCustodyAppend(user: BucketUser): void {
    const role = user.role ?? user;
    user.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.landing.arnForObjects(EvidenceStore.custodyKeys)],
      }),
    );
    this.evidenceKey.grant(user, 'kms:GenerateDataKey');
    acknowledgeWildcards(role, {
      finding: (finding) =>
        finding ===
        `Resource::<${Stack.of(this).resolve((this.landing.node.defaultChild as CfnBucket).logicalId)}.Arn>/${EvidenceStore.custodyKeys}`,
      reason:
        'Custody log entries are appended under seizures/<seizure>/custody/ of the evidence bucket; their keys are numbered at run time. PutObject only, create-only in the code, versions kept by Object Lock.',
    });
  }
}
