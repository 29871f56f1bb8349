import { execFile, execFileSync } from 'node:child_process';
import { constants, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distributionDir, LOCAL_MODULES } from '#local/opensearch/distribution.ts';
import { planAccess } from '#local/opensearch/service-user.ts';
import {
  OPENSEARCH_VERSION,
  openSearchStatus,
  provisionOpenSearch,
  type StartResult,
  startOpenSearch,
  stopOpenSearch,
} from '#local/opensearch/stack.ts';

// A real node, on a port of its own so it never meets a developer's node on 9200.
const PORT = 9250;
const URL = `http://127.0.0.1:${PORT}`;
const STACK_MODULE = path.resolve(import.meta.dirname, '../../local/opensearch/stack.ts');
const execFileAsync = promisify(execFile);

const touchedEnv = ['OPENSEARCH_URL', 'SEIZURE_OPENSEARCH_HEAP', 'OPENSEARCH_JAVA_OPTS'] as const;
const savedEnv = Object.fromEntries(touchedEnv.map((name) => [name, process.env[name]]));
let home: string;

async function tempHome(name: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `seizure-${name}-`));
  // mkdtemp makes it private; opened up, the node needs no capability to reach it (the private case has a
  // test of its own).
  await fs.chmod(dir, 0o755);
  return dir;
}

async function call(method: string, pathAndQuery: string, body?: unknown) {
  const response = await fetch(`${URL}/${pathAndQuery}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The ambient and effective capability sets of a process, as bit masks. */
function capabilities(pid: number): { ambient: bigint; effective: bigint } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = (name: string) =>
    BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1] ?? '0'}`);
  return { ambient: mask('CapAmb'), effective: mask('CapEff') };
}

const CAP_DAC_READ_SEARCH = 1n << 2n;

function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

/** Process group and session: a detached node leads its own, so a terminal's Ctrl-C or hangup never reaches it. */
function processGroupAndSession(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(pgrp), Number(session)];
}

function refusesConnection(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

beforeAll(async () => {
  // This suite tests the node the stack manages itself, whatever the environment points at.
  delete process.env.OPENSEARCH_URL;
  delete process.env.OPENSEARCH_JAVA_OPTS;
  process.env.SEIZURE_OPENSEARCH_HEAP = '512m';
  home = await tempHome('opensearch');
});

afterAll(async () => {
  await stopOpenSearch({ home });
  await fs.rm(home, { recursive: true, force: true });
  for (const name of touchedEnv) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

describe('local OpenSearch node', () => {
  it('provisions the distribution once, then serves it from the cache', async () => {
    await provisionOpenSearch();
    const cached = await provisionOpenSearch();
    expect(cached).toMatchObject({ version: OPENSEARCH_VERSION, fetched: false });
    await fs.access(path.join(cached.home, 'bin', 'opensearch'), constants.X_OK);
    // The modules the message index needs (language analyzers), added from Maven Central.
    for (const module of LOCAL_MODULES) {
      const descriptor = await fs.readFile(
        path.join(cached.home, 'modules', module.name, 'plugin-descriptor.properties'),
        'utf8',
      );
      expect(descriptor).toContain(`classname=${module.classname}`);
      expect(descriptor).toContain(`opensearch.version=${OPENSEARCH_VERSION}`);
    }
  });

  it('reports not running before it is started', async () => {
    const status = await openSearchStatus({ home, port: PORT });
    expect(status.running).toBe(false);
    expect(status.pid).toBeUndefined();
  });

  it('starts a healthy node, as an unprivileged user, that outlives the process that started it', async () => {
    // Started by a separate Node process that then exits, as `seizure stack up` does.
    const script = `
      import { startOpenSearch } from ${JSON.stringify(STACK_MODULE)};
      console.log(JSON.stringify(await startOpenSearch({ home: ${JSON.stringify(home)}, port: ${PORT} })));`;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script]);
    const node = JSON.parse(stdout) as StartResult;
    expect(node).toMatchObject({ url: URL, started: true, managed: true, version: OPENSEARCH_VERSION });
    expect(['yellow', 'green']).toContain(node.health);
    const pid = Number(await fs.readFile(path.join(home, 'opensearch', 'opensearch.pid'), 'utf8'));
    expect(pid).toBe(node.pid);
    expect(processGroupAndSession(pid)).toEqual([pid, pid]);

    const uid = process.getuid?.() ?? 0;
    const expectedUid =
      uid === 0 ? Number(execFileSync('id', ['-u', 'seizure-os'], { encoding: 'utf8' })) : uid;
    expect(processUid(pid)).toBe(expectedUid);
    expect(processUid(pid)).not.toBe(0);
    // CAP_DAC_READ_SEARCH (bit 2) only when the service account must pass a private directory on the way to
    // its home or to the distribution (as in a checkout under `mktemp -d`), and nothing else, ever.
    const needsTraverse =
      uid === 0 && (underPrivateDirectory(home) || underPrivateDirectory(distributionDir()));
    expect(capabilities(pid)).toEqual(
      needsTraverse ? { ambient: 4n, effective: 4n } : { ambient: 0n, effective: 0n },
    );

    const health = await call('GET', '_cluster/health');
    expect(['yellow', 'green']).toContain(health.body.status);
    const settings = await call('GET', '_cluster/settings?include_defaults=true&flat_settings=true');
    const defaults = settings.body.defaults as Record<string, string>;
    expect(defaults['cluster.routing.allocation.disk.threshold_enabled']).toBe('false');
    expect(defaults['path.data']).toEqual([path.join(home, 'opensearch', 'data')]);
  });

  it('listens on 127.0.0.1 only', async () => {
    const nodes = await call('GET', '_nodes/_local/http,transport');
    const [node] = Object.values(
      nodes.body.nodes as Record<string, Record<string, { bound_address: string[] }>>,
    );
    const bound = [...(node?.http?.bound_address ?? []), ...(node?.transport?.bound_address ?? [])];
    expect(bound.length).toBeGreaterThanOrEqual(2);
    for (const address of bound) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);

    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a?.address as string);
    for (const address of external) expect(await refusesConnection(address, PORT)).toBe(true);
    expect(await refusesConnection('::1', PORT)).toBe(true);
  });

  it('reuses the running node instead of starting a second one', async () => {
    const before = await openSearchStatus({ home, port: PORT });
    const again = await startOpenSearch({ home, port: PORT });
    expect(again).toMatchObject({ url: URL, started: false, managed: true, pid: before.pid });
  });

  it('with OPENSEARCH_URL, uses that node and never starts or stops one', async () => {
    const otherHome = await tempHome('opensearch-external');
    process.env.OPENSEARCH_URL = URL;
    try {
      const used = await startOpenSearch({ home: otherHome, port: PORT + 1 });
      expect(used).toMatchObject({ url: URL, started: false, managed: false });
      expect(await fs.readdir(otherHome)).toEqual([]);
      expect(await openSearchStatus({ home: otherHome })).toMatchObject({
        running: true,
        managed: false,
        url: URL,
      });
      expect(await stopOpenSearch({ home: otherHome })).toEqual({ stopped: false });
    } finally {
      delete process.env.OPENSEARCH_URL;
      await fs.rm(otherHome, { recursive: true, force: true });
    }
    expect((await openSearchStatus({ home, port: PORT })).running).toBe(true);
  });

  it('refuses a port held by something that is not OpenSearch', async () => {
    const otherHome = await tempHome('opensearch-busy');
    const server = http.createServer((_, response) => response.end('not a search engine'));
    await new Promise<void>((resolve) => server.listen(PORT + 2, '127.0.0.1', resolve));
    try {
      await expect(startOpenSearch({ home: otherHome, port: PORT + 2 })).rejects.toThrow(/not OpenSearch/);
    } finally {
      server.close();
      await fs.rm(otherHome, { recursive: true, force: true });
    }
  });

  it('keeps an index across stop and start, with data under SEIZURE_HOME', async () => {
    const message = { body: 'synthetic test message', sent_at: '2024-01-02T03:04:05Z' };
    expect((await call('PUT', 'persist-check/_doc/m1?refresh=true', message)).status).toBe(201);
    const { pid } = await openSearchStatus({ home, port: PORT });

    expect(await stopOpenSearch({ home })).toEqual({ stopped: true, pid });
    const stopped = await openSearchStatus({ home, port: PORT });
    expect(stopped).toMatchObject({ running: false });
    expect(stopped.pid).toBeUndefined();
    await expect(fs.access(path.join(home, 'opensearch', 'opensearch.pid'))).rejects.toThrow();
    expect(await refusesConnection('127.0.0.1', PORT)).toBe(true);

    const restarted = await startOpenSearch({ home, port: PORT });
    expect(restarted.started).toBe(true);
    expect(restarted.pid).not.toBe(pid);
    const found = await call('GET', 'persist-check/_doc/m1');
    expect(found.body).toMatchObject({ found: true, _source: message });
    expect(await openSearchStatus({ home, port: PORT })).toMatchObject({
      running: true,
      managed: true,
      pid: restarted.pid,
      version: OPENSEARCH_VERSION,
    });
  });

  it('loads the language analyzers the message index is built with', async () => {
    const analyzed = await call('POST', '_analyze', {
      tokenizer: 'standard',
      filter: ['lowercase', { type: 'stemmer', language: 'dutch_kp' }],
      text: 'gebeld',
    });
    expect(analyzed.body.tokens).toEqual([expect.objectContaining({ token: 'bel' })]);
  });

  it('starts under a private (0700) directory, passing it with CAP_DAC_READ_SEARCH, chmod-ing nothing', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'seizure-private-'));
    try {
      expect((await fs.stat(parent)).mode & 0o777).toBe(0o700);
      const privateHome = path.join(parent, 'home');
      const node = await startOpenSearch({ home: privateHome, port: PORT + 4 });
      try {
        expect(node).toMatchObject({ started: true, managed: true });
        const pid = node.pid as number;
        if (process.getuid?.() === 0) {
          expect(processUid(pid)).toBe(
            Number(execFileSync('id', ['-u', 'seizure-os'], { encoding: 'utf8' })),
          );
          // Exactly one capability, to pass the private parent; nothing else.
          expect(capabilities(pid)).toEqual({ ambient: CAP_DAC_READ_SEARCH, effective: CAP_DAC_READ_SEARCH });
        }
        const put = await fetch(`http://127.0.0.1:${PORT + 4}/private-check/_doc/1?refresh=true`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ok: true }),
        });
        expect(put.status).toBe(201);
        expect((await fs.stat(parent)).mode & 0o777).toBe(0o700);
      } finally {
        await stopOpenSearch({ home: privateHome });
      }
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('names the private directory when the node cannot pass it and setpriv is missing', async () => {
    if (process.getuid?.() !== 0) return; // as an ordinary user the node runs as that user: nothing to pass
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'seizure-private-'));
    const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'seizure-bin-'));
    const savedPath = process.env.PATH;
    try {
      await fs.mkdir(path.join(parent, 'data'));
      await fs.chmod(bin, 0o755);
      await fs.symlink('/bin/sh', path.join(bin, 'sh'));
      const uid = Number(execFileSync('id', ['-u', 'seizure-os'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'seizure-os'], { encoding: 'utf8' }));
      process.env.PATH = bin; // a machine without util-linux's setpriv
      expect(() => planAccess({ name: 'seizure-os', uid, gid }, [[path.join(parent, 'data'), 'w']])).toThrow(
        new RegExp(
          `cannot write to ${parent}/data: ${parent} is not traversable by other users, and setpriv \\(util-linux\\) is not installed`,
        ),
      );
    } finally {
      process.env.PATH = savedPath;
      await fs.rm(parent, { recursive: true, force: true });
      await fs.rm(bin, { recursive: true, force: true });
    }
  });

  it('fails a start that cannot succeed with the tail of the node output', async () => {
    const otherHome = await tempHome('opensearch-broken');
    process.env.OPENSEARCH_JAVA_OPTS = '-XX:+NoSuchJvmFlag';
    try {
      await expect(startOpenSearch({ home: otherHome, port: PORT + 3 })).rejects.toThrow(
        /exited while starting[\s\S]*NoSuchJvmFlag/,
      );
    } finally {
      delete process.env.OPENSEARCH_JAVA_OPTS;
      await fs.rm(otherHome, { recursive: true, force: true });
    }
  });
});

/** Whether a directory above `target` shuts out other users (no execute bit for "other"). */
function underPrivateDirectory(target: string): boolean {
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return true;
  }
  return false;
}
