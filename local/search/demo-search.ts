import { seizureAlias } from '#domain/search/index-names.ts';
import { type IndexSeizureResult, indexSeizure } from '#domain/search/index-seizure.ts';
import { countLakeRows } from '#domain/search/lake-documents.ts';
import { closeSharedSearchClient } from '#domain/search/search-client.ts';
import { type SearchParams, type SearchResult, searchMessages } from '#domain/search/search-messages.ts';
import { countDocuments } from '#domain/search/seizure-indices.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import { localSearchClient } from './local-search.ts';

export interface DemoSearch {
  title: string;
  /** The command line as the demo prints it (after `npx seizure search`). */
  args: string;
  params: SearchParams;
}

/** The searches the demo shows beside its SQL: a Dutch word in its other forms, then a phrase or a word. */
export function demoSearches(seizureIds: readonly string[]): DemoSearch[] {
  const [first] = seizureIds;
  const all = seizureIds.map((id) => `--seizure ${id}`).join(' ');
  return [
    {
      title:
        'A Dutch word finds its other forms ("gebeld" finds bel, bellen, belde), matched words highlighted',
      args: `gebeld ${all} --limit 3`,
      params: { query: 'gebeld', seizureIds: [...seizureIds], size: 3 },
    },
    {
      title: 'A phrase, or an English word in any of its forms, in one seizure',
      args: `'"niet bellen" OR calls' --seizure ${first} --limit 3`,
      params: { query: '"niet bellen" OR calls', seizureIds: first ? [first] : [], size: 3 },
    },
  ];
}

/**
 * The demo's search step: makes sure each seizure's index holds exactly what the lake holds (indexing it
 * when not, e.g. a lake imported before search existed), then runs `searches` and hands each result to
 * `show`. Starts the local OpenSearch when it is not running.
 */
export async function runDemoSearches(
  store: ObjectStore,
  seizureIds: readonly string[],
  show: (search: DemoSearch, result: SearchResult, indexed: IndexSeizureResult[]) => void,
  options: { home?: string; highlightTags?: { pre: string; post: string } } = {},
): Promise<void> {
  const { client } = await localSearchClient({ home: options.home, start: true });
  try {
    const indexed: IndexSeizureResult[] = [];
    for (const seizureId of seizureIds) {
      const inLake = await countLakeRows(store, seizureId);
      const inIndex = await countDocuments(client, seizureAlias(seizureId)).catch(() => -1);
      if (inIndex !== inLake) indexed.push(await indexSeizure(store, client, seizureId));
    }
    for (const search of demoSearches(seizureIds)) {
      const result = await searchMessages(client, { ...search.params, highlightTags: options.highlightTags });
      show(search, result, indexed);
    }
  } finally {
    await closeSharedSearchClient();
  }
}
