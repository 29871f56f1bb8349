import { Stack } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { EvidenceStore } from '../evidence-store/evidence-store.ts';
import { acknowledgeWildcards, getDataAccessReason, objectsUnder } from '../nag/seizure-lake-checks.ts';

export interface AthenaAccessProps {
  /** The workgroup the role runs its queries in (and whose query history it sees). */
  workGroupName: string;
  /** The Glue database it reads; Lake Formation decides which of its tables and rows. */
  databaseName: string;
  store: EvidenceStore;
  /** Where the workgroup writes its results in the query results bucket, e.g. `cases/<case>/`. */
  resultsPrefix: string;
}

/**
 * Asks Lake Formation for credentials to the data of the tables it was granted (what Athena does for the
 * caller). In a policy of its own: the action has no resource-level permissions, and alone in its policy the
 * acknowledgement of `Resource::*` cannot cover another action on every resource.
 */
export function grantGetDataAccess(scope: Construct, id: string, role: IRole): Policy {
  const policy = new Policy(scope, id, {
    statements: [new PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] })],
  });
  role.attachInlinePolicy(policy);
  acknowledgeWildcards(policy, getDataAccessReason);
  return policy;
}

/**
 * The IAM side of querying through Athena in one workgroup and one database: query actions on that
 * workgroup only, Glue reads of that database, Lake Formation's credentials, and the workgroup's results
 * prefix (Athena writes and reads results with the caller's permissions) with the data key that encrypts
 * them. No S3 access to the lake: Lake Formation vends it, through the grants and filters it holds.
 */
export function grantAthenaAccess(scope: Construct, role: IRole, props: AthenaAccessProps): void {
  // `scope` holds the GetDataAccess policy: one scope per role and grant.
  const stack = Stack.of(scope);
  const { store, resultsPrefix, databaseName } = props;
  const results = store.queryResults;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'athena:ListQueryExecutions',
        'athena:BatchGetQueryExecution',
        'athena:GetWorkGroup',
      ],
      resources: [
        stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroupName }),
      ],
    }),
  );
  const glue = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
  const tables = glue('table', `${databaseName}/*`);
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables'],
      resources: [glue('catalog'), glue('database', databaseName), tables],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [results.arnForObjects(`${resultsPrefix}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [results.bucketArn] }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [results.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${resultsPrefix}*` } },
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [store.dataKey.keyArn],
    }),
  );
  grantGetDataAccess(scope, 'GetDataAccess', role);
  acknowledgeWildcards(
    role,
    objectsUnder(
      results,
      resultsPrefix,
      "Athena writes and reads this workgroup's query results under its own prefix of the query results bucket, one object per query execution id.",
    ),
    {
      finding: (finding) =>
        finding ===
        `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${databaseName}/*`,
      reason:
        'Glue reads of the tables and views of one database; Lake Formation decides which of them Glue returns and which rows a query sees (only what was granted).',
    },
  );
}
