import { createHash } from 'node:crypto';
import { CustomResource, Duration, Lazy, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnIdentityPool,
  CfnIdentityPoolRoleAttachment,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import { EbsDeviceVolumeType } from 'aws-cdk-lib/aws-ec2';
import {
  AccountRootPrincipal,
  Effect,
  FederatedPrincipal,
  type IGrantable,
  type IRole,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, ResourcePolicy, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type CfnDomain, Domain, EngineVersion, TLSSecurityPolicy } from 'aws-cdk-lib/aws-opensearchservice';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { searchAssets } from '../../layers/domain/search/search-assets.ts';
import type { EvidenceStore } from '../evidence-store/evidence-store.ts';
import { FunctionWithLogGroup } from '../lambda/function-with-log-group.ts';
import { acknowledgeRule, acknowledgeWildcards, type WildcardReason } from '../nag/seizure-lake-checks.ts';

export interface SearchProps {
  store: EvidenceStore;
  /** The DuckDB layer the index function reads the lake's Parquet with. */
  duckdb: ILayerVersion;
  /**
   * The engine. Default 2.19: the newest version the `messages` mapping is tested on (the local node);
   * OpenSearch 3 runs Lucene 10, which no longer has the Kraaij-Pohlmann Dutch stemmer the mapping uses.
   * Changing it upgrades the domain in place (enableVersionUpgrade), never replaces it.
   */
  engineVersion?: EngineVersion;
  /** Data nodes (spread over three zones) and their type; default 3 × r7g.large.search. */
  dataNodes?: number;
  dataNodeInstanceType?: string;
  /** Dedicated cluster-manager nodes; default 3 × m7g.large.search. */
  masterNodeInstanceType?: string;
  /** EBS gp3 volume per data node, GiB; default 200. */
  volumeGiB?: number;
  /** Retention of the audit, slow and application logs; default ten years for the audit log, one for the rest. */
  auditLogRetention?: RetentionDays;
  /** The domain's name (3-28 characters); default derived from the stack name. */
  domainName?: string;
}

/** The domain's paths (`<domain ARN>/*`) in the es:ESHttp* grants; what a role may see is FGAC's decision. */
const domainPathsReason: WildcardReason = {
  finding: /^Resource::<.*Domain.*\.Arn>\/\*$/,
  reason:
    "es:ESHttp* on the paths of this stack's own search domain (domain ARN/*): index and API paths are named at run time.",
};

/**
 * Search for the seized messages: an Amazon OpenSearch Service domain, its Dashboards behind Cognito, the
 * deploy-time setup (security roles, audit configuration, index template, ISM policy, Dashboards saved
 * objects) and the function of the import's index step.
 *
 * Access: the domain's resource policy admits only IAM principals of this account (whose own policies must
 * also allow `es:ESHttp*` on this domain), every request is SigV4-signed, and fine-grained access control
 * then decides per role what each principal may see: the indexer writes `messages-*`, Dashboards users sign
 * in through Cognito (MFA required, no self sign-up) and see nothing until a case role is mapped to them.
 * HTTPS only (TLS 1.2+ with forward secrecy), encrypted at rest with this construct's KMS key and between
 * nodes, audit, slow-query and application logs in CloudWatch Logs. The domain is retained on deletion
 * (RETAIN, not SNAPSHOT: aws-cdk #20653) and upgraded in place.
 */
export class Search extends Construct {
  readonly domain: Domain;
  readonly key: Key;
  readonly userPool: UserPool;
  readonly identityPool: CfnIdentityPool;
  /** The IAM role Cognito users sign in to Dashboards with. */
  readonly dashboardsUserRole: Role;
  readonly auditLogs: LogGroup;
  /** The import's index step (prepare / partition / complete); see search-index-states.ts. */
  readonly indexFunction: FunctionWithLogGroup;
  /** The setup custom resource's function; its role is the domain's master user. */
  readonly setupFunction: FunctionWithLogGroup;
  readonly setup: CustomResource;
  readonly #indexers: IRole[] = [];
  readonly #readers: IRole[] = [];
  readonly #cases = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: SearchProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const domainName =
      props.domainName ??
      `${stack.stackName
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 21)}-search`.replace(/^-+/, 's');

    this.key = new Key(this, 'Key', {
      description: 'seizure-lake: encrypts the search domain (indices, logs of the domain) at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const logGroup = (name: string, retention: RetentionDays) =>
      new LogGroup(this, name, { retention, removalPolicy: RemovalPolicy.RETAIN });
    this.auditLogs = logGroup('AuditLogs', props.auditLogRetention ?? RetentionDays.TEN_YEARS);
    const slowSearchLogs = logGroup('SlowSearchLogs', RetentionDays.ONE_YEAR);
    const slowIndexLogs = logGroup('SlowIndexLogs', RetentionDays.ONE_YEAR);
    const appLogs = logGroup('ApplicationLogs', RetentionDays.ONE_YEAR);

    // OpenSearch Service may write to these log groups (and no others), for this domain only. Made here, before
    // the domain (which checks it on creation), instead of by CDK's custom resource with logs:* on *.
    const domainArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: domainName });
    const logsPolicy = new ResourcePolicy(this, 'DomainLogsPolicy', {
      policyStatements: [
        new PolicyStatement({
          principals: [new ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.auditLogs, slowSearchLogs, slowIndexLogs, appLogs].map((l) => `${l.logGroupArn}`),
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': domainArn },
          },
        }),
      ],
    });

    // Dashboards sign-in: a user pool administrators add people to, MFA required, and an identity pool
    // that hands signed-in users the Dashboards role (OpenSearch adds its own app client to both).
    this.userPool = new UserPool(this, 'DashboardsUsers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection: sign-ins from compromised credentials or unusual places are blocked.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: `${domainName}-${Names.uniqueId(this).slice(-8).toLowerCase()}` },
    });
    this.identityPool = new CfnIdentityPool(this, 'DashboardsIdentities', {
      allowUnauthenticatedIdentities: false,
    });
    this.dashboardsUserRole = new Role(this, 'DashboardsUserRole', {
      description: 'seizure-lake: Cognito users signed in to OpenSearch Dashboards',
      assumedBy: new FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    new CfnIdentityPoolRoleAttachment(this, 'DashboardsRoles', {
      identityPoolId: this.identityPool.ref,
      roles: { authenticated: this.dashboardsUserRole.roleArn },
    });
    const cognitoAccess = new Role(this, 'CognitoAccessRole', {
      description: 'seizure-lake: lets OpenSearch Service configure Cognito sign-in for Dashboards',
      assumedBy: new ServicePrincipal('opensearchservice.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AmazonOpenSearchServiceCognitoAccess')],
    });
    acknowledgeRule(
      cognitoAccess,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonOpenSearchServiceCognitoAccess]',
      'AmazonOpenSearchServiceCognitoAccess is the policy AWS documents for this service role; it is scoped by the service.',
    );

    // The setup function first: its role is the domain's master user.
    this.setupFunction = new FunctionWithLogGroup(this, 'SetupFunction', {
      folder: 'search-setup',
      description:
        'seizure-lake search: installs roles, audit configuration, index template, ISM policy and Dashboards objects',
      memorySize: 512,
      timeout: Duration.minutes(10),
    });
    const masterRole = this.setupFunction.role as IRole;

    this.domain = new Domain(this, 'Domain', {
      domainName,
      version: props.engineVersion ?? EngineVersion.OPENSEARCH_2_19,
      enableVersionUpgrade: true,
      removalPolicy: RemovalPolicy.RETAIN,
      capacity: {
        dataNodes: props.dataNodes ?? 3,
        dataNodeInstanceType: props.dataNodeInstanceType ?? 'r7g.large.search',
        masterNodes: 3,
        masterNodeInstanceType: props.masterNodeInstanceType ?? 'm7g.large.search',
      },
      zoneAwareness: { enabled: true, availabilityZoneCount: 3 },
      ebs: { enabled: true, volumeSize: props.volumeGiB ?? 200, volumeType: EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: this.key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: masterRole.roleArn },
      useUnsignedBasicAuth: false,
      cognitoDashboardsAuth: {
        identityPoolId: this.identityPool.ref,
        userPoolId: this.userPool.userPoolId,
        role: cognitoAccess,
      },
      logging: {
        auditLogEnabled: true,
        auditLogGroup: this.auditLogs,
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearchLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndexLogs,
        appLogEnabled: true,
        appLogGroup: appLogs,
      },
      suppressLogsResourcePolicy: true,
      offPeakWindowEnabled: true,
      enableAutoSoftwareUpdate: true,
    });
    this.domain.node.addDependency(logsPolicy);
    acknowledgeRule(
      this.domain,
      'AwsSolutions-OS1',
      'Not in a VPC by design: every request must be SigV4-signed by an IAM principal of this account that its own policy allows on this domain, then passes fine-grained access control; Dashboards users sign in through Cognito with MFA. The index and setup functions reach it without VPC networking.',
    );
    acknowledgeRule(
      this.domain,
      'AwsSolutions-OS3',
      'Access is by identity, not network address: IAM principals of this account only (resource policy), SigV4 on every request, fine-grained access control per role, Cognito with MFA for Dashboards. Analysts work from changing police networks, so an address allow-list would not be the control that holds.',
    );
    // The resource policy, set on the domain resource itself (no custom resource): principals of this
    // account only; their IAM policies and fine-grained access control decide the rest.
    (this.domain.node.defaultChild as CfnDomain).accessPolicies = new PolicyDocument({
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [new AccountRootPrincipal()],
          actions: ['es:ESHttp*'],
          resources: [
            stack.formatArn({ service: 'es', resource: 'domain', resourceName: `${domainName}/*` }),
          ],
        }),
      ],
    }).toJSON();

    this.setupFunction.addEnvironment('OPENSEARCH_ENDPOINT', this.domain.domainEndpoint);
    this.domain.grantReadWrite(this.setupFunction);
    this.domain.grantReadWrite(this.dashboardsUserRole);

    this.indexFunction = new FunctionWithLogGroup(this, 'IndexFunction', {
      folder: 'index-seizure',
      description: "seizure-lake import: indexes a seizure's lake partitions into its OpenSearch index",
      memorySize: 2048,
      timeout: Duration.minutes(15),
      layers: [props.duckdb],
      environment: { OPENSEARCH_ENDPOINT: this.domain.domainEndpoint },
    });
    props.store.bind(this.indexFunction, { lake: 'read', reports: 'readWrite' });
    this.grantIndex(this.indexFunction);

    const provider = new Provider(this, 'SetupProvider', { onEventHandler: this.setupFunction });
    acknowledgeRule(
      provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The CDK provider framework's own function writes its logs with AWSLambdaBasicExecutionRole; it only relays the event to the setup function.",
    );
    acknowledgeWildcards(provider, {
      finding: /^Resource::<.+\.Arn>:\*$/,
      reason: 'The provider framework invokes versions of the setup function (function ARN:*).',
    });
    // Changing the template, the ISM policy or the dashboards changes the hash: an Update re-installs them.
    const assetHash = createHash('sha256').update(JSON.stringify(searchAssets())).digest('hex').slice(0, 16);
    this.setup = new CustomResource(this, 'Setup', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SeizureLakeSearchSetup',
      properties: {
        DomainEndpoint: this.domain.domainEndpoint,
        AssetHash: assetHash,
        IndexerRoleArns: Lazy.list({ produce: () => this.#indexers.map((r) => r.roleArn) }),
        AdminRoleArns: [masterRole.roleArn],
        ReaderRoleArns: Lazy.list(
          { produce: () => this.#readers.map((r) => r.roleArn) },
          { omitEmpty: true },
        ),
        DashboardsUserRoleArns: [this.dashboardsUserRole.roleArn],
        // One security role per case with document-level security on case_id (see grantCaseSearch).
        CaseRoles: Lazy.any(
          {
            produce: () =>
              [...this.#cases].map(([caseId, roleArns]) => ({ CaseId: caseId, RoleArns: roleArns })),
          },
          { omitEmptyArray: true },
        ),
      },
    });
    this.setup.node.addDependency(this.domain);

    acknowledgeWildcards(this, domainPathsReason);
  }

  /**
   * Lets a function write the message indices: IAM on this domain, its endpoint in OPENSEARCH_ENDPOINT, and
   * its role mapped to the `seizure_indexer` role by the deploy-time setup.
   */
  grantIndex(fn: IGrantable & { role?: IRole; addEnvironment(key: string, value: string): unknown }): void {
    this.domain.grantReadWrite(fn);
    fn.addEnvironment('OPENSEARCH_ENDPOINT', this.domain.domainEndpoint);
    if (fn.role) this.#indexers.push(fn.role);
  }

  /**
   * Lets roles search the messages of one case only: IAM to send searches to the domain, and their mapping
   * (by the deploy-time setup) to the case's security role `case_<id>`, whose document-level security
   * admits only documents with that `case_id`. They are not mapped to `seizure_reader`. `backendRoles` are
   * mapped too but get no IAM here (their IAM is managed elsewhere, e.g. a Dashboards group's role).
   */
  grantCaseSearch(caseId: string, roles: readonly IRole[], backendRoles: readonly string[] = []): void {
    for (const role of roles) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'],
          resources: [this.domain.domainArn, `${this.domain.domainArn}/*`],
        }),
      );
      acknowledgeWildcards(role, domainPathsReason);
    }
    const arns = [...roles.map((r) => r.roleArn), ...backendRoles];
    this.#cases.set(caseId, [...(this.#cases.get(caseId) ?? []), ...arns]);
  }

  /** Lets a function or role search every message (IAM, and the `seizure_reader` role mapping). */
  grantSearch(grantee: IGrantable & { role?: IRole }): void {
    // Searches are POSTs; reading is all it may do.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'],
        resources: [this.domain.domainArn, `${this.domain.domainArn}/*`],
      }),
    );
    const role = grantee.role ?? (grantee instanceof Role ? grantee : undefined);
    if (role) this.#readers.push(role);
  }
}
