import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReconciled, importSeizure } from '../common/adapter-harness.ts';
import { ejabberdCsv, mucQueryResults, xep0227 } from './xmpp-fixtures.ts';

describe('seizure import: xmpp (XEP-0227, XEP-0313 results, ejabberd archive CSV)', () => {
  let run: Awaited<ReturnType<typeof importSeizure>>;

  beforeAll(async () => {
    run = await importSeizure(
      {
        seizureId: 'xmpp-test',
        platform: 'anom',
        format: 'xmpp',
        caseId: 'case-xmpp',
        legalAuthority: 'TEST-ORDER-XMPP (synthetic)',
        uploadedBy: 'adapter tests',
        timezone: 'Europe/Amsterdam',
      },
      [
        { path: 'data/server-export.xml', bytes: xep0227 },
        { path: 'data/mam-ops.xml', bytes: mucQueryResults },
        { path: 'data/archive.csv', bytes: ejabberdCsv },
      ],
      { chunkBytes: 700 },
    );
  });
  afterAll(() => run?.close());

  it('succeeds and reconciles: every record written, rejected or a duplicate, per file', () => {
    expect(run.report.status).toBe('succeeded');
    expectReconciled(run.report, expect);
    const byPath = Object.fromEntries(run.report.files.map((f) => [f.path, f]));
    expect(byPath['data/server-export.xml']).toMatchObject({
      read: 8,
      written: 4,
      rejected: 3,
      duplicates: 1,
    });
    expect(byPath['data/server-export.xml']!.chunks).toBeGreaterThan(1);
    expect(byPath['data/mam-ops.xml']).toMatchObject({ read: 2, written: 2, rejected: 0 });
    expect(byPath['data/archive.csv']).toMatchObject({ read: 5, written: 3, rejected: 2 });
  });

  it('holds the rows with senders, recipients, conversations, UTC times and bodies', async () => {
    const rows = await run.query(
      `SELECT sender, sender_device, recipients, conversation_id, sent_at, body, native_id, body_status, platform, case_id
       FROM messages ORDER BY sent_at, native_id`,
    );
    expect(rows.map((r) => [r.sent_at, r.sender, r.recipients, r.body])).toEqual([
      [
        '2020-05-01T10:00:00.000Z',
        'ghost@shadow.example',
        ['viper@shadow.example'],
        'Levering om 10u 🚚 & <snel>',
      ],
      [
        '2020-05-01T10:00:00.123Z',
        'ghost@shadow.example',
        ['viper@shadow.example'],
        'prijs: 4,5 "k", morgen',
      ],
      ['2020-05-01T10:01:00.000Z', 'ghost@shadow.example', ['viper@shadow.example'], 'regel een\nregel twee'],
      ['2020-05-01T10:01:30.250Z', 'viper@shadow.example', ['ghost@shadow.example'], 'שלום — مرحبا <ok>'],
      ['2020-05-01T10:02:00.500Z', 'viper@shadow.example', [], 'in de groep'],
      [
        '2020-05-01T10:05:00.000Z',
        'ghost@shadow.example',
        ['viper@shadow.example'],
        "I sent you an OMEMO encrypted message but your client doesn't seem to support that.",
      ],
      ['2020-05-01T12:00:00.000Z', 'viper@shadow.example', [], 'Iedereen klaar?'],
      ['2020-05-01T12:00:42.000Z', 'ops@rooms.shadow.example/Nachtuil', [], 'geo:51.9225,4.47917'],
      ['2020-05-02T06:00:00.123Z', 'ghost@shadow.example', ['viper@shadow.example'], 'offline\ntwee regels'],
    ]);
    expect(new Set(rows.map((r) => r.platform))).toEqual(new Set(['anom']));
    const dm = new Set(rows.filter((r) => (r.recipients as string[]).length).map((r) => r.conversation_id));
    expect(dm.size).toBe(1); // ghost and viper, in both directions, from three sources
    expect(rows.filter((r) => r.conversation_id === 'group:ops@rooms.shadow.example')).toHaveLength(3);
    expect(rows.find((r) => r.body_status === 'encrypted')?.native_id).toBe('m6');
  });

  it('answers the contacts view across sources', async () => {
    const contacts = await run.query('SELECT handle_a, handle_b, messages FROM contacts');
    expect(contacts).toEqual([
      { handle_a: 'ghost@shadow.example', handle_b: 'viper@shadow.example', messages: 6 },
    ]);
  });

  it('quarantines the unreadable records with reasons and exact locations', async () => {
    const rejected = await run.quarantine();
    expect(rejected).toHaveLength(5);
    for (const r of rejected) {
      expect(r.reason).toEqual(expect.any(String));
      expect(r.source_object).toMatch(/^seizures\/xmpp-test\/data\//);
    }
  });
});
