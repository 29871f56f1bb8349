import { type FieldDef, type FieldType, isList, isStruct } from './field-types.ts';
import { messageFields, partitionColumns } from './message-schema.ts';

const scalar: Record<string, string> = {
  string: 'string',
  timestamp: 'timestamp',
  boolean: 'boolean',
  int32: 'int',
  int64: 'bigint',
  double: 'double',
};

/** Hive/Glue type string, as Athena reads it. */
export function glueType(type: FieldType): string {
  if (isList(type)) return `array<${glueType(type.list)}>`;
  if (isStruct(type)) return `struct<${type.struct.map((f) => `${f.name}:${glueType(f.type)}`).join(',')}>`;
  const t = scalar[type];
  if (!t) throw new Error(`no Glue type for ${type}`);
  return t;
}

export interface GlueColumn {
  name: string;
  type: string;
  comment: string;
}

/** Columns of the Glue `messages` table: every field but the partition keys, which Glue lists apart. */
export function glueColumns(fields: readonly FieldDef[] = messageFields): GlueColumn[] {
  const partitions = new Set<string>(partitionColumns);
  return fields
    .filter((f) => !partitions.has(f.name))
    .map((f) => ({ name: f.name, type: glueType(f.type), comment: f.doc }));
}
