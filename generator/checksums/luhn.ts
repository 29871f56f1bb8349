/** The Luhn check digit that completes `payload` (IMEIs carry one as their 15th digit). */
export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  // Counting from the right of the payload, every first, third, ... digit is doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isValidLuhn(number: string): boolean {
  return /^\d{2,}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === number.slice(-1);
}
