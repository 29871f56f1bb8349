import type { CountryCode } from 'libphonenumber-js/max';
import type { Manifest } from '../manifest/manifest-schema.ts';

/**
 * Zones that name one country, for the seizures this system sees most (Europe and its neighbours). A zone
 * shared by several countries (Europe/Brussels is also Luxembourg's neighbour, but not its zone) maps to the
 * country it is named after.
 */
const countryOfZone: Readonly<Record<string, CountryCode>> = {
  'Europe/Amsterdam': 'NL',
  'Europe/Brussels': 'BE',
  'Europe/Luxembourg': 'LU',
  'Europe/Paris': 'FR',
  'Europe/Monaco': 'MC',
  'Europe/Madrid': 'ES',
  'Atlantic/Canary': 'ES',
  'Europe/Lisbon': 'PT',
  'Europe/London': 'GB',
  'Europe/Dublin': 'IE',
  'Europe/Berlin': 'DE',
  'Europe/Vienna': 'AT',
  'Europe/Zurich': 'CH',
  'Europe/Rome': 'IT',
  'Europe/Malta': 'MT',
  'Europe/Copenhagen': 'DK',
  'Europe/Oslo': 'NO',
  'Europe/Stockholm': 'SE',
  'Europe/Helsinki': 'FI',
  'Europe/Warsaw': 'PL',
  'Europe/Prague': 'CZ',
  'Europe/Bratislava': 'SK',
  'Europe/Budapest': 'HU',
  'Europe/Ljubljana': 'SI',
  'Europe/Zagreb': 'HR',
  'Europe/Belgrade': 'RS',
  'Europe/Sarajevo': 'BA',
  'Europe/Podgorica': 'ME',
  'Europe/Tirane': 'AL',
  'Europe/Skopje': 'MK',
  'Europe/Athens': 'GR',
  'Europe/Sofia': 'BG',
  'Europe/Bucharest': 'RO',
  'Europe/Istanbul': 'TR',
  'Europe/Vilnius': 'LT',
  'Europe/Riga': 'LV',
  'Europe/Tallinn': 'EE',
  'Europe/Kyiv': 'UA',
  'Europe/Kiev': 'UA',
  'Asia/Nicosia': 'CY',
  'Africa/Casablanca': 'MA',
  'Asia/Dubai': 'AE',
  'America/Bogota': 'CO',
  'America/Guayaquil': 'EC',
};

/** When neither the manifest nor its time zone says otherwise. */
export const FALLBACK_COUNTRY: CountryCode = 'NL';

/**
 * The country a seizure's phone numbers are read in when written without a country code: the manifest's
 * `options.defaultCountry`, else the country of its `timezone`, else NL.
 */
export function defaultCountryOf(manifest: Pick<Manifest, 'timezone' | 'options'>): CountryCode {
  const given = manifest.options?.defaultCountry;
  if (given) return given as CountryCode;
  return countryOfZone[manifest.timezone] ?? FALLBACK_COUNTRY;
}
