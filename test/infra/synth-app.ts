import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { repoRoot } from '#infra/lambda/function-with-log-group.ts';
import { SeizureLakeStack } from '#infra/seizure-lake-stack.ts';
import { readSettings } from '#infra/settings.ts';

export interface Synthesized {
  app: App;
  stack: SeizureLakeStack;
  template: Template;
}

const cache = new Map<string, Synthesized>();

/**
 * The stack as `cdk synth` builds it (cdk.json's feature flags and settings, plus `context`), without asset
 * bundling: the assertions are about resources and policies, not bundle contents (test/infra/bundling tests
 * those). One synthesis per context per test file.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const key = JSON.stringify(context);
  const hit = cache.get(key);
  if (hit) return hit;
  const cdkContext = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-lake-test-')),
    context: { ...cdkContext, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const settings = readSettings(app.node);
  const stack = new SeizureLakeStack(app, settings.stackName, { settings });
  const result = { app, stack, template: Template.fromStack(stack) };
  cache.set(key, result);
  return result;
}

/** The CloudFormation logical id of a construct's resource. */
export function logicalIdOf(synth: Synthesized, construct: { node: { defaultChild?: unknown } }): string {
  const cfn = construct.node.defaultChild as { logicalId: string };
  return synth.stack.resolve(cfn.logicalId) as string;
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every Allow statement of the policies attached to a role (by the role's logical id). */
export function statementsOfRole(synth: Synthesized, roleLogicalId: string): Statement[] {
  const policies = synth.template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow');
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement): unknown[] =>
  Array.isArray(s.Resource) ? s.Resource : [s.Resource];
