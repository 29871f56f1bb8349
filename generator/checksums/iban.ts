/**
 * IBAN check digits (ISO 13616, mod 97) and the national check digits some countries embed in the BBAN,
 * so synthetic account numbers look right to anyone who checks them.
 */

/** `text` (digits and upper-case letters, A=10 … Z=35) modulo 97, without big integers. */
export function mod97(text: string): number {
  let rest = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 65) rest = (rest * 100 + (code - 55)) % 97;
    else rest = (rest * 10 + (code - 48)) % 97;
  }
  return rest;
}

/** Builds a complete IBAN from a country code and a BBAN. */
export function ibanFromBban(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

/** Whether an IBAN (spaces allowed) has valid check digits. */
export function isValidIban(iban: string): boolean {
  const compact = iban.replace(/ /g, '');
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact)) return false;
  return mod97(compact.slice(4) + compact.slice(0, 4)) === 1;
}

/** Belgian BBAN: 10 digits followed by their remainder mod 97 (97 for 0). */
export function belgianBban(tenDigits: string): string {
  const check = Number(BigInt(tenDigits) % 97n) || 97;
  return tenDigits + String(check).padStart(2, '0');
}

/** French BBAN: bank (5), branch (5), account (11 digits), RIB key (2). */
export function frenchBban(bank: string, branch: string, account: string): string {
  const key = 97 - Number((89n * BigInt(bank) + 15n * BigInt(branch) + 3n * BigInt(account)) % 97n);
  return bank + branch + account + String(key).padStart(2, '0');
}

/** Spanish BBAN: bank (4), branch (4), two control digits, account (10). */
export function spanishBban(bank: string, branch: string, account: string): string {
  return bank + branch + spanishControlDigit(`00${bank}${branch}`) + spanishControlDigit(account) + account;
}

const spanishWeights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];

function spanishControlDigit(tenDigits: string): string {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (tenDigits.charCodeAt(i) - 48) * (spanishWeights[i] as number);
  const d = 11 - (sum % 11);
  return String(d === 11 ? 0 : d === 10 ? 1 : d);
}
