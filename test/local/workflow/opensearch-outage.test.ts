import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { seizureAlias } from '#domain/search/index-names.ts';
import { countLakeRows } from '#domain/search/lake-documents.ts';
import { closeSharedSearchClient, createSearchClient } from '#domain/search/search-client.ts';
import { countDocuments } from '#domain/search/seizure-indices.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { SearchIndexingError } from '#local/search/index-after-import.ts';
import { tempDir } from '../../support/run-seizure.ts';

/**
 * A real HTTP hop in front of the run's OpenSearch that goes down (every connection dropped, none accepted)
 * on the first bulk request of the import, for `downMs`, and then forwards again: OpenSearch stopped in the
 * middle of an import (the lake written, the index step loading), then started.
 */
async function startOutageProxy(target: string, downMs: number) {
  const upstream = new URL(target);
  let downUntil = 0;
  let dropped = 0;
  let outages = 0;
  const server = http.createServer((req, res) => {
    const now = Date.now();
    if (outages === 0 && /\/_bulk/.test(req.url ?? '')) {
      outages++;
      downUntil = now + downMs;
    }
    if (now < downUntil) {
      dropped++;
      req.socket.destroy();
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropped: () => dropped,
    /** OpenSearch started again. */
    up: () => {
      downUntil = 0;
    },
    outages: () => outages,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function importThroughOutage(downMs: number) {
  const opensearch = inject('opensearchUrl');
  const seizureId = `outage-${Date.now().toString(36)}`;
  const home = await tempDir('outage-home');
  const dir = await tempDir('outage-seizure');
  dirs.push(home, dir);
  await generateSeizure({ platform: 'skyecc', messages: 3000, seed: 'outage', seizureId, out: dir });
  const store = new DirectoryStore(home);
  const proxy = await startOutageProxy(opensearch, downMs);
  const saved = process.env.OPENSEARCH_URL;
  process.env.OPENSEARCH_URL = proxy.url;
  let outcome: 'completed after retries' | 'failed, then completed when resumed';
  try {
    const first: Awaited<ReturnType<typeof runLocalImport>> | Error = await runLocalImport(store, dir, {
      // A short outage: the steps' retries two seconds apart, as the deployed definition's are seconds apart
      // (5 s, then 15). The index step has two retries for this error, so the last starts 4 s after the
      // first attempt failed, past the 3 s outage however fast each attempt is (a second apart, a fast
      // machine could spend both inside it).
      retryIntervalMs: Number.isFinite(downMs) ? 2000 : 10,
    }).catch((e: Error) => e);
    expect(proxy.outages()).toBe(1);
    expect(proxy.dropped()).toBeGreaterThan(0);
    if (first instanceof Error) {
      // failed with its cause
      // The lake is complete; the message says the messages are not searchable yet and how to mend it.
      expect(first).toBeInstanceOf(SearchIndexingError);
      expect(first.message).toMatch(
        /are in the lake but not searchable: .*(Connection|socket).*seizure reindex/is,
      );
      outcome = 'failed, then completed when resumed';
      console.info(`the import failed during the outage: ${first.message.slice(0, 300)}`);
      // OpenSearch is back: the same command again completes it
      proxy.up();
      const again = await runLocalImport(store, dir, { retryIntervalMs: 10 });
      expect(again.report.status).toBe('succeeded');
    } else {
      expect(first.report.status).toBe('succeeded');
      outcome = 'completed after retries';
    }
  } finally {
    process.env.OPENSEARCH_URL = saved;
    await closeSharedSearchClient();
    await proxy.stop();
  }
  const client = createSearchClient({ url: opensearch });
  try {
    await client.indices.refresh({ index: seizureAlias(seizureId) });
    const lake = await countLakeRows(store, seizureId);
    expect(lake).toBeGreaterThan(2500);
    // exactly the lake's messages: none lost, none twice (_id = message_id)
    expect(await countDocuments(client, seizureAlias(seizureId))).toBe(lake);
  } finally {
    await client.close();
  }
  return outcome;
}

describe('OpenSearch stopped in the middle of an import, then started', () => {
  it('for a few seconds: the import completes after retries, and the index holds exactly the lake', async () => {
    expect(await importThroughOutage(3000)).toBe('completed after retries');
  }, 300_000);

  it('for longer than the retries last: the import fails with its cause, and completes when resumed with exactly the lake', async () => {
    expect(await importThroughOutage(Number.POSITIVE_INFINITY)).toBe('failed, then completed when resumed');
  }, 300_000);
});
