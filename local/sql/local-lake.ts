import fs from 'node:fs/promises';
import path from 'node:path';
import { messagesPrefix } from '#domain/import/import-layout.ts';
import { type DuckDBSession, openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { lakeColumns } from '#domain/lake/lake-columns.ts';
import { duckdbColumns } from '#domain/schema/duckdb-types.ts';
import { lakeViews } from '#domain/sql/lake-views.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Row = Record<string, JsonValue>;

export interface LocalLakeOptions {
  /**
   * Only this case: `messages` (and so every view, as they all derive from it) holds this case's rows and no
   * other's, and the session is locked so that SQL cannot read any file but this case's Parquet files.
   */
  caseId?: string;
}

/**
 * DuckDB over the local lake, where Athena would be in the cloud: `messages` reads the Parquet files where
 * they lie (`<home>/lake/messages/seizure_id=*\/sent_month=*\/*.parquet`), and the views stand beside it.
 */
export async function openLocalLake(home: string, options: LocalLakeOptions = {}): Promise<DuckDBSession> {
  const duckdb = await openDuckDB();
  const root = path.join(home, 'lake', messagesPrefix);
  const caseId = options.caseId;
  const files = caseId === undefined ? undefined : await caseFiles(duckdb, root, caseId);
  if (files ? files.length > 0 : await hasParquet(root)) {
    const glob = path.join(root, 'seizure_id=*', 'sent_month=*', '*.parquet');
    const list = files ? `[${files.map(sqlString).join(', ')}]` : sqlString(glob);
    const source = `read_parquet(${list},
      hive_partitioning = true, hive_types = {'seizure_id': VARCHAR, 'sent_month': VARCHAR}, union_by_name = true)`;
    // Files written before a field was added read it as NULL.
    const columns = await lakeColumns(duckdb.connection, source);
    const where = caseId === undefined ? '' : ` WHERE case_id = ${sqlString(caseId)}`;
    await duckdb.connection.run(
      `CREATE VIEW messages AS SELECT ${columns}, sent_month FROM ${source}${where}`,
    );
  } else {
    await duckdb.connection.run(`CREATE TABLE messages (${duckdbColumns()}, sent_month VARCHAR)`);
  }
  for (const view of lakeViews)
    await duckdb.connection.run(`CREATE VIEW ${view.name} AS ${view.duckdbSql ?? view.sql}`);
  if (files) await lockToFiles(duckdb, files);
  return duckdb;
}

/**
 * The Parquet files of the seizures of a case (a seizure belongs to one case, by its manifest), found before
 * the session is locked.
 */
async function caseFiles(duckdb: DuckDBSession, root: string, caseId: string): Promise<string[]> {
  if (!(await hasParquet(root))) return [];
  const glob = path.join(root, 'seizure_id=*', 'sent_month=*', '*.parquet');
  const reader = await duckdb.connection.runAndReadAll(
    `SELECT DISTINCT filename FROM read_parquet(${sqlString(glob)}, filename = true, union_by_name = true)
     WHERE case_id = ${sqlString(caseId)} ORDER BY filename`,
  );
  return reader.getRowObjectsJS().map((r) => String(r.filename));
}

/**
 * From here on the session reads only these files: no other file, no `read_parquet` over the lake's other
 * cases, no ATTACH, no extension; and the setting cannot be undone by the user's SQL.
 */
async function lockToFiles(duckdb: DuckDBSession, files: string[]): Promise<void> {
  await duckdb.connection.run(`SET allowed_paths = [${files.map(sqlString).join(', ')}]`);
  await duckdb.connection.run('SET enable_external_access = false');
  await duckdb.connection.run('SET lock_configuration = true');
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
