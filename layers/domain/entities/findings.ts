import type { Entity } from '../schema/message-schema.ts';

/** The kinds of entity found in bodies, in the `kind` column of `entities`. */
export const entityKinds = [
  'phone',
  'iban',
  'bitcoin',
  'ethereum',
  'monero',
  'tron',
  'email',
  'url',
  'coordinates',
  'licence-plate',
] as const;
export type EntityKind = (typeof entityKinds)[number];

/** Kinds that identify a person's account or line, and so link handles and seizures (with device ids). */
export const linkKinds = ['phone', 'iban', 'bitcoin', 'ethereum', 'monero', 'tron', 'email'] as const;

/**
 * What the extractors found in one body so far. Each extractor claims the characters of what it accepts, so a
 * looser one run later (phone numbers last) cannot take a piece of an IBAN or an address for something else.
 * The same entity written twice in one body is kept once.
 */
export class Findings {
  readonly entities: Entity[] = [];
  readonly points: { lat: number; lon: number }[] = [];
  /** Claimed ranges, as start, end pairs, and whether each is a URL's. */
  readonly #spans: number[] = [];
  readonly #urlSpans: boolean[] = [];
  /** Letters inside claimed ranges: they are not words, and must not sway language detection. */
  claimedLetters = 0;
  /** Digits inside claimed ranges: no later entity can take them. */
  claimedDigits = 0;

  /** Whether `[start, end)` overlaps what was claimed already (URLs aside, when `insideUrls`). */
  overlaps(start: number, end: number, insideUrls = false): boolean {
    const spans = this.#spans;
    for (let i = 0; i < spans.length; i += 2) {
      if (insideUrls && this.#urlSpans[i >> 1]) continue;
      if (start < (spans[i + 1] as number) && end > (spans[i] as number)) return true;
    }
    return false;
  }

  /**
   * Records an entity at `[start, end)` of `text` unless that range was claimed; true when it is new (not
   * claimed, and not found earlier in the body).
   * Coordinates may lie inside a URL (a map link): they are found there too.
   */
  add(kind: EntityKind, value: string, text: string, start: number, end: number): boolean {
    const nested = kind === 'coordinates';
    if (this.overlaps(start, end, nested)) return false;
    if (nested && this.overlaps(start, end)) {
      // Inside a URL: its letters were counted with the URL's.
      return this.#record(kind, value, text.slice(start, end));
    }
    this.#spans.push(start, end);
    this.#urlSpans.push(kind === 'url');
    this.claimedLetters += countLetters(text, start, end);
    this.claimedDigits += countDigits(text, start, end);
    return this.#record(kind, value, text.slice(start, end));
  }

  #record(kind: EntityKind, value: string, raw: string): boolean {
    for (const e of this.entities) if (e.kind === kind && e.value === value) return false;
    this.entities.push({ kind, value, raw });
    return true;
  }
}

function countDigits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Letters (ASCII and any code point from Latin-1 up) in `[start, end)`: what language detection reads. */
export function countLetters(text: string, start = 0, end = text.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c | 32) >= 97 && (c | 32) <= 122) n++;
    else if (
      c >= 0xc0 &&
      c !== 0xd7 &&
      c !== 0xf7 &&
      !(c >= 0x2000 && c <= 0x2bff) &&
      !(c >= 0xd800 && c <= 0xdfff)
    )
      n++;
  }
  return n;
}
