import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { installCaseRoles } from '#domain/search/case-roles.ts';
import { savedObjectsNdjson } from '#domain/search/dashboards-objects.ts';
import { installSearchSetup, type SetupReport } from '#domain/search/search-setup.ts';

/**
 * The deploy-time setup of the search domain, as a CloudFormation custom resource (Provider framework):
 * on Create and Update, installs the security roles and their IAM mappings, the audit configuration, the
 * index template, the ISM policy and the Dashboards saved objects; on Delete, nothing (the domain and its
 * indices are retained). Properties carry an asset hash, so a changed template or dashboard is an Update.
 */
const arns = z.array(z.string().startsWith('arn:'));
export const setupPropertiesSchema = z.object({
  DomainEndpoint: z.string().min(1),
  IndexerRoleArns: arns.default([]),
  AdminRoleArns: arns.default([]),
  ReaderRoleArns: arns.default([]),
  DashboardsUserRoleArns: arns.default([]),
  AssetHash: z.string().optional(),
  /** Per-case roles (infra/access/case-access.ts): document-level security on case_id. */
  CaseRoles: z.array(z.object({ CaseId: z.string().min(1), RoleArns: arns })).default([]),
});

export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
}

export interface CustomResourceResponse {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

/** Transient answers of a domain that has just been created or is applying a change. */
function transient(error: unknown): boolean {
  const status = (error as { meta?: { statusCode?: number } })?.meta?.statusCode;
  const name = (error as Error)?.name;
  return (
    status === 429 ||
    (status !== undefined && status >= 500) ||
    name === 'ConnectionError' ||
    name === 'TimeoutError'
  );
}

export async function handleSetupEvent(
  event: CustomResourceEvent,
  client: Client,
  options: { attempts?: number; delayMs?: number } = {},
): Promise<CustomResourceResponse> {
  const physicalId = event.PhysicalResourceId ?? 'seizure-lake-search-setup';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId };
  const props = setupPropertiesSchema.parse(event.ResourceProperties);
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      const report: SetupReport = await installSearchSetup(client, {
        security: {
          indexerRoleArns: props.IndexerRoleArns,
          adminRoleArns: props.AdminRoleArns,
          readerRoleArns: props.ReaderRoleArns,
          dashboardsUserRoleArns: props.DashboardsUserRoleArns,
        },
        audit: true,
        savedObjects: savedObjectsNdjson(),
      });
      await installCaseRoles(
        client,
        props.CaseRoles.map((c) => ({ caseId: c.CaseId, roleArns: c.RoleArns })),
      );
      return { PhysicalResourceId: 'seizure-lake-search-setup', Data: { ...report } };
    } catch (error) {
      if (attempt >= attempts || !transient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, (options.delayMs ?? 15_000) * attempt));
    }
  }
}
