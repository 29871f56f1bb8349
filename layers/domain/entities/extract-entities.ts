import type { CountryCode } from 'libphonenumber-js/max';
import { findCoordinates } from './coordinates.ts';
import { findCryptoAddresses } from './crypto-addresses.ts';
import { findEmails, findUrls } from './emails-and-urls.ts';
import { Findings } from './findings.ts';
import { findIbans } from './ibans.ts';
import { findLicencePlates } from './licence-plates.ts';
import { findPhones } from './phones.ts';

/** What one scan of a body tells about it, so that each extractor runs only where it could find something. */
interface Shape {
  digits: number;
  letters: number;
  at: boolean;
  degree: boolean;
  dot: boolean;
  hyphen: boolean;
  colon: boolean;
}

const shape: Shape = {
  digits: 0,
  letters: 0,
  at: false,
  degree: false,
  dot: false,
  hyphen: false,
  colon: false,
};

/** One pass over the characters (no allocation): counts and the few characters the extractors key on. */
function scan(text: string): Shape {
  let digits = 0;
  let letters = 0;
  let at = false;
  let degree = false;
  let dot = false;
  let hyphen = false;
  let colon = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
    else if (c < 128) {
      if (c === 64) at = true;
      else if (c === 46) dot = true;
      else if (c === 45) hyphen = true;
      else if (c === 58) colon = true;
    } else if (c === 0xb0) degree = true;
    else if (
      c >= 0xc0 &&
      c !== 0xd7 &&
      c !== 0xf7 &&
      !(c >= 0x2000 && c <= 0x2bff) &&
      !(c >= 0xd800 && c <= 0xdfff)
    )
      letters++;
  }
  shape.digits = digits;
  shape.letters = letters;
  shape.at = at;
  shape.degree = degree;
  shape.dot = dot;
  shape.hyphen = hyphen;
  shape.colon = colon;
  return shape;
}

/**
 * findPhones only keeps numbers written with `+`, `00` or a trunk `0` (maybe after `(`) that start a word.
 * Bodies with no such place (amounts, IMEIs, times) skip libphonenumber's matcher, the costliest extractor.
 */
const WRITTEN_PHONE_START = /(?<![0-9A-Za-z_])\(?[+0]/;

function mayHoldWrittenPhone(text: string): boolean {
  return WRITTEN_PHONE_START.test(text);
}

export interface Extraction {
  findings: Findings | undefined;
  /** Letters outside the entities: what language detection would read. */
  wordLetters: number;
}

/**
 * Finds the entities of one body. Extractors run from the most to the least specific, each claiming what it
 * takes: URLs, e-mail addresses, IBANs, crypto addresses, coordinates, licence plates, then phone numbers,
 * the loosest. Each runs only when the body has what it needs (phone numbers: 8 digits or more left
 * unclaimed), so the common short chat line costs one scan of its characters. `findings` is undefined when
 * nothing was found.
 */
export function extractEntities(text: string, defaultCountry: CountryCode): Extraction {
  const s = scan(text);
  const length = text.length;
  let found: Findings | undefined;
  const get = () => {
    found ??= new Findings();
    return found;
  };
  if (
    s.dot &&
    ((s.colon && text.includes('://')) || text.includes('www.') || (length >= 62 && text.includes('.onion')))
  )
    findUrls(text, get());
  if (s.at && s.dot) findEmails(text, get());
  if (s.digits >= 10 && length >= 15) findIbans(text, get());
  if (s.digits >= 1 && length >= 26) findCryptoAddresses(text, get());
  if ((s.digits >= 10 && s.dot) || (s.degree && s.digits >= 3))
    findCoordinates(text, get(), s.digits >= 10 && s.dot, s.degree);
  if (s.hyphen && s.digits >= 1 && length >= 6) findLicencePlates(text, get());
  // A phone number it keeps has 8 digits or more outside what was claimed (an IBAN's digits are no phone's).
  if (s.digits - (found?.claimedDigits ?? 0) >= 8 && mayHoldWrittenPhone(text))
    findPhones(text, defaultCountry, get());
  const letters = s.letters;
  if (found && found.entities.length === 0) found = undefined;
  return { findings: found, wordLetters: found ? letters - found.claimedLetters : letters };
}
