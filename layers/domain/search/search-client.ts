import { Client, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';

/**
 * Where the search cluster is and how to sign for it:
 * - `url` with optional `user:password@` (basic auth) for a local node or any OpenSearch;
 * - `url` plus `region` for Amazon OpenSearch Service: every request is signed with SigV4 (service `es`)
 *   with the default AWS credential chain (a Lambda's role, a developer's profile).
 */
export interface SearchConnection {
  url: string;
  /** Set to sign requests with SigV4 for this region. */
  region?: string;
  /** Per-request timeout; default 60 s (a bulk request of a few MiB on a busy cluster). */
  requestTimeoutMs?: number;
}

/**
 * The connection a process is configured with: `OPENSEARCH_URL` (local or any node; basic auth in the URL),
 * or `OPENSEARCH_ENDPOINT` (a domain's endpoint, host or https URL, as the CDK construct sets it) signed
 * for `AWS_REGION`.
 */
export function searchConnectionFromEnvironment(env: NodeJS.ProcessEnv = process.env): SearchConnection {
  const endpoint = env.OPENSEARCH_ENDPOINT?.trim();
  if (endpoint) {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('OPENSEARCH_ENDPOINT is set but AWS_REGION is not: SigV4 needs a region');
    return { url: endpoint.startsWith('https://') ? endpoint : `https://${endpoint}`, region };
  }
  const url = env.OPENSEARCH_URL?.trim();
  if (url) return { url: url.replace(/\/+$/, '') };
  throw new Error('no search cluster configured: set OPENSEARCH_URL (or OPENSEARCH_ENDPOINT in the cloud)');
}

export function createSearchClient(connection: SearchConnection): Client {
  const options: ClientOptions = {
    node: connection.url,
    requestTimeout: connection.requestTimeoutMs ?? 60_000,
    // Retries of connection errors and 502/503/504 for ordinary calls; bulk requests opt out and retry
    // with their own back-off, item by item (see bulk-indexer.ts).
    maxRetries: 3,
    // One keep-alive pool per process, bounded: a client per invocation exhausts file handles
    // (opensearch-js #198), so the client is shared (sharedSearchClient).
    agent: { keepAlive: true, maxSockets: 16 },
  };
  if (connection.region) {
    return new Client({ ...options, ...AwsSigv4Signer({ region: connection.region, service: 'es' }) });
  }
  return new Client(options);
}

let shared: { key: string; client: Client } | undefined;

/**
 * The one client of this process for a connection: created on first use and reused (a Lambda keeps it
 * across invocations). A different connection replaces it, closing the old one.
 */
export function sharedSearchClient(connection: SearchConnection = searchConnectionFromEnvironment()): Client {
  const key = JSON.stringify([connection.url, connection.region ?? '', connection.requestTimeoutMs ?? 0]);
  if (shared?.key === key) return shared.client;
  void shared?.client.close();
  shared = { key, client: createSearchClient(connection) };
  return shared.client;
}

/** Closes the shared client (a CLI before it exits; tests). */
export async function closeSharedSearchClient(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.client.close();
}

/** A URL for messages: without the credentials it may carry. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an unparseable URL)';
  }
}
