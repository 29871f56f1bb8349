import { describe, expect, it } from 'vitest';
import { createMailAdapter } from '#domain/adapters/mail/mail-adapter.ts';
import { iso, runAdapter, testContext, testManifest } from '../common/adapter-harness.ts';
import { crlf, multipart, plainLatin1 } from '../mbox/mail-fixtures.ts';

const adapter = (maxRecordBytes?: number) =>
  createMailAdapter('eml', testContext(testManifest('eml', { timezone: 'America/New_York' })), {
    maxRecordBytes,
  });

describe('eml adapter: one RFC 5322 message per file', () => {
  it('reads a CRLF message with a BOM as one record covering the whole file', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(multipart)]);
    const { chunks, messages, rejections } = await runAdapter(adapter(), bytes, {
      chunkBytes: 100,
      pieceBytes: 64,
    });
    expect(chunks).toHaveLength(1);
    expect(rejections).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      sender: 'carol@mail.example',
      recipients: ['bob@mail.example'],
      source_offset: 0,
      source_length: bytes.length,
      native_id: 'multi-2@mail.example',
    });
    expect(iso(messages[0]!)).toBe('2020-03-04T13:00:00.000Z');
    expect(messages[0]!.attachments?.[0]?.name).toBe('factuur €.pdf');
  });

  it('reads obsolete dates: two-digit years, zone names, and none (in the manifest zone, flagged)', async () => {
    const cases: [string, string, boolean][] = [
      ['Mon, 9 Mar 20 13:05 EDT', '2020-03-09T17:05:00.000Z', false],
      ['9 Mar 2020 13:05:59 GMT', '2020-03-09T13:05:59.000Z', false],
      ['Mon, 09 Mar 2020 13:05:59 -0000', '2020-03-09T13:05:59.000Z', false],
      ['Mon,  9 Mar 2020 13:05:59', '2020-03-09T17:05:59.000Z', true],
    ];
    for (const [date, utc, assumed] of cases) {
      const bytes = Buffer.from(crlf(`From: a@b.example\nTo: c@d.example\nDate: ${date}\n\nx\n`));
      const { messages } = await runAdapter(adapter(), bytes);
      expect(iso(messages[0]!)).toBe(utc);
      expect(messages[0]!.timezone_assumed).toBe(assumed);
      expect(messages[0]!.sent_at_raw).toBe(date);
    }
  });

  it('quarantines a message without a readable date, and one over the size limit, by location', async () => {
    const bad = Buffer.from(crlf('From: a@b.example\nDate: sometime soon\n\nx\n'));
    expect((await runAdapter(adapter(), bad)).rejections.map((r) => r.reason)).toEqual([
      'unparseable Date header "sometime soon"',
    ]);
    const big = Buffer.from(plainLatin1.repeat(20));
    const { rejections } = await runAdapter(adapter(1000), big, { pieceBytes: 100 });
    expect(rejections).toMatchObject([
      {
        source_offset: 0,
        source_length: big.length,
        reason: `message of ${big.length} bytes exceeds the 1000-byte limit`,
      },
    ]);
  });

  it('reads a message saved with its mbox "From " line, and an ISO 8601 date some tools write', async () => {
    const bytes = Buffer.from(
      crlf(
        'From bob@mail.example Tue Mar  3 09:15:07 2020\nFrom: Bob <bob@mail.example>\nDate: 2020-03-03T10:15:00+01:00\n\nhoi\n',
      ),
    );
    const { messages } = await runAdapter(adapter(), bytes);
    expect(messages[0]).toMatchObject({
      sender: 'bob@mail.example',
      body: 'hoi',
      source_offset: 0,
      source_length: bytes.length,
    });
    expect(iso(messages[0]!)).toBe('2020-03-03T09:15:00.000Z');
  });

  it('quarantines a file that is not mail at all', async () => {
    const { rejections } = await runAdapter(adapter(), Buffer.from('\u0000\u0001binary junk'));
    expect(rejections).toHaveLength(1);
    expect(rejections[0]!.reason).toMatch(/^(missing sender|not a mail message|unreadable MIME)/);
  });
});
