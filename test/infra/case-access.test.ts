import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { caseRoleBody, caseRoleName, installCaseRoles } from '#domain/search/case-roles.ts';
import { CaseAccess } from '#infra/access/case-access.ts';
import { Catalog } from '#infra/catalog/catalog.ts';
import { EvidenceStore } from '#infra/evidence-store/evidence-store.ts';
import { repoRoot } from '#infra/lambda/function-with-log-group.ts';
import { Search } from '#infra/search/search.ts';
import { setupPropertiesSchema } from '../../functions/search-setup/search-setup-step.ts';

/** Two cases, each with its own analyst role, in a stack of their own, synthesized without bundling. */
function synthesize() {
  const context = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-lake-access-')),
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, 'AccessTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const store = new EvidenceStore(stack, 'EvidenceStore', {
    objectLockMode: 'GOVERNANCE',
    objectLockRetentionDays: 1,
  });
  const duckdb = LayerVersion.fromLayerVersionArn(
    stack,
    'DuckDb',
    'arn:aws:lambda:eu-west-1:000000000000:layer:duckdb:1',
  );
  const catalog = new Catalog(stack, 'Catalog', { store, bytesScannedCutoffGb: 10 });
  const search = new Search(stack, 'Search', { store, duckdb });
  const analystA = new Role(stack, 'AnalystA', { assumedBy: new AccountRootPrincipal() });
  const analystB = new Role(stack, 'AnalystB', { assumedBy: new AccountRootPrincipal() });
  const caseA = new CaseAccess(stack, 'CaseA', { caseId: 'case-a', roles: [analystA], catalog, search });
  const caseB = new CaseAccess(stack, 'CaseB', { caseId: 'case-b', roles: [analystB], catalog, search });
  const template = Template.fromStack(stack);
  const id = (c: { node: { defaultChild?: unknown } } | { logicalId: string }) =>
    stack.resolve(
      'logicalId' in c ? c.logicalId : (c.node.defaultChild as { logicalId: string }).logicalId,
    ) as string;
  return { app, stack, template, store, analystA, analystB, caseA, caseB, id };
}

const synth = synthesize();
const { template, id } = synth;
afterAll(() => fs.rmSync(synth.app.outdir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, checked by the assertions
type Resource = { Properties: Record<string, any> };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
/** The Lake Formation grants whose principal is this role. */
const grantsTo = (roleId: string) =>
  resources('AWS::LakeFormation::PrincipalPermissions')
    .map(([, r]) => r.Properties)
    .filter(
      (p) =>
        JSON.stringify(p.Principal) ===
        JSON.stringify({ DataLakePrincipalIdentifier: { 'Fn::GetAtt': [roleId, 'Arn'] } }),
    );

describe('per-case access in Athena (Lake Formation data cells filters)', () => {
  it("declares one row filter per case on the messages table, case_id = '<case>', all columns", () => {
    const filters = resources('AWS::LakeFormation::DataCellsFilter').map(([, r]) => r.Properties);
    expect(filters.map((f) => [f.Name, f.TableName, f.RowFilter, f.ColumnWildcard])).toEqual([
      ['case_case_a', 'messages', { FilterExpression: "case_id = 'case-a'" }, { ExcludedColumnNames: [] }],
      ['case_case_b', 'messages', { FilterExpression: "case_id = 'case-b'" }, { ExcludedColumnNames: [] }],
    ]);
  });

  it("grants case A's role SELECT through case A's filter only: nothing on case B's, nothing on the whole table", () => {
    const a = grantsTo(id(synth.analystA));
    expect(a).toHaveLength(1);
    expect(a[0]!.Permissions).toEqual(['SELECT']);
    expect(a[0]!.PermissionsWithGrantOption).toEqual([]);
    expect(Object.keys(a[0]!.Resource)).toEqual(['DataCellsFilter']);
    expect(a[0]!.Resource.DataCellsFilter.Name).toBe('case_case_a');
    const b = grantsTo(id(synth.analystB));
    expect(b.map((g) => g.Resource.DataCellsFilter.Name)).toEqual(['case_case_b']);
    // and no grant anywhere reaches a table, a database or the catalog directly
    for (const [, r] of resources('AWS::LakeFormation::PrincipalPermissions'))
      expect(Object.keys(r.Properties.Resource)).toEqual(['DataCellsFilter']);
    expect(resources('AWS::LakeFormation::Permissions')).toEqual([]);
  });

  it('gives an analyst role no S3 access to the lake: Lake Formation vends the filtered data', () => {
    const policies = resources('AWS::IAM::Policy')
      .map(([, r]) => r.Properties)
      .filter((p) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === id(synth.analystA)));
    const actions = policies.flatMap((p) =>
      (p.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) =>
        Array.isArray(s.Action) ? s.Action : [s.Action],
      ),
    );
    expect(actions.some((a) => a.startsWith('s3:'))).toBe(false);
    expect(actions).toContain('lakeformation:GetDataAccess');
    expect(actions).toContain('athena:StartQueryExecution');
  });

  it('refuses a case id that is not a slug, and a case without roles', () => {
    const stack = new Stack(new App(), 'Bad');
    const fake = {} as never;
    expect(
      () =>
        new CaseAccess(stack, 'X', {
          caseId: "x' OR 1=1",
          roles: [synth.analystA],
          catalog: fake,
          search: fake,
        }),
    ).toThrow(/lower-case slug/);
    expect(
      () => new CaseAccess(stack, 'Y', { caseId: 'case-y', roles: [], catalog: fake, search: fake }),
    ).toThrow(/at least one role/);
  });
});

describe('per-case access in OpenSearch (document-level security)', () => {
  it("maps case A's role to case A's security role only, through the search setup custom resource", () => {
    const setup = resources('Custom::SeizureLakeSearchSetup').map(([, r]) => r.Properties)[0]!;
    expect(setup.CaseRoles).toEqual([
      { CaseId: 'case-a', RoleArns: [{ 'Fn::GetAtt': [id(synth.analystA), 'Arn'] }] },
      { CaseId: 'case-b', RoleArns: [{ 'Fn::GetAtt': [id(synth.analystB), 'Arn'] }] },
    ]);
    // not a reader of every case
    expect(JSON.stringify(setup.ReaderRoleArns ?? [])).not.toContain(id(synth.analystA));
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

  it('installs each case role and replaces its mapping with exactly the roles the CDK names', async () => {
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
      CaseRoles: [{ CaseId: 'case-a', RoleArns: ['arn:aws:iam::111122223333:role/analyst-a'] }],
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
        body: { backend_roles: ['arn:aws:iam::111122223333:role/analyst-a'], users: [], hosts: [] },
      },
    ]);
  });
});
