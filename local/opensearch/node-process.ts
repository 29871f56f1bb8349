import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from './commands.ts';
import { CLUSTER_NAME, type NodeLayout } from './layout.ts';
import { type AccountAccess, commandAs } from './service-user.ts';

/** Marks the node's environment, so a pid in the pid file is known to be this home's node and no other process. */
const HOME_MARKER = 'SEIZURE_OPENSEARCH_HOME';

/** The JDK the node runs on: `$OPENSEARCH_JAVA_HOME`, `$JAVA_HOME`, or the one `java` on PATH belongs to. */
export function resolveJavaHome(): string {
  const configured = process.env.OPENSEARCH_JAVA_HOME || process.env.JAVA_HOME;
  if (configured) return configured;
  const java = findOnPath('java');
  if (!java) {
    throw new Error(
      'OpenSearch needs Java 17 or newer: install it (apt-get install openjdk-17-jre-headless) or set JAVA_HOME',
    );
  }
  return path.dirname(path.dirname(realpathSync(java)));
}

export interface LaunchOptions {
  distribution: string;
  layout: NodeLayout;
  javaHome: string;
  /** The unprivileged account (and whether it needs CAP_DAC_READ_SEARCH) when we are root. */
  access?: AccountAccess;
}

/**
 * Starts the node in its own session, detached from the caller so it outlives the CLI that started it,
 * with the caller's stdio replaced by the console log. Returns its pid (the launcher script execs the JVM,
 * so the pid stays the node's).
 */
export async function launchNode({ distribution, layout, javaHome, access }: LaunchOptions): Promise<number> {
  const output = await fs.open(layout.consoleLog, 'w');
  try {
    if (access) await output.chown(access.account.uid, access.account.gid);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: process.env.LANG ?? 'C.UTF-8',
      HOME: layout.root,
      OPENSEARCH_JAVA_HOME: javaHome,
      OPENSEARCH_PATH_CONF: layout.config,
      OPENSEARCH_TMPDIR: layout.tmp,
      [HOME_MARKER]: layout.root,
    };
    if (process.env.TZ) env.TZ = process.env.TZ;
    if (process.env.OPENSEARCH_JAVA_OPTS) env.OPENSEARCH_JAVA_OPTS = process.env.OPENSEARCH_JAVA_OPTS;
    // -q: once logging is set up, the node logs only to logs/, not to the console log.
    const launcher = path.join(distribution, 'bin', 'opensearch');
    // setpriv, when it is used, execs the launcher, which execs the JVM: the pid stays the node's.
    const { command, args, uid, gid } = access
      ? commandAs(access, launcher, ['-q'])
      : { command: launcher, args: ['-q'], uid: undefined, gid: undefined };
    const child = spawn(command, args, {
      cwd: distribution,
      detached: true,
      stdio: ['ignore', output.fd, output.fd],
      env,
      uid,
      gid,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error('OpenSearch did not start: no process id');
    return child.pid;
  } finally {
    await output.close();
  }
}

export async function readPid(layout: NodeLayout): Promise<number | undefined> {
  const text = await fs.readFile(layout.pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid of this home's node if it is alive; a stale pid file (crash, reboot, reused pid) gives undefined. */
export async function runningPid(layout: NodeLayout): Promise<number | undefined> {
  const pid = await readPid(layout);
  return pid !== undefined && isNodeOf(pid, layout) ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie has exited; only its parent has not collected it yet.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsProc()) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function existsProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function isNodeOf(pid: number, layout: NodeLayout): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${HOME_MARKER}=${layout.root}`);
  } catch {
    // No /proc, or another user's process we may not inspect: trust the command line if we can read it.
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('opensearch');
    } catch {
      return true;
    }
  }
}

/** SIGTERM (OpenSearch flushes and closes its shards), then SIGKILL if it has not exited in time. */
export async function terminate(pid: number, timeoutMs = 60_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {}
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await sleep(500);
      if (isAlive(pid)) throw new Error(`OpenSearch (pid ${pid}) did not exit after SIGKILL`);
      return;
    }
    await sleep(200);
  }
}

/** The last lines of the console log and of the node's own log, for error messages. */
export async function logTail(layout: NodeLayout, lines = 30): Promise<string> {
  const parts: string[] = [];
  for (const file of [layout.consoleLog, path.join(layout.logs, `${CLUSTER_NAME}.log`)]) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
    if (tail) parts.push(`--- ${file}\n${tail}`);
  }
  return parts.join('\n') || '(no log output)';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
