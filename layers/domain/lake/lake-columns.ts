import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbType } from '../schema/duckdb-types.ts';
import type { FieldDef } from '../schema/field-types.ts';
import { messageFields } from '../schema/message-schema.ts';

/**
 * The SELECT list of `fields` over lake files written by any version of the schema: a column that files
 * written before it was added do not have is read as NULL of its type, so yesterday's lake stays readable
 * (and compactable) after a field is added today. `source` is a FROM item, e.g. read_parquet([...]).
 */
export async function lakeColumns(
  connection: DuckDBConnection,
  source: string,
  fields: readonly FieldDef[] = messageFields,
): Promise<string> {
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const present = new Set(described.getRowObjects().map((r) => String(r.column_name)));
  return fields
    .map((f) => (present.has(f.name) ? `"${f.name}"` : `CAST(NULL AS ${duckdbType(f.type)}) AS "${f.name}"`))
    .join(', ');
}
