import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { seizurePartitionPrefix } from '../import/import-layout.ts';
import { type DuckDBSession, openDuckDB, sqlString } from '../lake/duckdb-session.ts';
import { listKeys } from '../lake/local-copies.ts';
import type { FieldDef } from '../schema/field-types.ts';
import { type CanonicalMessage, messageFields } from '../schema/message-schema.ts';
import type { ObjectStore } from '../storage/object-store.ts';

/**
 * The search documents of a seizure, read from the lake's Parquet files (the table, after finalize) with
 * DuckDB: one JSON `_source` per message, built in SQL from the canonical schema, streamed in batches of a
 * few thousand rows, one lake file at a time (downloaded to a work directory when the store is S3).
 */

export interface SearchDocument {
  id: string;
  /** The `_source`, as JSON text. */
  source: string;
}

/** Send times and other timestamps as ISO 8601 UTC text with milliseconds, e.g. 2020-03-01T10:00:00.000Z. */
const ISO_MS = '%Y-%m-%dT%H:%M:%S.%gZ';

/** `month` → the month of a lake key (`.../sent_month=2020-03/part-….parquet`). */
export function monthOfKey(key: string): string | undefined {
  return /\/sent_month=(\d{4}-\d{2})\//.exec(key)?.[1];
}

/** The seizure's lake files, in key order; only those of `months` when given. */
export async function seizureLakeKeys(
  store: ObjectStore,
  seizureId: string,
  months?: readonly string[],
): Promise<string[]> {
  const keys = await listKeys(store, 'lake', seizurePartitionPrefix(seizureId), '.parquet');
  if (!months) return keys;
  const wanted = new Set(months);
  return keys.filter((key) => wanted.has(monthOfKey(key) ?? ''));
}

function column(field: FieldDef, seizureId: string): string {
  const name = `"${field.name}"`;
  // The partition path carries the seizure; the files do not repeat it.
  if (field.name === 'seizure_id') return sqlString(seizureId);
  if (field.type === 'timestamp') return `strftime(${name}, ${sqlString(ISO_MS)})`;
  // Lists and structs become JSON arrays and objects; a geo struct {lat, lon} is a geo_point as it is.
  return name;
}

/** The SELECT that turns a lake file's rows into (message_id, JSON source), fields in schema order. */
export function documentSql(file: string, seizureId: string): string {
  const members = messageFields.map((f) => `"${f.name}" := ${column(f, seizureId)}`).join(', ');
  return `SELECT message_id, to_json(struct_pack(${members}))::VARCHAR AS source
    FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`;
}

export interface LakeReadOptions {
  /** Only these months (`YYYY-MM`). */
  months?: readonly string[];
  /** Where lake files are downloaded when the store has no local paths; default the OS temp directory. */
  workDirectory?: string;
  /** An open DuckDB to use; one is opened (and closed) otherwise. */
  duckdb?: DuckDBSession;
}

export interface DocumentBatch {
  /** The lake file the batch came from, and its month partition. */
  key: string;
  month: string;
  documents: SearchDocument[];
}

/** Yields the seizure's documents in batches (one DuckDB vector, up to 2048 rows, per batch). */
export async function* lakeDocuments(
  store: ObjectStore,
  seizureId: string,
  options: LakeReadOptions = {},
): AsyncGenerator<DocumentBatch> {
  const keys = await seizureLakeKeys(store, seizureId, options.months);
  if (keys.length === 0) return;
  const duckdb = options.duckdb ?? (await openDuckDB());
  const download = store.localPath
    ? undefined
    : await fs.mkdtemp(path.join(options.workDirectory ?? os.tmpdir(), `index-${seizureId}-`));
  try {
    for (const key of keys) {
      let file: string;
      if (store.localPath) {
        file = store.localPath('lake', key);
      } else {
        file = path.join(download as string, 'part.parquet');
        await pipeline(await store.read('lake', key), createWriteStream(file));
      }
      const result = await duckdb.connection.stream(documentSql(file, seizureId));
      const month = monthOfKey(key) ?? '';
      for await (const rows of result.yieldRows()) {
        yield {
          key,
          month,
          documents: rows.map(([id, source]) => ({ id: String(id), source: String(source) })),
        };
      }
      if (download) await fs.rm(file, { force: true });
    }
  } finally {
    if (!options.duckdb) duckdb.close();
    if (download) await fs.rm(download, { recursive: true, force: true });
  }
}

/**
 * The same `_source` for a message held in memory (epoch-ms times), for callers that index messages they
 * have not written to the lake; a test keeps it equal to what `documentSql` makes of the same row.
 */
export function messageDocument(message: CanonicalMessage): SearchDocument {
  const source: Record<string, unknown> = {};
  for (const field of messageFields) {
    const value = message[field.name as keyof CanonicalMessage];
    source[field.name] =
      field.type === 'timestamp' && typeof value === 'number' ? new Date(value).toISOString() : value;
  }
  return { id: message.message_id, source: JSON.stringify(source) };
}

/**
 * Messages in the seizure's lake files (of `months` when given), from their Parquet footers; files of a
 * store without local paths are downloaded to read them.
 */
export async function countLakeRows(
  store: ObjectStore,
  seizureId: string,
  options: LakeReadOptions = {},
): Promise<number> {
  const keys = await seizureLakeKeys(store, seizureId, options.months);
  if (keys.length === 0) return 0;
  const duckdb = options.duckdb ?? (await openDuckDB());
  const download = store.localPath
    ? undefined
    : await fs.mkdtemp(path.join(options.workDirectory ?? os.tmpdir(), `count-${seizureId}-`));
  try {
    let rows = 0;
    for (const key of keys) {
      let file: string;
      if (store.localPath) {
        file = store.localPath('lake', key);
      } else {
        file = path.join(download as string, 'part.parquet');
        await pipeline(await store.read('lake', key), createWriteStream(file));
      }
      const reader = await duckdb.connection.runAndReadAll(
        `SELECT coalesce(sum(num_rows), 0)::BIGINT AS n FROM parquet_file_metadata(${sqlString(file)})`,
      );
      rows += Number(reader.getRowObjects()[0]?.n ?? 0);
    }
    return rows;
  } finally {
    if (!options.duckdb) duckdb.close();
    if (download) await fs.rm(download, { recursive: true, force: true });
  }
}
