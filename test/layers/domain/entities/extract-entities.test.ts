import { describe, expect, it } from 'vitest';
import { extractEntities } from '#domain/entities/extract-entities.ts';
import { BodyComposer } from '#generator/body-composer.ts';
import {
  randomBitcoinAddress,
  randomCoordinates,
  randomEthereumAddress,
  randomIban,
  randomMobileNumber,
} from '#generator/entities.ts';
import { citiesByLanguage } from '#generator/geography.ts';
import { languages, roles } from '#generator/lexicon/lexicon.ts';
import { Prng } from '#generator/prng.ts';
import { entitiesIn } from './entity-harness.ts';

/** Every entity the generator writes, as the generator writes it, is found with the value it stands for. */
describe('entities the generator writes', () => {
  const rng = new Prng('entities', 'recall');
  const cases = 500;

  it('finds every IBAN, compact or grouped', () => {
    for (let i = 0; i < cases; i++) {
      const iban = randomIban(rng.pick(languages), rng);
      expect(entitiesIn(`rekening ${iban} graag`)).toEqual([['iban', iban.replaceAll(' ', ''), iban]]);
    }
  });

  it('finds every mobile number, in E.164', () => {
    for (let i = 0; i < cases; i++) {
      const phone = randomMobileNumber(rng.pick(languages), rng);
      expect(entitiesIn(`bel ${phone} nu`)).toEqual([['phone', `+${phone.replace(/\D/g, '')}`, phone]]);
    }
  });

  it('finds every Bitcoin and Ethereum address', () => {
    for (let i = 0; i < cases; i++) {
      const btc = randomBitcoinAddress(rng);
      const eth = randomEthereumAddress(rng);
      expect(entitiesIn(`btc ${btc} of eth ${eth}`)).toEqual([
        ['bitcoin', btc, btc],
        ['ethereum', eth, eth],
      ]);
    }
  });

  it('finds every position, decimal or in degrees, minutes and seconds, where it was written', () => {
    for (let i = 0; i < cases; i++) {
      const language = rng.pick(languages);
      const city = rng.pick(citiesByLanguage[language]);
      const written = randomCoordinates(city, rng);
      const found = extractEntities(`we zijn hier ${written} ok`, 'NL').findings;
      expect(found?.entities.map((e) => [e.kind, e.raw])).toEqual([['coordinates', written]]);
      const point = found?.points[0] as { lat: number; lon: number };
      expect(Math.abs(point.lat - city.lat)).toBeLessThan(0.06);
      expect(Math.abs(point.lon - city.lon)).toBeLessThan(0.08);
    }
  });
});

describe('extracting from chat bodies', () => {
  it('finds nothing in generated bodies that carry no entity', () => {
    // Bodies without an entity slot: every role's turns, in every language, filled with amounts, times, places.
    const composer = new BodyComposer(new Prng('entities', 'plain'), { allowEmoji: true });
    const rng = new Prng('entities', 'plain-roles');
    let found = 0;
    for (let i = 0; i < 5000; i++) {
      const language = rng.pick(languages);
      const role = rng.pick(roles.filter((r) => !['ask', 'answer', 'logistics', 'money'].includes(r)));
      const body = composer.compose(language, role, rng.pick(citiesByLanguage[language]));
      if (extractEntities(body, 'NL').findings) found++;
    }
    expect(found).toBe(0);
  });

  it('lets each entity claim its characters: what an IBAN or an address holds is not found again', () => {
    expect(entitiesIn('NL91 ABNA 0417 1643 00 en 0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae')).toEqual([
      ['iban', 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00'],
      [
        'ethereum',
        '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
        '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
      ],
    ]);
  });

  it('looks for phone numbers beside what was claimed, only where 8 digits are left unclaimed', () => {
    expect(entitiesIn('NL91 ABNA 0417 1643 00, bel +31 6 12345678')).toEqual([
      ['iban', 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00'],
      ['phone', '+31612345678', '+31 6 12345678'],
    ]);
    expect(entitiesIn('0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae of 0612345678')).toEqual([
      [
        'ethereum',
        '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
        '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
      ],
      ['phone', '+31612345678', '0612345678'],
    ]);
  });

  it('keeps one entity written twice once, with the first spelling', () => {
    expect(entitiesIn('NL91ABNA0417164300 ja NL91 ABNA 0417 1643 00')).toEqual([
      ['iban', 'NL91ABNA0417164300', 'NL91ABNA0417164300'],
    ]);
  });

  it('does not count the letters of entities as words', () => {
    const text = 'eth 0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae';
    expect(extractEntities(text, 'NL').wordLetters).toBe(3);
    expect(extractEntities('gewoon een zin zonder iets', 'NL')).toEqual({
      findings: undefined,
      wordLetters: 22,
    });
  });
});
