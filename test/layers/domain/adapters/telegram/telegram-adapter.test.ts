import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '#domain/adapters/telegram/telegram-adapter.ts';
import { messageIdFromNative } from '#domain/ids/message-ids.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { iso, runAdapter, sourceBytes, testContext, testManifest } from '../common/adapter-harness.ts';
import { asTelegramJson, fullExport, oneChat } from './telegram-fixtures.ts';

const photo = 'synthetic photo bytes';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const media: Manifest['files'] = [
  {
    path: 'export/chats/chat_001/photos/photo_1@01-05-2020_14-03-00.jpg',
    sha256: sha(photo),
    bytes: photo.length,
    role: 'media',
  },
];
const adapter = (maxRecordBytes?: number) =>
  createTelegramAdapter(
    testContext(testManifest('telegram', { timezone: 'Europe/Amsterdam', files: media })),
    {
      maxRecordBytes,
    },
  );
const path = 'export/result.json';

describe('telegram adapter: Telegram Desktop full export (result.json)', () => {
  const bytes = Buffer.from(asTelegramJson(fullExport));

  it('reads every chat, the left ones too, with owner, peers, groups and UTC times', async () => {
    const { messages, rejections } = await runAdapter(adapter(), bytes, { path });
    expect(rejections).toEqual([]);
    expect(messages).toHaveLength(11);
    const [hoi, zie, kijk, fwd, loc, voice, call, created, shalom, old, left] = messages;
    expect(hoi).toMatchObject({
      sender: 'user5000000001',
      recipients: ['user5000000002'],
      body: 'Hoi 👋',
      native_id: '101',
      sent_at_raw: '1588334400',
      timezone_assumed: false,
    });
    expect(iso(hoi!)).toBe('2020-05-01T12:00:00.000Z');
    expect(hoi!.message_id).toBe(messageIdFromNative('generic', 'telegram\u00005000000002\u0000101'));
    expect(zie).toMatchObject({
      sender: 'user5000000002',
      recipients: ['user5000000001'],
      body: 'Zie daar en hier (https://example.org/x)',
      reply_to: hoi!.message_id,
      conversation_id: hoi!.conversation_id,
    });
    expect(new Date(zie!.edited_at!).toISOString()).toBe('2020-05-01T12:02:00.000Z');
    expect(kijk!.attachments).toEqual([
      {
        name: 'chats/chat_001/photos/photo_1@01-05-2020_14-03-00.jpg',
        media_type: 'image/jpeg',
        size: photo.length,
        sha256: sha(photo),
        object_key: `seizures/s1/${media[0]!.path}`,
      },
    ]);
    expect(fwd).toMatchObject({ forwarded_from: 'Nieuwskanaal', body: 'doorgestuurd' });
    expect(loc).toMatchObject({ geo: { lat: 52.370216, lon: 4.895168 }, body: null });
    expect(voice!.attachments).toEqual([
      { name: null, media_type: 'audio/ogg', size: null, sha256: null, object_key: null },
    ]);
    expect(call).toMatchObject({ sender: 'user5000000002', body: '[phone_call] 35 s · hangup' });
    expect(created).toMatchObject({
      sender: 'user5000000001',
      recipients: [],
      conversation_id: 'group:telegram:1600000000',
      body: '[create_group] Ploeg 🚤 · Viper, Ghost',
    });
    expect(shalom!.body).toBe('שלום {"niet": "json"} ] } [ \\ "');
    // an export without date_unixtime: local time in the manifest's zone, flagged
    expect(old).toMatchObject({ timezone_assumed: true, sent_at_raw: '2020-05-02T09:02:00' });
    expect(iso(old!)).toBe('2020-05-02T07:02:00.000Z');
    expect(left).toMatchObject({ sender: 'channel1700000000', conversation_id: 'group:telegram:1700000000' });
  });

  it('points each row at the bytes of its message object', async () => {
    const { messages } = await runAdapter(adapter(), bytes, { path });
    for (const m of messages) {
      const obj = JSON.parse(sourceBytes(bytes, m).toString());
      expect(String(obj.id)).toBe(m.native_id);
    }
  });

  it('cuts the export into chunks between messages, across chats, with the same records', async () => {
    const whole = await runAdapter(adapter(), bytes, { path });
    const chunked = await runAdapter(adapter(), bytes, { path, chunkBytes: 300, pieceBytes: 11 });
    expect(chunked.chunks.length).toBeGreaterThan(5);
    for (const c of chunked.chunks) expect(bytes[c.start]).toBe(0x7b);
    expect(chunked.records).toEqual(whole.records);
  });

  it('quarantines a message cut off by the end of the file, one over the limit, and invalid JSON', async () => {
    const text = asTelegramJson(fullExport).replace('"kijk"', `"${'k'.repeat(5000)}"`);
    const broken = text.replace('"text": "doorgestuurd"', '"text": "door\\xgestuurd"');
    const cut = Buffer.from(broken.slice(0, broken.indexOf('oude export') + 4));
    const { messages, rejections } = await runAdapter(adapter(2000), cut, { path, pieceBytes: 64 });
    expect(rejections.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^message of 5\d{3} bytes exceeds the 2000-byte limit$/),
      expect.stringMatching(/^invalid JSON at byte \d+ of the message$/),
      'truncated: the file ends inside this message',
    ]);
    expect(messages.map((m) => m.native_id)).toEqual(['101', '102', '105', '106', '107', '1', '2']);
    expect(rejections[1]!.reason).not.toContain('door'); // no message text in a reason
    const last = rejections[2]!;
    expect(last.source_offset + last.source_length).toBe(cut.length);
  });
});

describe('telegram adapter: media paths', () => {
  it('never links a media path that climbs out of the export (.. or absolute) to a seized file', async () => {
    const outside: Manifest['files'] = [
      { path: 'secret/x.jpg', sha256: sha(photo), bytes: 1, role: 'media' },
    ];
    const a = createTelegramAdapter(testContext(testManifest('telegram', { files: outside })));
    const chat = {
      ...oneChat,
      messages: [
        { ...oneChat.messages[0], photo: '../secret/x.jpg' },
        { ...oneChat.messages[1], photo: '/secret/x.jpg' },
      ],
    };
    const { messages } = await runAdapter(a, Buffer.from(asTelegramJson(chat)), { path });
    expect(messages.map((m) => m.attachments?.[0])).toEqual([
      { name: '../secret/x.jpg', media_type: 'image/jpeg', size: null, sha256: null, object_key: null },
      { name: '/secret/x.jpg', media_type: 'image/jpeg', size: null, sha256: null, object_key: null },
    ]);
  });
});

describe('telegram adapter: one-chat export', () => {
  it('finds the owner from who writes to the peer, and reads a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(asTelegramJson(oneChat))]);
    const { messages } = await runAdapter(adapter(), bytes, { path });
    expect(messages.map((m) => [m.sender, m.recipients])).toEqual([
      ['user5000000002', ['user5000000001']],
      ['user5000000001', ['user5000000002']],
    ]);
    expect(messages[0]!.conversation_id).toBe(messages[1]!.conversation_id);
  });

  it('refuses a JSON file that is not a Telegram export', async () => {
    await expect(runAdapter(adapter(), Buffer.from('{"foo": [1, 2, 3]}'), { path })).rejects.toThrow(
      /has no messages/,
    );
  });
});
