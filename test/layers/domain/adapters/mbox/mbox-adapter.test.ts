import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportContext } from '#domain/adapters/adapter.ts';
import { createMailAdapter } from '#domain/adapters/mail/mail-adapter.ts';
import { messageIdFromNative } from '#domain/ids/message-ids.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { iso, runAdapter, sourceBytes, testContext, testManifest } from '../common/adapter-harness.ts';
import {
  damage,
  encryptTo,
  generateTestKeys,
  htmlOnly,
  inlinePgp,
  mbox,
  multipart,
  noSender,
  pdfBytes,
  pgpMime,
  pgpMimeInner,
  plainLatin1,
  secretPhoto,
  type TestKeys,
} from './mail-fixtures.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('mbox adapter: RFC 5322 and MIME', () => {
  const box = mbox([
    { envelope: 'bob@mail.example Tue Mar  3 09:15:07 2020', text: plainLatin1 },
    { envelope: 'carol@mail.example Wed Mar  4 13:00:01 2020', text: multipart },
    { envelope: 'dave@mail.example Thu Mar  5 08:30:00 2020', text: htmlOnly },
    { envelope: 'MAILER-DAEMON Thu Mar  5 09:00:00 2020', text: noSender },
  ]);
  const bytes = Buffer.from(box, 'latin1');
  const adapter = () =>
    createMailAdapter('mbox', testContext(testManifest('mbox', { timezone: 'Europe/Amsterdam' })));

  it('decodes folded and encoded headers, charsets and transfer encodings, and converts dates to UTC', async () => {
    const { messages, rejections } = await runAdapter(adapter(), bytes);
    expect(messages).toHaveLength(3);
    const [plain, multi, html] = messages;
    expect(plain).toMatchObject({
      sender: 'bob@mail.example',
      recipients: ['carol@mail.example', 'dave@mail.example'],
      native_id: 'plain-1@mail.example',
      sent_at_raw: 'Tue, 3 Mar 2020 10:15:00 +0100 (CET)',
      timezone_assumed: false,
      body_status: null,
    });
    expect(iso(plain!)).toBe('2020-03-03T09:15:00.000Z');
    expect(new Date(plain!.received_at!).toISOString()).toBe('2020-03-03T09:15:07.000Z');
    // the subject leads the body; mboxrd quoting of "From " lines is undone; "From the" without a date is body text
    expect(plain!.body).toBe(
      'Subject: Levering 🚚 morgen\n\nCafé om drie uur, neem € 500 mee.\n>From nu af aan bellen we niet meer.\nFrom the harbour we go by boat.',
    );
    expect(plain!.message_id).toBe(messageIdFromNative('generic', 'plain-1@mail.example'));

    expect(multi!.body).toBe('Subject: Re: Levering\n\nمرحبا — שלום — ok 👍\nTweede regel.');
    expect(iso(multi!)).toBe('2020-03-04T13:00:00.000Z');
    expect(multi!.reply_to).toBe(plain!.message_id);
    expect(multi!.conversation_id).toMatch(/^dm:/);
    expect(multi!.attachments).toEqual([
      {
        name: 'factuur €.pdf',
        media_type: 'application/pdf',
        size: pdfBytes.length,
        sha256: sha(pdfBytes),
        object_key: `attachments/${sha(pdfBytes)}`,
      },
    ]);

    // no Date header: the envelope's asctime date, in the manifest's zone, flagged
    expect(html).toMatchObject({
      body: 'Subject: html\n\nHallo\u00a0Bob & co\nRegelé 2',
      timezone_assumed: true,
    });
    expect(html!.sent_at_raw).toBe('Thu Mar  5 08:30:00 2020');
    expect(iso(html!)).toBe('2020-03-05T07:30:00.000Z');

    expect(rejections.map((r) => r.reason)).toEqual([
      'missing sender: no From or Sender header (and no envelope sender)',
    ]);
  });

  it('hands the attachment bytes to the import to store, by hash', async () => {
    const { records } = await runAdapter(adapter(), bytes);
    const withBlobs = records.find((r) => 'message' in r && r.attachments?.length);
    expect(withBlobs && 'attachments' in withBlobs ? withBlobs.attachments : undefined).toEqual([
      { sha256: sha(pdfBytes), bytes: new Uint8Array(pdfBytes), mediaType: 'application/pdf' },
    ]);
  });

  it('locates each message from its From line to the next, tiling the file', async () => {
    const { records } = await runAdapter(adapter(), bytes);
    let at = 0;
    for (const r of records) {
      const loc = 'message' in r ? r.message : r.rejection;
      expect(loc.source_offset).toBe(at);
      expect(sourceBytes(bytes, loc).toString('latin1')).toMatch(/^From \S+ \w{3} \w{3} +\d+ [\d:]+ 2020\n/);
      at += loc.source_length;
    }
    expect(at).toBe(bytes.length);
  });

  it('cuts a mailbox into chunks at From lines, by seeking, with the same records', async () => {
    const whole = await runAdapter(adapter(), bytes);
    const chunked = await runAdapter(adapter(), bytes, { chunkBytes: 300, pieceBytes: 5 });
    expect(chunked.chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunked.chunks) expect(bytes.subarray(c.start, c.start + 5).toString()).toBe('From ');
    expect(chunked.records).toEqual(whole.records);
  });

  it('quarantines text before the first From line, a message over the limit, and reads a truncated last one', async () => {
    const big = mbox([
      {
        envelope: 'a@x.example Mon Mar  2 10:00:00 2020',
        text: `From: a@x.example\nDate: Mon, 2 Mar 2020 10:00:00 +0000\n\n${'y'.repeat(5000)}\n`,
      },
      { envelope: 'bob@mail.example Tue Mar  3 09:15:07 2020', text: plainLatin1 },
    ]);
    const input = Buffer.from(`garbage line\n${big}`.slice(0, -40), 'latin1');
    const small = createMailAdapter('mbox', testContext(testManifest('mbox')), { maxRecordBytes: 2000 });
    const { messages, rejections } = await runAdapter(small, input, { pieceBytes: 333 });
    expect(rejections.map((r) => r.reason)).toEqual([
      'not an mbox message: no "From " line before this text',
      expect.stringMatching(/^message of 51\d\d bytes exceeds the 2000-byte limit$/),
    ]);
    expect(rejections[1]!.raw).toBeUndefined();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toMatch(/^Subject: Levering 🚚 morgen\n\nCafé om drie uur/);
  });
});

describe('mbox adapter: OpenPGP (inline and PGP/MIME, RFC 3156)', () => {
  let keys: TestKeys;
  let box: Buffer;

  beforeAll(async () => {
    keys = await generateTestKeys();
    const toAlice = await encryptTo(keys.alice.publicKey, pgpMimeInner);
    const inline = await encryptTo(keys.alice.publicKey, 'Ontmoeting om 23:00 bij de brug ✔');
    const toOther = await encryptTo(keys.other.publicKey, 'niet voor Alice');
    const damaged = damage(inline);
    box = Buffer.from(
      mbox([
        { envelope: 'bob@mail.example Fri Mar  6 12:00:00 2020', text: pgpMime(toAlice, 'mime-1') },
        { envelope: 'bob@mail.example Sat Mar  7 23:59:59 2020', text: inlinePgp(inline, 'inline-1') },
        { envelope: 'bob@mail.example Sat Mar  7 23:59:59 2020', text: inlinePgp(toOther, 'other-1') },
        { envelope: 'bob@mail.example Sat Mar  7 23:59:59 2020', text: inlinePgp(damaged, 'damaged-1') },
      ]),
    );
  });

  const withKeys = (pgp?: NonNullable<Manifest['options']>['pgp'], extra: Partial<ImportContext> = {}) =>
    createMailAdapter(
      'mbox',
      testContext(testManifest('mbox', { options: pgp ? { pgp } : undefined }), {
        readEvidence: async (p) => {
          if (p === 'keys/alice.asc') return Buffer.from(keys.alice.privateKey);
          if (p === 'keys/alice.pass') return Buffer.from(`${keys.alice.passphrase}\n`);
          if (p === 'keys/other.asc') return Buffer.from(keys.other.privateKey);
          throw new Error(`no such file ${p}`);
        },
        ...extra,
      }),
    );

  it('decrypts PGP/MIME and inline PGP with the right key and its passphrase', async () => {
    const adapter = withKeys({
      keys: [{ key: { file: 'keys/alice.asc' }, passphrase: { file: 'keys/alice.pass' } }],
    });
    const { messages, rejections } = await runAdapter(adapter, box);
    expect(rejections).toEqual([]);
    const [mime, inline, other, damaged] = messages;
    expect(mime).toMatchObject({
      body_status: 'decrypted',
      body: 'Subject: ...\n\nGeheim: de sleutel ligt onder de mat. 🔑',
      sender: 'bob@mail.example',
      recipients: ['alice@pgp.example'],
    });
    expect(mime!.attachments).toEqual([
      {
        name: 'mat.jpg',
        media_type: 'image/jpeg',
        size: secretPhoto.length,
        sha256: sha(secretPhoto),
        object_key: `attachments/${sha(secretPhoto)}`,
      },
    ]);
    expect(inline).toMatchObject({
      body_status: 'decrypted',
      body: 'Subject: inline\n\nvoor:\nOntmoeting om 23:00 bij de brug ✔\nna.',
    });
    expect(iso(inline!)).toBe('2020-03-07T23:59:59.000Z');
    // encrypted to another key: kept, with its ciphertext and metadata
    expect(other!.body_status).toBe('encrypted');
    expect(other!.body).toMatch(
      /^Subject: inline\n\nvoor:\n-----BEGIN PGP MESSAGE-----[\s\S]+-----END PGP MESSAGE-----\nna\.$/,
    );
    expect(damaged!.body_status).toBe('decryption-failed');
  });

  it('keeps every message with its metadata and ciphertext when the key is missing, wrong or locked', async () => {
    const cases = [
      [withKeys(), 'encrypted'],
      [withKeys({ keys: [{ key: { file: 'keys/other.asc' } }] }), 'decrypted'], // only the third is for this key
      [withKeys({ keys: [{ key: { file: 'keys/alice.asc' } }] }), 'encrypted'], // no passphrase
      [
        withKeys({
          keys: [{ key: { file: 'keys/alice.asc' } }, { key: { env: 'SEIZURE_TEST_UNSET_VARIABLE' } }],
        }),
        'encrypted',
      ],
    ] as const;
    for (const [adapter, third] of cases) {
      const { messages, rejections } = await runAdapter(adapter, box);
      expect(rejections).toEqual([]);
      // without its key, a damaged message looks like any other encrypted one
      expect(messages.map((m) => m.body_status)).toEqual(['encrypted', 'encrypted', third, 'encrypted']);
      expect(messages[0]).toMatchObject({ sender: 'bob@mail.example', recipients: ['alice@pgp.example'] });
      expect(messages[0]!.body).toMatch(/^Subject: \.\.\.\n\n-----BEGIN PGP MESSAGE-----/);
      expect(messages[0]!.attachments).toBeNull();
      expect(iso(messages[0]!)).toBe('2020-03-06T12:00:00.000Z');
    }
  });

  it('takes a passphrase from an environment variable', async () => {
    process.env.SEIZURE_TEST_PGP_PASSPHRASE = keys.alice.passphrase;
    try {
      const adapter = withKeys({
        keys: [{ key: { file: 'keys/alice.asc' }, passphrase: { env: 'SEIZURE_TEST_PGP_PASSPHRASE' } }],
      });
      const { messages } = await runAdapter(adapter, box);
      expect(messages.map((m) => m.body_status)).toEqual([
        'decrypted',
        'decrypted',
        'encrypted',
        'decryption-failed',
      ]);
    } finally {
      delete process.env.SEIZURE_TEST_PGP_PASSPHRASE;
    }
  });

  it('refuses a compression bomb: decrypted data beyond the limit is not expanded', async () => {
    const zeros = new Uint8Array(20 * 1024 * 1024);
    const bomb = await encryptTo(keys.alice.publicKey, '', { compress: true, binary: zeros });
    expect(bomb.length).toBeLessThan(200_000);
    const input = Buffer.from(
      mbox([{ envelope: 'bob@mail.example Sat Mar  7 23:59:59 2020', text: inlinePgp(bomb, 'bomb') }]),
    );
    const adapter = createMailAdapter(
      'mbox',
      testContext(
        testManifest('mbox', {
          options: { pgp: { keys: [{ key: { file: 'k' }, passphrase: { env: 'SEIZURE_TEST_BOMB_PASS' } }] } },
        }),
        { readEvidence: async () => Buffer.from(keys.alice.privateKey) },
      ),
      { maxRecordBytes: 1024 * 1024 },
    );
    process.env.SEIZURE_TEST_BOMB_PASS = keys.alice.passphrase;
    try {
      const { messages } = await runAdapter(adapter, input);
      expect(messages.map((m) => m.body_status)).toEqual(['decryption-failed']);
    } finally {
      delete process.env.SEIZURE_TEST_BOMB_PASS;
    }
  });
});
