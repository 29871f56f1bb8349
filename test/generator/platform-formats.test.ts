import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidLuhn } from '#generator/checksums/luhn.ts';
import { type ReadRecord, readStrict } from './strict-reader.ts';
import { generateTemp, readData, removeTempSeizures } from './temp-seizure.ts';

afterAll(removeTempSeizures);

type Platform = 'encrochat' | 'skyecc' | 'anom';

async function readAll(platform: Platform, messages: number) {
  const result = await generateTemp({ platform, messages, seed: `shape-${platform}` });
  const files = result.files.map((f) => readData(result.out, f.path));
  const records = files.flatMap((bytes) => {
    const read = readStrict(bytes, platform);
    expect(read.rejected).toEqual([]);
    return read.valid;
  });
  return { result, files, records };
}

describe('encrochat handset dumps', () => {
  let files: Buffer[];
  let records: ReadRecord[];
  beforeAll(async () => ({ files, records } = await readAll('encrochat', 8000)));

  it('are ;-separated Windows-1252 CSV with CRLF line endings and the exact header', () => {
    const bytes = files[0] as Buffer;
    expect(bytes.subarray(0, 120).toString('latin1')).toMatch(
      /^msg_id;owner_imei;owner_handle;thread;from_handle;from_imei;to_handles;local_time;message;lat;lon\r\n/,
    );
    // é is one byte (0xE9) in Windows-1252, never the UTF-8 pair C3 A9.
    expect(bytes.includes(Buffer.from([0xe9]))).toBe(true);
    expect(bytes.includes(Buffer.from([0xc3, 0xa9]))).toBe(false);
    expect(bytes.includes(Buffer.from([0x80]))).toBe(true); // €
    // Every record ends in CRLF; bare LF only occurs inside quoted bodies.
    const text = iconv.decode(bytes, 'windows-1252');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(records.some((r) => String(r.fields.message).includes('\n'))).toBe(true);
  });

  it('hold only characters Windows-1252 can encode (no emoji)', () => {
    for (const r of records) {
      const body = String(r.fields.message);
      expect(iconv.decode(iconv.encode(body, 'windows-1252'), 'windows-1252')).toBe(body);
    }
  });

  it('quote bodies holding ;, quotes and newlines so they read back intact', () => {
    const bodies = records.map((r) => String(r.fields.message));
    expect(bodies.some((b) => b.includes(';'))).toBe(true);
    expect(bodies.some((b) => b.includes('"'))).toBe(true);
    expect(bodies.some((b) => b.includes('\n'))).toBe(true);
  });

  it('identify messages, handles and handsets the way EncroChat does', () => {
    for (const { fields: f } of records) {
      expect(f.msg_id).toMatch(/^[0-9a-f]{16}$/);
      expect(f.from_handle).toMatch(/^[a-z0-9.-]+$/);
      expect(isValidLuhn(String(f.owner_imei)) && isValidLuhn(String(f.from_imei))).toBe(true);
      expect(String(f.owner_imei)).toHaveLength(15);
      expect(f.local_time).toMatch(/^\d{2}\/\d{2}\/2020 \d{2}:\d{2}:\d{2}$/);
      const to = String(f.to_handles).split(',');
      if (f.thread === '') {
        expect(to).toHaveLength(1);
        expect([f.from_handle, to[0]]).toContain(f.owner_handle);
      } else {
        expect(f.thread).toMatch(/^grp-[0-9a-f]{6}$/);
        expect(to.length).toBeGreaterThanOrEqual(2);
        expect(to.length).toBeLessThanOrEqual(11);
        expect(to).not.toContain(f.from_handle);
        expect(f.owner_handle).toBe(f.from_handle);
      }
    }
  });

  it('keep a one-to-one message on both handsets: same msg_id and content, other owner', () => {
    const byId = new Map<string, ReadRecord[]>();
    for (const r of records) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    const oneToOne = [...byId.values()].filter((rs) => rs[0]?.fields.thread === '');
    const onBoth = oneToOne.filter((rs) => new Set(rs.map((r) => r.fields.owner_handle)).size === 2);
    expect(onBoth.length / oneToOne.length).toBeGreaterThan(0.95);
    const withoutOwner = ({ owner_imei: _imei, owner_handle: _handle, ...rest }: Record<string, unknown>) =>
      rest;
    for (const copies of onBoth) {
      const first = copies[0] as ReadRecord;
      const other = copies.find((r) => r.fields.owner_handle !== first.fields.owner_handle) as ReadRecord;
      const restA = withoutOwner(first.fields);
      const restB = withoutOwner(other.fields);
      expect(restB).toEqual(restA);
    }
  });

  it('give about one row in twenty a handset location', () => {
    const located = records.filter((r) => r.fields.lat !== '');
    expect(located.length / records.length).toBeGreaterThan(0.03);
    expect(located.length / records.length).toBeLessThan(0.08);
    for (const r of located) {
      expect(r.fields.lat).toMatch(/^-?\d{1,2}\.\d{6}$/);
      expect(r.fields.lon).toMatch(/^-?\d{1,3}\.\d{6}$/);
    }
  });
});

describe('skyecc server dumps', () => {
  let files: Buffer[];
  let records: ReadRecord[];
  beforeAll(async () => ({ files, records } = await readAll('skyecc', 6000)));

  it('are UTF-8 NDJSON with LF line endings and keys in the documented order', () => {
    const text = (files[0] as Buffer).toString('utf8');
    expect(text).not.toContain('\r');
    expect(text.endsWith('}\n')).toBe(true);
    for (const { fields } of records) {
      expect(Object.keys(fields)).toEqual([
        'id',
        'from',
        'from_imei',
        'to',
        'group',
        'sent',
        'received',
        'read',
        'text',
        'loc',
      ]);
    }
  });

  it('identify messages by 24-hex ids, users by Sky IDs and devices by IMEI', () => {
    for (const { fields: f } of records) {
      expect(f.id).toMatch(/^[0-9a-f]{24}$/);
      expect(f.from).toMatch(/^[A-Z0-9]{6}$/);
      expect(isValidLuhn(String(f.from_imei))).toBe(true);
      const to = f.to as string[];
      expect(to.every((id) => /^[A-Z0-9]{6}$/.test(id))).toBe(true);
      if (f.group === null) expect(to).toHaveLength(1);
      else {
        expect(f.group).toMatch(/^G\d{6}$/);
        expect(to.length).toBeGreaterThanOrEqual(2);
        expect(to).not.toContain(f.from);
      }
    }
  });

  it('have received after sent and read after received, either possibly missing', () => {
    let unread = 0;
    for (const { fields: f } of records) {
      for (const t of [f.sent, f.received, f.read])
        if (t !== null) expect(t).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      if (f.received === null) expect(f.read).toBeNull();
      else expect(String(f.received) >= String(f.sent)).toBe(true);
      if (f.read === null) unread++;
      else expect(String(f.read) >= String(f.received)).toBe(true);
    }
    expect(unread).toBeGreaterThan(0);
    expect(unread).toBeLessThan(records.length / 2);
  });

  it('carry emoji in some texts and an occasional location object', () => {
    expect(records.some((r) => /\p{Extended_Pictographic}/u.test(String(r.fields.text)))).toBe(true);
    const located = records.filter((r) => r.fields.loc !== null);
    expect(located.length).toBeGreaterThan(0);
    for (const r of located) {
      const loc = r.fields.loc as { lat: unknown; lon: unknown };
      expect(Object.keys(loc)).toEqual(['lat', 'lon']);
      expect(typeof loc.lat).toBe('number');
      expect(typeof loc.lon).toBe('number');
    }
  });
});

describe('anom server exports', () => {
  let files: Buffer[];
  let records: ReadRecord[];
  beforeAll(async () => ({ files, records } = await readAll('anom', 6000)));

  it('are comma-separated UTF-8 CSV with LF line endings and the exact header', () => {
    const text = (files[0] as Buffer).toString('utf8');
    expect(text.startsWith('id,timestamp,from_jid,to_jid,type,body,lat,lon\n')).toBe(true);
    expect(text).not.toContain('\r');
    expect(records.some((r) => String(r.fields.body).includes(','))).toBe(true);
  });

  it('use UUID stanza ids, UTC millisecond times and JIDs with the device as resource', () => {
    for (const { fields: f } of records) {
      expect(f.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(f.timestamp).toMatch(/^20(20|21)-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(f.from_jid).toMatch(/^[a-z0-9-]+@anom\.example\/[0-9A-F]{8}$/);
      if (f.type === 'chat') expect(f.to_jid).toMatch(/^[a-z0-9-]+@anom\.example$/);
      else {
        expect(f.type).toBe('groupchat');
        expect(f.to_jid).toMatch(/^[a-z0-9-]+@conference\.anom\.example$/);
      }
    }
    expect(records.some((r) => r.fields.type === 'groupchat')).toBe(true);
  });

  it('start their activity on 1 October 2020', () => {
    const times = records.map((r) => String(r.fields.timestamp)).sort();
    expect(times[0]?.startsWith('2020-10-01')).toBe(true);
  });
});
