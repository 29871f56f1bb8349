import { describe, expect, it } from 'vitest';
import { entitiesIn, valuesIn } from './entity-harness.ts';

describe('phone numbers', () => {
  it.each([
    ['bel +31 6 12345678 nu', '+31612345678', '+31 6 12345678'],
    ['nieuw nummer +316 1234 5678.', '+31612345678', '+316 1234 5678'],
    ['0031612345678 is hem', '+31612345678', '0031612345678'],
    ['appel le +33 6 12 34 56 78 ce soir', '+33612345678', '+33 6 12 34 56 78'],
    ['llama al +34 612 345 678', '+34612345678', '+34 612 345 678'],
    ['belgisch +32 470 12 34 56', '+32470123456', '+32 470 12 34 56'],
    ['vast 020-1234567', '+31201234567', '020-1234567'],
    ['mobiel 06-12345678!', '+31612345678', '06-12345678'],
    ['met haakjes (06) 12345678', '+31612345678', '(06) 12345678'],
  ])('finds %j as %s', (text, value, raw) => {
    expect(entitiesIn(text)).toEqual([['phone', value, raw]]);
  });

  it('takes an internationally written number of a possible length even in a range not assigned yet', () => {
    expect(valuesIn('bel +31 6 71779608', 'phone')).toEqual(['+31671779608']);
    expect(valuesIn('bel 06-71779608', 'phone')).toEqual([]);
  });

  it('reads numbers without a country code in the seizure default country', () => {
    expect(valuesIn('bel 06 12 34 56 78', 'phone', 'FR')).toEqual(['+33612345678']);
    expect(valuesIn('bel 06-12345678', 'phone', 'NL')).toEqual(['+31612345678']);
    expect(valuesIn('bel 0470 12 34 56', 'phone', 'BE')).toEqual(['+32470123456']);
  });

  it('finds two numbers written next to each other, and one number written twice once', () => {
    expect(valuesIn('06-12345678 of 06-87654321', 'phone')).toEqual(['+31612345678', '+31687654321']);
    expect(valuesIn('+31 6 12345678 = 06-12345678', 'phone')).toEqual(['+31612345678']);
  });

  it.each([
    ['an IMEI', 'imei 356938035643809 kapot'],
    ['an IMEI that starts with 0', 'imei 012345678901234'],
    ['an order number', 'order 123456789 verzonden'],
    ['a bare run of digits that fits a plan', 'code 612345678'],
    ['a date', 'datum 06-05-2020 om 10:30'],
    ['an amount', 'prijs 1.234.567,00 euro'],
    ['a number with too many digits', '+316123456789012'],
    ['a number inside a longer word', 'ref A0612345678B'],
    ['a number inside a hex hash', 'hash 9f0612345678aa'],
    ['a short code', 'pin 0612'],
  ])('does not take %s for a phone number', (_, text) => {
    expect(valuesIn(text, 'phone')).toEqual([]);
  });

  it('does not take the digits of an IBAN written in groups for a phone number', () => {
    expect(entitiesIn('NL91 ABNA 0417 1643 00')).toEqual([
      ['iban', 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00'],
    ]);
  });
});
