import { parseArgs } from 'node:util';
import { IndexIncompleteError, type IndexSeizureResult, indexSeizure } from '#domain/search/index-seizure.ts';
import { countLakeRows } from '#domain/search/lake-documents.ts';
import { closeSharedSearchClient } from '#domain/search/search-client.ts';
import { localSearchClient } from '#local/search/local-search.ts';
import { localStore } from '#local/seizure-home.ts';
import { UsageError } from '../cli-errors.ts';
import { indexProgress } from '../output/index-progress.ts';

export const reindexUsage = `seizure reindex <seizureId> [--json]

Rebuilds the seizure's search index from the lake's Parquet files (the evidence is not read or touched):
loads every message into a new index and, only when the new index holds every message of the lake, swaps
it in for the old one in one step. Starts the local OpenSearch if it is not running.
  --json   print the result (counts, index names, rate) as JSON`;

export async function reindexCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('reindex takes one seizure id');
  const seizureId = positionals[0] as string;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(seizureId))
    throw new UsageError(`not a seizure id: ${seizureId} (a lower-case slug)`);
  const store = localStore();
  const lakeRows = await countLakeRows(store, seizureId);
  if (lakeRows === 0) throw new Error(`the lake holds no messages of seizure ${seizureId}: import it first`);

  const { client } = await localSearchClient({ start: true });
  const progress = indexProgress(lakeRows);
  let result: IndexSeizureResult;
  try {
    result = await indexSeizure(store, client, seizureId, {
      mode: 'rebuild',
      onProgress: (p) => progress.update(p),
    });
  } catch (error) {
    if (error instanceof IndexIncompleteError && values.json)
      process.stdout.write(`${JSON.stringify({ ...error.result, lakeRows, status: 'failed' }, null, 2)}\n`);
    throw error;
  } finally {
    progress.stop();
    await closeSharedSearchClient();
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...result, lakeRows, status: 'succeeded' }, null, 2)}\n`);
  } else {
    const seconds = (result.durationMs / 1000).toFixed(1);
    process.stdout.write(
      `${seizureId}: rebuilt ${result.index} from the lake: ${result.indexCount?.toLocaleString('en')} messages ` +
        `indexed (lake ${lakeRows.toLocaleString('en')}) in ${seconds} s, ${result.docsPerSecond.toLocaleString('en')}/s` +
        (result.retried ? `, ${result.retried} sent again after back-pressure` : '') +
        `\n  searchable as ${result.alias} and messages` +
        (result.replaced.length ? `; replaced ${result.replaced.join(', ')}` : '') +
        '\n',
    );
  }
  return 0;
}
