import { type FieldDef, type FieldType, isList, isStruct } from './field-types.ts';
import { messageFields } from './message-schema.ts';

const scalar: Record<string, string> = {
  string: 'VARCHAR',
  // TIMESTAMPTZ is written to Parquet as TIMESTAMP(isAdjustedToUTC=true, MICROS): a UTC instant.
  timestamp: 'TIMESTAMPTZ',
  boolean: 'BOOLEAN',
  int32: 'INTEGER',
  int64: 'BIGINT',
  double: 'DOUBLE',
};

export function duckdbType(type: FieldType): string {
  if (isList(type)) return `${duckdbType(type.list)}[]`;
  if (isStruct(type))
    return `STRUCT(${type.struct.map((f) => `${f.name} ${duckdbType(f.type)}`).join(', ')})`;
  const t = scalar[type];
  if (!t) throw new Error(`no DuckDB type for ${type}`);
  return t;
}

/** Column list for CREATE TABLE, in schema order. */
export function duckdbColumns(fields: readonly FieldDef[] = messageFields): string {
  return fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(',\n  ');
}
