import type { Client } from '@opensearch-project/opensearch';
import { INDEX_PATTERN, MESSAGES_ALIAS } from './index-names.ts';

/** A case and the IAM roles cleared for it (backend roles of the case's security role). */
export interface CaseRoleMapping {
  caseId: string;
  roleArns: readonly string[];
}

/** The fine-grained access control role of one case: `case_<id>` (ids are slugs; anything else becomes _). */
export function caseRoleName(caseId: string): string {
  return `case_${caseId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * Read access to the message indices with document-level security: every search, count, get and
 * aggregation a holder of this role makes sees only documents whose `case_id` is the case's. The filter is
 * applied by the security plugin on the shard, whatever the request says.
 */
export function caseRoleBody(caseId: string): Record<string, unknown> {
  return {
    description: `seizure-lake: reads the messages of case ${caseId} only (document-level security on case_id)`,
    cluster_permissions: ['cluster_composite_ops_ro'],
    index_permissions: [
      {
        index_patterns: [INDEX_PATTERN, MESSAGES_ALIAS],
        dls: JSON.stringify({ term: { case_id: caseId } }),
        allowed_actions: ['read'],
      },
    ],
  };
}

/**
 * Installs one security role per case and maps exactly that case's IAM roles to it (the mapping is
 * replaced, so a role removed from a case in CDK loses the case on the next deploy). Run by the search
 * setup custom resource as the domain's master user.
 */
export async function installCaseRoles(client: Client, cases: readonly CaseRoleMapping[]): Promise<void> {
  const api = '/_plugins/_security/api';
  for (const { caseId, roleArns } of cases) {
    const role = caseRoleName(caseId);
    await client.transport.request({
      method: 'PUT',
      path: `${api}/roles/${role}`,
      body: caseRoleBody(caseId),
    });
    await client.transport.request({
      method: 'PUT',
      path: `${api}/rolesmapping/${role}`,
      body: { backend_roles: [...new Set(roleArns)], users: [], hosts: [] },
    });
  }
}
