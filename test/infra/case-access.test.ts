import type { Client } from '@opensearch-project/opensearch';
import { App, Stack } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { caseRoleBody, caseRoleName, installCaseRoles } from '#domain/search/case-roles.ts';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { CaseAccess } from '#infra/access/case-access.ts';
import { setupPropertiesSchema } from '../../functions/search-setup/search-setup-step.ts';
import { actionsOf, resourcesOf, synthesize } from './synth-app.ts';

const arn = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
const analystA = arn('analyst-a');
const analystB = arn('analyst-b');
/** Cleared for both cases. */
const lead = arn('lead');
const dashboardsB = arn('dashboards-case-b');

/** The deployed stack with two cases declared in the context, as `-c cases='[...]'` gives them. */
const synth = synthesize({
  cases: JSON.stringify([
    { caseId: 'case-a', roleArns: [analystA, lead] },
    { caseId: 'case-b', roleArns: [analystB, lead], searchBackendRoles: [dashboardsB] },
  ]),
});
const { template, stack } = synth;

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, checked by the assertions
type Properties = Record<string, any>;
const propertiesOf = (type: string) =>
  Object.values(template.findResources(type)).map((r) => r.Properties as Properties);
/** The Lake Formation grants whose principal is this role ARN. */
const grantsTo = (roleArn: string) =>
  propertiesOf('AWS::LakeFormation::PrincipalPermissions').filter(
    (p) => p.Principal.DataLakePrincipalIdentifier === roleArn,
  );
/** Every Allow statement of the IAM policies attached to the role of this name (imported: attached by name). */
const statementsOf = (roleName: string) =>
  propertiesOf('AWS::IAM::Policy')
    .filter((p) => (p.Roles as unknown[]).includes(roleName))
    .flatMap(
      (p) => p.PolicyDocument.Statement as { Effect: string; Action: string | string[]; Resource: unknown }[],
    )
    .filter((s) => s.Effect === 'Allow');
const caseDb = 'seizure_lake_cases';

describe('per-case access in Athena (Lake Formation data cells filters)', () => {
  it("declares one row filter per case on the case database's messages table, case_id = '<case>', all columns", () => {
    expect(
      propertiesOf('AWS::LakeFormation::DataCellsFilter').map((f) => [
        f.Name,
        f.DatabaseName,
        f.TableName,
        f.RowFilter,
        f.ColumnWildcard,
      ]),
    ).toEqual([
      [
        'case_case_a',
        caseDb,
        'messages',
        { FilterExpression: "case_id = 'case-a'" },
        { ExcludedColumnNames: [] },
      ],
      [
        'case_case_b',
        caseDb,
        'messages',
        { FilterExpression: "case_id = 'case-b'" },
        { ExcludedColumnNames: [] },
      ],
    ]);
  });

  it("grants case A's role data only through case A's filter: nothing through case B's, nothing on a messages table without a filter", () => {
    const a = grantsTo(analystA);
    // SELECT through the filter, DESCRIBE on the case database, SELECT on each view: nothing else.
    expect(a.map((g) => [Object.keys(g.Resource), g.Permissions, g.PermissionsWithGrantOption])).toEqual([
      [['DataCellsFilter'], ['SELECT'], []],
      [['Database'], ['DESCRIBE'], []],
      ...lakeViews.map(() => [['Table'], ['SELECT'], []]),
    ]);
    expect(a[0]?.Resource.DataCellsFilter).toMatchObject({ DatabaseName: caseDb, Name: 'case_case_a' });
    expect(a[1]?.Resource.Database.Name).toBe(caseDb);
    expect(a.slice(2).map((g) => [g.Resource.Table.DatabaseName, g.Resource.Table.Name])).toEqual(
      lakeViews.map((v) => [caseDb, v.name]),
    );
    const text = JSON.stringify(a);
    expect(text).not.toContain('case_case_b');
    // no grant names a messages table (either database's) or every table of a database
    for (const g of a) {
      expect(g.Resource.Table?.Name).not.toBe('messages');
      expect(g.Resource.Table?.TableWildcard).toBeUndefined();
      expect(g.Resource.TableWithColumns).toBeUndefined();
    }
    // and case B's role, the mirror image
    expect(
      grantsTo(analystB)
        .filter((g) => g.Resource.DataCellsFilter)
        .map((g) => g.Resource.DataCellsFilter.Name),
    ).toEqual(['case_case_b']);
  });

  it("gives nobody case B's filter but the roles declared in case B", () => {
    const holders = propertiesOf('AWS::LakeFormation::PrincipalPermissions')
      .filter((g) => g.Resource.DataCellsFilter?.Name === 'case_case_b')
      .map((g) => g.Principal.DataLakePrincipalIdentifier);
    expect(holders.sort()).toEqual([analystB, lead].sort());
  });

  it('gives a role declared in two cases the filter of each, and still no table without a filter', () => {
    const filters = grantsTo(lead)
      .filter((g) => g.Resource.DataCellsFilter)
      .map((g) => g.Resource.DataCellsFilter.Name);
    expect(filters).toEqual(['case_case_a', 'case_case_b']);
    expect(grantsTo(lead).some((g) => g.Resource.Table?.Name === 'messages')).toBe(false);
  });

  it('gives an analyst role no S3 access to the lake: Lake Formation vends the filtered data', () => {
    const statements = statementsOf('analyst-a');
    const actions = statements.flatMap(actionsOf);
    expect(actions).toContain('lakeformation:GetDataAccess');
    expect(actions).toContain('athena:StartQueryExecution');
    const lake = stack.resolve(stack.store.lake.bucketArn);
    for (const s of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:'))))
      expect(JSON.stringify(resourcesOf(s))).not.toContain(JSON.stringify(lake));
    // S3 only on its case's query results
    const objects = statements.find((s) => actionsOf(s).includes('s3:GetObject'));
    expect(JSON.stringify(objects?.Resource)).toContain('/cases/case-a/*');
    expect(JSON.stringify(statements)).not.toContain('case-b');
  });

  it("runs each case's queries in a workgroup of its own: results under cases/<case>/, history kept apart", () => {
    const workGroups = Object.fromEntries(
      propertiesOf('AWS::Athena::WorkGroup').map((w) => [
        w.Name,
        JSON.stringify(w.WorkGroupConfiguration.ResultConfiguration.OutputLocation),
      ]),
    );
    expect(Object.keys(workGroups).sort()).toEqual([
      'seizure-lake',
      'seizure-lake-case-case-a',
      'seizure-lake-case-case-b',
    ]);
    expect(workGroups['seizure-lake-case-case-a']).toContain('/cases/case-a/');
    const athena = statementsOf('analyst-a').filter((s) => actionsOf(s).some((a) => a.startsWith('athena:')));
    expect(athena).toHaveLength(1);
    expect(JSON.stringify(athena[0]?.Resource)).toMatch(/:workgroup\/seizure-lake-case-case-a"/);
  });

  it('refuses a case id that is not a slug, and a case without roles', () => {
    const bad = new Stack(new App(), 'Bad');
    const fake = {} as never;
    const props = { store: fake, catalog: fake, search: fake, governance: fake };
    const role = Role.fromRoleArn(bad, 'Analyst', analystA);
    expect(() => new CaseAccess(bad, 'X', { ...props, caseId: "x' OR 1=1", roles: [role] })).toThrow(
      /lower-case slug/,
    );
    expect(() => new CaseAccess(bad, 'Y', { ...props, caseId: 'case-y', roles: [] })).toThrow(
      /at least one role/,
    );
  });
});

describe('per-case access in OpenSearch (document-level security)', () => {
  it("maps case A's roles to case A's security role only, through the search setup custom resource", () => {
    const setup = propertiesOf('Custom::SeizureLakeSearchSetup')[0]!;
    expect(setup.CaseRoles).toEqual([
      { CaseId: 'case-a', RoleArns: [analystA, lead] },
      { CaseId: 'case-b', RoleArns: [analystB, lead, dashboardsB] },
    ]);
    // not a reader of every case
    expect(JSON.stringify(setup.ReaderRoleArns ?? [])).not.toContain('analyst-a');
  });

  it('gives the case security role read on the message indices with DLS on its case_id', () => {
    expect(caseRoleName('case-a')).toBe('case_case-a');
    expect(caseRoleBody('case-a')).toMatchObject({
      index_permissions: [
        {
          index_patterns: ['messages-*', 'messages'],
          dls: '{"term":{"case_id":"case-a"}}',
          allowed_actions: ['read'],
        },
      ],
    });
  });

  it('installs each case role and replaces its mapping with exactly the roles the CDK names (security API mocked: the local node has no security plugin)', async () => {
    const requests: { method: string; path: string; body?: unknown }[] = [];
    const client = {
      transport: {
        request: async (r: { method: string; path: string; body?: unknown }) => {
          requests.push(r);
          return { body: {}, statusCode: 200 };
        },
      },
    } as unknown as Client;
    // The custom resource's properties as CloudFormation passes them, parsed as the setup step parses them.
    const props = setupPropertiesSchema.parse({
      DomainEndpoint: 'search.example',
      CaseRoles: [{ CaseId: 'case-a', RoleArns: [analystA] }],
    });
    await installCaseRoles(
      client,
      props.CaseRoles.map((c) => ({ caseId: c.CaseId, roleArns: c.RoleArns })),
    );
    const caseRequests = requests.filter((r) => r.path.includes('case_'));
    expect(caseRequests).toEqual([
      { method: 'PUT', path: '/_plugins/_security/api/roles/case_case-a', body: caseRoleBody('case-a') },
      {
        method: 'PUT',
        path: '/_plugins/_security/api/rolesmapping/case_case-a',
        body: { backend_roles: [analystA], users: [], hosts: [] },
      },
    ]);
  });
});
