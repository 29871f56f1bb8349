import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '#domain/import/import-types.ts';
import { seizureAlias } from '#domain/search/index-names.ts';
import { closeSharedSearchClient, createSearchClient } from '#domain/search/search-client.ts';
import { installIndexTemplate } from '#domain/search/search-setup.ts';
import { allSeizureIndices, refreshInterval } from '#domain/search/seizure-indices.ts';
import {
  type CompleteOutput,
  indexStep,
  type PartitionOutput,
  type PrepareOutput,
  searchIndexReportKey,
} from '#functions/index-seizure/index-step.ts';
import { runStep } from '#functions/shared/step.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { localStore } from '#local/seizure-home.ts';
import { tempDir } from '../support/run-seizure.ts';
import { openSearchUrl } from '../support/search-lake.ts';

/**
 * The workflow's index step as the state machine calls it (prepare → one partition per month → complete),
 * run here against the run's OpenSearch (OPENSEARCH_URL) and a directory store holding a real import.
 */
const seizureId = `index-step-${Date.now().toString(36)}`;
const client = createSearchClient({ url: openSearchUrl() });
let home: string;
let dir: string;
let report: ImportReport;
let store: ReturnType<typeof localStore>;

beforeAll(async () => {
  await installIndexTemplate(client);
  home = await tempDir('index-step-home');
  dir = await tempDir('index-step-seizure');
  await generateSeizure({ platform: 'encrochat', messages: 3000, seed: 'index-step', seizureId, out: dir });
  store = localStore(home);
  ({ report } = await runLocalImport(store, dir));
});

afterAll(async () => {
  for (const index of await allSeizureIndices(client, seizureId)) await client.indices.delete({ index });
  await client.close();
  await closeSharedSearchClient();
  await fs.rm(home, { recursive: true, force: true });
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the index step (prepare, partition per month, complete)', () => {
  const ref = () => ({ seizureId, importId: report.importId, ingestedAt: Date.parse(report.startedAt) });

  it('indexes every month the import wrote and checks each against the lake, refreshes off in between', async () => {
    const prepared = (await runStep(indexStep, store, {
      action: 'prepare',
      ...ref(),
      extra: 'state data',
    })) as PrepareOutput;
    expect(prepared.months).toEqual(report.partitions.map((p) => p.month));
    expect(prepared.index).toBe(`${seizureAlias(seizureId)}-0`);
    expect(await refreshInterval(client, prepared.index)).toBe('-1');

    const partitions: PartitionOutput[] = [];
    for (const month of prepared.months) {
      partitions.push(
        (await runStep(indexStep, store, { action: 'partition', seizureId, month })) as PartitionOutput,
      );
    }
    for (const [i, p] of partitions.entries())
      expect(p).toMatchObject({ month: prepared.months[i], read: report.partitions[i]?.rows, failed: 0 });

    const complete = (await runStep(indexStep, store, {
      action: 'complete',
      ...ref(),
      prepared,
      partitions,
    })) as CompleteOutput;
    expect(complete).toMatchObject({
      read: report.counts.written,
      indexed: report.counts.written,
      failed: 0,
      gaps: [],
    });
    expect(await refreshInterval(client, prepared.index)).toBe('1s');
    const written = JSON.parse(
      (await store.readBuffer('reports', searchIndexReportKey(seizureId, report.importId))).toString(),
    );
    expect(written).toMatchObject({ index: prepared.index, gaps: [], read: report.counts.written });
  });

  it('fails the import’s index step when a month of the index does not hold what the lake does', async () => {
    const [first] = report.partitions;
    const claimed = [
      { month: first?.month as string, read: (first?.rows ?? 0) + 1, indexed: first?.rows ?? 0, failed: 0 },
    ];
    await expect(
      runStep(indexStep, store, { action: 'complete', ...ref(), partitions: claimed }),
    ).rejects.toMatchObject({
      name: 'IndexIncompleteError',
      message: expect.stringMatching(/1 month\(s\) whose index count differs from the lake/),
    });
    const written = JSON.parse(
      (await store.readBuffer('reports', searchIndexReportKey(seizureId, report.importId))).toString(),
    );
    expect(written.gaps).toEqual([
      { month: first?.month, read: (first?.rows ?? 0) + 1, inIndex: first?.rows },
    ]);
  });

  it('refuses an event it cannot read, naming the path', async () => {
    await expect(
      runStep(indexStep, store, { action: 'partition', seizureId, month: 'March' }),
    ).rejects.toThrow(/month: must be a month/);
    await expect(runStep(indexStep, store, { action: 'explode', seizureId })).rejects.toThrow(
      /InvalidInput|invalid input/i,
    );
  });
});
