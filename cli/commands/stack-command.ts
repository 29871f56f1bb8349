import { parseArgs } from 'node:util';
import { openSearchStatus, startOpenSearch, stopOpenSearch } from '#local/opensearch/stack.ts';
import { seizureHome } from '#local/seizure-home.ts';
import { UsageError } from '../cli-errors.ts';

export const stackUsage = `seizure stack up|down|status [--port <n>] [--json]

The local services behind local mode: a real OpenSearch node on 127.0.0.1 (default port 9200), its data
and logs under $SEIZURE_HOME/opensearch. Downloaded once from Maven Central into .cache/ (needs Java 17+
and Maven). With OPENSEARCH_URL set, that OpenSearch is used and never started or stopped.`;

export async function stackCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const action = positionals[0];
  if (positionals.length !== 1 || !['up', 'down', 'status'].includes(action as string)) {
    throw new UsageError('stack takes one of: up, down, status');
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new UsageError('--port must be a TCP port');
  const home = seizureHome();
  const print = (value: object, text: string) =>
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);

  if (action === 'up') {
    const r = await startOpenSearch({ home, port });
    print(
      r,
      `opensearch ${r.version ?? ''} ${r.started ? 'started' : 'already running'} at ${r.url} (health ${r.health})`,
    );
    return 0;
  }
  if (action === 'down') {
    const r = await stopOpenSearch({ home });
    print(r, r.stopped ? `opensearch stopped (pid ${r.pid})` : 'opensearch was not running from this home');
    return 0;
  }
  const s = await openSearchStatus({ home, port });
  print(
    s,
    s.running
      ? `opensearch ${s.version ?? ''} running at ${s.url}${s.pid ? ` (pid ${s.pid})` : ''}, health ${s.health ?? 'starting'}${s.managed ? '' : ' (not started from this home)'}`
      : 'opensearch not running',
  );
  return s.running ? 0 : 3;
}
