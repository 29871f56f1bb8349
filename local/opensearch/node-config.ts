import fs from 'node:fs/promises';
import path from 'node:path';
import { CLUSTER_NAME, type NodeLayout } from './layout.ts';

export interface NodeSettings {
  port: number;
  /** JVM heap, e.g. `512m` or `1g`: `$SEIZURE_OPENSEARCH_HEAP`, default 1g. */
  heap: string;
  /** Further node settings for opensearch.yml (e.g. a small write queue for a back-pressure test). */
  extra?: Readonly<Record<string, string | number | boolean>>;
}

export const DEFAULT_HEAP = '1g';

/** The heap asked for (or `$SEIZURE_OPENSEARCH_HEAP`, else 1g), checked. */
export function heapFromEnv(explicit?: string): string {
  const heap = explicit ?? process.env.SEIZURE_OPENSEARCH_HEAP ?? DEFAULT_HEAP;
  if (!/^\d+[kmg]$/i.test(heap))
    throw new Error(`the OpenSearch heap (SEIZURE_OPENSEARCH_HEAP) must look like 512m or 1g, got ${heap}`);
  return heap;
}

/**
 * Writes the node's configuration directory from the distribution's own files. It is regenerated at every
 * start, so it always matches this code; the data and logs it points at are kept.
 */
export async function writeNodeConfig(layout: NodeLayout, distribution: string, settings: NodeSettings) {
  await fs.mkdir(path.join(layout.config, 'jvm.options.d'), { recursive: true });
  await fs.writeFile(
    path.join(layout.config, 'opensearch.yml'),
    openSearchYml(layout, settings.port, settings.extra ?? {}),
  );
  const jvmOptions = await fs.readFile(path.join(distribution, 'config', 'jvm.options'), 'utf8');
  await fs.writeFile(
    path.join(layout.config, 'jvm.options'),
    localJvmOptions(jvmOptions, layout, settings.heap),
  );
  await fs.copyFile(
    path.join(distribution, 'config', 'log4j2.properties'),
    path.join(layout.config, 'log4j2.properties'),
  );
}

function openSearchYml(
  layout: NodeLayout,
  port: number,
  extra: Readonly<Record<string, string | number | boolean>>,
): string {
  const lines = [
    '# Written by seizure-lake (local/opensearch/node-config.ts) at every start; edits here are lost.',
    `cluster.name: ${CLUSTER_NAME}`,
    'node.name: seizure-local',
    `path.data: ${JSON.stringify(layout.data)}`,
    `path.logs: ${JSON.stringify(layout.logs)}`,
    // Loopback only: the minimal distribution has no security plugin, so nothing else may reach it.
    'network.host: 127.0.0.1',
    `http.port: ${port}`,
    'discovery.type: single-node',
    // A dev disk that is 90% full must not turn every index read-only.
    'cluster.routing.allocation.disk.threshold_enabled: false',
    ...Object.entries(extra).map(([key, value]) => {
      if (!/^[a-z][a-z0-9_.]*$/.test(key)) throw new Error(`not an OpenSearch setting name: ${key}`);
      return `${key}: ${JSON.stringify(value)}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The distribution's JVM options with the heap set and every relative path (GC log, error file, heap
 * dumps, which the launcher resolves against the read-only distribution) moved under our logs directory.
 */
export function localJvmOptions(distributionOptions: string, layout: NodeLayout, heap: string): string {
  const lines = distributionOptions
    .split('\n')
    .filter((line) => !/^\s*-Xm[sx]/.test(line))
    .map((line) =>
      line
        .replace(/(file=|-Xloggc:)logs\//g, `$1${layout.logs}/`)
        .replace(/(-XX:ErrorFile=)logs\//, `$1${layout.logs}/`)
        .replace(/(-XX:HeapDumpPath=)data\b/, `$1${layout.logs}`),
    );
  const relative = lines.filter(
    (line) => !line.trimStart().startsWith('#') && /(=|:)(logs|data)(\/|\b)/.test(line),
  );
  if (relative.length > 0) {
    throw new Error(`jvm.options has relative paths this code does not relocate: ${relative.join('; ')}`);
  }
  return [`-Xms${heap}`, `-Xmx${heap}`, ...lines].join('\n');
}
