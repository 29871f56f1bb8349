import { randomBytes } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { messagesIndexTemplate, messagesIsmPolicy } from './index-mapping.ts';
import { INDEX_PATTERN, INDEX_TEMPLATE_NAME, ISM_POLICY_ID, MESSAGES_ALIAS } from './index-names.ts';

/**
 * What a search cluster needs before anything is indexed: the index template and the ISM policy, and in the
 * cloud the security roles, the audit configuration and the Dashboards saved objects. Run by the deploy-time
 * custom resource in the cloud and before the first load locally; never lazily by an ingest step. Every
 * part is idempotent.
 */

export type SetupOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } })?.meta?.statusCode;
}

/** Installs (or updates) the `messages` index template; unchanged when the cluster has exactly this one. */
export async function installIndexTemplate(client: Client): Promise<SetupOutcome> {
  const wanted = messagesIndexTemplate();
  let current: unknown;
  try {
    const response = await client.indices.getIndexTemplate({ name: INDEX_TEMPLATE_NAME });
    current = (response.body as { index_templates: { index_template: unknown }[] }).index_templates[0]
      ?.index_template;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  if (current && sameTemplate(current, wanted)) return 'unchanged';
  await client.indices.putIndexTemplate({
    name: INDEX_TEMPLATE_NAME,
    body: wanted as Parameters<Client['indices']['putIndexTemplate']>[0]['body'],
  });
  return current ? 'updated' : 'created';
}

/** OpenSearch echoes a template with settings as strings and nested; compare what it would store. */
function sameTemplate(current: unknown, wanted: ReturnType<typeof messagesIndexTemplate>): boolean {
  const c = current as { version?: number; template?: { mappings?: unknown } };
  return (
    c.version === wanted.version &&
    JSON.stringify(sortKeys(c.template?.mappings)) === JSON.stringify(sortKeys(wanted.template.mappings)) &&
    JSON.stringify(stringLeaves((current as { template?: { settings?: unknown } }).template?.settings)) ===
      JSON.stringify(stringLeaves(wanted.template.settings))
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  return value;
}

function stringLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringLeaves);
  if (value && typeof value === 'object')
    return sortKeys(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringLeaves(v)])));
  return value === undefined || value === null ? value : String(value);
}

/**
 * Installs (or updates) the ISM policy. `skipped` where the Index Management plugin is absent (the local
 * node runs the minimal distribution); Amazon OpenSearch Service always has it.
 */
export async function installIsmPolicy(client: Client): Promise<SetupOutcome> {
  const path = `/_plugins/_ism/policies/${ISM_POLICY_ID}`;
  const wanted = messagesIsmPolicy();
  let current: { _seq_no: number; _primary_term: number; policy: Record<string, unknown> } | undefined;
  try {
    current = (await client.transport.request({ method: 'GET', path })).body as typeof current;
  } catch (error) {
    const status = statusOf(error);
    if (status === 400 || status === 405) return 'skipped'; // no handler for the URI: no ISM plugin
    if (status !== 404) throw error;
  }
  if (current) {
    const { description, default_state, states, ism_template } = current.policy;
    const mine = { description, default_state, states, ism_template: stripIsmTemplate(ism_template) };
    if (JSON.stringify(sortKeys(mine)) === JSON.stringify(sortKeys(wanted.policy))) return 'unchanged';
    await client.transport.request({
      method: 'PUT',
      path,
      querystring: { if_seq_no: current._seq_no, if_primary_term: current._primary_term },
      body: wanted,
    });
    return 'updated';
  }
  await client.transport.request({ method: 'PUT', path, body: wanted });
  return 'created';
}

/** The policy as OpenSearch returns it carries `last_updated_time` in its ISM templates. */
function stripIsmTemplate(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((t) => {
    const { last_updated_time: _, ...rest } = t as Record<string, unknown>;
    return rest;
  });
}

export interface SecurityRoles {
  /** IAM role ARNs of the functions that write the message indices (the index step). */
  indexerRoleArns: readonly string[];
  /** IAM role ARNs with full access (administrators; Dashboards' Cognito admin group role). */
  adminRoleArns: readonly string[];
  /** IAM role ARNs that may search every case (until per-case roles are assigned). */
  readerRoleArns?: readonly string[];
  /** IAM role ARNs that may sign in to Dashboards (Cognito's authenticated role); no data without a case role. */
  dashboardsUserRoleArns?: readonly string[];
}

export const INDEXER_ROLE = 'seizure_indexer';
export const READER_ROLE = 'seizure_reader';

/**
 * Fine-grained access control: a role that may write only the message indices and their aliases, one
 * that may only read them, both mapped to IAM roles (backend roles), and the administrators mapped to
 * `all_access`. The security plugin's REST API; the domain's master user runs this.
 */
export async function installSecurityRoles(client: Client, roles: SecurityRoles): Promise<SetupOutcome> {
  const api = '/_plugins/_security/api';
  await client.transport.request({
    method: 'PUT',
    path: `${api}/roles/${INDEXER_ROLE}`,
    body: {
      // Bulk is authorised at the cluster level first, then per index (crud).
      cluster_permissions: ['cluster_monitor', 'indices:data/write/bulk', 'indices:admin/aliases/get'],
      index_permissions: [
        {
          index_patterns: [INDEX_PATTERN, MESSAGES_ALIAS],
          allowed_actions: [
            'crud',
            'create_index',
            'manage_aliases',
            'indices:admin/mappings/get',
            'indices:admin/settings/update',
            'indices:monitor/settings/get',
            'indices:admin/refresh*',
            'indices:admin/delete',
            'indices:monitor/stats',
            'indices:admin/aliases/get',
            'indices:admin/analyze',
          ],
        },
      ],
    },
  });
  await client.transport.request({
    method: 'PUT',
    path: `${api}/roles/${READER_ROLE}`,
    body: {
      cluster_permissions: ['cluster_composite_ops_ro'],
      index_permissions: [{ index_patterns: [INDEX_PATTERN, MESSAGES_ALIAS], allowed_actions: ['read'] }],
    },
  });
  const mappings: [string, readonly string[]][] = [
    [INDEXER_ROLE, roles.indexerRoleArns],
    [READER_ROLE, roles.readerRoleArns ?? []],
    ['all_access', roles.adminRoleArns],
    ['security_manager', roles.adminRoleArns],
    [
      'opensearch_dashboards_user',
      [...(roles.dashboardsUserRoleArns ?? []), ...(roles.readerRoleArns ?? [])],
    ],
  ];
  for (const [role, arns] of mappings) {
    if (arns.length === 0) continue;
    await addBackendRoles(client, `${api}/rolesmapping/${role}`, arns);
  }
  return 'updated';
}

/**
 * Adds IAM roles to a role mapping, keeping everything already there (the master user's own mapping among
 * it): read, merged, written back only when something is missing.
 */
async function addBackendRoles(client: Client, path: string, arns: readonly string[]): Promise<void> {
  let current: { backend_roles?: string[]; users?: string[]; hosts?: string[] } = {};
  try {
    const response = await client.transport.request({ method: 'GET', path });
    current = Object.values(response.body as Record<string, typeof current>)[0] ?? {};
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const backendRoles = [...new Set([...(current.backend_roles ?? []), ...arns])];
  if (backendRoles.length === (current.backend_roles ?? []).length) return;
  await client.transport.request({
    method: 'PUT',
    path,
    body: { backend_roles: backendRoles, users: current.users ?? [], hosts: current.hosts ?? [] },
  });
}

/**
 * Audit logging of every search and every write to the message indices (who, when, which query), with
 * request bodies: DESIGN.md asks for every query and search to be audit-logged. The domain publishes the
 * audit log to CloudWatch Logs. Message bodies in documents written by the indexer are not logged (bulk
 * writes are excluded from body logging), the analysts' queries are.
 */
export async function configureAuditLog(client: Client): Promise<SetupOutcome> {
  await client.transport.request({
    method: 'PUT',
    path: '/_plugins/_security/api/audit/config',
    body: {
      enabled: true,
      audit: {
        enable_rest: true,
        disabled_rest_categories: [],
        enable_transport: true,
        disabled_transport_categories: ['AUTHENTICATED', 'GRANTED_PRIVILEGES'],
        resolve_bulk_requests: false,
        log_request_body: true,
        resolve_indices: true,
        exclude_sensitive_headers: true,
        ignore_users: [],
        // Bulk writes carry message bodies: neither their transport actions nor their REST paths are logged.
        ignore_requests: ['indices:data/write/bulk*', '/_bulk', '/*/_bulk'],
      },
      compliance: {
        enabled: true,
        internal_config: true,
        external_config: false,
        read_metadata_only: true,
        read_watched_fields: {},
        read_ignore_users: [],
        write_metadata_only: true,
        write_log_diffs: false,
        write_watched_indices: [],
        write_ignore_users: [],
      },
    },
  });
  return 'updated';
}

/**
 * Imports Dashboards saved objects (an export's NDJSON) through the Dashboards API on the domain's endpoint,
 * replacing objects with the same ids, into the global tenant. Throws with each object's error when the
 * import is not a clean success.
 */
export async function importSavedObjects(client: Client, ndjson: string): Promise<SetupOutcome> {
  const boundary = `----seizure-lake-${randomBytes(12).toString('hex')}`;
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="saved-objects.ndjson"\r\n` +
      `Content-Type: application/ndjson\r\n\r\n${ndjson}\r\n--${boundary}--\r\n`,
  );
  const response = await client.transport.request(
    {
      method: 'POST',
      path: '/_dashboards/api/saved_objects/_import',
      querystring: { overwrite: true },
      body,
    },
    {
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'osd-xsrf': 'true',
        securitytenant: 'global',
      },
    },
  );
  const result = response.body as { success?: boolean; successCount?: number; errors?: unknown[] };
  if (!result.success) {
    throw new Error(
      `Dashboards refused saved objects: ${JSON.stringify(result.errors ?? result).slice(0, 2000)}`,
    );
  }
  return 'updated';
}

export interface SetupOptions {
  security?: SecurityRoles;
  audit?: boolean;
  savedObjects?: string;
}

export interface SetupReport {
  indexTemplate: SetupOutcome;
  ismPolicy: SetupOutcome;
  security: SetupOutcome;
  audit: SetupOutcome;
  savedObjects: SetupOutcome;
}

/** All of it, in order: security first (so the rest is done as a mapped role would), then the assets. */
export async function installSearchSetup(client: Client, options: SetupOptions = {}): Promise<SetupReport> {
  const security = options.security ? await installSecurityRoles(client, options.security) : 'skipped';
  const audit = options.audit ? await configureAuditLog(client) : 'skipped';
  const indexTemplate = await installIndexTemplate(client);
  const ismPolicy = await installIsmPolicy(client);
  const savedObjects = options.savedObjects
    ? await importSavedObjects(client, options.savedObjects)
    : 'skipped';
  return { indexTemplate, ismPolicy, security, audit, savedObjects };
}
