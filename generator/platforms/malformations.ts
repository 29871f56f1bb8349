import type { Prng } from '../prng.ts';
import type { RecordPieces } from './platform-format.ts';

/**
 * Damage seen in real exports, shared by the platform formats. Every value here must be rejected by a strict
 * reader: the generator counts each use as one malformed record.
 */

/** Byte sequences that are never valid UTF-8: a stray continuation, overlong or surrogate forms, a cut sequence. */
const invalidUtf8 = [
  Uint8Array.of(0xff),
  Uint8Array.of(0xc3, 0x28),
  Uint8Array.of(0xe2, 0x82),
  Uint8Array.of(0x80),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0xc0, 0xaf),
  Uint8Array.of(0xfe, 0xfe),
];

/** Marks where raw bytes go: a private-use character no body contains, left alone by CSV and JSON quoting. */
export const RAW_BYTES_MARK = '\uE000';

/** Puts the marker between two characters of `body` (never inside a surrogate pair). */
export function markInvalidBytes(body: string, rng: Prng): string {
  let at = rng.int(body.length + 1);
  const before = body.charCodeAt(at - 1);
  if (before >= 0xd800 && before <= 0xdbff) at--;
  return body.slice(0, at) + RAW_BYTES_MARK + body.slice(at);
}

/** Replaces the marker in a serialized record by an invalid UTF-8 sequence. */
export function withInvalidBytes(record: string, rng: Prng): RecordPieces {
  const at = record.indexOf(RAW_BYTES_MARK);
  return [record.slice(0, at), rng.pick(invalidUtf8), record.slice(at + RAW_BYTES_MARK.length)];
}

/** Times that no date pattern accepts: impossible dates, words, and what broken code prints. */
export const impossibleTimes = {
  dayMonthYear: [
    '31/02/2020 25:61:00',
    'yesterday',
    '00/00/0000 00:00:00',
    '32/13/2020 10:15:00',
    '??/??/???? ??:??:??',
  ],
  isoLocal: [
    'yesterday',
    '31/02/2020 25:61:00',
    'NaN-NaN-NaN NaN:NaN:NaN',
    '2020-02-30 24:00:00',
    '0000-00-00 00:00:00',
  ],
  isoUtc: ['yesterday', '31/02/2020 25:61:00', '2020-13-45T25:61:00.000Z', 'Invalid Date', 'NaN'],
};

/**
 * Cuts a CSV record before its last field separator outside quotes, so the rest lacks a field or ends
 * inside an open quote; either way a strict reader rejects it.
 */
export function truncateCsv(record: string, delimiter: string, rng: Prng): string {
  let lastSeparator = -1;
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) lastSeparator = i;
  }
  return cutAt(record, 1 + rng.int(Math.max(1, lastSeparator)));
}

/** Any proper prefix of a JSON object is not JSON. */
export function truncateJson(record: string, rng: Prng): string {
  return cutAt(record, 1 + rng.int(record.length - 1));
}

function cutAt(text: string, at: number): string {
  const before = text.charCodeAt(at - 1);
  return text.slice(0, before >= 0xd800 && before <= 0xdbff ? at - 1 : at);
}
