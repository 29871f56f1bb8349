import type { CountryCode } from 'libphonenumber-js/max';
import type { Manifest } from '../manifest/manifest-schema.ts';
import type { CanonicalMessage } from '../schema/message-schema.ts';
import { defaultCountryOf } from './default-country.ts';
import { extractEntities } from './extract-entities.ts';
import { detectLanguage, MIN_LANGUAGE_LETTERS } from './language.ts';

/** What enrichment needs to know about the seizure a message comes from, and what it has found so far. */
export interface EnrichmentContext {
  /** Country of phone numbers written without a country code. */
  defaultCountry: CountryCode;
  /** Findings per body: chats repeat themselves ("ok", "bel me", a forwarded text), and the answer does not change. */
  seen: Map<string, Enrichment>;
}

export interface Enrichment {
  entities: CanonicalMessage['entities'];
  mentioned_geo: CanonicalMessage['mentioned_geo'];
  language: string | null;
}

/** Bodies up to this length are remembered, up to this many; then the memory starts afresh. */
const REMEMBERED_LENGTH = 280;
const REMEMBERED_BODIES = 50_000;

export function enrichmentContext(manifest: Pick<Manifest, 'timezone' | 'options'>): EnrichmentContext {
  return { defaultCountry: defaultCountryOf(manifest), seen: new Map() };
}

/**
 * Fills in what the body tells beyond its text: `entities`, `mentioned_geo` and `language`. Runs once per
 * message during normalization, whatever the adapter. A body that was not read (none, or ciphertext that no
 * supplied key opened) gets nulls: an analyst can tell "nothing found" (an empty list) from "not looked at".
 */
export function enrichMessage(message: CanonicalMessage, context: EnrichmentContext): void {
  const body = message.body;
  if (body === null || message.body_status === 'encrypted' || message.body_status === 'decryption-failed') {
    message.entities = null;
    message.mentioned_geo = null;
    return;
  }
  const found = enrichBody(body, context);
  message.entities = found.entities;
  message.mentioned_geo = found.mentioned_geo;
  // An adapter that knows the language (from the export) has said so already.
  message.language ??= found.language;
}

/** What a readable body tells: the same for the same text, so short bodies are remembered. */
export function enrichBody(body: string, context: EnrichmentContext): Enrichment {
  const remember = body.length <= REMEMBERED_LENGTH;
  let found = remember ? context.seen.get(body) : undefined;
  if (!found) {
    found = enrichDistinctBody(body, context.defaultCountry);
    if (remember) {
      if (context.seen.size >= REMEMBERED_BODIES) context.seen.clear();
      context.seen.set(body, found);
    }
  }
  return found;
}

/** What a readable body tells, for bodies known to be distinct (nothing remembered). */
export function enrichDistinctBody(body: string, defaultCountry: CountryCode): Enrichment {
  const { findings, wordLetters } = extractEntities(body, defaultCountry);
  return {
    entities: findings ? findings.entities : [],
    mentioned_geo: findings?.points.length ? findings.points : null,
    language:
      wordLetters >= MIN_LANGUAGE_LETTERS
        ? detectLanguage(findings ? wordsOnly(body, findings.entities) : body)
        : null,
  };
}

/** The body without the text of its entities, for language detection (an address is no word of any language). */
function wordsOnly(body: string, entities: readonly { raw: string }[]): string {
  let text = body;
  for (const e of entities) text = text.replace(e.raw, ' ');
  return text;
}
