import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { BucketRole } from '#domain/storage/object-store.ts';
import { type ImportStep, taskHandlers } from './import-workflow/import-definition.ts';
import { searchTaskHandlers } from './search/search-index-states.ts';

/** A Task state's handler folder under functions/: the import steps and the index step. */
export type TaskHandler = ImportStep | 'index-seizure';

import { repoRoot } from './lambda/function-with-log-group.ts';
import { SeizureLakeStack } from './seizure-lake-stack.ts';
import { readSettings } from './settings.ts';

/** The Amazon States Language document (only what callers commonly read is typed). */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  [key: string]: unknown;
}

export interface ImportDefinition {
  /** The import state machine exactly as CDK synthesizes it, its references replaced by placeholders. */
  definition: AslDefinition;
  /** Task state name → handler folder under functions/ (e.g. "Verify evidence" → "verify"). */
  taskStates: Record<string, TaskHandler>;
  /** Task `Resource` placeholder ARN → handler folder. */
  taskResources: Record<string, TaskHandler>;
  /** Placeholder bucket name (ItemReader/ResultWriter `Bucket`) → storage role. */
  buckets: Record<string, BucketRole>;
}

/** The placeholder ARN a Task state names for a handler: `arn:aws:lambda:local:000000000000:function:<folder>`. */
export const localFunctionArn = (folder: string) => `arn:aws:lambda:local:000000000000:function:${folder}`;
/** The placeholder name of a bucket role: `local-<role>`. */
export const localBucketName = (role: BucketRole) => `local-${role}`;

const pseudo: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The feature flags and settings of cdk.json: the definition is the one `cdk synth` produces. */
function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

const cache = new Map<string, ImportDefinition>();

/**
 * Synthesizes the app in this process (with cdk.json's context, no asset bundling, nothing written to
 * cdk.out) and returns the import state machine's definition for local execution: the definition that
 * deploys, with each CloudFormation reference replaced by a placeholder the local runner can map back:
 * a function's ARN by `localFunctionArn(folder)`, a bucket's name by `localBucketName(role)`.
 * `context` overrides settings (e.g. `{ mapMaxConcurrency: 2 }`). Results are cached per context.
 */
export function synthesizeImportDefinition(context: Record<string, unknown> = {}): ImportDefinition {
  const cacheKey = JSON.stringify(context);
  const cached = cache.get(cacheKey);
  if (cached) return structuredClone(cached);

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-lake-synth-'));
  try {
    const app = new App({
      outdir,
      // No bundling and no template validation: only the definition is read here (cdk synth validates).
      context: {
        ...projectContext(),
        ...context,
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:validateAgainstDefaultRules': false,
      },
    });
    const stack = new SeizureLakeStack(app, 'SeizureLake', { settings: readSettings(app.node) });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Properties?: Record<string, unknown> }>;
    };

    const refs = new Map<string, string>();
    const arns = new Map<string, string>();
    const taskResources: Record<string, TaskHandler> = {};
    const functions: [TaskHandler, IConstruct][] = [
      ...(Object.entries(stack.workflow.functions) as [ImportStep, IConstruct][]),
      ['index-seizure', stack.search.indexFunction],
    ];
    for (const [folder, fn] of functions) {
      const arn = localFunctionArn(folder);
      arns.set(logicalId(fn), arn);
      taskResources[arn] = folder;
    }
    const buckets: Record<string, BucketRole> = {};
    for (const role of ['landing', 'lake', 'quarantine', 'reports'] as const) {
      const id = logicalId(stack.store.bucketFor(role));
      refs.set(id, localBucketName(role));
      arns.set(id, `arn:aws:s3:::${localBucketName(role)}`);
      buckets[localBucketName(role)] = role;
    }

    const machineId = logicalId(stack.workflow.stateMachine);
    const definitionString = template.Resources[machineId]?.Properties?.DefinitionString;
    const text = resolve(definitionString, refs, arns);
    const definition = JSON.parse(text) as AslDefinition;
    const result: ImportDefinition = {
      definition,
      taskStates: { ...taskHandlers, ...searchTaskHandlers },
      taskResources,
      buckets,
    };
    cache.set(cacheKey, result);
    return structuredClone(result);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function logicalId(construct: IConstruct): string {
  const cfn = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(cfn))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}

/** Resolves the intrinsic functions a definition string holds (Join, Ref, GetAtt ... Arn) to placeholders. */
function resolve(value: unknown, refs: Map<string, string>, arns: Map<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolve(p, refs, arns)).join(separator);
    }
    if (typeof v.Ref === 'string') {
      const resolved = pseudo[v.Ref] ?? refs.get(v.Ref);
      if (resolved !== undefined) return resolved;
    }
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn') {
      const resolved = arns.get(String(getAtt[0]));
      if (resolved !== undefined) return resolved;
    }
  }
  throw new Error(
    `the import definition references something with no local placeholder: ${JSON.stringify(value)}`,
  );
}
