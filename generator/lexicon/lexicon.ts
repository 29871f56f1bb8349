/**
 * The words users of one language write. Turn templates hold `{slot}`s that the body composer fills:
 * {name} {place} {product} {qty} {price} {time} {vehicle} {company}, and in entity templates
 * {iban} {coords} {btc} {eth} {phone}. Everything here must be encodable in Windows-1252 (EncroChat
 * dumps use it); emoji are added separately, only where a platform allows them.
 */
export const languages = ['nl', 'en', 'fr', 'es'] as const;
export type Language = (typeof languages)[number];

/** What a chat turn does: a conversation opens, goes back and forth, and closes. */
export const roles = ['opener', 'ask', 'answer', 'logistics', 'money', 'ack', 'closer'] as const;
export type Role = (typeof roles)[number];

/** Bodies that carry something an analyst extracts. */
export const entityKinds = ['iban', 'coords', 'crypto', 'phone'] as const;
export type EntityKind = (typeof entityKinds)[number];

/** A unit of goods with the range of amounts written with it, e.g. ['kilo', 1, 50]. */
export type Unit = readonly [unit: string, min: number, max: number];

export interface Lexicon {
  language: Language;
  turns: Record<Role, readonly string[]>;
  entities: Record<EntityKind, readonly string[]>;
  words: {
    name: readonly string[];
    place: readonly string[];
    product: readonly string[];
    time: readonly string[];
    vehicle: readonly string[];
    company: readonly string[];
  };
  units: readonly Unit[];
  /** Writes an amount of euros the way these users do; `style` picks one of several habits. */
  price(amount: number, style: number): string;
}

/** Groups thousands: 12500 → "12.500" with sep ".". */
export function groupThousands(amount: number, sep: string): string {
  const text = String(Math.round(amount));
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (i > 0 && (text.length - i) % 3 === 0) out += sep;
    out += text[i];
  }
  return out;
}

/** 12500 → "12.5k" style shorthand, with the decimal separator given. */
export function thousandsShorthand(amount: number, decimal: string): string {
  const k = Math.round(amount / 100) / 10;
  return `${String(k).replace('.', decimal)}k`;
}
