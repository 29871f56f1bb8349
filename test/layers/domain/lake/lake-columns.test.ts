import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { duckdbColumns } from '#domain/schema/duckdb-types.ts';
import type { FieldDef } from '#domain/schema/field-types.ts';
import { messageFields } from '#domain/schema/message-schema.ts';
import { openLocalLake, queryRows } from '#local/sql/local-lake.ts';

const homes: string[] = [];
afterAll(() => Promise.all(homes.map((h) => fs.rm(h, { recursive: true, force: true }))));

/** Writes one message row as a lake file of a schema with only `fields` (an older version of it). */
async function lakeFile(home: string, seizure: string, fields: readonly FieldDef[], entities: string) {
  const dir = path.join(home, 'lake', 'messages', `seizure_id=${seizure}`, 'sent_month=2020-01');
  await fs.mkdir(dir, { recursive: true });
  const duckdb = await openDuckDB();
  try {
    const stored = fields.filter((f) => f.name !== 'seizure_id');
    await duckdb.connection.run(`CREATE TABLE m (${duckdbColumns(stored)})`);
    const values = stored.map((f) => {
      if (f.name === 'entities') return entities;
      if (f.name === 'recipients') return "['b']";
      if (f.type === 'timestamp') return "TIMESTAMPTZ '2020-01-02 03:04:05+00'";
      if (f.type === 'boolean') return 'false';
      if (f.type === 'int32' || f.type === 'int64') return '0';
      return f.required ? sqlString(f.name === 'sender' ? 'a' : `${seizure}-${f.name}`) : 'NULL';
    });
    await duckdb.connection.run(`INSERT INTO m VALUES (${values.join(', ')})`);
    await duckdb.connection.run(`COPY m TO ${sqlString(path.join(dir, 'part-0.parquet'))} (FORMAT parquet)`);
  } finally {
    duckdb.close();
  }
}

describe('a lake written by an older schema', () => {
  it('stays readable: a field added since reads as NULL beside files that have it', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-columns-'));
    homes.push(home);
    const older = messageFields.filter((f) => f.name !== 'entities' && f.name !== 'mentioned_geo');
    await lakeFile(home, 'old', older, 'NULL');
    await lakeFile(
      home,
      'new',
      messageFields,
      "[{'kind': 'phone', 'value': '+31620000001', 'raw': '06 2000 0001'}]",
    );
    const duckdb = await openLocalLake(home);
    try {
      const { rows } = await queryRows(
        duckdb,
        'SELECT seizure_id, entities, mentioned_geo FROM messages ORDER BY 1',
      );
      expect(rows).toEqual([
        {
          seizure_id: 'new',
          entities: [{ kind: 'phone', value: '+31620000001', raw: '06 2000 0001' }],
          mentioned_geo: null,
        },
        { seizure_id: 'old', entities: null, mentioned_geo: null },
      ]);
      const links = await queryRows(duckdb, 'SELECT count(*) AS n FROM entities');
      expect(links.rows).toEqual([{ n: 1 }]);
    } finally {
      duckdb.close();
    }
  });

  it('is readable when no file has the new field yet', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-columns-'));
    homes.push(home);
    await lakeFile(
      home,
      'old',
      messageFields.filter((f) => f.name !== 'entities' && f.name !== 'mentioned_geo'),
      'NULL',
    );
    const duckdb = await openLocalLake(home);
    try {
      const { rows } = await queryRows(duckdb, 'SELECT count(*) AS n FROM handles');
      expect(rows).toEqual([{ n: 2 }]);
    } finally {
      duckdb.close();
    }
  });
});
