import { Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnDataCellsFilter, CfnPrincipalPermissions } from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { type Catalog, messagesTableName } from '../catalog/catalog.ts';
import type { Search } from '../search/search.ts';

export interface CaseAccessProps {
  /** The case id, as manifests give it (`caseId`) and rows carry it (`case_id`). */
  caseId: string;
  /** The IAM roles of the analysts cleared for this case (and only those). */
  roles: readonly IRole[];
  catalog: Catalog;
  search: Search;
}

const CASE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * One case and the roles cleared for it, in Athena and in OpenSearch alike:
 * - Athena / Glue: a Lake Formation data cells filter on the `messages` table with the row filter
 *   `case_id = '<case>'` (all columns), and SELECT on that filter, and nothing else of the table, granted to
 *   each of the case's roles. Athena applies the filter to every query of the table and of the views over
 *   it (a view is read with the caller's permissions on its table). The roles get IAM to run queries in the
 *   workgroup and to ask Lake Formation for the data (`lakeformation:GetDataAccess`); S3 access to the lake
 *   they never get: Lake Formation vends it, filtered.
 * - OpenSearch: the roles are mapped to the case's fine-grained access control role, whose document-level
 *   security is `{"term": {"case_id": "<case>"}}` (installed by the search setup custom resource).
 * A role cleared for two cases is declared in both; nothing here grants a case that does not name the role.
 */
export class CaseAccess extends Construct {
  readonly caseId: string;
  readonly filter: CfnDataCellsFilter;
  readonly grants: CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: CaseAccessProps) {
    super(scope, id);
    if (!CASE_ID.test(props.caseId))
      throw new Error(`case id "${props.caseId}" must be a lower-case slug (a-z, 0-9, - and _)`);
    if (props.roles.length === 0) throw new Error(`case ${props.caseId}: name at least one role`);
    const stack = Stack.of(this);
    const { catalog } = props;
    this.caseId = props.caseId;

    this.filter = new CfnDataCellsFilter(this, 'RowFilter', {
      tableCatalogId: stack.account,
      databaseName: catalog.databaseName,
      tableName: messagesTableName,
      name: `case_${props.caseId.replaceAll('-', '_')}`,
      rowFilter: { filterExpression: `case_id = '${props.caseId}'` },
      columnWildcard: { excludedColumnNames: [] },
    });
    this.filter.addDependency(catalog.table);

    const workGroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: catalog.workGroupName,
    });
    const glue = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });

    props.roles.forEach((role, i) => {
      const grant = new CfnPrincipalPermissions(this, `Select${i}`, {
        catalog: stack.account,
        principal: { dataLakePrincipalIdentifier: role.roleArn },
        resource: {
          dataCellsFilter: {
            tableCatalogId: stack.account,
            databaseName: catalog.databaseName,
            tableName: messagesTableName,
            name: this.filter.name,
          },
        },
        permissions: ['SELECT'],
        permissionsWithGrantOption: [],
      });
      grant.addDependency(this.filter);
      this.grants.push(grant);

      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:StopQueryExecution',
            'athena:GetWorkGroup',
          ],
          resources: [workGroupArn],
        }),
      );
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
          resources: [
            glue('catalog'),
            glue('database', catalog.databaseName),
            glue('table', `${catalog.databaseName}/*`),
          ],
        }),
      );
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }),
      );
    });

    props.search.grantCaseSearch(props.caseId, props.roles);
  }
}
