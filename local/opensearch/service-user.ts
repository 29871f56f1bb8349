import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, run } from './commands.ts';

/**
 * OpenSearch refuses to run as root. When we are root (as on the dev machines and in CI), the node runs as
 * this unprivileged system user, created on first use; otherwise it runs as the current user.
 */
export const SERVICE_USER = process.env.SEIZURE_OPENSEARCH_USER ?? 'seizure-os';

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

/** The account the node runs as: the service user when we are root, else undefined (run as ourselves). */
export async function nodeAccount(): Promise<Account | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  return (await lookup(SERVICE_USER)) ?? (await createServiceUser(SERVICE_USER));
}

async function lookup(name: string): Promise<Account | undefined> {
  try {
    const uid = Number((await run('id', ['-u', name])).trim());
    const gid = Number((await run('id', ['-g', name])).trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

async function createServiceUser(name: string): Promise<Account> {
  const useradd = findOnPath('useradd') ?? '/usr/sbin/useradd';
  try {
    await run(useradd, [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      '--comment',
      'seizure-lake local OpenSearch',
      name,
    ]);
  } catch (error) {
    // A concurrent caller may have created it a moment ago.
    const account = await lookup(name);
    if (account) return account;
    throw error;
  }
  const account = await lookup(name);
  if (!account) throw new Error(`useradd reported success but user ${name} does not exist`);
  return account;
}

/** Gives the account ownership of a path (and, with `recursive`, of everything under it). */
export async function chownTo(account: Account, target: string, recursive = false): Promise<void> {
  await fs.lchown(target, account.uid, account.gid);
  if (!recursive) return;
  for (const entry of await fs.readdir(target, { recursive: true })) {
    await fs.lchown(path.join(target, entry), account.uid, account.gid);
  }
}

/**
 * Checks, as the account itself, that it may use each path (`r`ead, `w`rite, e`x`ecute); throws naming the
 * first directory on the way that shuts it out, which is usually a private (0700) parent such as a temp dir.
 */
export function assertAccess(
  account: Account,
  checks: ReadonlyArray<readonly [string, 'r' | 'w' | 'x']>,
): void {
  for (const [target, mode] of checks) {
    if (can(account, `-${mode}`, target)) continue;
    let blocking = target;
    for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (!can(account, '-x', dir)) blocking = dir;
    }
    throw new Error(
      `OpenSearch runs as the unprivileged user ${account.name}, which cannot ${describe(mode)} ${target}` +
        (blocking === target ? '' : `: ${blocking} is not traversable by other users (chmod o+x it)`) +
        '. Or point SEIZURE_HOME / SEIZURE_CACHE at directories it can reach.',
    );
  }
}

function can(account: Account, flag: string, target: string): boolean {
  return spawnSync('test', [flag, target], { uid: account.uid, gid: account.gid }).status === 0;
}

function describe(mode: 'r' | 'w' | 'x'): string {
  return { r: 'read', w: 'write to', x: 'execute' }[mode];
}
