import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReconciled, importSeizure } from '../common/adapter-harness.ts';
import { androidUs, iosGerman } from './whatsapp-fixtures.ts';

const photo = Buffer.from('synthetic jpeg bytes');

describe('seizure import: whatsapp chat exports', () => {
  let run: Awaited<ReturnType<typeof importSeizure>>;

  beforeAll(async () => {
    run = await importSeizure(
      {
        seizureId: 'whatsapp-test',
        platform: 'generic',
        format: 'whatsapp',
        caseId: 'case-wa',
        legalAuthority: 'TEST-ORDER-WA (synthetic)',
        uploadedBy: 'adapter tests',
        timezone: 'Europe/Amsterdam',
      },
      [
        { path: 'phone1/WhatsApp Chat with Bob.txt', bytes: androidUs },
        { path: 'phone1/IMG-20200101-WA0001.jpg', bytes: photo, role: 'media' },
        { path: 'phone2/WhatsApp Chat - Ploeg/_chat.txt', bytes: `\ufeff${iosGerman}` },
      ],
      { chunkBytes: 200 },
    );
  });
  afterAll(() => run?.close());

  it('imports both exports, in several chunks, and reconciles', () => {
    expect(run.report.status).toBe('succeeded');
    expectReconciled(run.report, expect);
    expect(run.report.counts).toEqual({ read: 13, written: 13, rejected: 0, duplicates: 0 });
    expect(run.report.files.find((f) => f.path.endsWith('Bob.txt'))!.chunks).toBeGreaterThan(1);
    expect(run.report.files.find((f) => f.path.endsWith('.jpg'))).toMatchObject({ read: 0, chunks: 0 });
  });

  it('holds senders, recipients, conversations, UTC times, bodies and linked media', async () => {
    const rows = await run.query(
      `SELECT sender, recipients, conversation_id, sent_at, body, attachments FROM messages
       WHERE sender <> '(system)' ORDER BY sent_at, body`,
    );
    const bob = rows.filter((r) => r.conversation_id !== 'group:whatsapp:Ploeg');
    expect(bob.map((r) => [r.sent_at, r.sender, r.recipients])).toEqual([
      ['2019-12-31T22:59:00.000Z', 'Alice', ['Bob']],
      ['2019-12-31T22:59:00.000Z', 'Alice', ['Bob']],
      ['2019-12-31T23:00:00.000Z', 'Bob', ['Alice']],
      ['2019-12-31T23:01:00.000Z', 'Bob', ['Alice']],
      ['2019-12-31T23:02:00.000Z', 'Alice', ['Bob']],
      ['2020-01-13T08:05:00.000Z', 'Alice', ['Bob']],
    ]);
    expect(new Set(bob.map((r) => r.conversation_id)).size).toBe(1);
    const img = bob[3]!.attachments as Record<string, unknown>[];
    expect(img).toEqual([
      {
        name: 'IMG-20200101-WA0001.jpg',
        media_type: 'image/jpeg',
        size: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
        object_key: 'seizures/whatsapp-test/phone1/IMG-20200101-WA0001.jpg',
      },
    ]);
    const group = rows.filter((r) => r.conversation_id === 'group:whatsapp:Ploeg');
    expect(group.map((r) => [r.sent_at, r.sender, r.body])).toEqual([
      ['2019-12-31T22:59:59.000Z', 'Alice', 'Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.'],
      ['2019-12-31T23:00:05.000Z', 'Alice', '<attached: 00000012-PHOTO-2020-01-01-00-00-05.jpg>'],
      ['2019-12-31T23:01:00.000Z', '+4915123456789', 'مرحبا يا أصدقاء'],
      ['2019-12-31T23:02:00.000Z', 'Carol', 'Zeile 1\nZeile 2'],
      ['2020-01-13T13:15:16.000Z', 'Alice', 'image omitted'],
    ]);
  });
});
