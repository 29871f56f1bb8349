import { describe, expect, it } from 'vitest';
import { readSettings } from '#infra/settings.ts';

/** Settings from a context, as `-c key=value` (strings) or cdk.json (parsed JSON) give it. */
const read = (context: Record<string, unknown>) => readSettings({ tryGetContext: (key) => context[key] });
const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;

describe('settings: cases and Lake Formation', () => {
  it('declares no case, no extra administrator, and sets the Lake Formation settings by default', () => {
    expect(read({})).toMatchObject({
      cases: [],
      dataLakeAdminArns: [],
      allCasesRoleArns: [],
      manageDataLakeSettings: true,
      auditRetentionDays: 3650,
    });
  });

  it('reads cases from -c (a JSON string) and from cdk.json (a list) alike', () => {
    const cases = [
      { caseId: 'op-north', roleArns: [role('analyst-a')] },
      {
        caseId: 'op_south-2',
        roleArns: [role('analyst-b'), role('path/to/lead')],
        searchBackendRoles: [role('dash')],
      },
    ];
    const expected = [
      { caseId: 'op-north', roleArns: [role('analyst-a')], searchBackendRoles: [] },
      {
        caseId: 'op_south-2',
        roleArns: [role('analyst-b'), role('path/to/lead')],
        searchBackendRoles: [role('dash')],
      },
    ];
    expect(read({ cases: JSON.stringify(cases) }).cases).toEqual(expected);
    expect(read({ cases }).cases).toEqual(expected);
  });

  it('refuses a case that could widen or break access, naming the key', () => {
    const bad = (cases: unknown) => () => read({ cases });
    expect(bad('[{"caseId": "x')).toThrow(/cases must be JSON/);
    expect(bad([{ caseId: "a' OR 'x'='x", roleArns: [role('a')] }])).toThrow(/cases\[0\]\.caseId/);
    expect(bad([{ caseId: 'Case-A', roleArns: [role('a')] }])).toThrow(/lower-case slug/);
    expect(bad([{ caseId: 'a', roleArns: [] }])).toThrow(/cases\[0\]\.roleArns must name at least one role/);
    expect(bad([{ caseId: 'a', roleArns: ['arn:aws:iam::111122223333:user/alice'] }])).toThrow(
      /cases\[0\]\.roleArns/,
    );
    expect(bad([{ caseId: 'a', roleArns: ['*'] }])).toThrow(/cases\[0\]\.roleArns/);
    expect(
      bad([
        { caseId: 'a', roleArns: [role('a')] },
        { caseId: 'a', roleArns: [role('b')] },
      ]),
    ).toThrow(/cases\[1\]: case a is declared twice/);
  });

  it('reads administrators, all-case readers and the settings switch', () => {
    const settings = read({
      dataLakeAdminArns: JSON.stringify([role('admin'), 'arn:aws:iam::111122223333:user/break-glass']),
      allCasesRoleArns: [role('chief')],
      manageDataLakeSettings: 'false',
      auditRetentionDays: '2555',
    });
    expect(settings).toMatchObject({
      dataLakeAdminArns: [role('admin'), 'arn:aws:iam::111122223333:user/break-glass'],
      allCasesRoleArns: [role('chief')],
      manageDataLakeSettings: false,
      auditRetentionDays: 2555,
    });
    expect(() => read({ manageDataLakeSettings: 'no' })).toThrow(
      /manageDataLakeSettings must be true or false/,
    );
    expect(() => read({ allCasesRoleArns: [role('a'), 'chief'] })).toThrow(/allCasesRoleArns/);
  });
});
