import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { Chunk, EvidenceFile, NormalizedRecord } from '#domain/adapters/adapter.ts';
import { MappingError } from '#domain/adapters/mapping/compile-mapping.ts';
import { createMappingAdapter } from '#domain/adapters/mapping/mapping-adapter.ts';
import { resolveMapping } from '#domain/adapters/mapping/shipped-mappings.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import type { CanonicalMessage } from '#domain/schema/message-schema.ts';

function manifest(platform: Manifest['platform'], timezone: string, mapping?: unknown): Manifest {
  return {
    seizureId: 's1',
    platform,
    format: 'mapping',
    caseId: 'c1',
    legalAuthority: 'TEST',
    uploadedBy: 'tester',
    timezone,
    files: [],
    options: mapping === undefined ? undefined : { mapping: mapping as string },
  };
}

async function importBytes(m: Manifest, bytes: Buffer, chunkBytes = 1 << 20) {
  const adapter = createMappingAdapter(resolveMapping(m.options?.mapping, m.platform), {
    manifest: m,
    importId: 'imp-test',
    ingestedAt: 0,
  });
  const file: EvidenceFile = {
    path: 'data/x',
    key: 'seizures/s1/data/x',
    sha256: 'f'.repeat(64),
    bytes: bytes.length,
  };
  const open = async (start: number, end: number) => Readable.from([bytes.subarray(start, end)]);
  const chunks: Chunk[] = await adapter.plan(file, open, chunkBytes);
  const records: NormalizedRecord[] = [];
  for (const chunk of chunks) {
    for await (const batch of adapter.read(chunk, await open(chunk.start, chunk.end))) records.push(...batch);
  }
  const messages = records.flatMap((r) => ('message' in r ? [r.message] : []));
  const rejections = records.flatMap((r) => ('rejection' in r ? [r.rejection] : []));
  return { chunks, records, messages, rejections };
}

const sourceBytes = (bytes: Buffer, r: { source_offset: number; source_length: number }) =>
  bytes.subarray(r.source_offset, r.source_offset + r.source_length);

const encroHeader =
  'msg_id;owner_imei;owner_handle;thread;from_handle;from_imei;to_handles;local_time;message;lat;lon';
function encrochatFile(rows: string[]): Buffer {
  return iconv.encode(`${[encroHeader, ...rows].join('\r\n')}\r\n`, 'windows-1252');
}

describe('mapping adapter: EncroChat-style CSV (;, Windows-1252, CRLF)', () => {
  const rows = [
    '00000000000000a1;356938035643809;pinkpanther;;PinkPanther;356938035643809;icecold;25/03/2020 14:03:22;"Café om 3u; neem € mee";;',
    '00000000000000a2;356938035643809;pinkpanther;grp-7f3a21;icecold;490154203237518;pinkpanther,guardian88;25/03/2020 14:05:00;"twee\r\nregels ""quote""";48.8566;2.3522',
  ];
  const bytes = encrochatFile(rows);

  it('decodes Windows-1252, keeps quoted separators and newlines, and converts Paris time to UTC', async () => {
    const { messages, rejections } = await importBytes(manifest('encrochat', 'Europe/Paris'), bytes);
    expect(rejections).toEqual([]);
    expect(messages).toHaveLength(2);
    const [a, b] = messages as [CanonicalMessage, CanonicalMessage];
    expect(a.body).toBe('Café om 3u; neem € mee');
    expect(a.sender).toBe('pinkpanther');
    expect(a.recipients).toEqual(['icecold']);
    expect(new Date(a.sent_at).toISOString()).toBe('2020-03-25T13:03:22.000Z');
    expect(a.timezone_assumed).toBe(true);
    expect(a.conversation_id).toMatch(/^dm:/);
    expect(b.body).toBe('twee\r\nregels "quote"');
    expect(b.conversation_id).toBe('group:grp-7f3a21');
    expect(b.recipients).toEqual(['pinkpanther', 'guardian88']);
    expect(b.geo).toEqual({ lat: 48.8566, lon: 2.3522 });
    expect(b.sender_device).toBe('490154203237518');
  });

  it('points every row at the exact bytes of its record in the evidence', async () => {
    const { messages } = await importBytes(manifest('encrochat', 'Europe/Paris'), bytes);
    expect(messages.map((m) => iconv.decode(sourceBytes(bytes, m), 'windows-1252'))).toEqual(rows);
  });

  it('gives the same records whether the file is read in one chunk or many', async () => {
    const many = encrochatFile(
      Array.from({ length: 300 }, (_, i) =>
        rows[i % 2]!.replace(/^0+a[12]/, `${String(i).padStart(16, '0')}`),
      ),
    );
    const whole = await importBytes(manifest('encrochat', 'Europe/Paris'), many);
    const chunked = await importBytes(manifest('encrochat', 'Europe/Paris'), many, 1000);
    expect(chunked.chunks.length).toBeGreaterThan(10);
    expect(chunked.messages).toEqual(whole.messages);
    expect(whole.messages).toHaveLength(300);
    // chunks tile the data without gaps or overlaps, starting after the header
    expect(chunked.chunks[0]!.start).toBe(encroHeader.length + 2);
    for (let i = 1; i < chunked.chunks.length; i++)
      expect(chunked.chunks[i]!.start).toBe(chunked.chunks[i - 1]!.end);
    expect(chunked.chunks.at(-1)!.end).toBe(many.length);
  });

  it('quarantines a wrong field count, a malformed quote and a bad date, with reasons and locations', async () => {
    const bad = [
      'only;three;fields',
      '00000000000000b2;356938035643809;pinkpanther;;pinkpanther;1;icecold;25/03/2020 14:03:22;"bad"quote;;',
      '00000000000000b3;356938035643809;pinkpanther;;pinkpanther;1;icecold;31/02/2020 10:00:00;x;;',
      '00000000000000b4;356938035643809;pinkpanther;;;1;icecold;25/03/2020 10:00:00;no sender;;',
      '00000000000000b5;356938035643809;pinkpanther;;pinkpanther;1;icecold;25/03/2020 10:00:00;somewhere;91.5;4.1',
    ];
    const input = encrochatFile([rows[0]!, ...bad, rows[1]!]);
    const { messages, rejections, records } = await importBytes(manifest('encrochat', 'Europe/Paris'), input);
    expect(records).toHaveLength(7);
    expect(messages.map((m) => m.native_id)).toEqual(['00000000000000a1', '00000000000000a2']);
    expect(rejections.map((r) => r.reason)).toEqual([
      'expected 11 fields, found 3',
      expect.stringMatching(/^malformed CSV: Invalid Closing Quote/),
      'unparseable send time "31/02/2020 10:00:00" in "local_time": expected dd/MM/yyyy HH:mm:ss',
      'missing sender ("from_handle")',
      'invalid location: 91.5, 4.1 is out of range',
    ]);
    expect(rejections.map((r) => iconv.decode(sourceBytes(input, r), 'windows-1252'))).toEqual(bad);
    expect(rejections[0]!.raw).toBe('only;three;fields');
  });

  it('refuses a mapping that names a column the file does not have, before reading any record', async () => {
    const renamed = Buffer.from(
      `${encroHeader.replace('local_time', 'timestamp')}\r\n${rows[0]}\r\n`,
      'latin1',
    );
    await expect(importBytes(manifest('encrochat', 'Europe/Paris'), renamed)).rejects.toThrow(MappingError);
    await expect(importBytes(manifest('encrochat', 'Europe/Paris'), renamed)).rejects.toThrow(
      /reads "local_time", which data\/x does not have/,
    );
  });

  it('refuses a header whose quoting runs over several lines, rather than read the records it swallowed as column names', async () => {
    // A stray quote at the header's end: the header record runs to the next quote, a whole record later.
    const swallowed =
      '00000000000000b1;356938035643809;pinkpanther;;PinkPanther;356938035643809;icecold;25/03/2020 14:03:22;weg;;';
    const damaged = iconv.encode(`${encroHeader};"\r\n${swallowed}"\r\n${rows[0]}\r\n`, 'windows-1252');
    await expect(importBytes(manifest('encrochat', 'Europe/Paris'), damaged)).rejects.toThrow(
      'data/x: the header record runs over several lines: its quoting is damaged, or the file has no header',
    );
  });
});

describe('mapping adapter: NDJSON and UTF-8 CSV', () => {
  it('reads nested paths and arrays, and quarantines invalid UTF-8, bad JSON and a truncated last line', async () => {
    const lines = [
      '{"id":"1","from":"a7k2qx","to":["b8l3ry"],"sent":"2020-04-01 10:00:00","received":"2020-04-01 10:00:03","text":"ok 🔥","loc":{"lat":51.9,"lon":4.4}}',
      '[1,2]',
    ];
    const bytes = Buffer.concat([
      Buffer.from(`\ufeff${lines.join('\n')}\n`),
      Buffer.from([0x7b, 0xff, 0x7d, 0x0a]),
      Buffer.from('{"id":"2","from":"X","sent":"2020-0'),
    ]);
    const { messages, rejections } = await importBytes(manifest('skyecc', 'Europe/Amsterdam'), bytes);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      native_id: '1',
      sender: 'A7K2QX',
      recipients: ['B8L3RY'],
      body: 'ok 🔥',
      geo: { lat: 51.9, lon: 4.4 },
      sent_at: Date.parse('2020-04-01T08:00:00Z'),
      received_at: Date.parse('2020-04-01T08:00:03Z'),
      read_at: null,
      source_offset: 3,
    });
    expect(rejections.map((r) => r.reason)).toEqual([
      'a record must be a JSON object',
      'invalid UTF-8',
      expect.stringMatching(/^invalid JSON/),
    ]);
    expect(rejections[1]!.raw_base64).toBe(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'));
  });

  it('reads XMPP-style JIDs: bare JID as handle, resource as device, rooms as conversations', async () => {
    const csv = [
      'id,timestamp,from_jid,to_jid,type,body,lat,lon',
      'u1,2021-03-14T10:22:33.123Z,Vortex12@anom.example/2A9F03B1,bravo7@anom.example,chat,"hi, bravo",,',
      'u2,2021-03-14T10:23:00.000Z,bravo7@anom.example/77AA0011,room9@conference.anom.example,groupchat,all,,',
    ].join('\n');
    const { messages } = await importBytes(manifest('anom', 'UTC'), Buffer.from(csv));
    expect(
      messages.map((m) => [
        m.sender,
        m.sender_device,
        m.recipients,
        m.conversation_id,
        m.body,
        m.timezone_assumed,
      ]),
    ).toEqual([
      [
        'vortex12@anom.example',
        '2A9F03B1',
        ['bravo7@anom.example'],
        expect.stringMatching(/^dm:/),
        'hi, bravo',
        false,
      ],
      ['bravo7@anom.example', '77AA0011', [], 'group:room9@conference.anom.example', 'all', false],
    ]);
  });

  it('takes a whole mapping object from the manifest, with constants and a headerless CSV', async () => {
    const mapping = {
      name: 'custom',
      input: { type: 'csv', delimiter: '|', header: false, columns: ['when', 'who', 'what'] },
      fields: {
        sender: { from: 'who' },
        recipients: { const: 'unknown-peer' },
        sent_at: { from: 'when', format: 'epoch-seconds' },
        body: { from: 'what' },
      },
    };
    const { messages } = await importBytes(
      manifest('generic', 'UTC', mapping),
      Buffer.from('1584000000|zed|hallo\n'),
    );
    expect(messages[0]).toMatchObject({
      sender: 'zed',
      recipients: ['unknown-peer'],
      body: 'hallo',
      native_id: null,
    });
    expect(messages[0]!.message_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('explains an invalid mapping and an unknown mapping name', () => {
    expect(() => resolveMapping('nope', 'generic')).toThrow(/no mapping named "nope"; shipped mappings are/);
    expect(() =>
      resolveMapping({ name: 'x', input: { type: 'csv' }, fields: { sender: {} } }, 'generic'),
    ).toThrow(/invalid mapping: .*fields.sender: needs "from"/);
  });

  it('quarantines a record over the size limit by location without reading it into memory', async () => {
    const { MAX_RECORD_BYTES } = await import('#domain/adapters/mapping/mapping-adapter.ts');
    const huge = Buffer.alloc(MAX_RECORD_BYTES + 10, 0x61);
    const ok = '{"id":"9","from":"A","to":[],"sent":"2020-04-01 10:00:00"}';
    const bytes = Buffer.concat([Buffer.from(`${ok}\n`), huge, Buffer.from(`\n${ok}\n`)]);
    const { messages, rejections } = await importBytes(manifest('skyecc', 'UTC'), bytes);
    expect(messages).toHaveLength(2);
    expect(rejections).toEqual([
      expect.objectContaining({
        source_offset: ok.length + 1,
        source_length: huge.length,
        reason: expect.stringMatching(/exceeds/),
      }),
    ]);
  });
});
