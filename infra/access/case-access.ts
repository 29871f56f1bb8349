import { Stack } from 'aws-cdk-lib';
import type { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnDataCellsFilter, type CfnPrincipalPermissions } from 'aws-cdk-lib/aws-lakeformation';
import { Construct, type IDependable } from 'constructs';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { type Catalog, messagesTableName } from '../catalog/catalog.ts';
import type { EvidenceStore } from '../evidence-store/evidence-store.ts';
import type { Search } from '../search/search.ts';
import { CASE_ID } from '../settings.ts';
import { grantAthenaAccess } from './athena-access.ts';
import type { LakeFormationResource, LakeGovernance } from './lake-governance.ts';

export interface CaseAccessProps {
  /** The case id, as manifests give it (`caseId`) and rows carry it (`case_id`). */
  caseId: string;
  /** The IAM roles of the analysts cleared for this case (and only those). */
  roles: readonly IRole[];
  /** Further OpenSearch backend roles mapped to the case's search role (no Athena, no IAM from here). */
  searchBackendRoles?: readonly string[];
  store: EvidenceStore;
  catalog: Catalog;
  search: Search;
  governance: LakeGovernance;
}

/**
 * One case and the roles cleared for it, in Athena and in OpenSearch alike:
 * - Athena / Glue: a Lake Formation data cells filter `case_<id>` on the case database's `messages` table
 *   (the one without partition projection, which Athena would not filter) with the row filter
 *   `case_id = '<case>'` and all columns; each role gets SELECT through that filter and nothing else of the
 *   table, SELECT on the views of that database (a view reads its table with the caller's permissions, so
 *   through the filter too) and DESCRIBE on the database. Queries run in the case's own workgroup, whose
 *   history and results (under `cases/<case>/` of the query results bucket) no other case's roles can read.
 *   The roles get IAM for that workgroup, that database and `lakeformation:GetDataAccess`; S3 access to the
 *   lake they never get: Lake Formation vends it, filtered.
 * - OpenSearch: the roles (and `searchBackendRoles`) are mapped to the case's fine-grained access control
 *   role, whose document-level security is `{"term": {"case_id": "<case>"}}` (installed by the search setup
 *   custom resource).
 * A role cleared for two cases is declared in both; nothing here grants a case that does not name the role.
 */
export class CaseAccess extends Construct {
  readonly caseId: string;
  readonly filter: CfnDataCellsFilter;
  readonly workGroup: CfnWorkGroup;
  readonly grants: CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: CaseAccessProps) {
    super(scope, id);
    if (!CASE_ID.test(props.caseId))
      throw new Error(`case id "${props.caseId}" must be a lower-case slug (a-z, 0-9, - and _)`);
    if (props.roles.length === 0) throw new Error(`case ${props.caseId}: name at least one role`);
    const stack = Stack.of(this);
    const { catalog, governance } = props;
    const db = catalog.caseDatabaseName;
    this.caseId = props.caseId;

    this.filter = new CfnDataCellsFilter(this, 'RowFilter', {
      tableCatalogId: stack.account,
      databaseName: db,
      tableName: messagesTableName,
      name: `case_${props.caseId.replaceAll('-', '_')}`,
      rowFilter: { filterExpression: `case_id = '${props.caseId}'` },
      columnWildcard: { excludedColumnNames: [] },
    });
    this.filter.addResourceDependency(catalog.caseTable);
    governance.afterSettings(this.filter);

    const { workGroup, resultsPrefix } = catalog.caseWorkGroup(this, props.caseId);
    this.workGroup = workGroup;

    for (const role of props.roles) {
      // Named after the role's construct (its ARN), not its position: see SeizureLakeStack.
      const grants = new Construct(this, `Role-${role.node.id}`);
      const grant = (
        grantId: string,
        resource: LakeFormationResource,
        permissions: string[],
        after: IDependable[],
      ) => {
        this.grants.push(governance.grant(grants, grantId, role.roleArn, resource, permissions, after));
      };
      grant(
        'Select',
        {
          dataCellsFilter: {
            tableCatalogId: stack.account,
            databaseName: db,
            tableName: messagesTableName,
            name: this.filter.name,
          },
        },
        ['SELECT'],
        [this.filter],
      );
      grant('Database', governance.database(db), ['DESCRIBE'], [catalog.caseDatabase]);
      for (const view of lakeViews)
        grant(`View-${view.name}`, governance.table(db, view.name), ['SELECT'], [catalog.caseViews]);
      grantAthenaAccess(grants, role, {
        workGroupName: workGroup.name,
        databaseName: db,
        store: props.store,
        resultsPrefix,
      });
    }

    props.search.grantCaseSearch(props.caseId, props.roles, props.searchBackendRoles);
  }
}
