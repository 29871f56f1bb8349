import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidBech32 } from '#generator/checksums/bech32.ts';
import { lexicons } from '#generator/lexicon/all-lexicons.ts';
import { entityKinds, languages, roles } from '#generator/lexicon/lexicon.ts';
import { readStrict } from './strict-reader.ts';
import { generateTemp, readData, removeTempSeizures } from './temp-seizure.ts';

afterAll(removeTempSeizures);

/** ISO 13616 check, written independently of the generator: move the first four to the end, mod 97 is 1. */
function ibanIsValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  const digits = rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(digits) % 97n === 1n;
}

const ibanLength: Record<string, number> = { NL: 18, BE: 16, DE: 22, FR: 27, ES: 24 };

/** IBANs in a text, compact or spaced in fours: read country, check digits, then characters up to the length. */
function findIbans(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b(NL|BE|DE|FR|ES)\d{2}/g)) {
    const length = ibanLength[m[1] as string] as number;
    let iban = '';
    for (let i = m.index; i < text.length && iban.length < length; i++) {
      const ch = text[i] as string;
      if (ch === ' ') continue;
      if (!/[A-Z0-9]/.test(ch)) break;
      iban += ch;
    }
    found.push(iban);
  }
  return found;
}

let bodies: string[];
beforeAll(async () => {
  const result = await generateTemp({ platform: 'skyecc', messages: 20_000, seed: 'entities' });
  bodies = result.files.flatMap((f) =>
    readStrict(readData(result.out, f.path), 'skyecc').valid.map((r) => String(r.fields.text)),
  );
});

describe('entities in bodies', () => {
  it('appear in a minority of bodies', () => {
    const withEntity = bodies.filter((b) =>
      /\b(NL|BE|DE|FR|ES)\d{2}|bc1q|0x[0-9a-f]{40}|\+3[1-4]|\d+\.\d{4,6},|°/.test(b),
    );
    expect(withEntity.length / bodies.length).toBeGreaterThan(0.02);
    expect(withEntity.length / bodies.length).toBeLessThan(0.15);
  });

  it('include IBANs of five countries, all with valid check digits', () => {
    const ibans = bodies.flatMap(findIbans);
    expect(ibans.length).toBeGreaterThan(50);
    for (const iban of ibans) {
      expect(iban.length, iban).toBe(ibanLength[iban.slice(0, 2)]);
      expect(ibanIsValid(iban), iban).toBe(true);
    }
    expect(new Set(ibans.map((i) => i.slice(0, 2)))).toEqual(new Set(['NL', 'BE', 'DE', 'FR', 'ES']));
  });

  it('include bech32 Bitcoin addresses with valid checksums and Ethereum addresses', () => {
    const btc = bodies.flatMap((b) => b.match(/\bbc1q[a-z0-9]+/g) ?? []);
    expect(btc.length).toBeGreaterThan(20);
    for (const address of btc) {
      expect(address).toHaveLength(42);
      expect(isValidBech32(address), address).toBe(true);
    }
    expect(bodies.some((b) => /\b0x[0-9a-f]{40}\b/.test(b))).toBe(true);
  });

  it('include mobile numbers of the four countries and coordinates in decimal and DMS', () => {
    const joined = bodies.join('\n');
    for (const prefix of [/\+31 ?6 ?\d{8}/, /\+32 ?4\d{2}/, /\+33 ?6/, /\+34 ?6\d{2}/])
      expect(joined).toMatch(prefix);
    expect(joined).toMatch(/-?\d{1,2}\.\d{4,6}, ?-?\d{1,3}\.\d{4,6}/);
    expect(joined).toMatch(/\d{1,2}°\d{1,2}'\d{1,2}\.\d"[NS] \d{1,3}°\d{1,2}'\d{1,2}\.\d"[EW]/);
  });

  it('include prices and quantities as dealers write them', () => {
    const joined = bodies.join('\n');
    expect(joined).toMatch(/€ \d{1,3}(\.\d{3})+/);
    expect(joined).toMatch(/\d+ kilo\b/);
    expect(joined).toMatch(/\d+ stuks/);
    expect(joined).toMatch(/\d{1,3}( \d{3})+ €/);
  });

  it('mix Dutch, English, French and Spanish with the slang of the trade', () => {
    const has = (re: RegExp) => bodies.filter((b) => re.test(b)).length;
    expect(has(/\b(mattie|ff|de spullen|koeriers)\b/)).toBeGreaterThan(100);
    expect(has(/\b(bro|the package|drop)\b/)).toBeGreaterThan(100);
    expect(has(/\b(wesh|le matos|beuh)\b/)).toBeGreaterThan(50);
    expect(has(/(tío|mercancía)/)).toBeGreaterThan(50);
  });
});

describe('lexicons', () => {
  it('only hold text Windows-1252 can encode and only slots the composer fills', () => {
    const slots = new Set([
      'name',
      'place',
      'product',
      'qty',
      'price',
      'time',
      'vehicle',
      'company',
      'iban',
      'coords',
      'btc',
      'eth',
      'phone',
    ]);
    for (const language of languages) {
      const lexicon = lexicons[language];
      const texts = [
        ...roles.flatMap((r) => lexicon.turns[r]),
        ...entityKinds.flatMap((k) => lexicon.entities[k]),
        ...Object.values(lexicon.words).flat(),
        ...lexicon.units.map(([unit]) => unit),
        lexicon.price(12_500, 0),
        lexicon.price(12_500, 3),
      ];
      for (const text of texts) {
        expect(iconv.decode(iconv.encode(text, 'windows-1252'), 'windows-1252'), text).toBe(text);
        for (const [, slot] of text.matchAll(/\{(\w+)\}/g))
          expect(slots.has(slot as string), `${text}`).toBe(true);
      }
    }
  });
});
