import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { openLocalLake, queryRows } from '#local/sql/local-lake.ts';

describe('the lake views', () => {
  it('are created in DuckDB, in order, and answer on an empty lake', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-views-'));
    const duckdb = await openLocalLake(home);
    try {
      for (const view of lakeViews) {
        const { rows } = await queryRows(duckdb, `SELECT count(*) AS n FROM ${view.name}`);
        expect(rows).toEqual([{ n: 0 }]);
      }
    } finally {
      duckdb.close();
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('include the entity, link and coverage views beside contacts and handles', () => {
    expect(lakeViews.map((v) => v.name)).toEqual([
      'contacts',
      'entities',
      'handles',
      'identifiers',
      'links',
      'coverage',
    ]);
  });

  it('give Athena SQL without DuckDB-only syntax; only the entities view differs, in its UNNEST', () => {
    for (const view of lakeViews) {
      // DuckDB spellings Trino does not know: list_* and regexp_matches functions, :: casts, struct/list literals.
      expect(view.sql, view.name).not.toMatch(
        /\blist_\w+\(|\bregexp_matches\(|::|\{'|\bstruct_pack\(|\bepoch\(/,
      );
    }
    const differing = lakeViews.filter((v) => v.duckdbSql !== undefined);
    expect(differing.map((v) => v.name)).toEqual(['entities']);
    const [entities] = differing;
    expect(entities?.sql).toContain('CROSS JOIN UNNEST(m.entities) AS e(kind, value, raw)');
    expect(entities?.duckdbSql).toContain('CROSS JOIN UNNEST(m.entities) AS e(entity)');
    const normalize = (sql: string) =>
      sql
        .replace(/UNNEST\(m\.entities\) AS e\([^)]*\)/, 'UNNEST')
        .replace(/e\.(entity\.)?(kind|value|raw)/g, 'e.$2');
    expect(normalize(entities?.duckdbSql as string)).toBe(normalize(entities?.sql as string));
  });
});
