import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, NormalizedRecord } from '#domain/adapters/adapter.ts';
import { adapterFor } from '#domain/adapters/adapter-registry.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { Prng } from '#generator/prng.ts';
import { mbox, multipart, plainLatin1 } from '../mbox/mail-fixtures.ts';
import { asTelegramJson, fullExport, oneChat } from '../telegram/telegram-fixtures.ts';
import { androidUs, iosGerman } from '../whatsapp/whatsapp-fixtures.ts';
import { ejabberdCsv, mucQueryResults, xep0227 } from '../xmpp/xmpp-fixtures.ts';
import { runAdapter, testManifest } from './adapter-harness.ts';
import { damaged } from './damage.ts';

/**
 * Seized files are often damaged: cut short, with bytes flipped, lost or doubled. Every adapter, given a valid
 * file of its format damaged at random (seeded), either refuses the file with a clear error or reads it
 * to the end: each record a message or a rejection with its reason, each pointing at bytes inside the file,
 * and every place where a message begins inside one of them. Never a crash of the kind a bug gives
 * (TypeError, RangeError, ...), never a message silently left out.
 */

const TRIALS = 100;

interface Format {
  name: string;
  adapter: () => Adapter;
  valid: () => Promise<Buffer>;
  path: string;
  /** Where a record begins, as its format writes it: each match must lie inside a message or a rejection. */
  marker: RegExp;
}

/** Lines with something on them, but the first (a header): `marker` of the line-based formats. */
const LINES = /(?<=\n)[ \t]*[^\s]/g;
/** How Telegram Desktop writes a message's type, and an XMPP message element's start. */
const TELEGRAM_MESSAGES = /"type": "(message|service)"/g;
const XMPP_MESSAGES = /<message[ >]/g;

/** Offsets of `marker` that no record (message or rejection) covers: what was silently lost. */
function uncovered(bytes: Buffer, records: NormalizedRecord[], marker: RegExp): number[] {
  const ranges = records
    .map((r) => ('message' in r ? r.message : r.rejection))
    .map((r) => [r.source_offset, r.source_offset + r.source_length] as const);
  const lost: number[] = [];
  for (const match of bytes.toString('latin1').matchAll(marker)) {
    const at = match.index;
    if (!ranges.some(([start, end]) => start <= at && at < end)) lost.push(at);
  }
  return lost;
}

const ref = { importId: 'imp-test', ingestedAt: 0 };
const withManifest =
  (format: Manifest['format'], extra: Partial<Manifest> = {}) =>
  () =>
    adapterFor(testManifest(format, { timezone: 'Europe/Amsterdam', ...extra }), ref);

let root: string;
const generated = async (platform: 'skyecc' | 'encrochat' | 'anom') => {
  const out = path.join(root, platform);
  await generateSeizure({ platform, messages: 150, seed: 'corrupted', out });
  const files = (await fs.readdir(path.join(out, 'data'))).sort();
  return fs.readFile(path.join(out, 'data', files[0] as string));
};

const formats: Format[] = [
  ...(['skyecc', 'encrochat', 'anom'] as const).map((platform) => ({
    name: `mapping (${platform})`,
    adapter: withManifest('mapping', { platform }),
    valid: () => generated(platform),
    path: `data/${platform}-0001`,
    marker: platform === 'skyecc' ? /(?<=^|\n)[ \t]*[^\s]/g : LINES,
  })),
  {
    name: 'whatsapp',
    adapter: withManifest('whatsapp'),
    valid: async () => Buffer.from(androidUs),
    path: 'data/WhatsApp Chat with Bob.txt',
    marker: /(?<=^|\n)\d{1,2}\/\d{1,2}\/\d{2}, /g,
  },
  {
    name: 'telegram',
    adapter: withManifest('telegram'),
    valid: async () => Buffer.from(asTelegramJson(fullExport)),
    path: 'export/result.json',
    marker: TELEGRAM_MESSAGES,
  },
  {
    name: 'xmpp (XEP-0227)',
    adapter: withManifest('xmpp'),
    valid: async () => Buffer.from(xep0227),
    path: 'data/export.xml',
    marker: XMPP_MESSAGES,
  },
  {
    name: 'xmpp (ejabberd CSV)',
    adapter: withManifest('xmpp'),
    valid: async () => Buffer.from(ejabberdCsv),
    path: 'data/archive.csv',
    marker: LINES,
  },
  {
    name: 'mbox',
    adapter: withManifest('mbox'),
    valid: async () =>
      Buffer.from(
        mbox([
          { envelope: 'bob@mail.example Tue Mar  3 10:15:00 2020', text: plainLatin1 },
          { envelope: 'carol@mail.example Wed Mar  4 13:00:01 2020', text: multipart },
        ]),
        'latin1',
      ),
    path: 'data/inbox.mbox',
    marker: /(?<=^|\n)From \S+ .*\d{4}\r?(?=\n)/g,
  },
  {
    name: 'whatsapp (iOS)',
    adapter: withManifest('whatsapp'),
    valid: async () => Buffer.from(iosGerman),
    path: 'data/WhatsApp Chat - Gruppe.txt',
    marker: /(?<=^|\n)\u200e?\[\d{2}\.\d{2}\.\d{2}, /g,
  },
  {
    name: 'telegram (one chat)',
    adapter: withManifest('telegram'),
    valid: async () => Buffer.from(asTelegramJson(oneChat)),
    path: 'export/result.json',
    marker: TELEGRAM_MESSAGES,
  },
  {
    name: 'xmpp (MUC query results)',
    adapter: withManifest('xmpp'),
    valid: async () => Buffer.from(mucQueryResults),
    path: 'data/muc.xml',
    marker: XMPP_MESSAGES,
  },
  {
    name: 'eml',
    adapter: withManifest('eml'),
    valid: async () => Buffer.from(multipart, 'latin1'),
    path: 'data/one.eml',
    marker: /(?<=^|\n)From: /g,
  },
];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'corrupted-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('damaged evidence: a clear error or every record accounted for, never a crash', () => {
  for (const format of formats) {
    it(`${format.name}: ${TRIALS} damaged copies`, async () => {
      const valid = await format.valid();
      // The undamaged file: every message found, so that what the damage below loses is the damage's.
      const clean = await runAdapter(format.adapter(), valid, { path: format.path, chunkBytes: 4096 });
      expect(clean.messages.length).toBeGreaterThan(0);
      expect(uncovered(valid, clean.records, format.marker)).toEqual([]);
      const prng = new Prng('corrupted-input', format.name);
      let read = 0;
      let refused = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const bytes = damaged(valid, prng);
        let outcome: Awaited<ReturnType<typeof runAdapter>>;
        try {
          outcome = await runAdapter(format.adapter(), bytes, {
            path: format.path,
            chunkBytes: 4096,
            pieceBytes: 997,
          });
        } catch (e) {
          // Refusing a file is fine when it says why; a TypeError or RangeError is a bug.
          expect(e, `${format.name} trial ${trial}`).toBeInstanceOf(Error);
          expect(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']).not.toContain(
            (e as Error).constructor.name,
          );
          expect((e as Error).message.length).toBeGreaterThan(10);
          refused++;
          continue;
        }
        read++;
        for (const r of outcome.records) {
          const located = 'message' in r ? r.message : r.rejection;
          expect(located.source_offset, `${format.name} trial ${trial}`).toBeGreaterThanOrEqual(0);
          expect(located.source_offset + located.source_length).toBeLessThanOrEqual(bytes.length);
        }
        for (const rejection of outcome.rejections) expect(rejection.reason.length).toBeGreaterThan(3);
        expect(
          uncovered(bytes, outcome.records, format.marker),
          `${format.name} trial ${trial}: lost`,
        ).toEqual([]);
      }
      expect(read).toBeGreaterThan(refused);
    }, 60_000);
  }
});
