import { describe, expect, it } from 'vitest';
import { entitiesIn, valuesIn } from './entity-harness.ts';

describe('licence plates', () => {
  it.each([
    ['de GB-123-X staat er', 'GB-123-X'],
    ['auto 12-TFZ-3', '12-TFZ-3'],
    ['auto 1-KBB-12', '1-KBB-12'],
    ['oldtimer BF-12-34', 'BF-12-34'],
    ['busje 99-XJ-NB', '99-XJ-NB'],
    ['X-999-ZZ', 'X-999-ZZ'],
    ['belg 1-ABC-123', '1-ABC-123'],
    ['voiture AB-123-CD', 'AB-123-CD'],
  ])('finds %j', (text, plate) => {
    expect(entitiesIn(text)).toEqual([['licence-plate', plate, plate]]);
  });

  it.each([
    ['a date', 'op 12-05-20 gezien'],
    ['vowels a Dutch plate never has', 'AB-12-34'],
    ['lower case', 'gb-123-x'],
    ['a French pattern with a letter France does not use', 'AI-123-CD'],
    ['a Spanish plate (not a reliable pattern in free text)', '1234 BCD'],
    ['an amount with a currency code', '2000 GBP'],
    ['a part of a longer code', 'REF-GB-123-X-9'],
    ['a product code with digits only', '123-45-6789'],
  ])('does not take %s for a plate', (_, text) => {
    expect(valuesIn(text, 'licence-plate')).toEqual([]);
  });
});
