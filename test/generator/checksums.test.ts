import { describe, expect, it } from 'vitest';
import { isValidBech32, segwitAddress } from '#generator/checksums/bech32.ts';
import {
  belgianBban,
  frenchBban,
  ibanFromBban,
  isValidIban,
  mod97,
  spanishBban,
} from '#generator/checksums/iban.ts';
import { isValidLuhn, luhnCheckDigit } from '#generator/checksums/luhn.ts';

describe('Luhn', () => {
  it('computes the check digit of known IMEIs', () => {
    expect(luhnCheckDigit('49015420323751')).toBe('8');
    expect(luhnCheckDigit('35209900176148')).toBe('1');
    expect(isValidLuhn('490154203237518')).toBe(true);
    expect(isValidLuhn('490154203237519')).toBe(false);
  });
});

describe('IBAN', () => {
  it('accepts published example IBANs and rejects a changed digit', () => {
    for (const iban of [
      'NL91ABNA0417164300',
      'BE68539007547034',
      'DE89370400440532013000',
      'FR1420041010050500013M02606',
      'ES9121000418450200051332',
      'NL91 ABNA 0417 1643 00',
    ]) {
      expect(isValidIban(iban), iban).toBe(true);
    }
    expect(isValidIban('NL91ABNA0417164301')).toBe(false);
  });

  it('computes check digits that make a known BBAN into the published IBAN', () => {
    expect(ibanFromBban('NL', 'ABNA0417164300')).toBe('NL91ABNA0417164300');
    expect(ibanFromBban('DE', '370400440532013000')).toBe('DE89370400440532013000');
    expect(mod97('3214282912345698765432161182')).toBe(1);
  });

  it('computes national check digits as the banks do', () => {
    expect(belgianBban('5390075470')).toBe('539007547034');
    expect(spanishBban('2100', '0418', '0200051332')).toBe('21000418450200051332');
    // The RIB key (89) of the French example IBAN FR76 3000 6000 0112 3456 7890 189.
    expect(ibanFromBban('FR', frenchBban('30006', '00001', '12345678901'))).toBe(
      'FR7630006000011234567890189',
    );
  });
});

describe('Bech32 (BIP-173)', () => {
  it('accepts the BIP-173 valid vectors and rejects corrupted ones', () => {
    for (const valid of [
      'A12UEL5L',
      'a12uel5l',
      'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
      'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    ]) {
      expect(isValidBech32(valid), valid).toBe(true);
    }
    for (const invalid of [
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5',
      'a12UEL5L',
      'pzry9x0s0muk',
      '1pzry9x0s0muk',
    ]) {
      expect(isValidBech32(invalid), invalid).toBe(false);
    }
  });

  it('encodes a key hash into the known P2WPKH address', () => {
    const keyHash = Buffer.from('751e76e8199196d454941c45d1b3a323f1433bd6', 'hex');
    expect(segwitAddress('bc', [...keyHash])).toBe('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
  });
});
