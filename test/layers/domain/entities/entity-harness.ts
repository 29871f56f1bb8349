import type { CountryCode } from 'libphonenumber-js/max';
import { extractEntities } from '#domain/entities/extract-entities.ts';

/** The entities of `text` as [kind, value, raw] triples, in the order found. */
export function entitiesIn(text: string, country: CountryCode = 'NL'): [string, string, string][] {
  return (extractEntities(text, country).findings?.entities ?? []).map((e) => [e.kind, e.value, e.raw]);
}

/** The values of one kind found in `text`. */
export function valuesIn(text: string, kind: string, country: CountryCode = 'NL'): string[] {
  return entitiesIn(text, country)
    .filter(([k]) => k === kind)
    .map(([, v]) => v);
}
