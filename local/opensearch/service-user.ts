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
 * How the node's processes run as the account. `traverse` adds the one capability the node may need,
 * CAP_DAC_READ_SEARCH, as an ambient capability through util-linux `setpriv`: it lets the node pass
 * directories above its home that are private to root (a `mktemp -d` checkout in CI, a home under /root)
 * without anyone loosening their modes. It is only used when the plain account is shut out.
 */
export interface AccountAccess {
  account: Account;
  traverse: boolean;
}

export interface CommandAs {
  command: string;
  args: string[];
  /** Set when the kernel switches the user at spawn (no `setpriv`). */
  uid?: number;
  gid?: number;
}

/** A command line that runs `command args` as the account, with the capability when `traverse` is set. */
export function commandAs({ account, traverse }: AccountAccess, command: string, args: string[]): CommandAs {
  if (!traverse) return { command, args, uid: account.uid, gid: account.gid };
  const setpriv = findOnPath('setpriv');
  if (!setpriv) throw new Error('setpriv (util-linux) is not installed');
  return { command: setpriv, args: [...setprivArgs(account), '--', command, ...args] };
}

function setprivArgs(account: Account): string[] {
  return [
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    '--init-groups',
    // Without it access(2), and so Java's Files.exists and isWritable, ignores a non-root user's
    // capabilities, and the JVM calls a directory it can reach "not accessible".
    '--securebits=+no_setuid_fixup',
    '--inh-caps=+dac_read_search',
    '--ambient-caps=+dac_read_search',
  ];
}

/** Why `setpriv` cannot give the account the capability here, or undefined when it can. */
function traverseUnavailable(account: Account): string | undefined {
  const setpriv = findOnPath('setpriv');
  if (!setpriv) return 'setpriv (util-linux) is not installed';
  const probe = spawnSync(setpriv, [...setprivArgs(account), '--', 'true'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const detail = `${probe.stderr ?? ''}${probe.error?.message ?? ''}`.trim().split('\n').pop();
  return `setpriv cannot grant CAP_DAC_READ_SEARCH here (${detail || `exit ${probe.status}`})`;
}

/**
 * Decides how the node runs as the account so that it may use each path (`r`ead, `w`rite, e`x`ecute):
 * as the plain account when it can, else with CAP_DAC_READ_SEARCH when only directory traversal or reading
 * stands in the way. Throws naming the first directory that shuts it out when neither works.
 */
export function planAccess(
  account: Account,
  checks: ReadonlyArray<readonly [string, 'r' | 'w' | 'x']>,
): AccountAccess {
  const failing = (access: AccountAccess) =>
    checks.find(([target, mode]) => !can(access, `-${mode}`, target));
  const plain: AccountAccess = { account, traverse: false };
  const blocked = failing(plain);
  if (!blocked) return plain;

  const unavailable = traverseUnavailable(account);
  const withCapability: AccountAccess = { account, traverse: true };
  const stillBlocked = unavailable ? blocked : failing(withCapability);
  if (!stillBlocked) return withCapability;

  const [target, mode] = stillBlocked;
  let blocking = target;
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (!can(plain, '-x', dir)) blocking = dir;
  }
  throw new Error(
    `OpenSearch runs as the unprivileged user ${account.name}, which cannot ${describe(mode)} ${target}` +
      (blocking === target ? '' : `: ${blocking} is not traversable by other users`) +
      (unavailable
        ? `, and ${unavailable}. Install util-linux (setpriv), or chmod o+x the directories on the way,`
        : ', not even with CAP_DAC_READ_SEARCH (is it owned by another user?). Fix its ownership,') +
      ' or point SEIZURE_HOME / SEIZURE_CACHE at directories it can reach.',
  );
}

function can(access: AccountAccess, flag: string, target: string): boolean {
  // The shell's `test` checks with the effective credentials, capabilities included.
  const { command, args, uid, gid } = commandAs(access, 'sh', ['-c', 'test "$1" "$2"', 'sh', flag, target]);
  return spawnSync(command, args, { uid, gid }).status === 0;
}

function describe(mode: 'r' | 'w' | 'x'): string {
  return { r: 'read', w: 'write to', x: 'execute' }[mode];
}
