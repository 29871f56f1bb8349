import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWhatsAppAdapter } from '#domain/adapters/whatsapp/whatsapp-adapter.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { iso, runAdapter, sourceBytes, testContext, testManifest } from '../common/adapter-harness.ts';
import { androidUs, iosGerman } from './whatsapp-fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const photo = 'synthetic jpeg bytes';

const adapter = (extra: Partial<Manifest> = {}, maxRecordBytes?: number) =>
  createWhatsAppAdapter(testContext(testManifest('whatsapp', { timezone: 'Europe/Amsterdam', ...extra })), {
    maxRecordBytes,
  });

describe('whatsapp adapter: Android export, US locale, 12-hour clock', () => {
  const bytes = Buffer.from(androidUs);
  const path = 'data/WhatsApp Chat with Bob.txt';
  const media: Manifest['files'] = [
    { path: 'data/IMG-20200101-WA0001.jpg', sha256: sha(photo), bytes: photo.length, role: 'media' },
  ];

  it('reads month-first dates, PM and AM, multi-line messages and system messages, in local time', async () => {
    const { messages, rejections } = await runAdapter(adapter({ files: media }), bytes, { path });
    expect(rejections).toEqual([]);
    expect(messages).toHaveLength(8);
    const [notice, hny, hny2, thanks, img, omitted, loc, subject] = messages;
    expect(notice).toMatchObject({ sender: '(system)', recipients: [], timezone_assumed: true });
    expect(notice!.body).toMatch(/^Messages and calls are end-to-end encrypted/);
    expect(iso(notice!)).toBe('2019-12-31T22:58:00.000Z');
    expect(hny).toMatchObject({
      sender: 'Alice',
      recipients: ['Bob'],
      body: 'Happy new year 🎉',
      sent_at_raw: '12/31/19, 11:59 PM',
    });
    // the same text twice in the same minute: two messages, two ids
    expect(hny2!.message_id).not.toBe(hny!.message_id);
    expect(thanks).toMatchObject({
      sender: 'Bob',
      recipients: ['Alice'],
      body: 'Thanks!\nMultiple lines\n\nwith a blank line',
    });
    expect(iso(thanks!)).toBe('2019-12-31T23:00:00.000Z');
    expect(thanks!.conversation_id).toBe(hny!.conversation_id);
    expect(thanks!.conversation_id).toMatch(/^dm:/);
    expect(img!.attachments).toEqual([
      {
        name: 'IMG-20200101-WA0001.jpg',
        media_type: 'image/jpeg',
        size: photo.length,
        sha256: sha(photo),
        object_key: 'seizures/s1/data/IMG-20200101-WA0001.jpg',
      },
    ]);
    expect(img!.body).toBe('IMG-20200101-WA0001.jpg (file attached)\nlook at this');
    expect(omitted!.attachments).toEqual([
      { name: null, media_type: null, size: null, sha256: null, object_key: null },
    ]);
    expect(loc!.geo).toEqual({ lat: 52.370216, lon: 4.895168 });
    expect(iso(loc!)).toBe('2020-01-13T08:05:00.000Z');
    expect(subject).toMatchObject({
      sender: '(system)',
      body: 'Alice changed the subject from "a: b" to "c"',
    });
    expect(iso(subject!)).toBe('2020-01-13T20:06:00.000Z');
  });

  it('locates each message from its header line through its last line', async () => {
    const { messages } = await runAdapter(adapter(), bytes, { path });
    expect(sourceBytes(bytes, messages[3]!).toString()).toBe(
      '1/1/20, 12:00 AM - Bob: Thanks!\nMultiple lines\n\nwith a blank line',
    );
  });

  it('gives the same ids and records whatever the chunking, never splitting a minute', async () => {
    const whole = await runAdapter(adapter(), bytes, { path });
    const chunked = await runAdapter(adapter(), bytes, { path, chunkBytes: 10, pieceBytes: 3 });
    expect(chunked.chunks.length).toBeGreaterThan(4);
    expect(chunked.records).toEqual(whole.records);
    // both "Happy new year" lines sit in one chunk
    const second = androidUs.indexOf('12/31/19, 11:59 PM', androidUs.indexOf('11:59 PM') + 1);
    expect(chunked.chunks.map((c) => c.start)).not.toContain(Buffer.byteLength(androidUs.slice(0, second)));
  });
});

describe('whatsapp adapter: iOS export, German locale, group chat, CRLF and BOM', () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(iosGerman)]);
  const path = 'data/WhatsApp Chat - Ploeg/_chat.txt';

  it('reads day-first dates with seconds, marks and phone numbers, and makes the chat a group', async () => {
    const { messages, rejections } = await runAdapter(adapter({ timezone: 'Europe/Berlin' }), bytes, {
      path,
    });
    expect(rejections).toEqual([]);
    const [first, photoMsg, arabic, carol, omitted] = messages;
    expect(first!.source_offset).toBe(3);
    expect(iso(first!)).toBe('2019-12-31T22:59:59.000Z');
    expect(first!.conversation_id).toBe('group:whatsapp:Ploeg');
    expect(first!.recipients).toEqual([]);
    expect(photoMsg!.attachments?.[0]).toMatchObject({
      name: '00000012-PHOTO-2020-01-01-00-00-05.jpg',
      media_type: 'image/jpeg',
      sha256: null,
    });
    expect(arabic).toMatchObject({ sender: '+4915123456789', body: 'مرحبا يا أصدقاء' });
    expect(carol).toMatchObject({ sender: 'Carol', body: 'Zeile 1\nZeile 2' });
    expect(sourceBytes(bytes, carol!).toString()).toBe(
      '[01.01.20, 00:02:00] ~\u202fCarol: Zeile 1\r\nZeile 2',
    );
    expect(omitted!.attachments?.[0]).toMatchObject({ name: null, media_type: 'image/*' });
  });
});

describe('whatsapp adapter: date orders and damaged files', () => {
  it('reads year-first dates', async () => {
    const { messages } = await runAdapter(
      adapter({ timezone: 'UTC' }),
      Buffer.from('2020-01-13, 14:15 - A: x\n2020-01-14, 08:00 - B: y\n'),
    );
    expect(messages.map(iso)).toEqual(['2020-01-13T14:15:00.000Z', '2020-01-14T08:00:00.000Z']);
  });

  it('refuses dates it cannot order unless the manifest says how, and follows the manifest then', async () => {
    const text = Buffer.from('01/02/20, 10:00 - A: x\n03/04/20, 11:00 - B: y\n');
    await expect(runAdapter(adapter(), text)).rejects.toThrow(/set options\.dateOrder/);
    const mdy = await runAdapter(adapter({ options: { dateOrder: 'mdy' }, timezone: 'UTC' }), text);
    expect(mdy.messages.map(iso)).toEqual(['2020-01-02T10:00:00.000Z', '2020-03-04T11:00:00.000Z']);
    const contradicted = Buffer.from('31/01/20, 10:00 - A: x\n');
    await expect(runAdapter(adapter({ options: { dateOrder: 'mdy' } }), contradicted)).rejects.toThrow(
      /options\.dateOrder is "mdy" but the dates are written day first/,
    );
  });

  it('quarantines text before the first message, a truncated header at the end, an oversized message, bad UTF-8', async () => {
    const input = Buffer.concat([
      Buffer.from('exported by a tool\n13/01/20, 10:00 - A: x\n13/01/20, 10:01 - A: '),
      Buffer.from('z'.repeat(3000)),
      Buffer.from('\n13/01/20, 10:02 - A: bad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\n13/01/20, 10:03 - B: ok\n13/01/2'),
    ]);
    const { messages, rejections } = await runAdapter(adapter({}, 1000), input, { pieceBytes: 50 });
    expect(messages.map((m) => m.body)).toEqual(['x', 'ok']);
    expect(rejections.map((r) => r.reason)).toEqual([
      'text before the first message',
      expect.stringMatching(/^message of 30\d\d bytes exceeds the 1000-byte limit$/),
      'invalid UTF-8',
      'truncated: an incomplete message header ends the file',
    ]);
    expect(rejections[3]).toMatchObject({ source_offset: input.length - 7, source_length: 7 });
  });
});
