import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketSql } from '#domain/lake/compact-partition.ts';
import { type DuckDBSession, openDuckDB, sqlString } from '#domain/lake/duckdb-session.ts';

describe('bucketSql: the hash buckets a month is sliced by', () => {
  let duckdb: DuckDBSession;
  const ids = Array.from({ length: 20_000 }, (_, i) =>
    createHash('sha256').update(`message ${i}`).digest('hex').slice(0, 32),
  );
  // Edges: the bounds themselves, the ends of the range, and strings that are not hex ids at all.
  const edges = [
    '',
    '0',
    '00000000',
    '7fffffff',
    '80000000',
    'ffffffff',
    'ffffffffffffffff',
    'zzz',
    'A1',
    '-',
  ];

  beforeAll(async () => {
    duckdb = await openDuckDB();
    const values = [...ids, ...edges].map((id) => `(${sqlString(id)})`).join(', ');
    await duckdb.connection.run(`CREATE TABLE ids AS SELECT * FROM (VALUES ${values}) t(message_id)`);
  });
  afterAll(() => duckdb.close());

  const countIn = async (where: string) =>
    Number(
      (
        await duckdb.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ids WHERE ${where}`)
      ).getRowObjects()[0]?.n,
    );

  it('puts every string in exactly one bucket, whatever the bucket count', async () => {
    for (const buckets of [1, 2, 3, 7, 16, 100]) {
      const membership = Array.from(
        { length: buckets },
        (_, b) => `(${bucketSql('message_id', b, buckets)})::INTEGER`,
      );
      const wrong = await countIn(`(${membership.join(' + ')}) <> 1`);
      expect(wrong, `${buckets} buckets`).toBe(0);
    }
    expect(bucketSql('message_id', 0, 1)).toBe('true');
  });

  it('cuts message ids (SHA-256 hex) into buckets of about the same size', async () => {
    for (const buckets of [3, 7]) {
      for (let b = 0; b < buckets; b++) {
        const n = await countIn(`${bucketSql('message_id', b, buckets)} AND length(message_id) = 32`);
        expect(Math.abs(n - ids.length / buckets), `bucket ${b} of ${buckets}`).toBeLessThan(
          ids.length / buckets / 10,
        );
      }
    }
  });
});
