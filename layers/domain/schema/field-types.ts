/**
 * The vocabulary the canonical schema is written in. Every consumer (row validation, the DuckDB/Parquet
 * writer, the Glue table, the OpenSearch mapping) derives its own types from these definitions, so the
 * schema is stated once.
 */
export type ScalarType = 'string' | 'timestamp' | 'boolean' | 'int32' | 'int64' | 'double';

export type FieldType = ScalarType | { list: FieldType } | { struct: readonly FieldDef[] };

/** How a field is searched; the OpenSearch mapping is generated from this. */
export type SearchKind =
  | 'keyword'
  | 'multilingual-text'
  | 'date'
  | 'boolean'
  | 'long'
  | 'double'
  | 'geo-point'
  | 'object'
  | 'not-indexed';

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  /** A required field is never null; a row without it is quarantined. */
  readonly required: boolean;
  readonly search: SearchKind;
  readonly doc: string;
}

export const isList = (t: FieldType): t is { list: FieldType } => typeof t === 'object' && 'list' in t;
export const isStruct = (t: FieldType): t is { struct: readonly FieldDef[] } =>
  typeof t === 'object' && 'struct' in t;
