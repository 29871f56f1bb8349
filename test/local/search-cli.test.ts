import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '#domain/import/import-types.ts';
import type { IndexSeizureResult } from '#domain/search/index-seizure.ts';
import { createSearchClient } from '#domain/search/search-client.ts';
import type { SearchResult } from '#domain/search/search-messages.ts';
import { allSeizureIndices } from '#domain/search/seizure-indices.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { indexAfterImport, SearchIndexingError } from '#local/search/index-after-import.ts';
import { localStore } from '#local/seizure-home.ts';
import { runSeizure, tempDir } from '../support/run-seizure.ts';
import { openSearchUrl } from '../support/search-lake.ts';

/**
 * Import → index → `seizure search` and `seizure reindex`, end to end against the run's OpenSearch, with a
 * seizure of 50,000 synthetic messages (the indexing rate is printed).
 */
const seizureId = `search-cli-${Date.now().toString(36)}`;
const DEAD_URL = 'http://127.0.0.1:1';
let home: string;
let dir: string;
let report: ImportReport;
let indexed: IndexSeizureResult;

const seizure = (args: string[], env: Record<string, string> = {}) =>
  runSeizure(args, { SEIZURE_HOME: home, ...env });

async function searchJson(args: string[]): Promise<SearchResult> {
  const r = await seizure(['search', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SearchResult;
}

async function lakeCount(): Promise<number> {
  const r = await seizure([
    'query',
    `SELECT count(*) AS n FROM messages WHERE seizure_id = '${seizureId}'`,
    '--json',
  ]);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { n: number }[])[0]?.n ?? -1;
}

beforeAll(async () => {
  home = await tempDir('search-cli-home');
  dir = await tempDir('search-cli-seizure');
  await generateSeizure({ platform: 'skyecc', messages: 50_000, seed: 'search', seizureId, out: dir });
  const store = localStore(home);
  ({ report } = await runLocalImport(store, dir));
  // The index step of the local import (runLocalImport calls it once wired; calling it again is harmless).
  indexed = await indexAfterImport(store, report, { home });
  console.info(
    `indexed ${indexed.read} messages in ${(indexed.durationMs / 1000).toFixed(1)} s: ${indexed.docsPerSecond} messages/s ` +
      `(${indexed.requests} bulk requests, ${(indexed.bytes / 1e6).toFixed(1)} MB)`,
  );
});

afterAll(async () => {
  const client = createSearchClient({ url: openSearchUrl() });
  for (const index of await allSeizureIndices(client, seizureId)) await client.indices.delete({ index });
  await client.close();
  await fs.rm(home, { recursive: true, force: true });
  await fs.rm(dir, { recursive: true, force: true });
});

describe('after an import, seizure search', () => {
  it('finds every imported message: the index holds exactly what the lake holds', async () => {
    const inLake = await lakeCount();
    expect(inLake).toBe(report.counts.written);
    expect(indexed).toMatchObject({ read: inLake, indexed: inLake, failed: 0, indexCount: inLake });
    const all = await searchJson(['*', '--seizure', seizureId, '--limit', '3']);
    expect(all.total).toBe(inLake); // exact, beyond 10,000
    expect(all.hits).toHaveLength(3);
    expect(Object.keys(all.hits[0] ?? {}).sort()).toEqual(
      ['body', 'highlight', 'message_id', 'recipients', 'sender', 'sent_at', 'seizure_id'].sort(),
    );
  });

  it('highlights the words it matched, in JSON and for people', async () => {
    const sql = `SELECT regexp_extract(lower(body), '([a-z]{6,})', 1) AS word FROM messages
      WHERE seizure_id = '${seizureId}' AND regexp_matches(lower(body), '[a-z]{6,}') ORDER BY message_id LIMIT 1`;
    const r = await seizure(['query', sql, '--json']);
    const word = (JSON.parse(r.stdout) as { word: string }[])[0]?.word as string;
    expect(word).toBeDefined();

    const found = await searchJson([word, '--seizure', seizureId]);
    expect(found.total).toBeGreaterThan(0);
    expect(found.hits[0]?.highlight.join(' ')).toMatch(/<em>[^<]+<\/em>/);

    const human = await seizure(['search', word, '--seizure', seizureId, '--limit', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`^${found.total.toLocaleString('en')} messages match "${word}" in ${seizureId}`),
    );
    expect(human.stdout).toMatch(/\*\*[^*]+\*\*/);
  });

  it('filters by sender and time', async () => {
    const [first] = (await searchJson(['*', '--seizure', seizureId, '--sort', 'oldest', '--limit', '1']))
      .hits;
    const bySender = await searchJson(['*', '--seizure', seizureId, '--sender', first!.sender.toLowerCase()]);
    expect(bySender.total).toBeGreaterThan(0);
    expect(new Set(bySender.hits.map((h) => h.sender))).toEqual(new Set([first!.sender]));
    const day = first!.sent_at.slice(0, 10);
    const oneDay = await searchJson([
      '*',
      '--seizure',
      seizureId,
      '--from',
      day,
      '--to',
      day,
      '--limit',
      '100',
    ]);
    expect(oneDay.total).toBeGreaterThan(0);
    for (const h of oneDay.hits) expect(h.sent_at.slice(0, 10)).toBe(day);
  });

  it('rebuilds the index from the lake with seizure reindex, to the same count', async () => {
    const r = await seizure(['reindex', seizureId, '--json']);
    expect(r.code).toBe(0);
    const rebuilt = JSON.parse(r.stdout) as IndexSeizureResult & { lakeRows: number };
    const inLake = await lakeCount();
    expect(rebuilt).toMatchObject({
      status: 'succeeded',
      mode: 'rebuild',
      lakeRows: inLake,
      indexCount: inLake,
      failed: 0,
    });
    expect(rebuilt.replaced).toEqual([indexed.index]);
    expect((await searchJson(['*', '--seizure', seizureId])).total).toBe(inLake);
  });

  it('says clearly when there is no OpenSearch, a bad query or nothing to reindex', async () => {
    const down = await seizure(['search', 'bellen'], { OPENSEARCH_URL: DEAD_URL });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/OpenSearch at OPENSEARCH_URL=http:\/\/127\.0\.0\.1:1 does not answer/);

    const bad = await seizure(['search', 'sender:(']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the query cannot be run: .*Failed to parse query/);

    const unknown = await seizure(['search', '*', '--seizure', 'no-such-seizure', '--json']);
    expect(unknown.code).toBe(0);
    expect(JSON.parse(unknown.stdout)).toEqual({ total: 0, hits: [] });
    expect(unknown.stderr).toMatch(/no index for seizure no-such-seizure/);

    const none = await seizure(['reindex', 'no-such-seizure']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/the lake holds no messages of seizure no-such-seizure: import it first/);
  });

  it('indexes an import that ran before only when its index is incomplete', async () => {
    expect(await indexAfterImport(localStore(home), report, { home, whenIncomplete: true })).toBeUndefined();
  });

  it('makes an import fail loudly, not skip, when OpenSearch cannot be reached', async () => {
    const saved = process.env.OPENSEARCH_URL;
    process.env.OPENSEARCH_URL = DEAD_URL;
    try {
      const error = await indexAfterImport(localStore(home), report, { home }).catch((e) => e);
      expect(error).toBeInstanceOf(SearchIndexingError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `messages of ${seizureId} are in the lake but not searchable: .*seizure reindex ${seizureId}`,
        ),
      );
    } finally {
      process.env.OPENSEARCH_URL = saved;
    }
  });
});
