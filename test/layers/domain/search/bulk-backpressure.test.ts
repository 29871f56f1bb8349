import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkIndexer } from '#domain/search/bulk-indexer.ts';
import { messageDocument } from '#domain/search/lake-documents.ts';
import { createSearchClient } from '#domain/search/search-client.ts';
import { installIndexTemplate } from '#domain/search/search-setup.ts';
import { countDocuments, ensureSeizureIndex, SearchSetupError } from '#domain/search/seizure-indices.ts';
import { startOpenSearch, stopOpenSearch } from '#local/opensearch/stack.ts';
import { message } from '../../../support/search-lake.ts';

/**
 * Back-pressure from a real node: this suite starts its own node whose write thread pool has one thread and
 * a queue of one, so concurrent bulk requests to a four-shard index come back with per-item 429s (the
 * shard-level bulk requests rejected by the full queue), as a busy cluster answers.
 */
const PORT = 9202;
let home: string;
let client: Client;

const documents = (seizureId: string, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const m = message({
      seizure_id: seizureId,
      message_id: `${seizureId}-${i}`,
      body: `bericht ${i} over de levering`,
    });
    return messageDocument(m);
  });

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'search-backpressure-'));
  // A node of its own, not the run's shared one that OPENSEARCH_URL names (this worker's environment only).
  delete process.env.OPENSEARCH_URL;
  const node = await startOpenSearch({
    home,
    port: PORT,
    heap: '384m',
    settings: { 'thread_pool.write.size': 1, 'thread_pool.write.queue_size': 1 },
  });
  expect(node).toMatchObject({ started: true, managed: true });
  client = createSearchClient({ url: node.url });
});

afterAll(async () => {
  await client?.close();
  await stopOpenSearch({ home });
  await fs.rm(home, { recursive: true, force: true });
});

describe('bulk indexing under back-pressure (a real node with a write queue of one)', () => {
  it('refuses to create a message index on a cluster without the template', async () => {
    await expect(ensureSeizureIndex(client, 'no-template')).rejects.toThrow(SearchSetupError);
    await expect(ensureSeizureIndex(client, 'no-template')).rejects.toThrow(/index template "messages"/);
    await installIndexTemplate(client);
  });

  it('retries the items the node rejects with 429 until every document is in', async () => {
    const index = await ensureSeizureIndex(client, 'pressure', { shards: 4 });
    const indexer = new BulkIndexer(client, {
      index,
      maxDocs: 100,
      concurrency: 8,
      maxAttempts: 20,
      initialBackoffMs: 50,
    });
    const docs = documents('pressure', 4000);
    for (const d of docs) await indexer.add(d.id, d.source);
    const result = await indexer.close();
    expect(result.rejected).toBeGreaterThan(0);
    expect(result.retried).toBeGreaterThanOrEqual(result.rejected);
    expect(result).toMatchObject({ indexed: docs.length, failed: 0, failures: [] });
    expect(await countDocuments(client, index)).toBe(docs.length);
  });

  it('records, never drops, the items still rejected when the attempts run out', async () => {
    const index = await ensureSeizureIndex(client, 'pressure-once', { shards: 4 });
    const indexer = new BulkIndexer(client, { index, maxDocs: 100, concurrency: 8, maxAttempts: 1 });
    const docs = documents('pressure-once', 4000);
    for (const d of docs) await indexer.add(d.id, d.source);
    const result = await indexer.close();
    expect(result.failed).toBeGreaterThan(0);
    expect(result.indexed + result.failed).toBe(docs.length);
    expect(result.failures.length).toBe(Math.min(result.failed, 1000));
    expect(new Set(result.failures.map((f) => f.status))).toEqual(new Set([429]));
    expect(await countDocuments(client, index)).toBe(result.indexed);
  });
});
