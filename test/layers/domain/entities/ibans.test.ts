import { describe, expect, it } from 'vitest';
import { entitiesIn, valuesIn } from './entity-harness.ts';

describe('IBANs', () => {
  it.each([
    ['stort op NL91ABNA0417164300 aub', 'NL91ABNA0417164300', 'NL91ABNA0417164300'],
    ['stort op NL91 ABNA 0417 1643 00 aub', 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00'],
    ['lower case nl91abna0417164300.', 'NL91ABNA0417164300', 'nl91abna0417164300'],
    ['DE89 3704 0044 0532 0130 00 danke', 'DE89370400440532013000', 'DE89 3704 0044 0532 0130 00'],
    ['BE68 5390 0754 7034', 'BE68539007547034', 'BE68 5390 0754 7034'],
    ['FR14 2004 1010 0505 0001 3M02 606', 'FR1420041010050500013M02606', 'FR14 2004 1010 0505 0001 3M02 606'],
    ['ES91 2100 0418 4502 0005 1332', 'ES9121000418450200051332', 'ES91 2100 0418 4502 0005 1332'],
  ])('finds %j', (text, value, raw) => {
    expect(entitiesIn(text)).toEqual([['iban', value, raw]]);
  });

  it('stops at the country length when a group of the next word follows', () => {
    expect(entitiesIn('NL91 ABNA 0417 1643 00 1234 ok')).toEqual([
      ['iban', 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00'],
    ]);
  });

  it.each([
    ['a bad check digit', 'NL91 ABNA 0417 1643 01'],
    ['swapped digits', 'NL19ABNA0417164300'],
    ['the wrong length for its country', 'NL91ABNA04171643001'],
    ['a country without IBANs', 'XX91ABNA0417164300'],
    ['a BBAN in the wrong format for its country', 'NL91ABNA04171643AA'],
    ['a piece of a longer token', 'xNL91ABNA0417164300'],
  ])('rejects %s', (_, text) => {
    expect(valuesIn(text, 'iban')).toEqual([]);
  });
});
