import { describe, expect, it } from 'vitest';
import { duckdbColumns, duckdbType } from '#domain/schema/duckdb-types.ts';
import { glueColumns, glueType } from '#domain/schema/glue-types.ts';
import { messageFields, partitionColumns } from '#domain/schema/message-schema.ts';
import { PIPELINE_VERSION } from '#domain/version.ts';
import pkg from '../../../../package.json' with { type: 'json' };

describe('types derived from the canonical schema', () => {
  it('gives DuckDB UTC timestamps, lists and structs', () => {
    expect(duckdbType('timestamp')).toBe('TIMESTAMPTZ');
    expect(duckdbType({ list: 'string' })).toBe('VARCHAR[]');
    const geo = messageFields.find((f) => f.name === 'geo');
    expect(duckdbType(geo!.type)).toBe('STRUCT(lat DOUBLE, lon DOUBLE)');
    expect(duckdbColumns().split(',\n').length).toBe(messageFields.length);
  });

  it('gives Glue every column but the partition keys, in schema order, with Hive types', () => {
    const columns = glueColumns();
    expect(columns.map((c) => c.name)).toEqual(
      messageFields.map((f) => f.name).filter((n) => !(partitionColumns as readonly string[]).includes(n)),
    );
    expect(columns.find((c) => c.name === 'recipients')?.type).toBe('array<string>');
    expect(columns.find((c) => c.name === 'source_offset')?.type).toBe('bigint');
    expect(glueType(messageFields.find((f) => f.name === 'attachments')!.type)).toBe(
      'array<struct<name:string,media_type:string,size:bigint,sha256:string,object_key:string>>',
    );
  });

  it('records the package version as the pipeline version', () => {
    expect(PIPELINE_VERSION).toBe(pkg.version);
  });
});
