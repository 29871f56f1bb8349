import type { Client } from '@opensearch-project/opensearch';
import { openDuckDB } from '../lake/duckdb-session.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { BulkIndexer, type BulkIndexerOptions, type BulkStats, type ItemFailure } from './bulk-indexer.ts';
import { messagesSettings } from './index-mapping.ts';
import { seizureAlias } from './index-names.ts';
import { countLakeRows, lakeDocuments } from './lake-documents.ts';
import {
  countDocuments,
  createRebuildIndex,
  ensureSeizureIndex,
  refreshInterval,
  setRefreshInterval,
  shardsFor,
  swapIn,
} from './seizure-indices.ts';

export interface IndexSeizureOptions {
  /**
   * `update` (default): load the lake's messages into the seizure's current index (created on first use),
   * replacing documents with the same id. `rebuild`: load them into a new index and swap it in for the old
   * one only when every message made it, so searches never see a half-built seizure.
   */
  mode?: 'update' | 'rebuild';
  /** Only these months' partitions (`YYYY-MM`); default all. A rebuild always takes all. */
  months?: readonly string[];
  /**
   * Turn refreshes off for the load and restore them after (default true). Off when several loads into
   * one index run at once (the cloud's per-partition steps), which then relax and restore it around them.
   */
  manageRefresh?: boolean;
  /** Primary shards of an index this call creates; default from the lake's row count. */
  shards?: number;
  /** Tuning of the bulk requests (size, concurrency, attempts, back-off). */
  bulk?: Omit<BulkIndexerOptions, 'index' | 'onProgress'>;
  /** Where lake files are downloaded when the store is S3 (Lambda: /tmp). */
  workDirectory?: string;
  onProgress?: (progress: { read: number } & BulkStats) => void;
}

export interface IndexSeizureResult {
  seizureId: string;
  mode: 'update' | 'rebuild';
  /** The concrete index loaded; behind `messages` and the seizure's alias when the call succeeded. */
  index: string;
  alias: string;
  /** Messages read from the lake. */
  read: number;
  /** Messages OpenSearch accepted. */
  indexed: number;
  /** Messages OpenSearch refused, with reasons in `failures` (the first 1000). */
  failed: number;
  failures: ItemFailure[];
  /** Documents sent again after a 429 or 5xx. */
  retried: number;
  /** Of those, items the cluster turned away for load (per-item 429). */
  rejected: number;
  requests: number;
  bytes: number;
  /** Rows read per month, for a per-month reconciliation. */
  months: { month: string; read: number }[];
  /** Documents in the seizure's index after the load (after a refresh); only when refreshes were managed. */
  indexCount?: number;
  /** Indices a rebuild replaced (deleted). */
  replaced: string[];
  durationMs: number;
  docsPerSecond: number;
}

/**
 * Not every message of the lake made it into the index: a rebuild (whose old index is then left as it was)
 * or the workflow's index step. The lake is complete; a rebuild from it is the remedy.
 */
export class IndexIncompleteError extends Error {
  readonly result: IndexSeizureResult | undefined;

  constructor(message: string, result?: IndexSeizureResult) {
    super(message);
    this.name = 'IndexIncompleteError';
    this.result = result;
  }
}

/**
 * Indexes a seizure's messages from the lake: the one entry point of the workflow's index step, of the
 * local import and of `seizure reindex`. Reads the lake's Parquet (never the evidence) and writes only to
 * the seizure's own indices.
 */
export async function indexSeizure(
  store: ObjectStore,
  client: Client,
  seizureId: string,
  options: IndexSeizureOptions = {},
): Promise<IndexSeizureResult> {
  const started = Date.now();
  const mode = options.mode ?? 'update';
  const months = mode === 'rebuild' ? undefined : options.months;
  const manageRefresh = options.manageRefresh ?? true;
  const duckdb = await openDuckDB();
  try {
    // Sized from the footers where the files are local; elsewhere the caller says (or one shard).
    const shards =
      options.shards ??
      shardsFor(store.localPath ? await countLakeRows(store, seizureId, { months, duckdb }) : 0);
    const index =
      mode === 'rebuild'
        ? await createRebuildIndex(client, seizureId, { shards })
        : await ensureSeizureIndex(client, seizureId, { shards });

    const templateRefresh = messagesSettings().index.refresh_interval;
    // What to restore: the index's own setting, unless a load that died left refreshes off.
    const found = mode === 'update' && manageRefresh ? await refreshInterval(client, index) : undefined;
    const previousRefresh = found && found !== '-1' ? found : templateRefresh;
    if (manageRefresh && mode === 'update') await setRefreshInterval(client, index, '-1');

    const perMonth = new Map<string, number>();
    let read = 0;
    const indexer = new BulkIndexer(client, {
      ...options.bulk,
      index,
      onProgress: (stats) => options.onProgress?.({ read, ...stats }),
    });
    let bulk: Awaited<ReturnType<BulkIndexer['close']>>;
    try {
      const source = lakeDocuments(store, seizureId, {
        months,
        workDirectory: options.workDirectory,
        duckdb,
      });
      for await (const batch of source) {
        for (const doc of batch.documents) {
          await indexer.add(doc.id, doc.source);
          read++;
        }
        perMonth.set(batch.month, (perMonth.get(batch.month) ?? 0) + batch.documents.length);
      }
      bulk = await indexer.close();
    } finally {
      if (manageRefresh || mode === 'rebuild') await setRefreshInterval(client, index, previousRefresh);
    }

    const indexCount = manageRefresh || mode === 'rebuild' ? await countDocuments(client, index) : undefined;
    const durationMs = Date.now() - started;
    const result: IndexSeizureResult = {
      seizureId,
      mode,
      index,
      alias: seizureAlias(seizureId),
      read,
      indexed: bulk.indexed,
      failed: bulk.failed,
      failures: bulk.failures,
      retried: bulk.retried,
      rejected: bulk.rejected,
      requests: bulk.requests,
      bytes: bulk.bytes,
      months: [...perMonth].map(([month, rows]) => ({ month, read: rows })),
      indexCount,
      replaced: [],
      durationMs,
      docsPerSecond: durationMs > 0 ? Math.round((read / durationMs) * 1000) : read,
    };

    if (mode === 'rebuild') {
      if (bulk.failed > 0 || indexCount !== read) {
        await client.indices.delete({ index });
        throw new IndexIncompleteError(
          `rebuild of ${seizureId} incomplete: read ${read} messages from the lake, the new index holds ` +
            `${indexCount}, ${bulk.failed} refused; the new index was dropped and the old one left in place`,
          result,
        );
      }
      result.replaced = await swapIn(client, seizureId, index);
    }
    return result;
  } finally {
    duckdb.close();
  }
}
