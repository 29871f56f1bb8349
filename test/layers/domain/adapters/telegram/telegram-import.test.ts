import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReconciled, importSeizure } from '../common/adapter-harness.ts';
import { asTelegramJson, fullExport, oneChat } from './telegram-fixtures.ts';

describe('seizure import: telegram result.json', () => {
  let run: Awaited<ReturnType<typeof importSeizure>>;

  beforeAll(async () => {
    run = await importSeizure(
      {
        seizureId: 'telegram-test',
        platform: 'generic',
        format: 'telegram',
        caseId: 'case-tg',
        legalAuthority: 'TEST-ORDER-TG (synthetic)',
        uploadedBy: 'adapter tests',
        timezone: 'Europe/Amsterdam',
      },
      [
        { path: 'owner-export/result.json', bytes: asTelegramJson(fullExport) },
        { path: 'viper-chat/result.json', bytes: asTelegramJson(oneChat) },
      ],
      { chunkBytes: 400 },
    );
  });
  afterAll(() => run?.close());

  it('imports every chat in several chunks and reconciles', () => {
    expect(run.report.status).toBe('succeeded');
    expectReconciled(run.report, expect);
    expect(run.report.counts).toEqual({ read: 13, written: 13, rejected: 0, duplicates: 0 });
    expect(run.report.files[0]!.chunks).toBeGreaterThan(3);
  });

  it('holds senders, recipients, conversations, UTC times and bodies', async () => {
    const rows = await run.query(
      `SELECT native_id, sender, recipients, conversation_id, sent_at, body, reply_to, message_id
       FROM messages ORDER BY sent_at`,
    );
    const personal = rows.filter((r) => (r.conversation_id as string).startsWith('dm:'));
    expect(new Set(personal.map((r) => r.conversation_id)).size).toBe(1); // both exports, one conversation
    expect(personal.map((r) => [r.native_id, r.sender, r.recipients, r.sent_at])).toEqual([
      ['101', 'user5000000001', ['user5000000002'], '2020-05-01T12:00:00.000Z'],
      ['102', 'user5000000002', ['user5000000001'], '2020-05-01T12:01:00.000Z'],
      ['103', 'user5000000002', ['user5000000001'], '2020-05-01T12:03:00.000Z'],
      ['104', 'user5000000001', ['user5000000002'], '2020-05-01T12:04:00.000Z'],
      ['105', 'user5000000002', ['user5000000001'], '2020-05-01T12:05:00.000Z'],
      ['106', 'user5000000002', ['user5000000001'], '2020-05-01T12:06:00.000Z'],
      ['107', 'user5000000002', ['user5000000001'], '2020-05-01T12:07:00.000Z'],
      ['201', 'user5000000002', ['user5000000001'], '2020-06-01T08:00:00.000Z'],
      ['202', 'user5000000001', ['user5000000002'], '2020-06-01T08:01:00.000Z'],
    ]);
    expect(personal[1]!.reply_to).toBe(personal[0]!.message_id);
    const group = rows.filter((r) => r.conversation_id === 'group:telegram:1600000000');
    expect(group.map((r) => r.body)).toEqual([
      '[create_group] Ploeg 🚤 · Viper, Ghost',
      'שלום {"niet": "json"} ] } [ \\ "',
      'oude export zonder unixtime',
    ]);
  });
});
