import fs from 'node:fs/promises';
import path from 'node:path';
import { messagesPrefix } from '#domain/import/import-layout.ts';
import { type DuckDBSession, openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { duckdbColumns } from '#domain/schema/duckdb-types.ts';
import { messageFields } from '#domain/schema/message-schema.ts';
import { lakeViews } from '#domain/sql/lake-views.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Row = Record<string, JsonValue>;

/**
 * DuckDB over the local lake, where Athena would be in the cloud: `messages` reads the Parquet files where
 * they lie (`<home>/lake/messages/seizure_id=*\/sent_month=*\/*.parquet`), and the views stand beside it.
 */
export async function openLocalLake(home: string): Promise<DuckDBSession> {
  const duckdb = await openDuckDB();
  const root = path.join(home, 'lake', messagesPrefix);
  const columns = messageFields.map((f) => f.name).join(', ');
  if (await hasParquet(root)) {
    const glob = path.join(root, 'seizure_id=*', 'sent_month=*', '*.parquet');
    await duckdb.connection.run(`CREATE VIEW messages AS SELECT ${columns}, sent_month FROM read_parquet(${sqlString(glob)},
      hive_partitioning = true, hive_types = {'seizure_id': VARCHAR, 'sent_month': VARCHAR}, union_by_name = true)`);
  } else {
    await duckdb.connection.run(`CREATE TABLE messages (${duckdbColumns()}, sent_month VARCHAR)`);
  }
  for (const view of lakeViews) await duckdb.connection.run(`CREATE VIEW ${view.name} AS ${view.sql}`);
  return duckdb;
}

async function hasParquet(root: string): Promise<boolean> {
  for await (const _ of fs.glob('seizure_id=*/sent_month=*/*.parquet', { cwd: root })) return true;
  return false;
}

/** Runs one SQL text and returns its rows as JSON values (64-bit integers as numbers when exact). */
export async function queryRows(
  duckdb: DuckDBSession,
  sql: string,
): Promise<{ columns: string[]; rows: Row[] }> {
  const reader = await duckdb.connection.runAndReadAll(sql);
  const columns = reader.columnNames();
  const rows = reader.getRowObjectsJS().map((r) => {
    const out: Row = {};
    for (const c of columns) out[c] = toJson(r[c]);
    return out;
  });
  return { columns, rows };
}

function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value as JsonValue;
}
