/** The few HTTP calls the stack makes to a node, with plain fetch. Credentials in the URL become basic auth. */

export type Health = 'green' | 'yellow' | 'red';

export type Probe =
  | { kind: 'opensearch'; version: string; clusterName: string }
  | { kind: 'other'; detail: string }
  | { kind: 'none' };

export async function request(url: string, pathAndQuery: string, timeoutMs: number): Promise<Response> {
  const target = new URL(pathAndQuery, url.endsWith('/') ? url : `${url}/`);
  const headers: Record<string, string> = {};
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  return fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
}

/** What answers at a URL: an OpenSearch node, something else, or nothing (connection refused). */
export async function probe(url: string, timeoutMs = 3000): Promise<Probe> {
  let response: Response;
  try {
    response = await request(url, '', timeoutMs);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return { kind: 'none' };
    return { kind: 'other', detail: (error as Error).message + (code ? ` (${code})` : '') };
  }
  const body = (await response.json().catch(() => undefined)) as
    | { cluster_name?: string; version?: { number?: string; distribution?: string } }
    | undefined;
  if (response.ok && body?.version?.distribution === 'opensearch' && body.version.number) {
    return { kind: 'opensearch', version: body.version.number, clusterName: body.cluster_name ?? '' };
  }
  return { kind: 'other', detail: `HTTP ${response.status} without an OpenSearch banner` };
}

/** Cluster health, waiting up to `waitSeconds` on the server for at least yellow; undefined if unreachable. */
export async function clusterHealth(url: string, waitSeconds = 0): Promise<Health | undefined> {
  try {
    const response = await request(
      url,
      `_cluster/health?wait_for_status=yellow&timeout=${waitSeconds}s`,
      (waitSeconds + 5) * 1000,
    );
    // A wait that times out answers 408 with the same body.
    const body = (await response.json()) as { status?: Health };
    return body.status;
  } catch {
    return undefined;
  }
}

/** Polls until the node answers with yellow or green health; `stillStarting` aborts early when it died. */
export async function waitForHealthy(
  url: string,
  timeoutMs: number,
  stillStarting: () => boolean = () => true,
): Promise<Health | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillStarting()) {
    const waitSeconds = Math.max(1, Math.min(5, Math.floor((deadline - Date.now()) / 1000)));
    const health = await clusterHealth(url, waitSeconds);
    if (health === 'green' || health === 'yellow') return health;
    if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}
