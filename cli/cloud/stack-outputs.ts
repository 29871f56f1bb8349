import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The deployed stack's outputs this CLI uses (see infra/seizure-lake-stack.ts). */
export interface SeizureLakeOutputs {
  LandingBucketName: string;
  LakeBucketName: string;
  QuarantineBucketName: string;
  ReportsBucketName: string;
  ImportStateMachineArn: string;
  GlueDatabaseName: string;
  AthenaWorkGroupName: string;
  /** The database case analysts query, through their case's own workgroup (Lake Formation filters). */
  CaseDatabaseName?: string;
}

const required: (keyof SeizureLakeOutputs)[] = [
  'LandingBucketName',
  'LakeBucketName',
  'QuarantineBucketName',
  'ReportsBucketName',
  'ImportStateMachineArn',
  'GlueDatabaseName',
  'AthenaWorkGroupName',
];

/** Reads the outputs of the deployed stack (default `SeizureLake`, as `cdk deploy` names it). */
export async function readStackOutputs(
  stackName: string,
  client: Pick<CloudFormationClient, 'send'> = new CloudFormationClient({}),
): Promise<SeizureLakeOutputs> {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const missing = required.filter((k) => !outputs[k]);
  if (missing.length)
    throw new Error(`stack ${stackName} has no output ${missing.join(', ')}: is it a seizure-lake stack?`);
  return outputs as unknown as SeizureLakeOutputs;
}
