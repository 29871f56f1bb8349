import { describe, expect, it } from 'vitest';
import { createXmppAdapter } from '#domain/adapters/xmpp/xmpp-adapter.ts';
import { messageIdFromNative } from '#domain/ids/message-ids.ts';
import { iso, runAdapter, sourceBytes, testContext, testManifest } from '../common/adapter-harness.ts';
import { ejabberdCsv, mucQueryResults, xep0227 } from './xmpp-fixtures.ts';

const adapter = (maxRecordBytes?: number) =>
  createXmppAdapter(testContext(testManifest('xmpp', { timezone: 'Europe/Amsterdam' })), { maxRecordBytes });

describe('xmpp adapter: XEP-0227 export with XEP-0313 archive sections', () => {
  const bytes = Buffer.from(xep0227);

  it('reads every archived message, with bare JIDs as handles, resources as devices and delay stamps as UTC times', async () => {
    const { messages, rejections, records } = await runAdapter(adapter(), bytes);
    expect(records).toHaveLength(8);
    expect(messages.map((m) => m.native_id)).toEqual(['o-0001', 'o-0002', 'm6', 'o-0001', 'm9']);
    const [m1, m2, m6, m1copy, m9] = messages;
    expect(m1).toMatchObject({
      sender: 'ghost@shadow.example',
      sender_device: 'phone1',
      recipients: ['viper@shadow.example'],
      body: 'Levering om 10u 🚚 & <snel>',
      timezone_assumed: false,
      sent_at_raw: '2020-05-01T10:00:00Z',
    });
    expect(iso(m1!)).toBe('2020-05-01T10:00:00.000Z');
    expect(m2).toMatchObject({
      sender: 'viper@shadow.example',
      sender_device: 'laptop',
      body: 'שלום — مرحبا <ok>',
    });
    expect(iso(m2!)).toBe('2020-05-01T10:01:30.250Z');
    // both directions are one conversation; the reply points at the message it answers
    expect(m2!.conversation_id).toBe(m1!.conversation_id);
    expect(m2!.conversation_id).toMatch(/^dm:/);
    expect(m2!.reply_to).toBe(m1!.message_id);
    // OMEMO: the body is the fallback text, flagged as still encrypted; the OOB link is an attachment
    expect(m6!.body_status).toBe('encrypted');
    expect(m6!.attachments).toEqual([
      {
        name: 'https://files.shadow.example/a1b2/photo.jpg',
        media_type: null,
        size: null,
        sha256: null,
        object_key: null,
      },
    ]);
    // the same message in the recipient's archive gets the same id, so the import keeps it once
    expect(m1copy!.message_id).toBe(m1!.message_id);
    expect(m1copy!.source_offset).not.toBe(m1!.source_offset);
    // an offline message: its own delay (with an offset) is the send time
    expect(iso(m9!)).toBe('2020-05-02T06:00:00.123Z');
    expect(m9).toMatchObject({ sender_device: 'phone2', body: 'offline\ntwee regels' });
    expect(m9!.message_id).not.toBe(m1!.message_id);

    expect(rejections.map((r) => r.reason)).toEqual([
      'no message content (no body: a chat state, receipt or marker)',
      expect.stringMatching(/^malformed XML: .*(unexpected close tag|closing tag)/i),
      expect.stringMatching(/^malformed XML: undefined entity/),
    ]);
  });

  it('points every row and rejection at the exact bytes of its <result> or <message>', async () => {
    const { records } = await runAdapter(adapter(), bytes);
    for (const r of records) {
      const at = 'message' in r ? r.message : r.rejection;
      const text = sourceBytes(bytes, at).toString('utf8');
      expect(text).toMatch(/^<(result|message)[\s>]/);
      expect(text).toMatch(/<\/(result|message)>$/);
    }
  });

  it('gives the same records in one chunk, in many chunks, and with the stream cut into 7-byte pieces', async () => {
    const whole = await runAdapter(adapter(), bytes);
    const chunked = await runAdapter(adapter(), bytes, { chunkBytes: 200, pieceBytes: 7 });
    expect(chunked.chunks.length).toBeGreaterThan(4);
    expect(chunked.records).toEqual(whole.records);
    expect(chunked.chunks[0]!.start).toBe(0);
    for (let i = 1; i < chunked.chunks.length; i++)
      expect(chunked.chunks[i]!.start).toBe(chunked.chunks[i - 1]!.end);
    expect(chunked.chunks.at(-1)!.end).toBe(bytes.length);
    // a chunk's context keeps the namespaces and the archive's owner, not the user's password
    const contexts = chunked.chunks.map((c) => c.context ?? '').join('\n');
    expect(contexts).toContain(`<user name='ghost'>`);
    expect(contexts).not.toContain('password');
  });

  it('reads a UTF-8 BOM and CRLF line ends', async () => {
    const crlf = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(xep0227.replaceAll('\n', '\r\n')),
    ]);
    const { messages } = await runAdapter(adapter(), crlf);
    expect(messages).toHaveLength(5);
    expect(messages[4]!.body).toBe('offline\ntwee regels'); // XML normalizes CRLF in text to LF
  });

  it('quarantines a record cut off by the end of the file, and keeps those before it', async () => {
    const cut = bytes.subarray(0, xep0227.indexOf('<body>offline') + 8);
    const { messages, rejections } = await runAdapter(adapter(), Buffer.from(cut));
    expect(messages).toHaveLength(4);
    const last = rejections.at(-1)!;
    expect(last.reason).toBe('truncated: the file ends inside this record');
    expect(last.source_offset + last.source_length).toBe(cut.length);
    expect(cut.subarray(last.source_offset).toString()).toMatch(/^<message /);
  });

  it('skips a record over the size limit by location, without reading it into memory, and goes on', async () => {
    const huge = xep0227.replace('Levering om 10u', 'x'.repeat(50_000));
    const big = Buffer.from(huge);
    const { messages, rejections } = await runAdapter(adapter(10_000), big, {
      pieceBytes: 4096,
      chunkBytes: 1000,
    });
    const over = rejections.find((r) => r.reason.includes('exceeds'))!;
    expect(over.reason).toMatch(/^record of \d+ bytes exceeds the 10000-byte limit$/);
    expect(over.raw).toBeUndefined();
    expect(sourceBytes(big, over).toString()).toMatch(
      /^<result xmlns='urn:xmpp:mam:2' id='A-0001'>[\s\S]*<\/result>$/,
    );
    expect(messages.map((m) => m.native_id)).toEqual(['o-0002', 'm6', 'o-0001', 'm9']);
  });
});

describe('xmpp adapter: hostile XML', () => {
  it('refuses a file with a DOCTYPE (billion laughs) as one quarantined record, expanding nothing', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<server-data xmlns='urn:xmpp:pie:0'><host jid='a.example'><user name='b'><archive xmlns='urn:xmpp:pie:0#mam'>
<result xmlns='urn:xmpp:mam:2' id='x'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>
<message from='b@a.example' to='c@a.example' type='chat'><body>&lol3;&xxe;</body></message></forwarded></result>
</archive></user></host></server-data>`;
    const bytes = Buffer.from(laughs);
    const { messages, rejections, chunks } = await runAdapter(adapter(), bytes, { chunkBytes: 100 });
    expect(chunks).toHaveLength(1);
    expect(messages).toEqual([]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ source_offset: 0, source_length: bytes.length });
    expect(rejections[0]!.reason).toMatch(/DOCTYPE/);
    expect(rejections[0]!.raw).not.toContain('lollollol');
    expect(rejections[0]!.raw).not.toContain('root:');
  });

  it('refuses an XML file in another encoding than UTF-8', async () => {
    const bytes = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><message/>`, 'latin1');
    const { rejections } = await runAdapter(adapter(), bytes);
    expect(rejections.map((r) => r.reason)).toEqual([
      'XML encoding "ISO-8859-1" is not supported: XMPP is UTF-8',
    ]);
  });
});

describe('xmpp adapter: XEP-0313 results from a room (XEP-0045)', () => {
  it('makes the room the conversation, the real JID the sender, and the room stanza-id the native id', async () => {
    const bytes = Buffer.from(mucQueryResults);
    const { messages, rejections } = await runAdapter(adapter(), bytes);
    expect(rejections).toEqual([]);
    const [g1, g2] = messages;
    expect(g1).toMatchObject({
      sender: 'viper@shadow.example',
      sender_device: 'laptop',
      recipients: [],
      conversation_id: 'group:ops@rooms.shadow.example',
      native_id: 'R-100',
      body: 'Iedereen klaar?',
    });
    expect(g1!.message_id).toBe(
      messageIdFromNative('generic', ['xmpp-muc', 'ops@rooms.shadow.example', 'R-100'].join('\u0000')),
    );
    // a room that does not disclose real JIDs: the occupant JID is the handle
    expect(g2).toMatchObject({
      sender: 'ops@rooms.shadow.example/Nachtuil',
      geo: { lat: 51.9225, lon: 4.47917 },
    });
    expect(g2!.reply_to).toBe(g1!.message_id);
  });
});

describe("xmpp adapter: ejabberd's archive table as CSV", () => {
  const bytes = Buffer.from(ejabberdCsv);

  it('reads the stanza in "xml", the time in microseconds, and rooms (kind groupchat) as conversations', async () => {
    const { messages, rejections, records } = await runAdapter(adapter(), bytes);
    expect(records).toHaveLength(5);
    const [c1, c2, g] = messages;
    expect(c1).toMatchObject({
      sender: 'ghost@shadow.example',
      sender_device: 'phone1',
      recipients: ['viper@shadow.example'],
      body: 'prijs: 4,5 "k", morgen',
      native_id: 'c1',
      sent_at_raw: '1588327200123456',
      timezone_assumed: false,
    });
    expect(iso(c1!)).toBe('2020-05-01T10:00:00.123Z');
    expect(c2!.body).toBe('regel een\nregel twee');
    expect(c2!.conversation_id).toBe(c1!.conversation_id);
    expect(g).toMatchObject({
      sender: 'viper@shadow.example',
      conversation_id: 'group:ops@rooms.shadow.example',
      recipients: [],
    });
    expect(rejections.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^column "xml": malformed XML/),
      'timestamp "yesterday" is not microseconds',
    ]);
    // rows are located exactly, the quoted newline inside the second row included
    expect(sourceBytes(bytes, c2!).toString()).toMatch(
      /^viper,shadow\.example,1588327260000001,[\s\S]*,2020-05-01 10:01:00$/,
    );
  });

  it('cuts the table into chunks between rows', async () => {
    const whole = await runAdapter(adapter(), bytes);
    const chunked = await runAdapter(adapter(), bytes, { chunkBytes: 100, pieceBytes: 13 });
    expect(chunked.chunks.length).toBeGreaterThan(2);
    expect(chunked.records).toEqual(whole.records);
  });

  it('refuses a CSV without the archive columns, naming them', async () => {
    await expect(runAdapter(adapter(), Buffer.from('a,b\n1,2\n'))).rejects.toThrow(
      /has no "username", "timestamp", "xml" column/,
    );
  });

  it('refuses a header whose quoting runs over several lines, rather than read the rows it swallowed as column names', async () => {
    // The header's line break lost (found by corrupted-input.test.ts): the header record runs into a row
    // whose quoted XML runs over two lines, and the columns the adapter needs are all still there.
    const [header, ...rows] = ejabberdCsv.split('\r\n');
    const twoLines = rows.find((r) => r.includes('\n')) as string;
    const others = rows.filter((r) => r !== twoLines);
    const damaged = Buffer.from(`${header}\u00b2${twoLines}\r\n${others.join('\r\n')}`);
    await expect(runAdapter(adapter(), damaged)).rejects.toThrow(/the header record runs over several lines/);
  });
});
