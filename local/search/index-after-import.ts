import type { ImportReport } from '#domain/import/import-types.ts';
import { seizureAlias } from '#domain/search/index-names.ts';
import { type IndexSeizureResult, indexSeizure } from '#domain/search/index-seizure.ts';
import { countLakeRows } from '#domain/search/lake-documents.ts';
import { countDocuments } from '#domain/search/seizure-indices.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import { type LocalSearchOptions, localSearchClient, SearchUnavailableError } from './local-search.ts';

/**
 * The messages are in the lake but not (all) searchable. The import itself stands: its report is written
 * and its counts reconcile; `seizure reindex <seizure>` makes them searchable once the cause is fixed.
 */
export class SearchIndexingError extends Error {
  readonly seizureId: string;
  readonly result: IndexSeizureResult | undefined;

  constructor(seizureId: string, cause: string, result?: IndexSeizureResult, options?: { cause?: unknown }) {
    super(
      `the messages of ${seizureId} are in the lake but not searchable: ${cause}. ` +
        `Once that is fixed, "seizure reindex ${seizureId}" indexes them.`,
      options,
    );
    this.name = 'SearchIndexingError';
    this.seizureId = seizureId;
    this.result = result;
  }
}

export interface IndexAfterImportOptions extends LocalSearchOptions {
  /**
   * Index only when the seizure's index does not already hold as many messages as the lake (for an import
   * that had run before: its messages may predate search, or an earlier index step may have failed).
   * Returns undefined when nothing needed doing.
   */
  whenIncomplete?: boolean;
  onProgress?: (progress: { read: number; indexed: number; failed: number }) => void;
}

/**
 * The local import's index step, run after finalize: loads the months the import wrote into the seizure's
 * index (OpenSearch started if need be), then checks that the index holds exactly as many messages as the
 * lake holds for the seizure. Throws SearchIndexingError, never skips silently: when OpenSearch cannot be
 * reached or started, when a message was refused, or when the counts differ.
 */
export async function indexAfterImport(
  store: ObjectStore,
  report: ImportReport,
  options: IndexAfterImportOptions & { whenIncomplete: true },
): Promise<IndexSeizureResult | undefined>;
export async function indexAfterImport(
  store: ObjectStore,
  report: ImportReport,
  options?: IndexAfterImportOptions,
): Promise<IndexSeizureResult>;
export async function indexAfterImport(
  store: ObjectStore,
  report: ImportReport,
  options: IndexAfterImportOptions = {},
): Promise<IndexSeizureResult | undefined> {
  const seizureId = report.seizureId;
  let client: Awaited<ReturnType<typeof localSearchClient>>['client'];
  try {
    ({ client } = await localSearchClient({ ...options, start: options.start ?? true }));
  } catch (error) {
    if (error instanceof SearchUnavailableError)
      throw new SearchIndexingError(seizureId, error.message, undefined, { cause: error });
    throw error;
  }
  if (options.whenIncomplete) {
    const inIndex = await countDocuments(client, seizureAlias(seizureId)).catch(() => -1);
    if (inIndex === (await countLakeRows(store, seizureId))) return undefined;
  }
  const months = report.partitions.map((p) => p.month);
  const result = await indexSeizure(store, client, seizureId, {
    mode: 'update',
    ...(months.length ? { months } : {}),
    onProgress: options.onProgress,
  });
  if (result.failed > 0) {
    const first = result.failures[0];
    throw new SearchIndexingError(
      seizureId,
      `OpenSearch refused ${result.failed} of ${result.read} messages` +
        (first ? ` (first: ${first.id}, ${first.status} ${first.type}: ${first.reason})` : ''),
      result,
    );
  }
  const lakeRows = await countLakeRows(store, seizureId);
  if (result.indexCount !== lakeRows) {
    throw new SearchIndexingError(
      seizureId,
      `its index holds ${result.indexCount} messages and the lake ${lakeRows}`,
      result,
    );
  }
  return result;
}
