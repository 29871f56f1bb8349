import { getCountrySpecifications, isValidIBAN } from 'ibantools';
import type { Findings } from './findings.ts';

/** IBAN length by country (ibantools' registry), for cutting a candidate written in groups to its length. */
const lengthOf = new Map<string, number>();
for (const [country, spec] of Object.entries(getCountrySpecifications())) {
  if (spec.chars && spec.bban_regexp) lengthOf.set(country, spec.chars);
}

/**
 * A country code, two check digits, then letters and digits, compact or in groups (NL91 ABNA 0417 1643 00),
 * upper or lower case. The candidate may run into the next word; it is cut to its country's length.
 */
const CANDIDATE = /(?<![\p{L}\p{N}])([A-Za-z]{2})(\d{2})((?:[ -]?[A-Za-z0-9]){10,32})/gu;

/**
 * IBANs: a candidate becomes an entity only with a registered country, that country's length and BBAN format,
 * and a valid mod-97 check (ibantools). Value: compact, upper case (NL91ABNA0417164300).
 */
export function findIbans(text: string, found: Findings): void {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const country = (m[1] as string).toUpperCase();
    const length = lengthOf.get(country);
    if (!length) {
      // Not a country: the match may hide one further on (e.g. "to NL91..."): retry one character later.
      CANDIDATE.lastIndex = m.index + 1;
      continue;
    }
    // Walk the candidate until `length` letters and digits are taken; the IBAN ends there.
    let compact = country + (m[2] as string);
    const start = m.index;
    let end = start + 4;
    const rest = m[3] as string;
    for (let i = 0; i < rest.length && compact.length < length; i++) {
      const c = rest[i] as string;
      end++;
      if (c !== ' ' && c !== '-') compact += c.toUpperCase();
    }
    // It must end where a word ends: not inside a longer run of letters and digits.
    const next = text.charCodeAt(end);
    const endsWord = Number.isNaN(next) || !isAlnum(next);
    if (compact.length === length && endsWord && isValidIBAN(compact)) {
      found.add('iban', compact, text, start, end);
      CANDIDATE.lastIndex = end;
    } else {
      CANDIDATE.lastIndex = m.index + 1;
    }
  }
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
}
