import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The absolute path of an executable on `PATH`, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export interface RunOptions {
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

/** Runs a command to completion; rejects with its exit status and the tail of its output. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        uid: options.uid,
        gid: options.gid,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 16 << 20,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const output = `${stdout}${stderr}`.trim().split('\n').slice(-20).join('\n');
        const status = error.killed ? 'timed out' : `exit ${error.code ?? error.signal}`;
        reject(new Error(`${command} ${args.join(' ')} failed (${status})${output ? `:\n${output}` : ''}`));
      },
    );
  });
}
