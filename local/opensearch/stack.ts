/**
 * The local OpenSearch node behind local mode and the integration tests: one real node on loopback, its data
 * and logs under `$SEIZURE_HOME/opensearch/`, started detached so it outlives the command that started it.
 * When `OPENSEARCH_URL` is set, that node is used instead and is never started or stopped from here.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Distribution, OPENSEARCH_VERSION, provisionOpenSearch } from './distribution.ts';
import { clusterHealth, type Health, probe, waitForHealthy } from './http.ts';
import { type NodeLayout, nodeLayout, resolveSeizureHome } from './layout.ts';
import { heapFromEnv, writeNodeConfig } from './node-config.ts';
import {
  isAlive,
  launchNode,
  logTail,
  resolveJavaHome,
  runningPid,
  sleep,
  terminate,
} from './node-process.ts';
import { type Account, type AccountAccess, chownTo, nodeAccount, planAccess } from './service-user.ts';

export type { Distribution, Health };
export { OPENSEARCH_VERSION, provisionOpenSearch };

export const DEFAULT_PORT = 9200;
const DEFAULT_START_TIMEOUT_MS = 180_000;

export interface StackOptions {
  /** `$SEIZURE_HOME`; default `$SEIZURE_HOME` from the environment, else `.seizure` in the working directory. */
  home?: string;
  /** HTTP port on 127.0.0.1; default 9200. */
  port?: number;
}

export interface StartOptions extends StackOptions {
  /** How long to wait for yellow health; default three minutes (the machines have two shared cores). */
  timeoutMs?: number;
  /** JVM heap (`512m`, `1g`); default `$SEIZURE_OPENSEARCH_HEAP`, else 1g. */
  heap?: string;
  /** Extra static node settings written to opensearch.yml when this call starts the node. */
  settings?: Readonly<Record<string, string | number | boolean>>;
}

export interface StartResult {
  url: string;
  /** True when this call launched the node; false when one was already answering and is reused. */
  started: boolean;
  /** True when the node is this home's own (and `stopOpenSearch` stops it). */
  managed: boolean;
  pid?: number;
  version?: string;
  health: Health;
}

export interface OpenSearchStatus {
  running: boolean;
  /** Without any credentials it may carry. */
  url?: string;
  version?: string;
  /** Set when the node is this home's own process. */
  pid?: number;
  /** Undefined while the node is still starting (process up, HTTP not yet answering). */
  health?: string;
  managed: boolean;
}

interface NodeState {
  pid: number;
  url: string;
  port: number;
  version: string;
  distribution: string;
  startedAt: string;
}

/** `OPENSEARCH_URL`, when set: an OpenSearch this code uses but never starts or stops. */
function externalUrl(): string | undefined {
  return process.env.OPENSEARCH_URL?.trim().replace(/\/+$/, '') || undefined;
}

/**
 * Starts this home's node unless an OpenSearch already answers (`OPENSEARCH_URL`, this home's node, or any
 * node on the port), and resolves once cluster health is at least yellow. Provisions the distribution on
 * first use.
 */
export async function startOpenSearch(options: StartOptions = {}): Promise<StartResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const external = externalUrl();
  if (external) return useExternal(external, timeoutMs);

  const layout = nodeLayout(resolveSeizureHome(options.home));
  const port = options.port ?? DEFAULT_PORT;
  await fs.mkdir(layout.root, { recursive: true, mode: 0o755 });
  return withStartLock(layout, timeoutMs + 60_000, async () => {
    const pid = await runningPid(layout);
    if (pid !== undefined) {
      // Started from this home already, perhaps by another command and still starting: wait for it.
      const state = await readState(layout);
      const url = state?.url ?? localUrl(port);
      const health = await waitForHealthy(url, timeoutMs, () => isAlive(pid));
      if (!health)
        throw new Error(
          `OpenSearch (pid ${pid}) runs but is not healthy at ${url}\n${await logTail(layout)}`,
        );
      return { url, started: false, managed: true, pid, version: state?.version, health };
    }
    await removeState(layout);

    const url = localUrl(port);
    const found = await probe(url);
    if (found.kind === 'opensearch') {
      const health = await waitForHealthy(url, timeoutMs);
      if (!health) throw new Error(`the OpenSearch already on port ${port} is not healthy`);
      return { url, started: false, managed: false, version: found.version, health };
    }
    if (found.kind === 'other') {
      throw new Error(
        `port ${port} on 127.0.0.1 is taken by something that is not OpenSearch (${found.detail}); ` +
          'use another port, or set OPENSEARCH_URL to use an existing OpenSearch',
      );
    }
    return launch(layout, port, timeoutMs, options);
  });
}

/** Stops this home's node (never one named by `OPENSEARCH_URL`, never another home's). */
export async function stopOpenSearch(
  options: StackOptions = {},
): Promise<{ stopped: boolean; pid?: number }> {
  if (externalUrl()) return { stopped: false };
  const layout = nodeLayout(resolveSeizureHome(options.home));
  const pid = await runningPid(layout);
  if (pid !== undefined) await terminate(pid);
  await removeState(layout);
  return pid === undefined ? { stopped: false } : { stopped: true, pid };
}

/** Whether an OpenSearch runs for this home: its own node, `OPENSEARCH_URL`, or another node on the port. */
export async function openSearchStatus(options: StackOptions = {}): Promise<OpenSearchStatus> {
  const external = externalUrl();
  if (external) return describe(external, false);
  const layout = nodeLayout(resolveSeizureHome(options.home));
  const state = await readState(layout);
  const pid = await runningPid(layout);
  if (pid !== undefined) {
    const status = await describe(state?.url ?? localUrl(options.port ?? DEFAULT_PORT), true);
    return { ...status, running: true, pid, version: status.version ?? state?.version };
  }
  return describe(localUrl(options.port ?? state?.port ?? DEFAULT_PORT), false);
}

/** For the test suite's global setup and the CLI: an OpenSearch that answers, started if need be; its URL. */
export async function ensureOpenSearch(options: StartOptions = {}): Promise<string> {
  return (await startOpenSearch(options)).url;
}

async function launch(
  layout: NodeLayout,
  port: number,
  timeoutMs: number,
  options: StartOptions,
): Promise<StartResult> {
  const distribution = await provisionOpenSearch();
  const javaHome = resolveJavaHome();
  const account = await nodeAccount();
  for (const dir of [layout.config, layout.data, layout.logs, layout.tmp]) {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  }
  await writeNodeConfig(layout, distribution.home, {
    port,
    heap: heapFromEnv(options.heap),
    extra: options.settings,
  });
  const access = account && (await grantNodeDirectories(layout, account, distribution.home, javaHome));

  const url = localUrl(port);
  const pid = await launchNode({ distribution: distribution.home, layout, javaHome, access });
  await fs.writeFile(layout.pidFile, `${pid}\n`);
  const state: NodeState = {
    pid,
    url,
    port,
    version: distribution.version,
    distribution: distribution.home,
    startedAt: new Date().toISOString(),
  };
  await fs.writeFile(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);

  const health = await waitForHealthy(url, timeoutMs, () => isAlive(pid));
  if (health) return { url, started: true, managed: true, pid, version: distribution.version, health };
  if (!isAlive(pid)) {
    await removeState(layout);
    throw new Error(`OpenSearch exited while starting\n${await logTail(layout)}`);
  }
  throw new Error(
    `OpenSearch (pid ${pid}) did not reach yellow health at ${url} within ${timeoutMs / 1000}s; ` +
      `it is left running (stopOpenSearch stops it)\n${await logTail(layout)}`,
  );
}

/**
 * The node's user must write its data, logs, temp files and keystore (config/); everything else stays
 * ours. Trees already owned by it are not walked again, so a large data directory costs nothing. Returns
 * how the node must run to reach them (with CAP_DAC_READ_SEARCH when a parent directory is private).
 */
async function grantNodeDirectories(
  layout: NodeLayout,
  account: Account,
  distribution: string,
  javaHome: string,
): Promise<AccountAccess> {
  await chownTo(account, layout.root);
  await chownTo(account, layout.config, true);
  for (const dir of [layout.data, layout.logs, layout.tmp]) {
    if ((await fs.stat(dir)).uid !== account.uid) await chownTo(account, dir, true);
  }
  return planAccess(account, [
    [layout.data, 'w'],
    [layout.logs, 'w'],
    [layout.config, 'w'],
    [layout.tmp, 'w'],
    [path.join(distribution, 'lib'), 'r'],
    [path.join(distribution, 'bin', 'opensearch'), 'x'],
    [path.join(javaHome, 'bin', 'java'), 'x'],
  ]);
}

async function useExternal(url: string, timeoutMs: number): Promise<StartResult> {
  const found = await probe(url);
  if (found.kind !== 'opensearch') {
    const detail = found.kind === 'other' ? found.detail : 'connection refused';
    throw new Error(`OPENSEARCH_URL=${redact(url)} does not answer as OpenSearch (${detail})`);
  }
  const health = await waitForHealthy(url, timeoutMs);
  if (!health) throw new Error(`OPENSEARCH_URL=${redact(url)} is not healthy (red or unreachable)`);
  return { url, started: false, managed: false, version: found.version, health };
}

async function describe(url: string, managed: boolean): Promise<OpenSearchStatus> {
  const found = await probe(url);
  if (found.kind !== 'opensearch') return { running: false, managed, url: redact(url) };
  return {
    running: true,
    managed,
    url: redact(url),
    version: found.version,
    health: await clusterHealth(url),
  };
}

function localUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

async function readState(layout: NodeLayout): Promise<NodeState | undefined> {
  const text = await fs.readFile(layout.stateFile, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as NodeState);
}

async function removeState(layout: NodeLayout): Promise<void> {
  await fs.rm(layout.pidFile, { force: true });
  await fs.rm(layout.stateFile, { force: true });
}

/** One starter per home at a time; a lock left by a dead process is taken over. */
async function withStartLock<T>(layout: NodeLayout, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.writeFile(layout.lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await fs.readFile(layout.lockFile, 'utf8').catch(() => '')).trim());
    const age = Date.now() - ((await fs.stat(layout.lockFile).catch(() => undefined))?.mtimeMs ?? 0);
    if (holder > 0 ? !isAlive(holder) : age > 5000) {
      await fs.rm(layout.lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another process (pid ${holder}) is starting OpenSearch here`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(layout.lockFile, { force: true });
  }
}
