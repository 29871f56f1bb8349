import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '#domain/search/search-messages.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { writeSeizure } from '../layers/domain/adapters/common/adapter-harness.ts';
import { runSeizure, tempDir } from '../support/run-seizure.ts';

/**
 * Per-case access in local mode: two seizures of two cases in one $SEIZURE_HOME (and one OpenSearch, shared
 * with the rest of the test run), read through the real CLI with `--case`.
 */
const run = Date.now().toString(36);
const caseA = `case-a-${run}`;
const caseB = `case-b-${run}`;
const seizureA = `access-a-${run}`;
const seizureB = `access-b-${run}`;
let home: string;

const line = (id: string, from: string, to: string, text: string) =>
  JSON.stringify({ id, from, to: [to], sent: '2020-04-01 10:00:00', text });

async function importCase(seizureId: string, caseId: string, word: string, from: string, to: string) {
  const dir = await tempDir(`case-access-${seizureId}`);
  const lines = Array.from({ length: 5 }, (_, i) => line(`${word}-${i}`, from, to, `${word} message ${i}`));
  await writeSeizure(
    dir,
    {
      seizureId,
      platform: 'skyecc',
      format: 'mapping',
      caseId,
      legalAuthority: 'TEST-ORDER-ACCESS (synthetic)',
      uploadedBy: 'case access tests',
      timezone: 'UTC',
      options: { mapping: 'skyecc' },
    },
    [{ path: 'data/messages.ndjson', bytes: `${lines.join('\n')}\n` }],
  );
  const { report } = await runLocalImport(new DirectoryStore(home), dir);
  expect(report.status).toBe('succeeded');
  expect(report.counts.written).toBe(5);
  await fs.rm(dir, { recursive: true, force: true });
}

const seizure = (args: string[]) => runSeizure(args, { SEIZURE_HOME: home });

async function queryJson(sql: string, caseId: string) {
  const r = await seizure(['query', sql, '--case', caseId, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

beforeAll(async () => {
  home = await tempDir('case-access-home');
  await importCase(seizureA, caseA, 'alpha', 'a1a1a1', 'a2a2a2');
  await importCase(seizureB, caseB, 'bravo', 'b1b1b1', 'b2b2b2');
}, 120_000);

afterAll(async () => {
  if (home) await fs.rm(home, { recursive: true, force: true });
});

describe('seizure query --case', () => {
  it("returns only the case's rows, in messages and in every view derived from it", async () => {
    expect(
      await queryJson('SELECT case_id, seizure_id, count(*)::INT AS n FROM messages GROUP BY ALL', caseA),
    ).toEqual([{ case_id: caseA, seizure_id: seizureA, n: 5 }]);
    expect(await queryJson('SELECT DISTINCT case_id FROM messages', caseB)).toEqual([{ case_id: caseB }]);
    const handles = (await queryJson('SELECT DISTINCT handle FROM handles ORDER BY handle', caseA)).map(
      (r) => r.handle,
    );
    expect(handles).toEqual(['A1A1A1', 'A2A2A2']);
    const contacts = await queryJson('SELECT * FROM contacts', caseA);
    expect(JSON.stringify(contacts)).not.toMatch(/B1B1B1|B2B2B2|bravo/);
    // without --case the whole lake is there (the local administrator's view)
    const all = await seizure(['query', 'SELECT count(DISTINCT case_id)::INT AS n FROM messages', '--json']);
    expect(JSON.parse(all.stdout)).toEqual([{ n: 2 }]);
  });

  it("cannot read another case's Parquet files, or any file, and cannot unlock the session", async () => {
    const lake = path.join(home, 'lake');
    const attempts = [
      `SELECT * FROM read_parquet('${lake}/**/*.parquet')`,
      `SELECT * FROM read_parquet('${lake}/messages/seizure_id=${seizureB}/*/*.parquet')`,
      `SELECT * FROM read_csv('/etc/hostname')`,
      `ATTACH '${path.join(home, 'x.duckdb')}' AS x`,
      'SET enable_external_access = true',
      'RESET lock_configuration',
    ];
    for (const sql of attempts) {
      const r = await seizure(['query', sql, '--case', caseA, '--json']);
      expect(r.code, sql).not.toBe(0);
      expect(r.stderr, sql).toMatch(
        /Permission Error|disabled by configuration|configuration has been locked/,
      );
      expect(r.stdout, sql).not.toMatch(/bravo|B1B1B1/);
    }
  });

  it('gives an empty lake for a case with no seizures, and refuses an empty case id', async () => {
    expect(await queryJson('SELECT count(*)::INT AS n FROM messages', `case-none-${run}`)).toEqual([
      { n: 0 },
    ]);
    const r = await seizure(['query', 'SELECT 1', '--case', '']);
    expect(r.code).toBe(2);
  });
});

describe('seizure search --case', () => {
  async function searchJson(args: string[]): Promise<SearchResult> {
    const r = await seizure(['search', ...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as SearchResult;
  }

  it("returns only the case's messages, whatever else the index holds", async () => {
    const a = await searchJson(['*', '--case', caseA, '--limit', '100']);
    expect(a.total).toBe(5);
    expect(new Set(a.hits.map((h) => h.seizure_id))).toEqual(new Set([seizureA]));
    const b = await searchJson(['*', '--case', caseB, '--limit', '100']);
    expect(b.total).toBe(5);
    expect(new Set(b.hits.map((h) => h.seizure_id))).toEqual(new Set([seizureB]));
  });

  it("cannot be widened by the query text or a seizure filter to reach another case's messages", async () => {
    for (const query of [
      'bravo',
      `case_id:${caseB}`,
      `bravo OR alpha`,
      `* OR case_id:${caseB}`,
      `seizure_id:${seizureB}`,
    ]) {
      const r = await searchJson([query, '--case', caseA, '--limit', '100']);
      expect(
        r.hits.every((h) => h.seizure_id === seizureA),
        query,
      ).toBe(true);
      expect(JSON.stringify(r.hits), query).not.toMatch(/bravo|B1B1B1/);
    }
    expect((await searchJson(['*', '--case', caseA, '--seizure', seizureB])).total).toBe(0);
  });
});
