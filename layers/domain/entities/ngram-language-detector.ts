/**
 * Nito-ELD's `eld/small` detector (npm `eld` 2.1.0), compiled into typed arrays: the same answer as
 * `eld.detect(text)` + `isReliable()` for every text, in a fraction of the time. eld walks number-keyed
 * objects with `for…in`, builds every n-gram as a string through its byte dictionary and looks it up by
 * string key; here the n-grams are integers over a reusable byte buffer, looked up in an open-addressing
 * table built once from eld's own shipped table. The differential test against eld proves the answers equal.
 *
 * eld's package exports expose only the detector, so its table, byte dictionary, separator pattern and
 * average scores are imported from the package's files by path (the very modules `eld/small` loads).
 */
// @ts-expect-error eld ships no types for its internal modules
import { avgScore } from '../../../node_modules/eld/src/avgScore.js';
// @ts-expect-error eld ships no types for its internal modules
import { dictionary } from '../../../node_modules/eld/src/dictionary.js';
// @ts-expect-error eld ships no types for its internal modules
import { ngramsData } from '../../../node_modules/eld/src/ngrams/small.js';
// @ts-expect-error eld ships no types for its internal modules
import { separators } from '../../../node_modules/eld/src/regexPatterns.js';

interface NgramsData {
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

// eld's constants (languageDetector.js, LanguageResult.js).
const MAX_TEXT = 1000;
const CUT_AFTER = 350;
const ENFORCE_CUT_AFTER = 380;
const MAX_WORD = 70;
const BASE_NGRAM_SCORE = 53;
const SCALE = 25;
const THRESHOLD_RATIO = 0.75;
const MIN_NGRAMS = 3;
/** Longest n-gram packed into an integer key; eld's table holds none longer. */
const MAX_PACKED = 6;

const data = ngramsData as NgramsData;
const bytesToChars = dictionary as readonly string[];
const separatorPattern = separators as RegExp;

const codes: string[] = [];
for (const id of Object.keys(data.languages)) codes[Number(id)] = data.languages[id] as string;
const languageCount = codes.length;
/** eld's reliability floor per language: `avgScore[language] * thresholdRatio`. */
const floors = Float64Array.from(
  codes,
  (code) => (avgScore as Record<string, number>)[code]! * THRESHOLD_RATIO,
);

/** The character eld's dictionary gives each UTF-8 byte; a key compares these, as eld's strings do. */
const byteChar = Uint8Array.from(bytesToChars, (c) => {
  const code = c.charCodeAt(0);
  if (c.length !== 1 || code > 0xff)
    throw new Error('eld dictionary: expected one Latin-1 character per byte');
  return code;
});

/**
 * An n-gram of at most six characters (each below 256) packs into two int32: the first four characters,
 * and the last two with the length, so equal keys mean equal strings.
 */
function hashOf(lo: number, hi: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
}

// The table: n-gram key → the languages it scores for and by how much (eld's value + 53, integers, so the
// sums are exact in any order).
const ngramKeys = Object.keys(data.ngrams);
const TABLE_BITS = 32 - Math.clz32(ngramKeys.length * 3);
const TABLE_SHIFT = 32 - TABLE_BITS;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
/** Per slot: key lo, key hi, entry index + 1 (0 = empty). */
const slots = new Int32Array(3 << TABLE_BITS);
const entryStart = new Int32Array(ngramKeys.length + 1);
const entryLanguage: number[] = [];
const entryScore: number[] = [];
ngramKeys.forEach((ngram, entry) => {
  if (ngram.length > MAX_PACKED) throw new Error(`eld table: n-gram longer than ${MAX_PACKED} characters`);
  let lo = 0;
  let hi = ngram.length << 16;
  for (let i = 0; i < ngram.length; i++) {
    const c = ngram.charCodeAt(i);
    if (c > 0xff) throw new Error('eld table: n-gram character above 0xff');
    if (i < 4) lo |= c << (8 * i);
    else hi |= c << (8 * (i - 4));
  }
  let slot = hashOf(lo, hi) >>> TABLE_SHIFT;
  while (slots[slot * 3 + 2] !== 0) slot = (slot + 1) & TABLE_MASK;
  slots[slot * 3] = lo;
  slots[slot * 3 + 1] = hi;
  slots[slot * 3 + 2] = entry + 1;
  entryStart[entry] = entryLanguage.length;
  const values = data.ngrams[ngram]!;
  for (const id in values) {
    const value = values[id]!;
    const language = +id;
    if (!Number.isInteger(value)) throw new Error('eld table: a score that is not an integer');
    if (!(codes[language] && language < 256)) throw new Error(`eld table: unknown language ${id}`);
    entryLanguage.push(language);
    entryScore.push(value + BASE_NGRAM_SCORE);
  }
});
entryStart[ngramKeys.length] = entryLanguage.length;
const languageOf = Uint8Array.from(entryLanguage);
const scoreOf = Int32Array.from(entryScore);

// Per-call scratch, reused: the text's UTF-8 bytes as dictionary characters (words back to back), where each
// word ends, the n-grams seen so far (stamped with the call's number) and the scores.
const bytes = new Uint8Array(ENFORCE_CUT_AFTER + 8);
const wordEnds = new Int32Array(ENFORCE_CUT_AFTER + 8);
/** A text yields at most one n-gram per byte (384): 1024 slots never fill and keep probes short. */
const SEEN_BITS = 10;
const SEEN_SHIFT = 32 - SEEN_BITS;
const SEEN_MASK = (1 << SEEN_BITS) - 1;
const seen = new Int32Array(3 << SEEN_BITS);
let call = 0;
const scores = new Int32Array(languageCount);
let ngramCount = 0;
/** N-grams too long to pack (the last one of a word over 71 bytes): never in the table, but they count. */
const longNgrams = new Set<string>();

/** The ISO 639-1 code eld/small detects with `isReliable()` true, else null. */
export function detectReliableLanguage(text: string): string | null {
  scoreText(text);
  return reliableLanguage();
}

/**
 * What eld's `getScores()` says for the text: each scoring language's scaled score, best first. Not needed to
 * detect; it lets the differential test compare every n-gram's effect, not only the final answer.
 */
export function languageScores(text: string): Record<string, number> {
  scoreText(text);
  const ranked: [code: string, scaled: number][] = [];
  for (let l = 0; l < languageCount; l++) if (scores[l]! > 0) ranked.push([codes[l]!, scaled(scores[l]!)]);
  return Object.fromEntries(ranked.sort((a, b) => b[1] - a[1]));
}

/** eld's orderAndScale for one language's raw score. */
function scaled(score: number): number {
  const perNgram = score / ngramCount;
  return perNgram / (perNgram + SCALE);
}

/** Fills `scores` and `ngramCount` as eld's detect fills its results and numNgrams. */
function scoreText(text: string): void {
  const clean = text.substring(0, MAX_TEXT).replace(separatorPattern, ' ').trim().toLowerCase();
  const words = toByteWords(clean);
  if (++call === 0x7fffffff) {
    seen.fill(0);
    call = 1;
  }
  scores.fill(0);
  ngramCount = 0;
  longNgrams.clear();
  let start = 0;
  for (let w = 0; w < words; w++) {
    const end = wordEnds[w]!;
    addWordNgrams(start, end);
    start = end;
  }
}

/** eld's strToUtf8Bytes: UTF-8 bytes through the dictionary, cut at a space after 350 bytes or after 380. */
function toByteWords(text: string): number {
  let n = 0;
  let words = 0;
  let wordStart = 0;
  let counted = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 32) {
        if (n > wordStart) {
          wordEnds[words++] = n;
          wordStart = n;
        }
        if (counted > CUT_AFTER) break;
      } else {
        bytes[n++] = c;
      }
      counted++;
    } else if (c < 0x800) {
      bytes[n++] = byteChar[0xc0 | (c >> 6)]!;
      bytes[n++] = byteChar[0x80 | (c & 0x3f)]!;
      counted += 2;
    } else if (c < 0xd800 || c >= 0xe000) {
      bytes[n++] = byteChar[0xe0 | (c >> 12)]!;
      bytes[n++] = byteChar[0x80 | ((c >> 6) & 0x3f)]!;
      bytes[n++] = byteChar[0x80 | (c & 0x3f)]!;
      counted += 3;
    } else {
      // As eld: the next unit completes the pair, whatever it is (a lone surrogate takes its neighbour).
      i++;
      c = 0x10000 + (((c & 0x3ff) << 10) | (text.charCodeAt(i) & 0x3ff));
      bytes[n++] = byteChar[0xf0 | (c >> 18)]!;
      bytes[n++] = byteChar[0x80 | ((c >> 12) & 0x3f)]!;
      bytes[n++] = byteChar[0x80 | ((c >> 6) & 0x3f)]!;
      bytes[n++] = byteChar[0x80 | (c & 0x3f)]!;
      counted += 4;
    }
    if (counted > ENFORCE_CUT_AFTER) break;
  }
  if (n > wordStart) wordEnds[words++] = n;
  return words;
}

/**
 * eld's getByteNgrams for one word: 4-byte n-grams with stride 3 over its first 70 bytes, a leading space
 * on the first, and a last one from 4 bytes before the 70-byte cap to the word's real end, plus a space.
 */
function addWordNgrams(start: number, end: number): void {
  const len = Math.min(end - start, MAX_WORD);
  let j = 0;
  for (; j + 4 < len; j += 3) addNgram(j === 0, start + j, start + j + 4, false);
  addNgram(j === 0, start + Math.max(0, len - 4), end, true);
}

function addNgram(leadingSpace: boolean, from: number, to: number, trailingSpace: boolean): void {
  const length = (leadingSpace ? 1 : 0) + (to - from) + (trailingSpace ? 1 : 0);
  if (length > MAX_PACKED) {
    let ngram = leadingSpace ? ' ' : '';
    for (let i = from; i < to; i++) ngram += String.fromCharCode(bytes[i]!);
    if (trailingSpace) ngram += ' ';
    if (!longNgrams.has(ngram)) {
      longNgrams.add(ngram);
      ngramCount++;
    }
    return;
  }
  let lo = 0;
  let hi = length << 16;
  let at = 0;
  if (leadingSpace) {
    lo = 32;
    at = 1;
  }
  for (let i = from; i < to; i++, at++) {
    if (at < 4) lo |= bytes[i]! << (8 * at);
    else hi |= bytes[i]! << (8 * (at - 4));
  }
  if (trailingSpace) {
    if (at < 4) lo |= 32 << (8 * at);
    else hi |= 32 << (8 * (at - 4));
  }
  const hash = hashOf(lo, hi);

  let slot = hash >>> SEEN_SHIFT;
  while (seen[slot * 3 + 2] === call) {
    if (seen[slot * 3] === lo && seen[slot * 3 + 1] === hi) return;
    slot = (slot + 1) & SEEN_MASK;
  }
  seen[slot * 3] = lo;
  seen[slot * 3 + 1] = hi;
  seen[slot * 3 + 2] = call;
  ngramCount++;

  slot = hash >>> TABLE_SHIFT;
  let entry = slots[slot * 3 + 2]!;
  while (entry !== 0) {
    if (slots[slot * 3] === lo && slots[slot * 3 + 1] === hi) {
      for (let p = entryStart[entry - 1]!, last = entryStart[entry]!; p < last; p++)
        scores[languageOf[p]!]! += scoreOf[p]!;
      return;
    }
    slot = (slot + 1) & TABLE_MASK;
    entry = slots[slot * 3 + 2]!;
  }
}

/**
 * eld's getMaxLang, orderAndScale and isReliable, bugs included: the runner-up "score" that isReliable
 * compares with is the runner-up's language index (`results[1][0]`).
 */
function reliableLanguage(): string | null {
  let best = -1;
  let bestScore = 0;
  for (let l = 0; l < languageCount; l++) {
    if (scores[l]! > bestScore) {
      bestScore = scores[l]!;
      best = l;
    }
  }
  if (best < 0 || ngramCount < MIN_NGRAMS) return null;
  // The first two of the scaled scores sorted descending (a stable sort: ties keep language order).
  let first = -1;
  let firstScaled = 0;
  let second = -1;
  let secondScaled = 0;
  for (let l = 0; l < languageCount; l++) {
    if (scores[l]! <= 0) continue;
    const score = scaled(scores[l]!);
    if (first < 0 || score > firstScaled) {
      second = first;
      secondScaled = firstScaled;
      first = l;
      firstScaled = score;
    } else if (second < 0 || score > secondScaled) {
      second = l;
      secondScaled = score;
    }
  }
  const nextScore = Math.max(second, 0); // eld: 0 when no language is second
  if (floors[best]! > firstScaled || 0.01 > Math.abs(firstScaled - nextScore)) return null;
  return codes[best]!;
}

/** The detector's tables, for the native path's copy of this scorer (layers/native-normalize/src/language.rs). */
export interface LanguageTables {
  codes: string[];
  floors: number[];
  tableBits: number;
  slots: Buffer;
  entryStart: Buffer;
  languageOf: Buffer;
  scoreOf: Buffer;
  byteChar: Buffer;
  /** A bit per BMP code point: whether eld's separator pattern takes it for a letter. */
  letters: Buffer;
  /** `toLowerCase()` of every BMP code point it changes, as JavaScript answers it. */
  lowercaseFrom: number[];
  lowercaseTo: string[];
}

export function languageTables(): LanguageTables {
  // The letter class of eld's separator pattern `[^<letters>]+(?<!…)`, asked per code point.
  const source = separatorPattern.source;
  const letter = new RegExp(`^[${source.slice(2, source.indexOf(']+'))}]$`, 'u');
  const letters = Buffer.alloc(0x10000 / 8);
  const lowercaseFrom: number[] = [];
  const lowercaseTo: string[] = [];
  for (let c = 0; c <= 0xffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const char = String.fromCharCode(c);
    if (letter.test(char)) letters[c >> 3] = (letters[c >> 3] as number) | (1 << (c & 7));
    const lower = char.toLowerCase();
    if (lower !== char) {
      lowercaseFrom.push(c);
      lowercaseTo.push(lower);
    }
  }
  const bytesOf = (a: Int32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return {
    codes: [...codes],
    floors: [...floors],
    tableBits: TABLE_BITS,
    slots: bytesOf(slots),
    entryStart: bytesOf(entryStart),
    languageOf: bytesOf(languageOf),
    scoreOf: bytesOf(scoreOf),
    byteChar: bytesOf(byteChar),
    letters,
    lowercaseFrom,
    lowercaseTo,
  };
}
