import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkResult, ImportRef } from '#domain/import/import-types.ts';
import { normalizeChunk } from '#domain/import/normalize-chunk.ts';
import { planImport } from '#domain/import/plan-import.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import { openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { Prng } from '#generator/prng.ts';
import { uploadSeizure } from '#local/import/upload-seizure.ts';
import { damaged } from '../adapters/common/damage.ts';

/**
 * The two fast paths, the native one (layers/native-normalize) and the mapping compiled to SQL, against the
 * JavaScript mapping they must equal (differential): the same chunks normalized each way give the same Parquet rows, the same quarantined records with the same reasons and
 * the same counts. The inputs are a generated seizure and lines built to fall between the two: JSON that
 * only DuckDB accepts, repeated keys, types, transforms, times in a zone's gap, values to reject.
 */

let root: string;
const CHUNK_BYTES = 16 * 1024;

interface Outcome {
  rows: string[];
  quarantined: string[];
  results: Omit<ChunkResult, 'mappedInSql' | 'mappedNatively'>[];
  mappedInSql: number;
  mappedNatively: number;
}

async function normalizeBothWays(
  name: string,
  data: Buffer,
  options: { mapping: unknown; timezone?: string; fileName?: string },
): Promise<{ native: Outcome; sql: Outcome; adapter: Outcome }> {
  const dir = path.join(root, name, 'seizure');
  const fileName = options.fileName ?? 'data/messages.ndjson';
  await fs.mkdir(path.dirname(path.join(dir, fileName)), { recursive: true });
  await fs.writeFile(path.join(dir, fileName), data);
  await fs.writeFile(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      seizureId: `diff-${name}`,
      platform: 'skyecc',
      format: 'mapping',
      caseId: 'case-synthetic',
      legalAuthority: 'SYNTHETIC (generated test data, no real persons)',
      uploadedBy: 'test@seizure-lake.invalid',
      timezone: options.timezone ?? 'Europe/Amsterdam',
      files: [
        { path: fileName, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length },
      ],
      options: { mapping: options.mapping },
    }),
  );
  const uploaded = path.join(root, name, 'uploaded');
  const { manifest, manifestSha256 } = await uploadSeizure(new DirectoryStore(uploaded), dir);
  const ref: ImportRef = {
    seizureId: manifest.seizureId,
    importId: importIdFor(manifestSha256),
    ingestedAt: 1_700_000_000_000,
  };
  const { chunks } = await planImport(new DirectoryStore(uploaded), ref, CHUNK_BYTES);
  const run = async (way: 'native' | 'sql' | 'adapter'): Promise<Outcome> => {
    const home = path.join(root, name, way);
    await fs.cp(uploaded, home, { recursive: true });
    const store = new DirectoryStore(home);
    const results: ChunkResult[] = [];
    for (const chunk of chunks) {
      results.push(
        await normalizeChunk(
          store,
          { ...ref, chunk },
          { mapInSql: way !== 'adapter', mapNatively: way === 'native' },
        ),
      );
    }
    return {
      rows: await parquetRows(path.join(home, 'lake')),
      quarantined: await quarantined(path.join(home, 'quarantine')),
      results: results.map(({ mappedInSql: _, mappedNatively: __, ...r }) => r),
      mappedInSql: results.reduce((n, r) => n + (r.mappedInSql ?? 0), 0),
      mappedNatively: results.reduce((n, r) => n + (r.mappedNatively ?? 0), 0),
    };
  };
  return { native: await run('native'), sql: await run('sql'), adapter: await run('adapter') };
}

/** Every staged row, every column, as text, in file order. */
async function parquetRows(lake: string): Promise<string[]> {
  const files = (await fs.readdir(lake, { recursive: true })).filter((f) => f.endsWith('.parquet'));
  if (!files.length) return [];
  const duckdb = await openDuckDB();
  try {
    const list = files.map((f) => sqlString(path.join(lake, f))).join(', ');
    const result = await duckdb.connection.runAndReadAll(
      `SELECT t::VARCHAR AS row FROM read_parquet([${list}]) t ORDER BY source_object, source_offset`,
    );
    return result.getRowObjects().map((r) => String(r.row));
  } finally {
    duckdb.close();
  }
}

async function quarantined(dir: string): Promise<string[]> {
  const files = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const lines: string[] = [];
  for (const f of files.filter((x) => x.endsWith('.ndjson')).sort()) {
    lines.push(...(await fs.readFile(path.join(dir, f), 'utf8')).split('\n').filter(Boolean));
  }
  return lines;
}

function expectSame(outcome: { native: Outcome; sql: Outcome; adapter: Outcome }) {
  for (const fast of [outcome.native, outcome.sql]) {
    expect(fast.results).toEqual(outcome.adapter.results);
    expect(fast.quarantined).toEqual(outcome.adapter.quarantined);
    expect(fast.rows.length).toBe(outcome.adapter.rows.length);
    for (let i = 0; i < fast.rows.length; i++) expect(fast.rows[i]).toBe(outcome.adapter.rows[i]);
  }
  // The native path reads all that SQL reads, and more (CRLF lines, keys repeated or escaped, list transforms).
  expect(outcome.native.mappedNatively).toBeGreaterThanOrEqual(outcome.sql.mappedInSql);
  expect(outcome.sql.mappedNatively).toBe(0);
  expect(outcome.adapter.mappedInSql + outcome.adapter.mappedNatively).toBe(0);
}

const sky = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'n1',
    from: 'ABC123',
    from_imei: '353287117441507',
    to: ['XYZ789'],
    group: null,
    sent: '2020-03-01 10:00:00',
    received: '2020-03-01 10:00:05',
    read: null,
    text: 'hoeveel wil je ervoor hebben, zeg het maar',
    loc: null,
    ...fields,
  });

/** Lines the two mappings could read differently; each once, with a distinct id where it has one. */
function skyEdgeCases(): string[] {
  let n = 0;
  const id = () => `edge-${++n}`;
  const line = (fields: Record<string, unknown>) => sky({ id: id(), ...fields });
  return [
    line({}),
    line({ id: 12345 }),
    line({ id: 1.5 }),
    line({ id: true }),
    line({ id: null }),
    line({ id: '' }),
    line({ id: -0 }),
    line({ id: 'BIG' }).replace('"BIG"', '12345678901234567890'),
    line({ from: '  spaced  ' }),
    line({ from: 'straße' }),
    line({ from: 'straße', to: [] }),
    line({ from: 'İx', to: null }),
    line({ from: 'ǅ', to: [] }),
    line({ from: '' }),
    line({ from: null }),
    line({ from: 5 }),
    line({ from: '\u00a0nbsp\u3000' }),
    line({ to: [] }),
    line({ to: ['a', null, 'b'] }),
    line({ to: [' x ', 'y'] }),
    line({ to: 'single' }),
    line({ to: ['a"b', 'c\\d'] }),
    line({ to: [1, 'x'] }),
    line({ to: [['x']] }),
    line({ to: { a: 1 } }),
    line({ to: 7 }),
    line({ to: 7.5 }),
    line({ to: false }),
    line({ to: ['ä'] }),
    line({ to: ['b', 'a', 'c'] }),
    line({ to: ['a', 'a'] }),
    line({ to: ['ABC123', 'q'] }),
    line({}).replace('["XYZ789"]', '["stra\\u00dfe"]'),
    line({}).replace('["XYZ789"]', '["\\u00e4","B"]'),
    line({ to: ['', ' '] }),
    line({ to: '' }),
    line({ group: 'G1' }),
    line({ group: '' }),
    line({ group: 5 }),
    line({ id: null, to: ['q', 'p', 'r'] }),
    line({ id: null, text: null }),
    line({ id: null, to: [] }),
    line({ id: null, to: ['b', 'a'] }),
    line({ to: ['ABC123'] }),
    line({ from: 'ZZZ999', to: ['AAA111'] }),
    line({ sent: '2020-3-1 00:00:00' }),
    line({ sent: '2020-02-30 10:00:00' }),
    line({ sent: ' 2020-03-01 10:00:00 ' }),
    line({ sent: '1969-12-31 23:00:00' }),
    line({ sent: '2020-03-29 02:30:00' }),
    line({ sent: '2020-03-29 01:30:00' }),
    line({ sent: '2020-10-25 02:30:00' }),
    line({ sent: '2020-10-25 12:00:00' }),
    line({ sent: '2020-03-01 24:00:00' }),
    line({ sent: '2020-03-01 10:00:60' }),
    line({ sent: 1583017429 }),
    line({ sent: null }),
    line({ sent: '' }),
    line({ received: 'yesterday' }),
    line({ read: '2100-12-31 23:59:59' }),
    line({ read: '2101-01-01 00:00:00' }),
    line({ text: null }),
    line({ text: '' }),
    line({ text: 'with "quotes"\nand a newline\tand a tab' }),
    line({ text: 'é and 😀 and ß' }),
    line({ text: 'x'.repeat(5000) }),
    line({ text: 'bel +31 6 12345678 of mail a@b.nl, NL91ABNA0417164300 https://x.nl/a' }),
    line({ text: 5 }),
    line({ text: 'ok' }),
    line({ text: 'nan inf Infinity NaN in words' }),
    line({ loc: { lat: 52.1, lon: 4.3 } }),
    line({ loc: { lat: '52,1', lon: '4.3' } }),
    line({ loc: { lat: -0, lon: 0 } }),
    line({ loc: { lat: 91, lon: 0 } }),
    line({ loc: { lat: 52 } }),
    line({ loc: { lat: 'x', lon: 'y' } }),
    line({ loc: 'somewhere' }),
    line({ loc: [1, 2] }),
    line({ loc: { lat: true, lon: false } }),
    line({ loc: { lat: '  ', lon: ' ' } }),
    line({ loc: { lat: '', lon: '' } }),
    line({ loc: { lat: 'BIG', lon: 1 } }).replace('"BIG"', '12345678901234567890'),
    line({ loc: { lat: 'HUGE', lon: 1 } }).replace('"HUGE"', '1e400'),
    // JSON that only DuckDB's reader accepts, or reads differently from JSON.parse (every key the mapping
    // reads present, so that nothing else sends the line to JavaScript)
    line({}).replace(/}$/, ',}'),
    line({}).replace(/}$/, ', \t}'),
    line({}).replace(/^{/, '{"extra":NaN,'),
    line({}).replace(/^{/, '{"extra":-Infinity,'),
    line({}).replace(/^{/, '{"extra": nan,'),
    line({}).replace(/^{/, '{"extra":inf,'),
    line({}).replace(/^{/, '{"extra":[-NAN],'),
    line({}).replace(/^{/, '{"extra":\t-iNfInItY,'),
    line({}).replace(/^{/, '{"extra":[1,],'),
    line({}).replace(/^{/, '{"from":"FIRST",'),
    line({}).replace(/"loc":null/, '"loc":{"lat":1,"lat":2,"lon":3}'),
    line({}).replace(/^{/, '{"fr\\u006fm":"ESCAPED",'),
    line({}).replace(/^{/, '{"text":"Infinity and NaN, in a text",'),
    // Keys left out (a null in JavaScript), with and without the traps above
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00"}`,
    `{"id":"${id()}","from":"A","to":["B"],"sent":"2020-03-01 10:00:00","text":"zonder locatie"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","loc":{"lat":52.1}}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","loc":"somewhere"}`,
    `{"id":"${id()}","from":"A","from":"B","sent":"2020-03-01 10:00:00"}`,
    `{"id":"${id()}","fr\\u006fm":"A","from":"B","sent":"2020-03-01 10:00:00"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","loc":{"lat":1,"lat":2,"lon":3}}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","text":"x",}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","extra":NaN}`,
    `{"id":"${id()}","sent":"2020-03-01 10:00:00"}`,
    `{ "id" : "${id()}" , "from" : "A" , "to" : [ "B" , "C" ] , "sent" : "2020-03-01 10:00:00" }`,
    ` {"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00"}   `,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","text":"\\ud800 lone"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","text":"\\ud83d\\ude00 pair"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","text":"nul\\u0000byte"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","text":"\\u00e9\\/"}`,
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00"`,
    '["an array"]',
    '"a string"',
    '42',
    'null',
    '',
    '   ',
    `{"id":"${id()}","from":"A","sent":"2020-03-01 10:00:00","deep":${'['.repeat(50)}${']'.repeat(50)}}`,
  ];
}

/** Times as Sky ECC writes them, and not. */
const TIMES = [
  '2020-03-01 10:00:00',
  '2020-06-15 23:59:59',
  '2020-03-29 02:30:00',
  '2020-03-29 03:00:00',
  '2020-10-25 02:30:00',
  '2020-3-1 00:00:00',
  '2020-02-30 10:00:00',
  ' 2020-03-01 10:00:00 ',
  '2020-03-01T10:00:00',
  1583017429,
  null,
  '',
  'yesterday',
  '2101-01-01 00:00:00',
  '1969-12-31 23:00:00',
  '1970-01-01 01:00:00',
];

/** Values each key may take: the edge cases above, drawn together, so that their interactions are tried too. */
const SKY_VALUES: Record<string, unknown[]> = {
  id: [1, 12345, 1.5, true, null, '', -0, 'dup-1', 'dup-1'],
  from: [
    'ABC123',
    'abc123',
    '  spaced  ',
    'straße',
    'İx',
    'ǅ',
    '',
    null,
    5,
    '\u00a0nbsp',
    'a"b',
    'x\\y',
    '😀',
    'ZZZ999',
  ],
  from_imei: ['353287117441507', '35-32 87', '', null, 42, 'abc', ['1']],
  to: [
    ['XYZ789'],
    [],
    null,
    'single',
    '',
    ['b', 'a', 'c'],
    ['a', 'a'],
    [' x ', 'y'],
    ['ä'],
    [1, 'x'],
    [['x']],
    { a: 1 },
    7,
    ['ABC123'],
    ['', ' '],
    ['a"b', 'c\\d'],
    ['a', null, 'b'],
    ['\uff21', '\u{1f600}'],
  ],
  group: [null, 'G1', '', 5, ' g '],
  sent: TIMES,
  received: TIMES,
  read: TIMES,
  text: [
    'hoeveel wil je ervoor hebben',
    '',
    null,
    5,
    'with "quotes"\nand a newline\tand a tab',
    'é and 😀 and ß',
    'bel +31 6 12345678 of mail a@b.nl, NL91ABNA0417164300 https://x.nl/a',
    'nan inf Infinity NaN, in words',
    '\ud800 lone',
    'nul\u0000byte',
    'x'.repeat(300),
    '  ',
  ],
  loc: [
    null,
    { lat: 52.1, lon: 4.3 },
    { lat: '52,1', lon: '4.3' },
    { lat: -0, lon: 0 },
    { lat: 91, lon: 0 },
    { lat: 52 },
    { lat: 'x', lon: 'y' },
    'somewhere',
    [1, 2],
    { lat: true, lon: false },
    { lat: ' 52.1 ', lon: '' },
    { lon: 4.3, lat: 1e-7 },
  ],
};

/**
 * Sky ECC lines with values drawn from SKY_VALUES: each key present or left out, in any order, with or without spaces,
 * non-ASCII characters and slashes sometimes escaped, now and then a trailing comma or a repeated key.
 */
function randomSkyLines(prng: Prng, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const keys = Object.keys(SKY_VALUES).filter(() => prng.chance(0.9));
    for (let k = keys.length - 1; k > 0; k--) {
      const j = prng.int(k + 1);
      [keys[k], keys[j]] = [keys[j] as string, keys[k] as string];
    }
    // Mostly an ordinary value, so that many records are left for SQL to map; an edge value one time in six.
    const ordinary = JSON.parse(sky({ id: `r-${i}` })) as Record<string, unknown>;
    const fields = keys.map(
      (key) => [key, prng.chance(1 / 6) ? prng.pick(SKY_VALUES[key] as unknown[]) : ordinary[key]] as const,
    );
    const space = prng.chance(0.2) ? ' ' : '';
    let line = `{${fields.map(([k, v]) => `"${k}":${space}${JSON.stringify(v)}`).join(`,${space}`)}}`;
    if (prng.chance(0.15))
      line = line.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (prng.chance(0.05)) line = line.replace(/\//g, '\\/');
    if (prng.chance(0.03)) line = line.replace(/}$/, ',}');
    if (prng.chance(0.03)) line = line.replace(/^{/, '{"from":"FIRST",');
    return line;
  });
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'map-in-sql-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the Sky ECC mapping natively and in SQL against the JavaScript mapping (differential)', () => {
  it('maps a generated seizure the same way, nearly all of it in SQL', async () => {
    const generated = path.join(root, 'generated');
    await generateSeizure({ platform: 'skyecc', messages: 3000, seed: 'map-in-sql', out: generated });
    const files = (await fs.readdir(path.join(generated, 'data'))).sort();
    const data = Buffer.concat(
      await Promise.all(files.map((f) => fs.readFile(path.join(generated, 'data', f)))),
    );
    const outcome = await normalizeBothWays('generated', data, { mapping: 'skyecc' });
    expectSame(outcome);
    const read = outcome.sql.results.reduce((n, r) => n + r.read, 0);
    expect(read).toBeGreaterThan(3000);
    expect(outcome.sql.mappedInSql).toBeGreaterThan(read * 0.9);
    expect(outcome.native.mappedNatively).toBeGreaterThan(read * 0.95);
  }, 120_000);

  it('agrees on every edge case: what SQL cannot map exactly goes to JavaScript', async () => {
    const lines = skyEdgeCases();
    // Mixed with ordinary lines, so that edge cases sit at chunk starts, ends and in between.
    const mixed = lines.flatMap((l, i) => [l, sky({ id: `plain-${i}`, text: `gewoon bericht nummer ${i}` })]);
    const outcome = await normalizeBothWays('edges', Buffer.from(`${mixed.join('\n')}\n`), {
      mapping: 'skyecc',
    });
    expectSame(outcome);
    expect(outcome.sql.quarantined.length).toBeGreaterThan(20);
    expect(outcome.sql.mappedInSql).toBeGreaterThan(lines.length);
  }, 60_000);

  it('agrees on random combinations of edge values, key orders, spacing and escapes (seeded)', async () => {
    const lines = randomSkyLines(new Prng('map-in-sql', 'combinations'), 1500);
    const outcome = await normalizeBothWays('combinations', Buffer.from(`${lines.join('\n')}\n`), {
      mapping: 'skyecc',
    });
    expectSame(outcome);
    // Both paths are exercised: SQL maps many of the records, JavaScript the others or rejects them.
    expect(outcome.sql.mappedInSql).toBeGreaterThan(300);
    expect(outcome.sql.mappedInSql).toBeLessThan(1500);
    expect(outcome.sql.quarantined.length).toBeGreaterThan(100);
  }, 120_000);

  it('agrees on damaged copies of a generated seizure: bytes flipped, lost, doubled, cut short (seeded)', async () => {
    const generated = path.join(root, 'to-damage');
    await generateSeizure({ platform: 'skyecc', messages: 60, seed: 'damage', out: generated });
    const file = (await fs.readdir(path.join(generated, 'data'))).sort()[0] as string;
    const valid = await fs.readFile(path.join(generated, 'data', file));
    const prng = new Prng('map-in-sql', 'damage');
    const copies = Array.from({ length: 40 }, () => damaged(valid, prng));
    const outcome = await normalizeBothWays('damaged', Buffer.concat(copies), { mapping: 'skyecc' });
    expectSame(outcome);
    expect(outcome.sql.mappedInSql).toBeGreaterThan(500);
    expect(outcome.sql.quarantined.length).toBeGreaterThan(20);
  }, 120_000);

  it('maps records that leave keys out in SQL as well (they read as null), the same way', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => {
      const full = JSON.parse(
        sky({ id: `sparse-${i}`, loc: i % 2 ? { lat: 52.1, lon: 4.3 } : null }),
      ) as Record<string, unknown>;
      for (const key of ['group', 'read', 'received', 'loc', 'from_imei'].slice(0, 1 + (i % 5)))
        delete full[key];
      return JSON.stringify(full);
    });
    const outcome = await normalizeBothWays('sparse', Buffer.from(`${lines.join('\n')}\n`), {
      mapping: 'skyecc',
    });
    expectSame(outcome);
    expect(outcome.sql.mappedInSql).toBe(60);
  }, 60_000);

  it('reads a chunk with carriage returns, a byte-order mark, invalid UTF-8 or a very long line with the adapter, the same way', async () => {
    const lines = [sky({ id: 'a' }), sky({ id: 'b' }), sky({ id: 'c', text: 'laatste' })];
    const crlf = await normalizeBothWays('crlf', Buffer.from(`${lines.join('\r\n')}\r\n`), {
      mapping: 'skyecc',
    });
    expectSame(crlf);
    expect(crlf.sql.mappedInSql).toBe(0);
    const bom = await normalizeBothWays('bom', Buffer.from(`\ufeff${lines.join('\n')}`), {
      mapping: 'skyecc',
    });
    expectSame(bom);
    const invalid = Buffer.concat([
      Buffer.from(`${lines[0]}\n{"id":"bad","from":"A","sent":"2020-03-01 10:00:00","text":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`"}\n${lines[1]}\n`),
    ]);
    const utf8 = await normalizeBothWays('utf8', invalid, { mapping: 'skyecc' });
    expectSame(utf8);
    expect(utf8.sql.quarantined.join()).toContain('invalid UTF-8');
    // A line longer than DuckDB's line reader takes (2 MB), shorter than the adapter's limit (16 MB).
    const long = [lines[0], sky({ id: 'long', text: 'x'.repeat(2_100_000) }), lines[1]];
    const longLine = await normalizeBothWays('long', Buffer.from(`${long.join('\n')}\n`), {
      mapping: 'skyecc',
    });
    expectSame(longLine);
    expect(longLine.sql.results.reduce((n, r) => n + r.staged, 0)).toBe(3);
  }, 60_000);
});

describe('a mapping file with every kind of field natively and in SQL against JavaScript (differential)', () => {
  const mapping = {
    name: 'every-field',
    input: { type: 'ndjson' },
    fields: {
      native_id: { from: 'meta.id' },
      sender: { from: 'jid', transform: ['bare-jid'] },
      sender_device: { from: 'jid', transform: ['jid-resource'] },
      recipients: {
        from: 'to',
        split: ',',
        transform: ['trim', 'lowercase'],
        when: { from: 'kind', equals: 'chat' },
      },
      group: { from: 'room', transform: ['trim'], when: { from: 'kind', equals: 'groupchat' } },
      sent_at: { from: 'ts', format: 'epoch-seconds' },
      received_at: { from: 'rts', format: 'iso8601' },
      read_at: { from: 'rd', format: "dd/MM/yyyy 'at' HH:mm", zone: 'America/New_York' },
      body: { from: 'body', transform: ['trim'] },
      latitude: { from: 'pos.lat', transform: ['trim'] },
      longitude: { from: 'pos.lon', transform: ['trim'] },
    },
  };
  const record = (i: number, fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      meta: { id: `m-${i}` },
      jid: `User${i % 7}@chat.example/phone-${i % 3}`,
      kind: i % 4 === 0 ? 'groupchat' : 'chat',
      to: `  Alice@chat.example , bob@chat.example,, `,
      room: ` room-${i % 5} `,
      ts: 1_583_017_429 + i * 977,
      rts: `2020-03-01T10:${String(i % 60).padStart(2, '0')}:00${i % 2 ? 'Z' : '+01:00'}`,
      rd: `0${1 + (i % 9)}/03/2020 at 1${i % 10}:3${i % 10}`,
      body: `  bericht ${i} over de levering  `,
      pos: i % 3 ? null : { lat: ' 52.37 ', lon: '4,89' },
      ...fields,
    });

  it('maps transforms, conditions, lists in text, epoch, ISO 8601 and zoned patterns the same way', async () => {
    const lines = [
      ...Array.from({ length: 400 }, (_, i) => record(i)),
      record(1000, { jid: 'NoResource@Example' }),
      record(1001, { jid: 'Ünïcode@example/x' }),
      record(1002, { kind: 'other' }),
      record(1003, { kind: 5 }),
      record(1004, { to: ['list', 'not', 'split'] }),
      record(1005, { ts: '1583017429' }),
      record(1006, { ts: 1583017429.5 }),
      record(1007, { ts: '-5' }),
      record(1008, { ts: 15830174290000 }),
      record(1009, { rts: '2020-03-01 10:00' }),
      record(1010, { rts: '2020-03-01T10:00:00.123456789-05:30' }),
      record(1011, { rts: '2020-03-01T10:00:00,5 Z' }),
      record(1012, { rts: '2020-03-01T25:00:00Z' }),
      record(1013, { rd: '08/03/2020 at 02:30' }),
      record(1014, { rd: '01/11/2020 at 01:30' }),
      record(1015, { rd: '1/3/2020 at 10:00' }),
      record(1016, { pos: { lat: '52.1', lon: null } }),
      record(1017, { pos: { lat: 52.1, lon: 4.1 } }),
      record(1018, { meta: null }),
      record(1019, { meta: 'x' }),
      record(1020, { body: '   ' }),
      record(1021, { room: '   ', kind: 'groupchat' }),
    ];
    const outcome = await normalizeBothWays('every-field', Buffer.from(`${lines.join('\n')}\n`), { mapping });
    expectSame(outcome);
    expect(outcome.sql.mappedInSql).toBeGreaterThan(350);
  }, 60_000);

  it('agrees on random combinations of edge values for every kind of field (seeded)', async () => {
    const values: Record<string, unknown[]> = {
      meta: [null, 'x', { id: 7 }, { id: '' }, { id: null }, { id: ['a'] }, {}],
      jid: ['NoResource@Example', 'Ünïcode@example/x', 'a@b/c/d', '@x/y', 'u@h/', '', null, 5, ' sp@ace/r '],
      kind: ['chat', 'groupchat', 'other', 5, null, 'Chat', ''],
      to: [['list', 'x'], 'A@x, b@y', ' , ,', 'ÄB@x', '', null, 7, 'a@x,a@x', 'z@x,A@x'],
      room: [' r ', '', null, 'R-1', 5, '\u00a0r\u00a0'],
      ts: ['1583017429', 1583017429.5, '-5', 15830174290000, 0, -1, 1583017429, 'x', null, 1e20, 4102444800],
      rts: [
        '2020-03-01 10:00',
        '2020-03-01T10:00:00.123456789-05:30',
        '2020-03-01T10:00:00,5 Z',
        '2020-03-01T25:00:00Z',
        '2020-03-01T10:00:00+14:00',
        '2020-03-01T10:00Z',
        '2020-03-01',
        '20200301T100000Z',
        '2020-02-29T23:59:59.999Z',
        '2021-02-29T10:00:00Z',
        null,
        '',
      ],
      rd: [
        '08/03/2020 at 02:30',
        '01/11/2020 at 01:30',
        '1/3/2020 at 10:00',
        '31/12/2020 at 23:59',
        '29/02/2021 at 10:00',
        '08/03/2020 at 2:30',
        null,
      ],
      body: ['   ', '', null, ' x ', 'é\t', 12, 'bel 06-12345678'],
      pos: [
        null,
        { lat: '52.1', lon: null },
        { lat: 52.1, lon: 4.1 },
        { lat: ' 1,5 ', lon: '-0' },
        'x',
        { lat: '', lon: '' },
      ],
    };
    const prng = new Prng('map-in-sql', 'every-field');
    const lines = Array.from({ length: 1200 }, (_, i) => {
      const fields: Record<string, unknown> = {};
      for (const [key, pool] of Object.entries(values)) if (prng.chance(1 / 5)) fields[key] = prng.pick(pool);
      return record(i, fields);
    });
    const outcome = await normalizeBothWays('every-field-random', Buffer.from(`${lines.join('\n')}\n`), {
      mapping,
    });
    expectSame(outcome);
    expect(outcome.sql.mappedInSql).toBeGreaterThan(200);
    expect(outcome.sql.mappedInSql).toBeLessThan(1200);
  }, 120_000);

  it('maps constants and epoch milliseconds the same way', async () => {
    const constant = {
      name: 'constants',
      input: { type: 'ndjson' },
      fields: {
        sender: { const: 'the-handset' },
        recipients: { const: 'a;b', split: ';' },
        sent_at: { from: 't', format: 'epoch-millis' },
        body: { from: 'm' },
      },
    };
    const lines = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ t: 1_583_017_429_000 + i, m: `m${i}` }),
    );
    const outcome = await normalizeBothWays('constants', Buffer.from(lines.join('\n')), {
      mapping: constant,
    });
    expectSame(outcome);
    expect(outcome.sql.mappedInSql).toBe(50);
  }, 60_000);

  it('maps lists under each transform the same way, those it leaves alone and those it changes', async () => {
    const lists = [
      ['ABC', 'XYZ'],
      ['abc', 'xyz'],
      ['A', '', 'B'],
      ['A', null, 'B'],
      [' A', 'B '],
      ['A/b', 'C'],
      ['a/B'],
      ['a/b', 'c'],
      ['12', '345'],
      ['1a', '2'],
      ['~!{}', '\u007f'],
      ['Ä', 'B'],
      // Sorted differently by UTF-8 bytes and by UTF-16 code units
      ['\uff21', '\u{1f600}'],
      [],
    ];
    const lines = lists.map((to, i) => JSON.stringify({ s: 'S1', to, t: 1_583_017_429 + i, m: `m${i}` }));
    // Escapes: the JSON text of these lists is not their items.
    const escaped = ['"\\u0041b"', '"\\u00e4"', '"a\\\\b"', '"A\\"B"', '"\\nA"', '"\\u00a0A"'];
    for (const [i, item] of escaped.entries())
      lines.push(`{"s":"S1","to":[${item},"C"],"t":${1_583_017_500 + i},"m":"e${i}"}`);
    const transformSets = [
      [],
      ['trim'],
      ['uppercase'],
      ['lowercase'],
      ['bare-jid'],
      ['jid-resource'],
      ['digits'],
    ];
    for (const [i, transform] of transformSets.entries()) {
      const mapping = {
        name: `list-${i}`,
        input: { type: 'ndjson' },
        fields: {
          sender: { from: 's' },
          recipients: { from: 'to', transform },
          sent_at: { from: 't', format: 'epoch-seconds' },
          body: { from: 'm' },
        },
      };
      const outcome = await normalizeBothWays(`list-${i}`, Buffer.from(`${lines.join('\n')}\n`), { mapping });
      expectSame(outcome);
      expect(outcome.sql.mappedInSql).toBeGreaterThan(0);
    }
  }, 60_000);
});
