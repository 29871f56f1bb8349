import type { CountryCode } from 'libphonenumber-js/max';
import type { Manifest } from '../manifest/manifest-schema.ts';
import type { CanonicalMessage } from '../schema/message-schema.ts';
import { defaultCountryOf } from './default-country.ts';
import { extractEntities } from './extract-entities.ts';
import { detectLanguage, MIN_LANGUAGE_LETTERS } from './language.ts';

/** What enrichment needs to know about the seizure a message comes from. */
export interface EnrichmentContext {
  /** Country of phone numbers written without a country code. */
  defaultCountry: CountryCode;
}

export function enrichmentContext(manifest: Pick<Manifest, 'timezone' | 'options'>): EnrichmentContext {
  return { defaultCountry: defaultCountryOf(manifest) };
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
  const { findings, wordLetters } = extractEntities(body, context.defaultCountry);
  message.entities = findings ? findings.entities : [];
  message.mentioned_geo = findings?.points.length ? findings.points : null;
  // An adapter that knows the language (from the export) has said so already.
  if (message.language === null && wordLetters >= MIN_LANGUAGE_LETTERS)
    message.language = detectLanguage(findings ? wordsOnly(body, findings.entities) : body);
}

/** The body without the text of its entities, for language detection (an address is no word of any language). */
function wordsOnly(body: string, entities: readonly { raw: string }[]): string {
  let text = body;
  for (const e of entities) text = text.replace(e.raw, ' ');
  return text;
}
