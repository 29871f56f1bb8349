import type { Findings } from './findings.ts';

/**
 * Licence plates, only in the written forms that are distinctive enough to find in free text: capitals and
 * digits in groups joined by hyphens, in a pattern that country issues.
 * - Netherlands: the sidecodes 1 to 14 (GB-12-34 … 999-XX-9), with the letters plates use (no vowels, no C,
 *   M, Q, W, Y), so words and dates do not match;
 * - Belgium: the current 1-ABC-123;
 * - France: the SIV AB-123-CD (no I, O or U).
 * Not included: Spanish 1234 BCD and German M-AB 1234, whose written forms collide with amounts and currency
 * codes (2000 GBP) and abbreviations. Value: upper case with hyphens, as on the plate.
 */
const L = '[BDFGHJKLNPRSTVXZ]';
const D = '\\d';
const dutchSidecodes = [
  `${L}{2}-${D}{2}-${D}{2}`,
  `${D}{2}-${D}{2}-${L}{2}`,
  `${D}{2}-${L}{2}-${D}{2}`,
  `${L}{2}-${D}{2}-${L}{2}`,
  `${L}{2}-${L}{2}-${D}{2}`,
  `${D}{2}-${L}{2}-${L}{2}`,
  `${D}{2}-${L}{3}-${D}`,
  `${D}-${L}{3}-${D}{2}`,
  `${L}{2}-${D}{3}-${L}`,
  `${L}-${D}{3}-${L}{2}`,
  `${L}{3}-${D}{2}-${L}`,
  `${L}-${D}{2}-${L}{3}`,
  `${D}-${L}{2}-${D}{3}`,
  `${D}{3}-${L}{2}-${D}`,
];
const belgian = `[12]-[A-Z]{3}-${D}{3}`;
const FR = '[A-HJ-NP-TV-Z]';
const french = `${FR}{2}-${D}{3}-${FR}{2}`;

const PLATE = new RegExp(
  `(?<![\\w-])(?:${[...dutchSidecodes, belgian, french].join('|')})(?![\\w]|-\\w)`,
  'g',
);

export function findLicencePlates(text: string, found: Findings): void {
  PLATE.lastIndex = 0;
  for (let m = PLATE.exec(text); m; m = PLATE.exec(text)) {
    found.add('licence-plate', m[0], text, m.index, m.index + m[0].length);
  }
}
