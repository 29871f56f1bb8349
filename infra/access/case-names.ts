/**
 * Names of a case's own Athena resources, shared by the stack that creates them and the CLI that queries
 * through them (no CDK here: the CLI imports it).
 */
export function caseWorkGroupName(workGroupName: string, caseId: string): string {
  return `${workGroupName}-case-${caseId}`;
}
