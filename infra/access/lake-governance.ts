import { type CfnResource, DefaultStackSynthesizer, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  CfnDataLakeSettings,
  CfnResource as CfnLakeFormationResource,
  CfnPrincipalPermissions,
} from 'aws-cdk-lib/aws-lakeformation';
import { Construct, type IDependable } from 'constructs';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { type Catalog, messagesTableName } from '../catalog/catalog.ts';
import type { EvidenceStore } from '../evidence-store/evidence-store.ts';
import { acknowledgeWildcards, bucketGrantReasons, objectsOf } from '../nag/seizure-lake-checks.ts';
import { grantAthenaAccess, grantGetDataAccess } from './athena-access.ts';

export interface LakeGovernanceProps {
  store: EvidenceStore;
  catalog: Catalog;
  /** Data lake administrators besides the CDK deploy role (IAM role or user ARNs). */
  adminArns: readonly string[];
  /**
   * Whether to set the account's Lake Formation settings here. They are one per account and region: with
   * two deployments in one, one of them (or the account's own setup) holds them.
   */
  manageSettings: boolean;
}

/** A Lake Formation resource as CfnPrincipalPermissions names it. */
export type LakeFormationResource = CfnPrincipalPermissions.ResourceProperty;

/**
 * Puts Lake Formation in control of the lake:
 * - the data lake settings: the CDK deploy role (which creates the filters and grants) and the configured
 *   administrators are the data lake administrators, and new databases and tables get no IAMAllowedPrincipals
 *   grant, so IAM permissions alone reach no table. The settings replace the account's (REPLACE) and are
 *   retained when the stack is deleted (deleting them would leave the account without administrators).
 * - the lake bucket registered with Lake Formation, with a role of its own that may read it (and decrypt it
 *   with the data key): Athena reads the lake with credentials Lake Formation vends for that role, only for
 *   the tables and rows the caller was granted. Direct S3 access stays with IAM (the import functions keep
 *   theirs; analysts get none).
 * - the grants the stack itself needs: the views function may create views over both `messages` tables.
 *
 * Everything Lake Formation here is created after the settings (`afterSettings`): before them the deploy
 * role may not be an administrator yet, and the databases would get the IAMAllowedPrincipals defaults.
 */
export class LakeGovernance extends Construct {
  readonly settings?: CfnDataLakeSettings;
  readonly locationRole: Role;
  readonly location: CfnLakeFormationResource;
  readonly #catalog: Catalog;
  readonly #store: EvidenceStore;

  constructor(scope: Construct, id: string, props: LakeGovernanceProps) {
    super(scope, id);
    const { catalog, store } = props;
    this.#catalog = catalog;
    this.#store = store;

    if (props.manageSettings) {
      const admins = [...new Set([...deployRoleArns(Stack.of(this)), ...props.adminArns])];
      if (!admins.length)
        throw new Error('Lake Formation needs an administrator: name one in dataLakeAdminArns');
      this.settings = new CfnDataLakeSettings(this, 'Settings', {
        admins: admins.map((arn) => ({ dataLakePrincipalIdentifier: arn })),
        createDatabaseDefaultPermissions: [],
        createTableDefaultPermissions: [],
        mutationType: 'REPLACE',
      });
      this.settings.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    // The databases must not be created under the IAMAllowedPrincipals defaults (their tables have their
    // own `CreateTableDefaultPermissions: []` as well).
    for (const db of [catalog.database, catalog.caseDatabase]) this.afterSettings(db);

    this.locationRole = new Role(this, 'LocationRole', {
      description: 'seizure-lake: Lake Formation reads the lake with this role for the grants it holds',
      assumedBy: new ServicePrincipal('lakeformation.amazonaws.com'),
    });
    // Read only (with the data key, through the bucket grant): nothing writes the lake through Lake Formation.
    store.lake.grantRead(this.locationRole);
    acknowledgeWildcards(this.locationRole, objectsOf(store.lake), ...bucketGrantReasons);
    this.location = new CfnLakeFormationResource(this, 'LakeLocation', {
      resourceArn: store.lake.bucketArn,
      roleArn: this.locationRole.roleArn,
      useServiceLinkedRole: false,
      hybridAccessEnabled: false,
    });
    this.location.node.addDependency(this.locationRole);
    this.afterSettings(this.location);

    this.grantViewsFunction();
  }

  /** Makes a resource wait for the data lake settings (when this stack sets them). */
  afterSettings(resource: CfnResource): void {
    if (this.settings) resource.addResourceDependency(this.settings);
  }

  /** One Lake Formation grant, made after the settings and after what it names. */
  grant(
    scope: Construct,
    id: string,
    principalArn: string,
    resource: LakeFormationResource,
    permissions: string[],
    after: IDependable[] = [],
  ): CfnPrincipalPermissions {
    const grant = new CfnPrincipalPermissions(scope, id, {
      catalog: Stack.of(this).account,
      principal: { dataLakePrincipalIdentifier: principalArn },
      resource,
      permissions,
      permissionsWithGrantOption: [],
    });
    this.afterSettings(grant);
    grant.node.addDependency(...after);
    return grant;
  }

  /** A table (or view) of this account's catalog, as a grant names it. */
  table(databaseName: string, name: string): LakeFormationResource {
    return { table: { catalogId: Stack.of(this).account, databaseName, name } };
  }

  database(name: string): LakeFormationResource {
    return { database: { catalogId: Stack.of(this).account, name } };
  }

  /**
   * Roles cleared for every case: SELECT on the whole `messages` table of the main database and on its
   * views, and the IAM to query it in the main workgroup (e.g. `seizure query --athena` without `--case`).
   */
  grantAllCases(roles: readonly IRole[]): void {
    const catalog = this.#catalog;
    const db = catalog.databaseName;
    for (const role of roles) {
      const scope = new Construct(this, `AllCases-${role.node.id}`);
      this.grant(scope, 'Database', role.roleArn, this.database(db), ['DESCRIBE']);
      this.grant(
        scope,
        'Messages',
        role.roleArn,
        this.table(db, messagesTableName),
        ['SELECT', 'DESCRIBE'],
        [catalog.table],
      );
      for (const view of lakeViews)
        this.grant(
          scope,
          `View-${view.name}`,
          role.roleArn,
          this.table(db, view.name),
          ['SELECT'],
          [catalog.views],
        );
      grantAthenaAccess(scope, role, {
        workGroupName: catalog.workGroupName,
        databaseName: db,
        store: this.#store,
        resultsPrefix: 'athena/',
      });
    }
  }

  /**
   * The views function runs `CREATE OR REPLACE VIEW` in both databases: Athena lets it only with Lake
   * Formation permissions on the tables the views read and on their location, and CREATE_TABLE on the
   * database. It creates the views, so it owns them (and may replace or drop them). The views wait for these.
   */
  private grantViewsFunction(): void {
    const catalog = this.#catalog;
    const role = catalog.viewsFunction.role as IRole;
    const scope = new Construct(this, 'ViewsFunction');
    const grants = [
      this.grant(
        scope,
        'Location',
        role.roleArn,
        {
          dataLocation: { catalogId: Stack.of(this).account, resourceArn: this.#store.lake.bucketArn },
        },
        ['DATA_LOCATION_ACCESS'],
        [this.location],
      ),
    ];
    for (const [name, db, table] of [
      ['Main', catalog.databaseName, catalog.table],
      ['Cases', catalog.caseDatabaseName, catalog.caseTable],
    ] as const) {
      grants.push(
        this.grant(
          scope,
          `${name}Database`,
          role.roleArn,
          this.database(db),
          ['CREATE_TABLE', 'DESCRIBE'],
          [table],
        ),
        this.grant(
          scope,
          `${name}Messages`,
          role.roleArn,
          this.table(db, messagesTableName),
          ['SELECT', 'DESCRIBE'],
          [table],
        ),
      );
    }
    const dataAccess = grantGetDataAccess(scope, 'GetDataAccess', role);
    for (const views of [catalog.views, catalog.caseViews]) views.node.addDependency(...grants, dataAccess);
  }
}

/** The role CloudFormation deploys with (the CDK bootstrap's execution role), when the stack uses one. */
function deployRoleArns(stack: Stack): string[] {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) return [];
  // `arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-<qualifier>-cfn-exec-role-...`
  return [Fn.sub(synthesizer.cloudFormationExecutionRoleArn)];
}
