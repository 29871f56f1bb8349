import { segwitAddress } from './checksums/bech32.ts';
import { belgianBban, frenchBban, ibanFromBban, spanishBban } from './checksums/iban.ts';
import type { City } from './geography.ts';
import type { Language } from './lexicon/lexicon.ts';
import type { Prng } from './prng.ts';

/**
 * The things analysts extract from bodies: bank accounts with valid check digits, coordinates, crypto
 * addresses with valid checksums and mobile numbers, each written in the ways people actually type them.
 */

type IbanCountry = 'NL' | 'BE' | 'DE' | 'FR' | 'ES';

const ibanCountriesByLanguage: Record<Language, readonly IbanCountry[]> = {
  nl: ['NL', 'NL', 'NL', 'BE', 'DE'],
  fr: ['FR', 'FR', 'FR', 'BE', 'ES'],
  es: ['ES', 'ES', 'ES', 'FR', 'DE'],
  en: ['DE', 'NL', 'ES', 'BE', 'FR'],
};

const dutchBanks = ['ABNA', 'INGB', 'RABO', 'SNSB', 'TRIO', 'BUNQ', 'KNAB', 'ASNB'];
const germanBankCodes = ['37040044', '10070000', '50010517', '20041133', '70020270', '60050101'];
const belgianBankCodes = ['539', '001', '068', '363', '731', '096'];
const frenchBankCodes = ['20041', '30004', '30003', '10278', '11306', '30002'];
const spanishBankCodes = ['2100', '0049', '0182', '2085', '0081', '1465'];

function bban(country: IbanCountry, rng: Prng): string {
  switch (country) {
    case 'NL':
      return rng.pick(dutchBanks) + rng.digits(10);
    case 'DE':
      return rng.pick(germanBankCodes) + rng.digits(10);
    case 'BE':
      return belgianBban(rng.pick(belgianBankCodes) + rng.digits(7));
    case 'FR':
      return frenchBban(rng.pick(frenchBankCodes), rng.digits(5), rng.digits(11));
    case 'ES':
      return spanishBban(rng.pick(spanishBankCodes), rng.digits(4), rng.digits(10));
  }
}

/** An IBAN with valid check digits, compact or in groups of four as printed on a bank card. */
export function randomIban(language: Language, rng: Prng): string {
  const country = rng.pick(ibanCountriesByLanguage[language]);
  const iban = ibanFromBban(country, bban(country, rng));
  return rng.chance(0.5) ? iban : (iban.match(/.{1,4}/g) as string[]).join(' ');
}

/** A position a few kilometres around `city`: decimal degrees mostly, degrees-minutes-seconds sometimes. */
export function randomCoordinates(city: City, rng: Prng): string {
  const lat = city.lat + (rng.float() - 0.5) * 0.1;
  const lon = city.lon + (rng.float() - 0.5) * 0.14;
  if (rng.chance(0.25)) return `${dms(lat, 'N', 'S')} ${dms(lon, 'E', 'W')}`;
  const decimals = rng.between(4, 6);
  return `${lat.toFixed(decimals)},${rng.chance(0.7) ? ' ' : ''}${lon.toFixed(decimals)}`;
}

function dms(value: number, positive: string, negative: string): string {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = Math.floor((abs - degrees) * 60);
  const seconds = ((abs - degrees) * 60 - minutes) * 60;
  return `${degrees}°${minutes}'${seconds.toFixed(1)}"${value < 0 ? negative : positive}`;
}

/** A native SegWit (P2WPKH) Bitcoin address: `bc1q…` with a valid Bech32 checksum. */
export function randomBitcoinAddress(rng: Prng): string {
  const keyHash: number[] = [];
  for (let i = 0; i < 20; i++) keyHash.push(rng.int(256));
  return segwitAddress('bc', keyHash);
}

/** An Ethereum address as most wallets copy it: 0x and 40 lower-case hex digits. */
export function randomEthereumAddress(rng: Prng): string {
  return `0x${rng.hex(40)}`;
}

type PhoneCountry = 'NL' | 'BE' | 'FR' | 'ES';

const phoneCountriesByLanguage: Record<Language, readonly PhoneCountry[]> = {
  nl: ['NL', 'NL', 'NL', 'BE'],
  fr: ['FR', 'FR', 'FR', 'BE'],
  es: ['ES'],
  en: ['NL', 'BE', 'FR', 'ES'],
};

/** A mobile number in international format, spaced the way each country writes it. */
export function randomMobileNumber(language: Language, rng: Prng): string {
  const d = (n: number) => rng.digits(n);
  const compact = rng.chance(0.3);
  switch (rng.pick(phoneCountriesByLanguage[language])) {
    case 'NL':
      return compact ? `+316${d(8)}` : `+31 6 ${d(8)}`;
    case 'BE':
      return compact
        ? `+324${rng.between(60, 99)}${d(6)}`
        : `+32 4${rng.between(60, 99)} ${d(2)} ${d(2)} ${d(2)}`;
    case 'FR':
      return compact ? `+336${d(8)}` : `+33 6 ${d(2)} ${d(2)} ${d(2)} ${d(2)}`;
    case 'ES':
      return compact ? `+346${d(8)}` : `+34 6${d(2)} ${d(3)} ${d(3)}`;
  }
}
