import { CfnResource, type PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * One kind of wildcard an IAM policy may hold, and why it is acceptable there. `finding` is matched against
 * cdk-nag's AwsSolutions-IAM5 finding text, e.g. `Action::s3:GetObject*` or `Resource::<LakeBucket1A2B.Arn>/*`.
 */
export interface WildcardReason {
  finding: RegExp | ((finding: string) => boolean);
  reason: string;
  /**
   * For `Resource::*`: the only actions the policy may allow on every resource. The finding does not say
   * which actions it is about, so without this a reason for X-Ray would also cover, say, `s3:*` on `*`.
   */
  starActions?: RegExp;
}

const wildcardReasons = new WeakMap<IConstruct, WildcardReason[]>();

/**
 * Acknowledges the AwsSolutions-IAM5 (wildcard) findings of the policies under `scope` that match one of
 * `reasons`, each with its own reason. cdk-nag 3 acknowledges findings one by one, by their exact text, and
 * that text embeds generated logical ids; matching by pattern at validation time keeps the acknowledgement
 * next to the grant that causes it without copying hashes into the code. A finding no pattern matches is
 * still reported and fails the synth.
 */
export function acknowledgeWildcards(scope: IConstruct, ...reasons: WildcardReason[]): void {
  wildcardReasons.set(scope, [...(wildcardReasons.get(scope) ?? []), ...reasons]);
}

/** Acknowledges one rule on a construct and everything under it, with a reason (cdk-nag 3 API). */
export function acknowledgeRule(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The logical id CloudFormation knows a construct's resource by (as cdk-nag prints it). */
function logicalIdOf(resource: IConstruct): string {
  const cfn = CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn))
    throw new Error(`${resource.node.path} has no CloudFormation resource`);
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}

/**
 * The objects of these buckets (`<bucket ARN>/*` as a grant writes it, or `arn:...:s3:::<bucket name>/*` as
 * Step Functions' item reader and result writer do): object actions cannot name objects that do not exist yet.
 */
export function objectsOf(...buckets: IConstruct[]): WildcardReason {
  return {
    finding: (finding) =>
      buckets.some((bucket) => {
        const id = logicalIdOf(bucket);
        return (
          finding === `Resource::<${id}.Arn>/*` || finding === `Resource::arn:<AWS::Partition>:s3:::<${id}>/*`
        );
      }),
    reason:
      "Object-level S3 actions on the objects of this stack's own bucket(s) (bucket ARN/*), which are created at run time.",
  };
}

/** The objects under one prefix of a bucket (`<bucket ARN>/<prefix>*`): keys named at run time. */
export function objectsUnder(bucket: IConstruct, prefix: string, reason: string): WildcardReason {
  return {
    finding: (finding) => finding === `Resource::<${logicalIdOf(bucket)}.Arn>/${prefix}*`,
    reason,
  };
}

/** Versions and aliases of these Lambda functions (`<function ARN>:*`, as CDK's grantInvoke writes it). */
export function versionsOf(...functions: IConstruct[]): WildcardReason {
  return {
    finding: (finding) => functions.some((fn) => finding === `Resource::<${logicalIdOf(fn)}.Arn>:*`),
    reason: "lambda:InvokeFunction on versions and aliases of the workflow's own functions (function ARN:*).",
  };
}

/** Reasons shared by every grant of an S3 bucket and its KMS key (CDK's grant* action groups). */
export const bucketGrantReasons: readonly WildcardReason[] = [
  {
    finding: /^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$/,
    reason:
      "CDK's bucket grant action groups (read: GetObject*, GetBucket*, List*; write: DeleteObject*, Abort*), scoped to one bucket and its objects.",
  },
  {
    finding: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/,
    reason:
      "CDK's key grant action groups for SSE-KMS reads and writes (GenerateDataKey*, ReEncrypt*), scoped to the bucket's own key.",
  },
];

/** Lake Formation's credential vending action has no resource-level permissions. */
export const getDataAccessReason: WildcardReason = {
  finding: /^Resource::\*$/,
  starActions: /^lakeformation:GetDataAccess$/,
  reason:
    'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation itself decides, per table and data filter, which data the credentials it vends can read.',
};

/** X-Ray's write actions have no resource-level permissions. */
export const xrayReason: WildcardReason = {
  finding: /^Resource::\*$/,
  starActions: /^xray:(PutTraceSegments|PutTelemetryRecords)$/,
  reason:
    'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) do not support resource-level permissions.',
};

/**
 * The AwsSolutions pack with the pattern acknowledgements above applied before each validation. Registered
 * on the app (`Validations.of(app).addPlugins(...)`), it runs on every synth and fails it on any finding
 * left; tests call `validateScope` directly.
 */
export class SeizureLakeChecks extends AwsSolutionsChecks {
  override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    applyWildcardReasons(scope);
    return super.validateScope(scope);
  }
}

function applyWildcardReasons(root: IConstruct): void {
  for (const node of root.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    const reasons = reasonsFor(node);
    if (!reasons.length) continue;
    const result = rules.iam.IAMNoWildcardPermissions(node);
    if (!Array.isArray(result)) continue;
    for (const finding of result) {
      const match = reasons.find((r) => matches(r, finding, node));
      if (match)
        Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: match.reason });
    }
  }
}

function matches(reason: WildcardReason, finding: string, node: CfnResource): boolean {
  const found = typeof reason.finding === 'function' ? reason.finding(finding) : reason.finding.test(finding);
  if (!found || !reason.starActions) return found;
  const allowed = reason.starActions;
  return actionsOnEveryResource(node).every((action) => allowed.test(action));
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** The actions a policy (or a role's inline policies) allows with `"Resource": "*"`. */
function actionsOnEveryResource(node: CfnResource): string[] {
  const stack = Stack.of(node);
  const documents: { Statement?: Statement[] }[] = [];
  if (node instanceof CfnPolicy) documents.push(stack.resolve(node.policyDocument));
  if (node instanceof CfnRole) {
    for (const policy of (stack.resolve(node.policies) ?? []) as { policyDocument: unknown }[]) {
      documents.push(stack.resolve(policy.policyDocument));
    }
  }
  const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  return documents.flatMap((d) =>
    (d.Statement ?? [])
      .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'))
      .flatMap((s) => asArray(s.Action)),
  );
}

function reasonsFor(node: IConstruct): WildcardReason[] {
  const found: WildcardReason[] = [];
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    found.push(...(wildcardReasons.get(current) ?? []));
  }
  return found;
}
