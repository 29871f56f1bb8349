import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReconciled, importSeizure } from '../common/adapter-harness.ts';
import { crlf, htmlOnly, multipart, plainLatin1 } from '../mbox/mail-fixtures.ts';

describe('seizure import: eml (one message per file)', () => {
  let run: Awaited<ReturnType<typeof importSeizure>>;

  beforeAll(async () => {
    run = await importSeizure(
      {
        seizureId: 'eml-test',
        platform: 'pgpsafe',
        format: 'eml',
        caseId: 'case-eml',
        legalAuthority: 'TEST-ORDER-EML (synthetic)',
        uploadedBy: 'adapter tests',
        timezone: 'Europe/Amsterdam',
      },
      [
        { path: 'mail/0001.eml', bytes: plainLatin1 },
        { path: 'mail/0002.eml', bytes: multipart },
        { path: 'mail/0003.eml', bytes: htmlOnly }, // no Date header and no envelope: quarantined
        { path: 'mail/0004.eml', bytes: multipart }, // the same message again: a duplicate
        {
          path: 'mail/0005.eml',
          bytes: crlf('From: x@y.example\nDate: Sun, 8 Mar 2020 12:00:00 +0100\n\nkort\n'),
        },
      ],
    );
  });
  afterAll(() => run?.close());

  it('imports each file as one record, and reconciles', () => {
    expect(run.report.status).toBe('succeeded');
    expectReconciled(run.report, expect);
    expect(run.report.counts).toEqual({ read: 5, written: 3, rejected: 1, duplicates: 1 });
  });

  it('holds senders, recipients, UTC times and bodies', async () => {
    const rows = await run.query(
      'SELECT sender, recipients, sent_at, body, source_offset FROM messages ORDER BY sent_at',
    );
    expect(rows).toEqual([
      {
        sender: 'bob@mail.example',
        recipients: ['carol@mail.example', 'dave@mail.example'],
        sent_at: '2020-03-03T09:15:00.000Z',
        body: 'Subject: Levering 🚚 morgen\n\nCafé om drie uur, neem € 500 mee.\n>From nu af aan bellen we niet meer.\nFrom the harbour we go by boat.',
        source_offset: 0,
      },
      {
        sender: 'carol@mail.example',
        recipients: ['bob@mail.example'],
        sent_at: '2020-03-04T13:00:00.000Z',
        body: 'Subject: Re: Levering\n\nمرحبا — שלום — ok 👍\nTweede regel.',
        source_offset: 0,
      },
      {
        sender: 'x@y.example',
        recipients: [],
        sent_at: '2020-03-08T11:00:00.000Z',
        body: 'kort',
        source_offset: 0,
      },
    ]);
    const [rejected] = await run.quarantine();
    expect(rejected).toMatchObject({
      reason: 'missing Date header (and no envelope date)',
      source_object: 'seizures/eml-test/mail/0003.eml',
    });
  });
});
