import { type CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max';
import type { Findings } from './findings.ts';

/**
 * Phone numbers, found by libphonenumber (Google's matcher, with its full metadata) and normalized to E.164.
 * Only numbers written the way people write a phone number are taken:
 * - with a country code (+31 6 1234 5678, 0031...): the number must have a length the country's plan allows
 *   (someone who writes +31 6 means a phone, even in a range not yet assigned);
 * - with the national trunk prefix (06-12345678, read in the seizure's default country): the number must be
 *   valid, in an assigned range, as dates (06-05-2020) have a possible length too.
 * A bare run of digits (an order number, an IMEI, an amount) that happens to fit a plan is not taken.
 */
export function findPhones(text: string, defaultCountry: CountryCode, found: Findings): void {
  // libphonenumber's matcher throws and catches a ParseError for most candidates it tries: without a stack
  // trace to capture, each costs a fraction (measured: entity extraction 3.5 → 2.7 µs a distinct body).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // `extended`: leniency POSSIBLE (a possible length), and no validity check here: it depends on how it was written.
    for (const match of findPhoneNumbersInText(text, { defaultCountry, extended: true })) {
      const { startsAt, endsAt } = match;
      const written = writtenAs(text, startsAt);
      if (written === 'bare' || (written === 'national' && !match.number.isValid())) continue;
      // Inside a longer run of digits or letters (an IMEI, a hash), the match is a piece of something else.
      if (touchesWord(text.charCodeAt(startsAt - 1)) || touchesWord(text.charCodeAt(endsAt))) continue;
      found.add('phone', match.number.number, text, startsAt, endsAt);
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** +… or 00… (international), a trunk 0… (national), possibly after an opening parenthesis, or neither. */
function writtenAs(text: string, at: number): 'international' | 'national' | 'bare' {
  let i = at;
  if (text.charCodeAt(i) === 40 /* ( */) i++;
  const c = text.charCodeAt(i);
  if (c === 43 /* + */) return 'international';
  if (c !== 48 /* 0 */) return 'bare';
  return text.charCodeAt(i + 1) === 48 ? 'international' : 'national';
}

function touchesWord(c: number): boolean {
  if (Number.isNaN(c)) return false;
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95;
}
