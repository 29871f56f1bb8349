import { describe, expect, it } from 'vitest';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { actionsOf, logicalIdOf, resourcesOf, statementsOfRole, synthesize } from './synth-app.ts';

const admin = 'arn:aws:iam::111122223333:role/lake-admin';
const chief = 'arn:aws:iam::111122223333:role/chief-investigator';

describe('Lake Formation in control of the lake', () => {
  const synth = synthesize({
    dataLakeAdminArns: JSON.stringify([admin]),
    allCasesRoleArns: [chief],
    cases: [{ caseId: 'case-a', roleArns: ['arn:aws:iam::111122223333:role/analyst-a'] }],
  });
  const { template, stack } = synth;
  const governance = stack.governance;
  const settingsId = logicalIdOf(synth, { node: { defaultChild: governance.settings } });
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation resources, checked by the assertions
  const resources = (type: string) => Object.entries(template.findResources(type)) as [string, any][];
  const dependsOn = (resource: { DependsOn?: string | string[] }) => [resource.DependsOn ?? []].flat();

  it('removes the IAMAllowedPrincipals defaults for new databases and tables, with the deploy role and the configured administrators as data lake administrators', () => {
    const all = resources('AWS::LakeFormation::DataLakeSettings');
    expect(all).toHaveLength(1);
    const settings = all[0]?.[1];
    expect(settings.Properties).toEqual({
      Admins: [
        {
          DataLakePrincipalIdentifier: {
            // CloudFormation's own placeholders, escaped: not template literal substitutions.
            'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-\${AWS::AccountId}-\${AWS::Region}`,
          },
        },
        { DataLakePrincipalIdentifier: admin },
      ],
      CreateDatabaseDefaultPermissions: [],
      CreateTableDefaultPermissions: [],
      MutationType: 'REPLACE',
    });
    // deleting the stack must not leave the account without administrators
    expect(settings.DeletionPolicy).toBe('Retain');
  });

  it('creates both Glue databases after the settings, and gives their tables no IAMAllowedPrincipals default', () => {
    const databases = resources('AWS::Glue::Database');
    expect(databases.map(([, d]) => d.Properties.DatabaseInput.Name).sort()).toEqual([
      'seizure_lake',
      'seizure_lake_cases',
    ]);
    for (const [, db] of databases) {
      expect(dependsOn(db)).toContain(settingsId);
      expect(db.Properties.DatabaseInput.CreateTableDefaultPermissions).toEqual([]);
    }
  });

  it('registers the lake bucket with Lake Formation, with a role of its own that may only read the lake and decrypt it', () => {
    const all = resources('AWS::LakeFormation::Resource');
    expect(all).toHaveLength(1);
    const location = all[0]?.[1];
    const roleId = logicalIdOf(synth, governance.locationRole);
    expect(location.Properties).toEqual({
      ResourceArn: { 'Fn::GetAtt': [logicalIdOf(synth, stack.store.lake), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      UseServiceLinkedRole: false,
      HybridAccessEnabled: false,
    });
    expect(
      template.findResources('AWS::IAM::Role')[roleId]?.Properties.AssumeRolePolicyDocument.Statement,
    ).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lakeformation.amazonaws.com' } },
    ]);
    const statements = statementsOfRole(synth, roleId);
    const actions = statements.flatMap(actionsOf);
    expect(actions).toContain('kms:Decrypt');
    expect(actions.filter((a) => /Put|Delete|Write|Encrypt|GenerateDataKey/.test(a))).toEqual([]);
    const lake = logicalIdOf(synth, stack.store.lake);
    const dataKey = logicalIdOf(synth, stack.store.dataKey);
    for (const s of statements)
      for (const r of resourcesOf(s)) expect(JSON.stringify(r)).toMatch(new RegExp(`${lake}|${dataKey}`));
  });

  it('makes every Lake Formation grant, filter and registration wait for the settings', () => {
    const governed = [
      ...resources('AWS::LakeFormation::PrincipalPermissions'),
      ...resources('AWS::LakeFormation::DataCellsFilter'),
      ...resources('AWS::LakeFormation::Resource'),
    ];
    expect(governed.length).toBeGreaterThan(10);
    for (const [id, resource] of governed) expect(dependsOn(resource), id).toContain(settingsId);
  });

  it('lets the views function create the views over both messages tables, and creates the views after that', () => {
    const role = JSON.stringify({
      'Fn::GetAtt': [logicalIdOf(synth, stack.catalog.viewsFunction.role!), 'Arn'],
    });
    const grants = resources('AWS::LakeFormation::PrincipalPermissions').filter(
      ([, g]) => JSON.stringify(g.Properties.Principal.DataLakePrincipalIdentifier) === role,
    );
    const summary = grants.map(([, g]) => [
      g.Properties.Resource.Database?.Name ??
        g.Properties.Resource.Table?.DatabaseName ??
        (g.Properties.Resource.DataLocation && 'lake location'),
      g.Properties.Resource.Table?.Name ?? null,
      g.Properties.Permissions,
    ]);
    expect(summary).toEqual([
      ['lake location', null, ['DATA_LOCATION_ACCESS']],
      ['seizure_lake', null, ['CREATE_TABLE', 'DESCRIBE']],
      ['seizure_lake', 'messages', ['SELECT', 'DESCRIBE']],
      ['seizure_lake_cases', null, ['CREATE_TABLE', 'DESCRIBE']],
      ['seizure_lake_cases', 'messages', ['SELECT', 'DESCRIBE']],
    ]);
    for (const [, views] of resources('Custom::AthenaViews'))
      for (const [id] of grants) expect(dependsOn(views)).toContain(id);
    // and Athena may ask Lake Formation for the data on its behalf
    expect(
      statementsOfRole(synth, logicalIdOf(synth, stack.catalog.viewsFunction.role!)).flatMap(actionsOf),
    ).toContain('lakeformation:GetDataAccess');
  });

  it('grants roles cleared for every case the whole messages table and views of the main database, nothing of the case database', () => {
    const grants = resources('AWS::LakeFormation::PrincipalPermissions')
      .map(([, g]) => g.Properties)
      .filter((g) => g.Principal.DataLakePrincipalIdentifier === chief);
    expect(grants.map((g) => [g.Resource.Database?.Name ?? g.Resource.Table.Name, g.Permissions])).toEqual([
      ['seizure_lake', ['DESCRIBE']],
      ['messages', ['SELECT', 'DESCRIBE']],
      ...lakeViews.map((v) => [v.name, ['SELECT']]),
    ]);
    expect(JSON.stringify(grants)).not.toContain('seizure_lake_cases');
  });
});

describe('Lake Formation settings managed elsewhere', () => {
  it('leaves the account settings alone when manageDataLakeSettings is false', () => {
    const { template } = synthesize({ manageDataLakeSettings: 'false' });
    expect(template.findResources('AWS::LakeFormation::DataLakeSettings')).toEqual({});
    // the lake is registered all the same
    expect(Object.keys(template.findResources('AWS::LakeFormation::Resource'))).toHaveLength(1);
  });

  it('synthesizes without any case declared: no filter, no case workgroup, the lake still governed', () => {
    const { template } = synthesize();
    expect(template.findResources('AWS::LakeFormation::DataCellsFilter')).toEqual({});
    const workGroups = Object.values(template.findResources('AWS::Athena::WorkGroup'));
    expect(workGroups.map((w) => w.Properties.Name)).toEqual(['seizure-lake']);
    expect(Object.keys(template.findResources('AWS::LakeFormation::DataLakeSettings'))).toHaveLength(1);
  });
});
