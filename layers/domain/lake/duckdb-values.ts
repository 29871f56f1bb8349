import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  LIST,
  listValue,
  STRUCT,
  structValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} from '@duckdb/node-api';
import { type FieldDef, type FieldType, isList, isStruct } from '../schema/field-types.ts';

/** DuckDB column types and value converters, derived from the canonical schema. */
export function duckdbNodeType(type: FieldType): DuckDBType {
  if (isList(type)) return LIST(duckdbNodeType(type.list));
  if (isStruct(type))
    return STRUCT(Object.fromEntries(type.struct.map((f) => [f.name, duckdbNodeType(f.type)])));
  switch (type) {
    case 'string':
      return VARCHAR;
    case 'timestamp':
      return TIMESTAMPTZ;
    case 'boolean':
      return BOOLEAN;
    case 'int32':
      return INTEGER;
    case 'int64':
      return BIGINT;
    case 'double':
      return DOUBLE;
  }
}

export type ToDuckDB = (value: unknown) => DuckDBValue;

/** A converter from the domain's value (epoch ms for times, numbers for integers) to DuckDB's. */
export function duckdbConverter(type: FieldType): ToDuckDB {
  if (isList(type)) {
    const item = duckdbConverter(type.list);
    return (v) => (v == null ? null : listValue((v as unknown[]).map(item)));
  }
  if (isStruct(type)) {
    const fields = type.struct.map((f: FieldDef) => [f.name, duckdbConverter(f.type)] as const);
    return (v) => {
      if (v == null) return null;
      const record = v as Record<string, unknown>;
      return structValue(Object.fromEntries(fields.map(([name, convert]) => [name, convert(record[name])])));
    };
  }
  switch (type) {
    case 'timestamp':
      return (v) => (v == null ? null : timestampTZValue(BigInt(v as number) * 1000n));
    case 'int64':
      return (v) => (v == null ? null : BigInt(v as number));
    default:
      return (v) => (v == null ? null : (v as DuckDBValue));
  }
}
