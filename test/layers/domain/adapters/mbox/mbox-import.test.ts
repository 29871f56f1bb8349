import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentKey } from '#domain/adapters/adapter.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { expectReconciled, importSeizure, type SeizureFile } from '../common/adapter-harness.ts';
import {
  encryptTo,
  generateTestKeys,
  inlinePgp,
  mbox,
  multipart,
  pdfBytes,
  pgpMime,
  pgpMimeInner,
  plainLatin1,
  secretPhoto,
  type TestKeys,
} from './mail-fixtures.ts';

const base = {
  platform: 'ennetcom',
  format: 'mbox',
  caseId: 'case-mail',
  legalAuthority: 'TEST-ORDER-MAIL (synthetic)',
  uploadedBy: 'adapter tests',
  timezone: 'Europe/Amsterdam',
} as const;

describe('seizure import: PGP-encrypted mbox', () => {
  let keys: TestKeys;
  let box: string;
  const runs: Awaited<ReturnType<typeof importSeizure>>[] = [];

  beforeAll(async () => {
    keys = await generateTestKeys();
    box = mbox([
      { envelope: 'bob@mail.example Tue Mar  3 09:15:07 2020', text: plainLatin1 },
      { envelope: 'carol@mail.example Wed Mar  4 13:00:01 2020', text: multipart },
      {
        envelope: 'bob@mail.example Fri Mar  6 12:00:00 2020',
        text: pgpMime(await encryptTo(keys.alice.publicKey, pgpMimeInner), 'mime-1'),
      },
      {
        envelope: 'bob@mail.example Sat Mar  7 23:59:59 2020',
        text: inlinePgp(
          await encryptTo(keys.alice.publicKey, 'Ontmoeting om 23:00 bij de brug ✔'),
          'inline-1',
        ),
      },
    ]);
  });
  afterAll(async () => {
    for (const r of runs) await r.close();
  });

  async function importWith(
    seizureId: string,
    pgp: NonNullable<Manifest['options']>['pgp'] | undefined,
    keyFiles: SeizureFile[],
  ) {
    const run = await importSeizure({ ...base, seizureId, options: pgp ? { pgp } : undefined }, [
      { path: 'data/inbox.mbox', bytes: box },
      ...keyFiles,
    ]);
    runs.push(run);
    return run;
  }

  it('with the right key (a key file and a passphrase file of the seizure) yields readable bodies', async () => {
    const run = await importWith(
      'mail-right-key',
      { keys: [{ key: { file: 'keys/alice.asc' }, passphrase: { file: 'keys/alice.pass' } }] },
      [
        { path: 'keys/alice.asc', bytes: keys.alice.privateKey, role: 'key' },
        { path: 'keys/alice.pass', bytes: `${keys.alice.passphrase}\n`, role: 'key' },
      ],
    );
    expect(run.report.status).toBe('succeeded');
    expectReconciled(run.report, expect);
    expect(run.report.counts).toEqual({ read: 4, written: 4, rejected: 0, duplicates: 0 });
    // key files are verified evidence, never read as messages
    expect(run.report.files.find((f) => f.path === 'keys/alice.asc')).toMatchObject({ read: 0, chunks: 0 });

    const rows = await run.query(
      `SELECT native_id, sender, recipients, sent_at, body, body_status, attachments FROM messages ORDER BY sent_at`,
    );
    expect(rows.map((r) => [r.native_id, r.sender, r.recipients, r.sent_at, r.body_status])).toEqual([
      [
        'plain-1@mail.example',
        'bob@mail.example',
        ['carol@mail.example', 'dave@mail.example'],
        '2020-03-03T09:15:00.000Z',
        null,
      ],
      ['multi-2@mail.example', 'carol@mail.example', ['bob@mail.example'], '2020-03-04T13:00:00.000Z', null],
      [
        'mime-1@mail.example',
        'bob@mail.example',
        ['alice@pgp.example'],
        '2020-03-06T12:00:00.000Z',
        'decrypted',
      ],
      [
        'inline-1@mail.example',
        'bob@mail.example',
        ['alice@pgp.example'],
        '2020-03-07T23:59:59.000Z',
        'decrypted',
      ],
    ]);
    expect(rows[2]!.body).toBe('Subject: ...\n\nGeheim: de sleutel ligt onder de mat. 🔑');
    expect(rows[3]!.body).toBe('Subject: inline\n\nvoor:\nOntmoeting om 23:00 bij de brug ✔\nna.');

    // attachments, of the plain and of the decrypted mail, are stored by hash in the lake
    const stored = rows
      .flatMap((r) => (r.attachments as { object_key: string }[] | null) ?? [])
      .map((a) => a.object_key);
    expect(stored).toHaveLength(2);
    for (const [key, bytes] of [
      [stored[0]!, pdfBytes],
      [stored[1]!, secretPhoto],
    ] as const) {
      expect(await fs.readFile(path.join(run.home, 'lake', key))).toEqual(bytes);
    }
    expect(stored[1]).toBe(attachmentKey((rows[2]!.attachments as { sha256: string }[])[0]!.sha256));

    // the passphrase and the key never reach the report
    const report = await fs.readFile(
      path.join(
        run.home,
        'reports',
        'seizures',
        'mail-right-key',
        'imports',
        run.report.importId,
        'report.json',
      ),
      'utf8',
    );
    expect(report).not.toContain(keys.alice.passphrase);
    expect(report).not.toContain('PRIVATE KEY');
  });

  type Pgp = NonNullable<Manifest['options']>['pgp'];
  const failing: [string, Pgp, 'other-key' | 'none' | 'wrong-pass'][] = [
    ['a wrong key', { keys: [{ key: { file: 'keys/other.asc' } }] }, 'other-key'],
    ['no key', undefined, 'none'],
    [
      'a wrong passphrase',
      { keys: [{ key: { file: 'keys/alice.asc' }, passphrase: { file: 'keys/alice.pass' } }] },
      'wrong-pass',
    ],
  ];
  for (const [name, pgp, files] of failing) {
    it(`with ${name} keeps the metadata and the encrypted bodies, flagged, and succeeds`, async () => {
      const keyFiles: SeizureFile[] =
        files === 'wrong-pass'
          ? [
              { path: 'keys/alice.asc', bytes: keys.alice.privateKey, role: 'key' },
              { path: 'keys/alice.pass', bytes: 'not the passphrase', role: 'key' },
            ]
          : files === 'other-key'
            ? [{ path: 'keys/other.asc', bytes: keys.other.privateKey, role: 'key' }]
            : [];
      const run = await importWith(`mail-${name.replaceAll(' ', '-')}`, pgp, keyFiles);
      expect(run.report.status).toBe('succeeded');
      expectReconciled(run.report, expect);
      expect(run.report.counts).toMatchObject({ read: 4, written: 4, rejected: 0 });
      const rows = await run.query(
        `SELECT sender, recipients, sent_at, body, body_status, attachments FROM messages
         WHERE body_status IS NOT NULL ORDER BY sent_at`,
      );
      expect(rows.map((r) => [r.sender, r.recipients, r.sent_at, r.body_status])).toEqual([
        ['bob@mail.example', ['alice@pgp.example'], '2020-03-06T12:00:00.000Z', 'encrypted'],
        ['bob@mail.example', ['alice@pgp.example'], '2020-03-07T23:59:59.000Z', 'encrypted'],
      ]);
      expect(rows[0]!.body).toMatch(
        /^Subject: \.\.\.\n\n-----BEGIN PGP MESSAGE-----\n[\s\S]+-----END PGP MESSAGE-----$/,
      );
      expect(rows[1]!.body).toMatch(/^Subject: inline\n\nvoor:\n-----BEGIN PGP MESSAGE-----/);
      expect(rows[0]!.attachments).toBeNull();
      const counts = await run.query(
        `SELECT body_status, count(*) AS n FROM messages GROUP BY 1 ORDER BY 1 NULLS FIRST`,
      );
      expect(counts).toEqual([
        { body_status: null, n: 2 },
        { body_status: 'encrypted', n: 2 },
      ]);
    });
  }
});
