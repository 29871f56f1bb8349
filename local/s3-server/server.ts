import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { provisionMoto } from './provision.ts';

export interface S3ServerOptions {
  /** The port to bind on 127.0.0.1; by default a free one chosen by the kernel. */
  port?: number;
  /** How long to wait for the server to answer, provisioning excluded. */
  timeoutMs?: number;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Settings for an S3Client that talks to this server: path-style addressing, a region, dummy credentials. */
  clientConfig: S3ClientConfig;
  /** Stops the server; its buckets and objects (all in memory) are gone. */
  stop(): Promise<void>;
}

/**
 * Starts moto's S3-compatible server on loopback (provisioning it on first use) and resolves once it
 * answers S3 requests. State lives in the server's memory only: every server starts empty.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const bin = await provisionMoto();
  const child = spawn(bin, ['--host', '127.0.0.1', '--port', String(options.port ?? 0)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = once(child, 'exit');

  // Werkzeug logs every request; the pipes must be drained for the life of the server or it blocks.
  const tail: string[] = [];
  let announced: (port: number) => void = () => {};
  const portPromise = new Promise<number>((resolve) => {
    announced = resolve;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    let pending = '';
    stream.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (match) announced(Number(match[1]));
      }
    });
  }

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const timeoutMs = options.timeoutMs ?? 60_000;
  const failure = (reason: string) => new Error(`moto S3 server ${reason}:\n${tail.join('\n')}`);
  try {
    const diedEarly = exited.then(([code, signal]) => {
      throw failure(`exited (${code ?? signal}) before listening`);
    });
    diedEarly.catch(() => {}); // it rejects again when the server is stopped later; that is no failure
    const timeout = new AbortController();
    const tooSlow = sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
      throw failure(`did not listen within ${timeoutMs} ms`);
    });
    tooSlow.catch(() => {});
    const port = await Promise.race([portPromise, diedEarly, tooSlow]).finally(() => timeout.abort());
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(endpoint, Date.now() + timeoutMs, () => child.exitCode !== null);
    return {
      endpoint,
      clientConfig: {
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'seizure-test', secretAccessKey: 'seizure-test' },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls ListBuckets until the server answers it. */
async function waitUntilAnswering(
  endpoint: string,
  deadline: number,
  hasExited: () => boolean,
): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {}
    if (hasExited()) throw new Error(`moto S3 server at ${endpoint} exited while starting`);
    if (Date.now() > deadline) throw new Error(`moto S3 server at ${endpoint} did not answer in time`);
    await sleep(50);
  }
}

if (import.meta.main) {
  const port = process.argv[2] ? Number(process.argv[2]) : undefined;
  const server = await startS3Server({ port });
  console.log(`S3 (moto) listening on ${server.endpoint}; Ctrl-C stops it`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());
}
