import { describe, expect, it } from 'vitest';
import { compileMappingSql } from '#domain/adapters/mapping/mapping-sql.ts';
import { resolveMapping } from '#domain/adapters/mapping/shipped-mappings.ts';

const ndjson = (fields: Record<string, unknown>) =>
  resolveMapping({ name: 'm', input: { type: 'ndjson' }, fields }, 'skyecc');
const base = { sender: { from: 'from' }, sent_at: { from: 'ts', format: 'epoch-seconds' } };

describe('which mappings DuckDB runs (the rest are mapped record by record in JavaScript)', () => {
  it('compiles the shipped NDJSON mapping, one zone for its three times', () => {
    const sql = compileMappingSql(resolveMapping('skyecc', 'skyecc'), 'skyecc', 'Europe/Amsterdam');
    expect(sql?.zones).toEqual([
      { zone: 'Europe/Amsterdam', dayColumns: ['sent_day', 'received_day', 'read_day'] },
    ]);
  });

  it('leaves CSV mappings to JavaScript', () => {
    expect(compileMappingSql(resolveMapping('encrochat', 'encrochat'), 'encrochat', 'UTC')).toBeUndefined();
  });

  it('leaves paths JavaScript and a struct read differently to JavaScript', () => {
    // `to.length` is an array's length in JavaScript, nothing in a struct
    for (const from of ['loc.0', 'a b', 'constructor', 'meta.__proto__', 'to.length', 'to.map']) {
      expect(compileMappingSql(ndjson({ ...base, body: { from } }), 'skyecc', 'UTC'), from).toBeUndefined();
    }
    // A path that is both a value and the object of another
    expect(
      compileMappingSql(
        ndjson({ ...base, body: { from: 'loc' }, latitude: { from: 'loc.lat' } }),
        'skyecc',
        'UTC',
      ),
    ).toBeUndefined();
  });

  it('keeps a zone per time that names its own', () => {
    const sql = compileMappingSql(
      ndjson({ ...base, read_at: { from: 'rd', format: 'iso8601', zone: 'America/New_York' } }),
      'skyecc',
      'Europe/Amsterdam',
    );
    expect(sql?.zones.map((z) => z.zone)).toEqual(['Europe/Amsterdam', 'America/New_York']);
  });
});
