import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The S3-compatible server the tests run against: moto's standalone server (S3 only), from PyPI, in a
 * project-local virtualenv. Every package is pinned in `requirements.txt` next to this file; the venv is
 * rebuilt whenever that file changes and is left alone otherwise, so a second call costs one stat.
 */
export const MOTO_VERSION = '5.2.5';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const REQUIREMENTS = path.join(import.meta.dirname, 'requirements.txt');
const MARKER = '.seizure-provisioned';
const LOCK_STALE_MS = 15 * 60_000;

/** `$SEIZURE_CACHE/venv-moto`, or `.cache/venv-moto` in the repository (gitignored). */
export function motoVenvDir(): string {
  return path.join(path.resolve(process.env.SEIZURE_CACHE ?? path.join(REPO_ROOT, '.cache')), 'venv-moto');
}

/** The `moto_server` executable inside the venv. */
export function motoServerBin(venv: string = motoVenvDir()): string {
  return path.join(venv, 'bin', 'moto_server');
}

/**
 * Makes `moto_server` available and returns its path: creates the venv with `python3 -m venv` (or
 * `$SEIZURE_PYTHON`) and installs the pinned requirements with pip on the first call; later calls find the
 * marker and return at once. Concurrent callers (parallel test workers) wait for one to finish.
 */
export async function provisionMoto(): Promise<string> {
  const venv = motoVenvDir();
  const requirements = await fs.readFile(REQUIREMENTS);
  const stamp = createHash('sha256').update(requirements).digest('hex');
  if (await isProvisioned(venv, stamp)) return motoServerBin(venv);

  await fs.mkdir(path.dirname(venv), { recursive: true });
  const lock = `${venv}.lock`;
  await acquire(lock);
  try {
    if (await isProvisioned(venv, stamp)) return motoServerBin(venv);
    const python = process.env.SEIZURE_PYTHON || 'python3';
    await run(python, ['-m', 'venv', '--clear', venv]);
    await run(path.join(venv, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-input',
      '--requirement',
      REQUIREMENTS,
    ]);
    await fs.access(motoServerBin(venv));
    await fs.writeFile(path.join(venv, MARKER), `${stamp}\n`);
    return motoServerBin(venv);
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

async function isProvisioned(venv: string, stamp: string): Promise<boolean> {
  const marker = await fs.readFile(path.join(venv, MARKER), 'utf8').catch(() => '');
  if (marker.trim() !== stamp) return false;
  return fs.access(motoServerBin(venv)).then(
    () => true,
    () => false,
  );
}

/** A lock directory: mkdir is atomic. A lock older than LOCK_STALE_MS is from a crashed run and is taken over. */
async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      await fs.mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = await fs.stat(lock).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS)
      await fs.rm(lock, { recursive: true, force: true });
    else await sleep(500);
  }
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 900_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-20).join('\n');
      reject(
        new Error(`${command} ${args.join(' ')} failed: ${error.message}${output ? `\n${output}` : ''}`),
      );
    });
  });
}

if (import.meta.main) {
  const started = Date.now();
  const bin = await provisionMoto();
  console.log(`moto ${MOTO_VERSION} ready: ${bin} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}
