import path from 'node:path';

/** Where one local node keeps its state: everything under `$SEIZURE_HOME/opensearch/`, so it survives restarts. */
export interface NodeLayout {
  /** `$SEIZURE_HOME/opensearch` */
  readonly root: string;
  /** Generated configuration (`OPENSEARCH_PATH_CONF`); rewritten at every start. */
  readonly config: string;
  readonly data: string;
  readonly logs: string;
  /** The JVM's temporary directory (`OPENSEARCH_TMPDIR`). */
  readonly tmp: string;
  /** The node's process id while it runs. */
  readonly pidFile: string;
  /** `{ pid, url, port, version, distribution, startedAt }` of the last start, for `status` and `stop`. */
  readonly stateFile: string;
  /** Held while one process starts the node, so two callers never start two nodes on one data directory. */
  readonly lockFile: string;
  /** Standard output and error of the launcher and JVM (the node's own log is in `logs/`). */
  readonly consoleLog: string;
}

export const CLUSTER_NAME = 'seizure-lake';

/** `$SEIZURE_HOME`, or `.seizure` in the working directory, as an absolute path. */
export function resolveSeizureHome(home?: string): string {
  return path.resolve(home ?? process.env.SEIZURE_HOME ?? '.seizure');
}

export function nodeLayout(seizureHome: string): NodeLayout {
  const root = path.join(seizureHome, 'opensearch');
  return {
    root,
    config: path.join(root, 'config'),
    data: path.join(root, 'data'),
    logs: path.join(root, 'logs'),
    tmp: path.join(root, 'tmp'),
    pidFile: path.join(root, 'opensearch.pid'),
    stateFile: path.join(root, 'node.json'),
    lockFile: path.join(root, 'start.lock'),
    consoleLog: path.join(root, 'logs', 'console.log'),
  };
}
