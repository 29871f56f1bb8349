import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { FunctionWithLogGroup, repoRoot } from '#infra/lambda/function-with-log-group.ts';
import { SeizureLakeChecks } from '#infra/nag/seizure-lake-checks.ts';
import { addSeizureLake } from '#infra/seizure-lake-app.ts';

function app(extra: Record<string, unknown> = {}): App {
  const context = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;
  return new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-lake-nag-')),
    context: { ...context, ...extra, 'aws:cdk:bundling-stacks': [] },
  });
}

const findings = (report: ReturnType<SeizureLakeChecks['validateScope']>) =>
  report.violations.map(
    (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );

describe('cdk-nag AwsSolutions checks', () => {
  it('find nothing unacknowledged in the stack', () => {
    const a = app();
    addSeizureLake(a);
    a.synth();
    expect(findings(new SeizureLakeChecks().validateScope(a))).toEqual([]);
  });

  it('find nothing unacknowledged with cases, a role cleared for two of them and all-case readers declared', () => {
    const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
    const a = app({
      cases: JSON.stringify([
        { caseId: 'case-a', roleArns: [role('analyst-a'), role('lead')] },
        { caseId: 'case-b', roleArns: [role('analyst-b'), role('lead')], searchBackendRoles: [role('dash')] },
      ]),
      allCasesRoleArns: JSON.stringify([role('chief')]),
      dataLakeAdminArns: JSON.stringify([role('lake-admin')]),
    });
    addSeizureLake(a);
    a.synth();
    expect(findings(new SeizureLakeChecks().validateScope(a))).toEqual([]);
  });

  it('acknowledge every finding with a reason of its own', () => {
    const a = app();
    addSeizureLake(a);
    a.synth();
    new SeizureLakeChecks().validateScope(a);
    const reasons: [string, string][] = [];
    for (const node of a.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          reasons.push([id, reason]);
      }
    }
    expect(reasons.length).toBeGreaterThan(10);
    for (const [id, reason] of reasons) {
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });

  it('run on every synth and fail it on a finding nobody acknowledged', () => {
    const a = app();
    const stack = addSeizureLake(a);
    const fn = stack.workflow.functions.verify;
    // A wildcard the house reasons do not cover: s3:* on every resource.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    expect(() => a.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });

  it('do not let the X-Ray reason cover other actions on every resource', () => {
    const a = app();
    const stack = new Stack(a, 'Probe');
    const fn = new FunctionWithLogGroup(stack, 'Probe', { folder: 'verify', description: 'probe' });
    fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }));
    const violations = findings(new SeizureLakeChecks().validateScope(a));
    expect(violations.some((v) => v.startsWith('AwsSolutions-IAM5[Resource::*]'))).toBe(true);
  });
});
