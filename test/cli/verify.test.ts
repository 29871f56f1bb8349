import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { runSeizure, tempDir } from '../support/run-seizure.ts';

interface VerifyJson {
  ok: boolean;
  checks: { check: string; ok: boolean; detail: string }[];
}

describe('seizure verify', () => {
  let home: string;
  const seizure = 'skyecc-verify';
  const landing = () => path.join(home, 'landing', 'seizures', seizure);

  async function verify(): Promise<VerifyJson & { code: number }> {
    const r = await runSeizure(['verify', seizure, '--json', '--sample', '50'], { SEIZURE_HOME: home });
    return { ...(JSON.parse(r.stdout) as VerifyJson), code: r.code };
  }
  const failed = (v: VerifyJson) => v.checks.filter((c) => !c.ok).map((c) => c.check);

  beforeEach(async () => {
    home = await tempDir('home-verify');
    const dir = await tempDir('seizure-verify');
    expect(
      (
        await runSeizure([
          'generate',
          '--platform',
          'skyecc',
          '--messages',
          '2000',
          '--seed',
          '11',
          '--out',
          dir,
          '--seizure',
          seizure,
        ])
      ).code,
    ).toBe(0);
    const imported = await runSeizure(['import', dir], { SEIZURE_HOME: home });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
  });

  it('passes on a fresh import, and records itself in the custody log', async () => {
    const v = await verify();
    expect(v.code).toBe(0);
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.check)).toEqual([
      'evidence hashes',
      'custody chain',
      'custody records the same hashes',
      'row provenance',
    ]);
    expect(v.checks.at(-1)!.detail).toMatch(/^50 sampled row/);
    const dir = path.join(landing(), 'custody');
    const entries = await Promise.all(
      (await fs.readdir(dir)).map(async (f) => JSON.parse(await fs.readFile(path.join(dir, f), 'utf8'))),
    );
    expect(entries.map((e) => e.action)).toEqual([
      'evidence-verified',
      'import-started',
      'import-finished',
      'verified',
    ]);
    expect(entries.at(-1)).toMatchObject({ seq: 4, details: { ok: true } });
  });

  it('fails when a byte of the evidence changed', async () => {
    const file = path.join(landing(), 'data', (await fs.readdir(path.join(landing(), 'data')))[0]!);
    const bytes = await fs.readFile(file);
    bytes[10] = bytes[10] === 0x41 ? 0x42 : 0x41;
    await fs.chmod(file, 0o644);
    await fs.writeFile(file, bytes);
    const v = await verify();
    expect(v.code).toBe(1);
    expect(failed(v)).toContain('evidence hashes');
  });

  it('fails when a custody entry was edited', async () => {
    const first = path.join(landing(), 'custody', '00000001.json');
    const entry = JSON.parse(await fs.readFile(first, 'utf8'));
    entry.details.uploadedBy = 'someone else';
    await fs.chmod(first, 0o644);
    await fs.writeFile(first, JSON.stringify(entry, null, 2));
    const v = await verify();
    expect(v.code).toBe(1);
    expect(failed(v)).toEqual(['custody chain']);
    expect(v.checks[1]!.detail).toMatch(
      /00000002\.json: names previous entry [0-9a-f]{64}, but the previous entry hashes to/,
    );
  });

  it('fails when a custody entry was removed', async () => {
    await fs.rm(path.join(landing(), 'custody', '00000002.json'));
    const v = await verify();
    expect(failed(v)).toEqual(['custody chain']);
    expect(v.checks[1]!.detail).toMatch(/entry number 3 where 2 was expected/);
  });

  it('fails when a lake row points at bytes that are not its record', async () => {
    const dir = path.join(home, 'lake', 'messages', `seizure_id=${seizure}`);
    const duckdb = await openDuckDB();
    try {
      for (const month of await fs.readdir(dir)) {
        for (const name of await fs.readdir(path.join(dir, month))) {
          const file = path.join(dir, month, name);
          const moved = `${file}.tmp`;
          await duckdb.connection.run(
            `COPY (SELECT * REPLACE (source_offset + 1 AS source_offset) FROM read_parquet(${sqlString(file)}, hive_partitioning = false))
             TO ${sqlString(moved)} (FORMAT parquet)`,
          );
          await fs.rename(moved, file);
        }
      }
    } finally {
      duckdb.close();
    }
    const v = await verify();
    expect(failed(v)).toEqual(['row provenance']);
  });
});
