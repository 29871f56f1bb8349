import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChunkConstants, ChunkParquetWriter } from '#domain/lake/chunk-parquet-writer.ts';
import { type DuckDBSession, openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { duckdbColumns } from '#domain/schema/duckdb-types.ts';
import { type CanonicalMessage, messageFields } from '#domain/schema/message-schema.ts';
import { message } from '../../../support/search-lake.ts';

const constants: ChunkConstants = {
  seizure_id: 'writer-test',
  case_id: 'case-synthetic',
  platform: 'skyecc',
  import_id: 'imp-00000000000000000001',
  ingested_at: Date.UTC(2024, 5, 1, 12, 30, 15, 123),
  source_object: 'seizures/writer-test/data/messages.ndjson',
  source_sha256: 'b'.repeat(64),
};

/** Every kind of value the schema has: lists, structs, lists of structs, times to the millisecond, nulls. */
function rich(overrides: Partial<CanonicalMessage> = {}): CanonicalMessage {
  return message({
    ...(constants as CanonicalMessage),
    sent_at: Date.UTC(2020, 2, 31, 23, 59, 59, 999),
    received_at: Date.UTC(2020, 3, 1, 0, 0, 1, 7),
    read_at: null,
    edited_at: Date.UTC(2020, 3, 1, 0, 5),
    recipients: ['BOB002', 'CAROL3'],
    body: 'quote " backslash \\ newline\n tab\t emoji 😀 accents éèñ \u0000 end',
    language: 'nl',
    entities: [{ kind: 'phone', value: '+31612345678', raw: '06-12345678' }],
    mentioned_geo: [{ lat: 52.370216, lon: 4.895168 }],
    attachments: [
      { name: 'a.jpg', media_type: 'image/jpeg', size: 2 ** 40, sha256: 'c'.repeat(64), object_key: 'k' },
    ],
    geo: { lat: -33.8688, lon: 151.2093 },
    source_offset: 2 ** 40 + 3,
    source_length: 123,
    ...overrides,
  } as CanonicalMessage);
}

let duckdb: DuckDBSession;
let work: string;
beforeEach(async () => {
  duckdb = await openDuckDB({ threads: 1 });
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'chunk-writer-'));
});
afterEach(async () => {
  duckdb.close();
  await fs.rm(work, { recursive: true, force: true });
});

async function write(messages: CanonicalMessage[], given: ChunkConstants = constants, sortByTime = false) {
  const writer = new ChunkParquetWriter(duckdb.connection, path.join(work, 'staging'), given);
  await writer.open();
  await writer.append(messages.slice(0, 1));
  await writer.append(messages.slice(1));
  return writer.finish(path.join(work, 'out'), { sortByTime });
}

async function readBack(file: string): Promise<Record<string, unknown>[]> {
  const result = await duckdb.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`);
  return result
    .getRowObjectsJS()
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))) as Record<
    string,
    unknown
  >[];
}

/** DuckDB's JS values as the domain writes them: epoch milliseconds, numbers. */
function plain(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('ChunkParquetWriter', () => {
  it('writes every field back exactly as given, constants included, in the schema types', async () => {
    const m = rich();
    const [file, ...more] = await write([m, rich({ message_id: 'second', body: null, entities: null })]);
    expect(more).toEqual([]);
    expect(file?.month).toBe('2020-03');
    expect(file?.rows).toBe(2);
    const rows = await readBack(file?.file as string);
    const first = rows.find((r) => r.message_id === m.message_id);
    for (const f of messageFields)
      expect(first?.[f.name], f.name).toEqual(m[f.name as keyof CanonicalMessage]);
    expect(rows.find((r) => r.message_id === 'second')?.body).toBeNull();

    const describe = async (from: string) =>
      Object.fromEntries(
        (await duckdb.connection.runAndReadAll(`DESCRIBE ${from}`))
          .getRowObjects()
          .map((r) => [r.column_name, r.column_type]),
      );
    await duckdb.connection.run(`CREATE TABLE canonical (${duckdbColumns()})`);
    const expected = await describe('canonical');
    const written = await describe(`SELECT * FROM read_parquet(${sqlString(file?.file as string)})`);
    for (const f of messageFields) expect(written[f.name], f.name).toBe(expected[f.name]);
  });

  it('reads a field a message lacks altogether as NULL', async () => {
    const m = rich();
    delete (m as Partial<CanonicalMessage>).language;
    delete (m as Partial<CanonicalMessage>).geo;
    const [row] = await readBack((await write([m]))[0]?.file as string);
    expect(row).toMatchObject({ language: null, geo: null, body: m.body });
  });

  it('rounds a time given in fractions of a millisecond to the millisecond', async () => {
    const at = Date.UTC(2021, 6, 1, 12);
    const [row] = await readBack(
      (await write([rich({ sent_at: at + 0.6, edited_at: at + 0.4 })]))[0]?.file as string,
    );
    expect(row).toMatchObject({ sent_at: at + 1, edited_at: at });
  });

  it('writes a lone surrogate as U+FFFD instead of failing the chunk', async () => {
    const [file] = await write([rich({ body: 'broken \ud800 text', sender: 'X\udc00' })]);
    const [row] = await readBack(file?.file as string);
    expect(row?.body).toBe('broken \ufffd text');
    expect(row?.sender).toBe('X\ufffd');
  });

  it('writes one file per month with its own count, sorted by time when asked', async () => {
    const at = (month: number, day: number) => Date.UTC(2021, month, day);
    const messages = [at(4, 9), at(3, 2), at(4, 1), at(3, 30), at(4, 20)].map((t, i) =>
      rich({ message_id: `m${i}`, sent_at: t }),
    );
    const files = await write(messages, constants, true);
    expect(files.map((f) => [f.month, f.rows])).toEqual([
      ['2021-04', 2],
      ['2021-05', 3],
    ]);
    const may = await readBack(files[1]?.file as string);
    expect(may.map((r) => r.sent_at)).toEqual([at(4, 1), at(4, 9), at(4, 20)]);
  });

  it('merges the parts DuckDB writes when a chunk spans more months than it keeps open', async () => {
    await duckdb.connection.run('SET partitioned_write_max_open_files = 1');
    await duckdb.connection.run('SET partitioned_write_flush_threshold = 100');
    const messages = Array.from({ length: 9000 }, (_, i) =>
      rich({ message_id: `p${i}`, sent_at: Date.UTC(2022, i % 3, 1 + (i % 28)) }),
    );
    const files = await write(messages);
    expect(files.map((f) => [f.month, f.rows])).toEqual([
      ['2022-01', 3000],
      ['2022-02', 3000],
      ['2022-03', 3000],
    ]);
    for (const f of files) {
      expect(await fs.readdir(path.dirname(f.file))).toEqual([path.basename(f.file)]);
      const ids = (await readBack(f.file)).map((r) => r.message_id);
      expect(new Set(ids).size).toBe(3000);
    }
  });

  it("writes a body near the 16 MiB record limit within the normalize step's 256 MB for DuckDB", async () => {
    duckdb.close();
    duckdb = await openDuckDB({ threads: 1, memoryLimit: '256MB', tempDirectory: path.join(work, 'tmp') });
    const body = 'é'.repeat(8 * 1024 * 1024 - 10); // 16 MiB of UTF-8
    const [file] = await write([rich({ body }), rich({ message_id: 'short' })]);
    const rows = await readBack(file?.file as string);
    expect(rows.find((r) => r.message_id !== 'short')?.body).toBe(body);
  });

  it('refuses a message whose chunk-wide value differs, naming the field', async () => {
    await expect(
      write([rich(), rich({ source_object: 'seizures/writer-test/data/other.ndjson' })]),
    ).rejects.toThrow(/source_object differs/);
  });

  it('stages every field when given no constants, and writes nothing for no messages', async () => {
    const [file] = await write([rich(), rich({ case_id: 'case-other' })], {});
    expect((await readBack(file?.file as string)).map((r) => r.case_id).sort()).toEqual([
      'case-other',
      'case-synthetic',
    ]);
    const writer = new ChunkParquetWriter(duckdb.connection, path.join(work, 'empty'), constants);
    await writer.open();
    expect(await writer.finish(path.join(work, 'none'))).toEqual([]);
  });
});
