import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalMessage } from '#domain/schema/message-schema.ts';
import { BulkIndexer } from '#domain/search/bulk-indexer.ts';
import { messagesMappings, messagesSettings } from '#domain/search/index-mapping.ts';
import { generationIndex, MESSAGES_ALIAS, seizureAlias } from '#domain/search/index-names.ts';
import { IndexIncompleteError, indexSeizure } from '#domain/search/index-seizure.ts';
import { lakeDocuments, messageDocument } from '#domain/search/lake-documents.ts';
import { createSearchClient } from '#domain/search/search-client.ts';
import { type SearchParams, searchMessages } from '#domain/search/search-messages.ts';
import { installIndexTemplate } from '#domain/search/search-setup.ts';
import { allSeizureIndices, ensureSeizureIndex, refreshInterval } from '#domain/search/seizure-indices.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { message, openSearchUrl, writeLake } from '../../../support/search-lake.ts';

// Seizure ids of this run only: the node is shared with other test files.
const run = `s${Date.now().toString(36)}`;
const A = `${run}-a`;
const B = `${run}-b`;
const C = `${run}-c`;
const utc = (iso: string) => Date.parse(iso);

const messagesA: CanonicalMessage[] = [
  message({
    seizure_id: A,
    message_id: 'nl-bellen',
    body: 'ff bellen morgen?',
    sender: 'AMY001',
    sent_at: utc('2020-03-01T09:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'nl-belde',
    body: 'ik belde hem gisteren',
    sender: 'BOB002',
    recipients: ['AMY001'],
    sent_at: utc('2020-03-15T23:59:59Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'nl-gebeld',
    body: 'heb je gebeld met de koerier?',
    sender: 'AMY001',
    recipients: ['CY003'],
    conversation_id: 'conv-2',
    sent_at: utc('2020-03-16T00:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'en-calling',
    body: 'The couriers are calling tonight',
    sender: 'CY003',
    sent_at: utc('2020-04-02T12:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'fr-livraisons',
    body: "Les livraisons arrivent demain à l'entrepôt",
    sender: 'CY003',
    sent_at: utc('2020-04-03T12:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'es-paquetes',
    body: 'Los paquetes llegaron al puerto',
    sender: 'CY003',
    sent_at: utc('2020-04-04T12:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'de-lieferungen',
    body: 'Die Lieferungen kommen morgen in den Häfen an',
    sender: 'CY003',
    sent_at: utc('2020-04-05T12:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'no-body',
    body: null,
    sender: 'DEE004',
    sent_at: utc('2020-04-06T12:00:00Z'),
  }),
  message({
    seizure_id: A,
    message_id: 'with-geo',
    body: 'hier',
    sender: 'DEE004',
    geo: { lat: 51.9244, lon: 4.4777 },
    attachments: [
      { name: 'foto.jpg', media_type: 'image/jpeg', size: 2048, sha256: 'b'.repeat(64), object_key: 'att/1' },
    ],
    sent_at: utc('2020-04-07T12:00:00Z'),
  }),
];
const messagesB = [message({ seizure_id: B, message_id: 'b-bellen', body: 'ff bellen', sender: 'ZED009' })];

let client: Client;
let home: string;
let store: DirectoryStore;

const ids = async (params: Omit<SearchParams, 'seizureIds'> & { seizureIds?: string[] }) =>
  (await searchMessages(client, { seizureIds: [A], size: 100, ...params })).hits
    .map((h) => h.message_id)
    .sort();

beforeAll(async () => {
  client = createSearchClient({ url: openSearchUrl() });
  await installIndexTemplate(client);
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'search-index-'));
  store = new DirectoryStore(home);
  await writeLake(store, [...messagesA, ...messagesB]);
  for (const seizure of [A, B]) {
    const result = await indexSeizure(store, client, seizure);
    expect(result).toMatchObject({ failed: 0, indexCount: result.read });
  }
});

afterAll(async () => {
  for (const seizure of [A, B, C]) {
    for (const index of await allSeizureIndices(client, seizure)) await client.indices.delete({ index });
  }
  await client.close();
  await fs.rm(home, { recursive: true, force: true });
});

describe('the messages index, generated from the canonical schema', () => {
  it('creates each seizure its own index from the template, behind its alias and "messages"', async () => {
    const index = generationIndex(A, '0');
    const aliases = (await client.indices.getAlias({ index })).body as Record<string, { aliases: object }>;
    expect(Object.keys(aliases[index]?.aliases ?? {}).sort()).toEqual(
      [MESSAGES_ALIAS, seizureAlias(A)].sort(),
    );

    const mapping = (
      (await client.indices.getMapping({ index })).body as Record<
        string,
        { mappings: Record<string, unknown> }
      >
    )[index]?.mappings;
    expect(mapping).toEqual(messagesMappings());
    expect(mapping?.dynamic).toBe('strict');
    const properties = mapping?.properties as Record<string, Record<string, unknown>>;
    expect(properties.sender).toMatchObject({ type: 'keyword' });
    expect(properties.sent_at).toMatchObject({ type: 'date' });
    expect(properties.geo).toMatchObject({ type: 'geo_point' });
    expect(Object.keys(properties.body?.fields as object).sort()).toEqual(['de', 'en', 'es', 'fr', 'nl']);
  });

  it('analyses Dutch to stems that join a verb’s inflections', async () => {
    const response = await client.indices.analyze({
      index: generationIndex(A, '0'),
      body: { field: 'body.nl', text: 'bellen belde gebeld' },
    });
    const tokens = (response.body as { tokens: { token: string }[] }).tokens.map((t) => t.token);
    expect(tokens).toEqual(['bel', 'bel', 'bel']);
  });

  it('finds a Dutch verb in all its forms, from any of them', async () => {
    const inflections = ['nl-belde', 'nl-bellen', 'nl-gebeld'];
    expect(await ids({ query: 'bellen' })).toEqual(inflections);
    expect(await ids({ query: 'gebeld' })).toEqual(inflections);
    expect(await ids({ query: 'belde' })).toEqual(inflections);
  });

  it('finds inflections in English, French, Spanish and German', async () => {
    expect(await ids({ query: 'call' })).toEqual(['en-calling']);
    expect(await ids({ query: 'courier' })).toEqual(['en-calling']);
    expect(await ids({ query: 'livraison' })).toEqual(['fr-livraisons']);
    expect(await ids({ query: 'entrepot' })).toEqual(['fr-livraisons']);
    expect(await ids({ query: 'paquete' })).toEqual(['es-paquetes']);
    expect(await ids({ query: 'Lieferung' })).toEqual(['de-lieferungen']);
    expect(await ids({ query: 'hafen' })).toEqual(['de-lieferungen']);
  });

  it('matches "quoted phrases": the words in that order, in any of their forms', async () => {
    expect(await ids({ query: '"ik belde"' })).toEqual(['nl-belde']);
    expect(await ids({ query: '"ik bel"' })).toEqual(['nl-belde']);
    expect(await ids({ query: '"bellen morgen"' })).toEqual(['nl-bellen']);
    expect(await ids({ query: '"morgen bellen"' })).toEqual([]);
  });

  it('takes AND, OR, NOT, wildcards, fields and handles', async () => {
    expect(await ids({ query: 'bellen OR calling' })).toEqual([
      'en-calling',
      'nl-belde',
      'nl-bellen',
      'nl-gebeld',
    ]);
    expect(await ids({ query: 'bellen AND NOT morgen' })).toEqual(['nl-belde', 'nl-gebeld']);
    expect(await ids({ query: 'bellen -morgen' })).toEqual(['nl-belde', 'nl-gebeld']);
    expect(await ids({ query: 'koer*' })).toEqual(['nl-gebeld']);
    expect(await ids({ query: 'sender:AMY001' })).toEqual(['nl-bellen', 'nl-gebeld']);
    // A handle among the words (sender or recipient) with words as written.
    expect(await ids({ query: 'amy001 bellen' })).toEqual(['nl-bellen']);
    expect(await ids({ query: 'amy001 belde' })).toEqual(['nl-belde']);
    expect(await ids({ query: 'CY003 koerier' })).toEqual(['nl-gebeld']);
  });

  it('highlights the matched words, in whatever form they appear', async () => {
    const result = await searchMessages(client, { query: 'bellen', seizureIds: [A] });
    const byId = Object.fromEntries(result.hits.map((h) => [h.message_id, h.highlight]));
    expect(byId['nl-bellen']).toEqual(['ff <em>bellen</em> morgen?']);
    expect(byId['nl-belde']).toEqual(['ik <em>belde</em> hem gisteren']);
    expect(byId['nl-gebeld']).toEqual(['heb je <em>gebeld</em> met de koerier?']);
    const custom = await searchMessages(client, {
      query: '"ik belde"',
      seizureIds: [A],
      highlightTags: { pre: '[', post: ']' },
    });
    expect(custom.hits[0]?.highlight).toEqual(['[ik] [belde] hem gisteren']);
  });

  it('filters by seizure, sender, handle, conversation and time', async () => {
    const all = async (params: Partial<SearchParams>) =>
      (await searchMessages(client, { query: 'bellen', size: 100, ...params })).hits
        .map((h) => h.message_id)
        .sort();
    expect(await all({ seizureIds: [B] })).toEqual(['b-bellen']);
    expect(await all({ seizureIds: [A, B] })).toEqual(['b-bellen', 'nl-belde', 'nl-bellen', 'nl-gebeld']);
    expect(await all({ seizureIds: [A], sender: 'amy001' })).toEqual(['nl-bellen', 'nl-gebeld']);
    expect(await all({ seizureIds: [A], handle: 'AMY001' })).toEqual(['nl-belde', 'nl-bellen', 'nl-gebeld']);
    expect(await all({ seizureIds: [A], conversationId: 'conv-2' })).toEqual(['nl-gebeld']);
    // A bare date as the end takes the whole day (23:59:59 included), and not the next.
    expect(await all({ seizureIds: [A], from: '2020-03-02', to: '2020-03-15' })).toEqual(['nl-belde']);
    expect(await all({ seizureIds: [A], from: '2020-03-16T00:00:00Z' })).toEqual(['nl-gebeld']);
    expect(await all({ seizureIds: [A], to: '2020-03-01T09:00:00Z' })).toEqual(['nl-bellen']);
  });

  it('counts every message for "*" exactly, with or without a body, newest first when asked', async () => {
    const result = await searchMessages(client, { query: '*', seizureIds: [A], size: 3, sort: 'newest' });
    expect(result.total).toBe(messagesA.length);
    expect(result.hits.map((h) => h.message_id)).toEqual(['with-geo', 'no-body', 'de-lieferungen']);
    expect(result.hits[1]).toMatchObject({
      body: null,
      highlight: [],
      sender: 'DEE004',
      sent_at: '2020-04-06T12:00:00.000Z',
    });
  });

  it('indexes locations as geo points and attachments as fields', async () => {
    const near = await client.search({
      index: seizureAlias(A),
      body: { query: { geo_distance: { distance: '5km', geo: { lat: 51.92, lon: 4.48 } } } },
    });
    expect((near.body.hits.hits as { _id: string }[]).map((h) => h._id)).toEqual(['with-geo']);
    expect(await ids({ query: 'attachments.media_type:"image/jpeg"' })).toEqual(['with-geo']);
  });

  it('writes the same _source from the lake as from a message in memory', async () => {
    const fromLake = new Map<string, unknown>();
    for await (const batch of lakeDocuments(store, A)) {
      for (const doc of batch.documents) fromLake.set(doc.id, JSON.parse(doc.source));
    }
    expect(fromLake.size).toBe(messagesA.length);
    for (const m of messagesA)
      expect(fromLake.get(m.message_id)).toEqual(JSON.parse(messageDocument(m).source));
  });
});

describe('loading a seizure', () => {
  it('adds fields the schema gained since an index was created, in place', async () => {
    // An index made before `language` existed, behind its seizure's alias (named outside the template's
    // pattern, so the template cannot add the field back).
    const seizure = `${run}-old`;
    const old = `old-${run}`;
    const { language: _, ...olderProperties } = messagesMappings().properties;
    await client.indices.create({
      index: old,
      body: {
        settings: messagesSettings() as never,
        mappings: { ...messagesMappings(), properties: olderProperties } as never,
        aliases: { [seizureAlias(seizure)]: { is_write_index: true } },
      },
    });
    const languageOf = async () =>
      (
        (await client.indices.getMapping({ index: old })).body as Record<
          string,
          { mappings: { properties: Record<string, unknown> } }
        >
      )[old]?.mappings.properties.language;
    try {
      expect(await languageOf()).toBeUndefined();
      expect(await ensureSeizureIndex(client, seizure)).toBe(old);
      expect(await languageOf()).toMatchObject({ type: 'keyword' });
    } finally {
      await client.indices.delete({ index: old });
    }
  });

  it('restores the refresh interval after a load', async () => {
    expect(await refreshInterval(client, generationIndex(A, '0'))).toBe('1s');
  });

  it('re-indexes idempotently: the same ids, the same count', async () => {
    const again = await indexSeizure(store, client, A);
    expect(again).toMatchObject({ mode: 'update', index: generationIndex(A, '0'), read: messagesA.length });
    expect(again.indexCount).toBe(messagesA.length);
    expect((await searchMessages(client, { query: '*', seizureIds: [A] })).total).toBe(messagesA.length);
  });

  it('rebuilds into a new index and swaps it in for the old one, with the same count', async () => {
    const rebuilt = await indexSeizure(store, client, A, { mode: 'rebuild' });
    expect(rebuilt.index).toMatch(new RegExp(`^${seizureAlias(A)}-\\d{17}$`));
    expect(rebuilt).toMatchObject({
      indexCount: messagesA.length,
      failed: 0,
      replaced: [generationIndex(A, '0')],
    });
    expect(await allSeizureIndices(client, A)).toEqual([rebuilt.index]);
    expect(await refreshInterval(client, rebuilt.index)).toBe('1s');
    expect((await searchMessages(client, { query: '*', seizureIds: [A] })).total).toBe(messagesA.length);
    expect(await ids({ query: 'gebeld' })).toEqual(['nl-belde', 'nl-bellen', 'nl-gebeld']);
    // New messages go to the rebuilt index.
    expect(await ensureSeizureIndex(client, A)).toBe(rebuilt.index);
  });

  it('records a message OpenSearch refuses, and a rebuild that misses one leaves the old index alone', async () => {
    const good = message({ seizure_id: C, message_id: 'c-good', body: 'goed' });
    await writeLake(store, [good]);
    const first = await indexSeizure(store, client, C);
    expect(first).toMatchObject({ indexed: 1, failed: 0 });

    // A latitude beyond 90° is refused by the geo_point field: one bad message in the lake.
    await writeLake(
      store,
      [message({ seizure_id: C, message_id: 'c-bad', body: 'fout', geo: { lat: 95, lon: 4 } })],
      'part-test-1',
    );
    const update = await indexSeizure(store, client, C);
    expect(update).toMatchObject({ read: 2, indexed: 1, failed: 1 });
    expect(update.failures).toEqual([
      expect.objectContaining({ id: 'c-bad', status: 400, type: expect.stringMatching(/parsing_exception/) }),
    ]);
    expect(update.failures[0]?.reason).not.toContain('95');

    const error = await indexSeizure(store, client, C, { mode: 'rebuild' }).catch((e) => e);
    expect(error).toBeInstanceOf(IndexIncompleteError);
    expect((error as IndexIncompleteError).result).toMatchObject({ read: 2, failed: 1 });
    expect(await allSeizureIndices(client, C)).toEqual([generationIndex(C, '0')]);
  });
});

describe('the bulk indexer', () => {
  it('reads every item: refused ones are recorded with their reasons, never their values', async () => {
    const index = await ensureSeizureIndex(client, C);
    const indexer = new BulkIndexer(client, { index });
    const doc = (id: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        ...JSON.parse(messageDocument(message({ seizure_id: C, message_id: id })).source),
        ...extra,
      });
    await indexer.add('ok-1', doc('ok-1'));
    await indexer.add('unknown-field', doc('unknown-field', { secret_note: 'do not log me' }));
    await indexer.add('bad-date', doc('bad-date', { sent_at: 'the day after tomorrow' }));
    await indexer.add('ok-2', doc('ok-2'));
    const result = await indexer.close();
    expect(result).toMatchObject({ indexed: 2, failed: 2, retried: 0 });
    expect(result.failures.map((f) => [f.id, f.status])).toEqual([
      ['unknown-field', 400],
      ['bad-date', 400],
    ]);
    expect(result.failures[0]?.type).toBe('strict_dynamic_mapping_exception');
    for (const f of result.failures) {
      expect(f.reason).not.toContain('do not log me');
      expect(f.reason).not.toContain('the day after tomorrow');
    }
  });

  it('cuts requests by size', async () => {
    const index = await ensureSeizureIndex(client, C);
    const indexer = new BulkIndexer(client, { index, maxBytes: 8_000, concurrency: 3 });
    for (let i = 0; i < 200; i++) {
      const m = message({ seizure_id: C, message_id: `size-${i}`, body: `bericht nummer ${i} `.repeat(10) });
      await indexer.add(m.message_id, messageDocument(m).source);
    }
    const result = await indexer.close();
    expect(result).toMatchObject({ indexed: 200, failed: 0 });
    expect(result.requests).toBeGreaterThanOrEqual(Math.ceil(result.bytes / 8_000));
    expect(() => new BulkIndexer(client, { index, maxBytes: 10 * 1024 * 1024 })).toThrow(/below/);
  });
});
