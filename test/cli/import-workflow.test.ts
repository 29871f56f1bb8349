import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '#domain/import/import-types.ts';
import { openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { runSeizure, tempDir } from '../support/run-seizure.ts';

const platforms = ['encrochat', 'skyecc', 'anom'] as const;

/** Every test imports its own seizure id: the test run shares one OpenSearch, and an index is per seizure. */
async function generate(platform: string, out: string, seizureId: string, extra: string[] = []) {
  const r = await runSeizure([
    'generate',
    '--platform',
    platform,
    '--messages',
    '3000',
    '--seed',
    '7',
    '--out',
    out,
    '--seizure',
    seizureId,
    ...extra,
  ]);
  expect(r.stderr).toMatch(/wrote/);
  expect(r.code).toBe(0);
}

async function importJson(dir: string, home: string, extra: string[] = []) {
  const r = await runSeizure(['import', dir, '--json', ...extra], { SEIZURE_HOME: home });
  expect(r.stderr).toBe(''); // no progress bar or warnings when not at a terminal
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ImportReport;
}

async function query<T = Record<string, unknown>>(sql: string, home: string): Promise<T[]> {
  const r = await runSeizure(['query', sql, '--json'], { SEIZURE_HOME: home });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T[];
}

describe.each(platforms)('generate → import → query: %s', (platform) => {
  let home: string;
  let dir: string;
  let report: ImportReport;

  beforeAll(async () => {
    home = await tempDir(`home-${platform}`);
    dir = await tempDir(`seizure-${platform}`);
    await generate(platform, dir, `${platform}-e2e`, ['--malformed-rate', '0.01']);
    report = await importJson(dir, home);
  });

  it('imports and reconciles every record: read = written + rejected + duplicates, per file and in total', () => {
    expect(report.status).toBe('succeeded');
    expect(report.seizureId).toBe(`${platform}-e2e`);
    const { read, written, rejected, duplicates } = report.counts;
    expect(read).toBeGreaterThanOrEqual(3000);
    expect(read).toBe(written + rejected + duplicates);
    expect(rejected).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    for (const f of report.files) expect(f.read).toBe(f.written + f.rejected + f.duplicates);
    expect(report.files.reduce((n, f) => n + f.read, 0)).toBe(read);
  });

  it('holds exactly the written messages in the lake, once each, with provenance', async () => {
    const [row] = await query<{ n: number; ids: number; seizures: number; missing: number }>(
      `SELECT count(*) AS n, count(DISTINCT message_id) AS ids, count(DISTINCT seizure_id) AS seizures,
              count(*) FILTER (WHERE sender IS NULL OR sent_at IS NULL OR source_sha256 IS NULL) AS missing
       FROM messages`,
      home,
    );
    expect(row).toEqual({ n: report.counts.written, ids: report.counts.written, seizures: 1, missing: 0 });
  });

  it('puts every rejected record in the quarantine with its reason and location', async () => {
    const dirPath = path.join(home, 'quarantine', report.quarantine.rejected);
    const lines = (
      await Promise.all((await fs.readdir(dirPath)).map((f) => fs.readFile(path.join(dirPath, f), 'utf8')))
    )
      .join('')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(report.counts.rejected);
    for (const line of lines) {
      const r = JSON.parse(line);
      expect(r.reason).toEqual(expect.any(String));
      expect(r.source_object).toMatch(new RegExp(`^seizures/${platform}-e2e/data/`));
      expect(r.source_length).toBeGreaterThan(0);
    }
  });

  it('answers the contacts and handles views', async () => {
    const contacts = await query<{ messages: number }>(
      'SELECT * FROM contacts ORDER BY messages DESC LIMIT 5',
      home,
    );
    expect(contacts.length).toBeGreaterThan(0);
    const [handles] = await query<{ n: number }>('SELECT count(*) AS n FROM handles', home);
    expect(handles!.n).toBeGreaterThan(20);
  });

  it('changes nothing when the same manifest is imported again, and a forced re-run gives the same lake', async () => {
    const ids = async () =>
      (await query<{ message_id: string }>('SELECT message_id FROM messages ORDER BY 1', home)).map(
        (r) => r.message_id,
      );
    const before = await ids();
    const again = await runSeizure(['import', dir], { SEIZURE_HOME: home });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported already/);
    expect(await ids()).toEqual(before);
    const forced = await importJson(dir, home, ['--force']);
    expect(forced.counts).toEqual(report.counts);
    expect(await ids()).toEqual(before);
  });
});

describe('the lake files', () => {
  it('are zstd Parquet with UTC timestamps, lists and structs, sorted by send time, partitioned by seizure and month', async () => {
    const home = await tempDir('home-parquet');
    const dir = await tempDir('seizure-parquet');
    await generate('skyecc', dir, 'skyecc-parquet');
    const report = await importJson(dir, home);
    const file = path.join(home, 'lake', report.partitions[0]!.files[0]!);
    expect(file).toMatch(
      /lake\/messages\/seizure_id=skyecc-parquet\/sent_month=\d{4}-\d{2}\/part-imp-[0-9a-f]{20}-0\.parquet$/,
    );
    const duckdb = await openDuckDB();
    try {
      const schema = (
        await duckdb.connection.runAndReadAll(
          `SELECT name, type, logical_type FROM parquet_schema(${sqlString(file)})`,
        )
      )
        .getRowObjectsJson()
        .map((r) => [r.name, r.type, String(r.logical_type)]);
      const sentAt = schema.find((s) => s[0] === 'sent_at');
      expect(sentAt?.[2]).toMatch(/isAdjustedToUTC=(1|true)/);
      expect(schema.find((s) => s[0] === 'seizure_id')).toBeUndefined(); // the path carries it
      expect(schema.some((s) => s[0] === 'recipients')).toBe(true);
      expect(schema.some((s) => s[0] === 'lat')).toBe(true);
      const codecs = (
        await duckdb.connection.runAndReadAll(
          `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(file)})`,
        )
      )
        .getRowObjectsJson()
        .map((r) => r.compression);
      expect(codecs).toEqual(['ZSTD']);
      const unsorted = await duckdb.connection.runAndReadAll(
        `SELECT count(*) AS n FROM (SELECT sent_at < lag(sent_at) OVER () AS back FROM read_parquet(${sqlString(file)})) WHERE back`,
      );
      expect(Number(unsorted.getRowObjects()[0]!.n)).toBe(0);
    } finally {
      duckdb.close();
    }
  });
});

describe('evidence that does not match its manifest', () => {
  async function brokenSeizure(edit: (dir: string) => Promise<void>) {
    const dir = await tempDir('seizure-broken');
    await generate('skyecc', dir, 'skyecc-broken');
    await edit(dir);
    const home = await tempDir('home-broken');
    const r = await runSeizure(['import', dir], { SEIZURE_HOME: home });
    const written = await fs.readdir(home);
    return { ...r, written };
  }
  const firstDataFile = async (dir: string) =>
    path.join(dir, 'data', (await fs.readdir(path.join(dir, 'data')))[0]!);

  it('stops on a hash mismatch before anything is written, naming the file', async () => {
    const r = await brokenSeizure(async (dir) => {
      const file = await firstDataFile(dir);
      const bytes = await fs.readFile(file);
      bytes[100] = bytes[100] === 0x41 ? 0x42 : 0x41;
      await fs.writeFile(file, bytes);
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data\/.*: SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
    expect(r.written).toEqual([]);
  });

  it('stops on a missing file before anything is written', async () => {
    const r = await brokenSeizure(async (dir) => fs.rm(await firstDataFile(dir)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing \(listed in the manifest, not found\)/);
    expect(r.written).toEqual([]);
  });

  it('stops on an invalid manifest, naming the field', async () => {
    const r = await brokenSeizure(async (dir) => {
      const m = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
      delete m.legalAuthority;
      m.timezone = 'Nowhere/Town';
      await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/legalAuthority: is required/);
    expect(r.stderr).toMatch(/timezone: must be an IANA time zone/);
    expect(r.written).toEqual([]);
  });
});

describe('the landing bucket', () => {
  it('is write-once: evidence is read-only, and a different manifest for the same seizure is refused', async () => {
    const home = await tempDir('home-worm');
    const dir = await tempDir('seizure-worm');
    await generate('anom', dir, 'anom-worm');
    await importJson(dir, home);
    const manifestPath = path.join(home, 'landing', 'seizures', 'anom-worm', 'manifest.json');
    expect((await fs.stat(manifestPath)).mode & 0o222).toBe(0);
    const m = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    m.uploadedBy = 'someone-else@example.invalid';
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const r = await runSeizure(['import', dir], { SEIZURE_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already has a different manifest/);
  });
});

describe('the command line', () => {
  it('explains a bad command line with its usage and exit code 2', async () => {
    const r = await runSeizure([
      'generate',
      '--platform',
      'myspace',
      '--messages',
      '10',
      '--seed',
      '1',
      '--out',
      '/tmp/x',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--platform must be one of encrochat, skyecc, anom/);
    expect((await runSeizure(['frobnicate'])).code).toBe(2);
    expect((await runSeizure(['query', 'SELEC 1'])).stderr).toMatch(/Parser Error/);
  });
});
