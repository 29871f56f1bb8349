import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { monthPartitionPrefix } from '#domain/import/import-layout.ts';
import { ChunkParquetWriter } from '#domain/lake/chunk-parquet-writer.ts';
import { openDuckDB } from '#domain/lake/duckdb-session.ts';
import { type CanonicalMessage, messageFields } from '#domain/schema/message-schema.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';

/** The URL of the run's OpenSearch node (test/support/opensearch-global-setup.ts). */
export function openSearchUrl(): string {
  const url = inject('opensearchUrl') ?? process.env.OPENSEARCH_URL;
  if (!url) throw new Error('no OpenSearch for this run: register test/support/opensearch-global-setup.ts');
  return url;
}

let counter = 0;

/** A synthetic canonical message: optional fields null unless given; every field can be overridden. */
export function message(overrides: Partial<CanonicalMessage> & { seizure_id: string }): CanonicalMessage {
  const n = ++counter;
  const nulls = Object.fromEntries(messageFields.map((f) => [f.name, null]));
  return {
    ...nulls,
    message_id: `m-${overrides.seizure_id}-${n}`,
    case_id: 'case-synthetic',
    platform: 'skyecc',
    native_id: `n${n}`,
    conversation_id: 'conv-1',
    sent_at: Date.UTC(2020, 2, 1, 10, 0, 0) + n * 1000,
    sent_at_raw: '2020-03-01 10:00:00',
    timezone_assumed: true,
    sender: 'AMY001',
    recipients: ['BOB002'],
    body: 'hallo',
    source_object: `seizures/${overrides.seizure_id}/data/messages.ndjson`,
    source_sha256: 'a'.repeat(64),
    source_offset: n * 100,
    source_length: 99,
    import_id: 'imp-00000000000000000000',
    ingested_at: Date.UTC(2024, 0, 1),
    ...overrides,
  } as CanonicalMessage;
}

/** Writes messages into the store's lake as a finalized import would: one Parquet file per month partition. */
export async function writeLake(
  store: ObjectStore,
  messages: readonly CanonicalMessage[],
  name = 'part-test-0',
) {
  const duckdb = await openDuckDB();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'search-lake-'));
  try {
    const bySeizure = Map.groupBy(messages, (m) => m.seizure_id);
    for (const [seizureId, rows] of bySeizure) {
      const out = path.join(work, seizureId);
      const writer = new ChunkParquetWriter(duckdb.connection, `${out}-staging`);
      await writer.open();
      await writer.append(rows);
      for (const f of await writer.finish(out, { sortByTime: true })) {
        await store.write('lake', `${monthPartitionPrefix(seizureId, f.month)}${name}.parquet`, {
          file: f.file,
        });
      }
    }
  } finally {
    duckdb.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}
