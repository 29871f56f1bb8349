import { DateTime } from 'luxon';

/**
 * Parses source timestamps to UTC epoch milliseconds. Formats are either a named one (`iso8601`,
 * `epoch-seconds`, `epoch-millis`) or a pattern of tokens: yyyy, MM, M, dd, d, HH, H, hh, h, mm, ss, SSS,
 * a (AM/PM), XXX (+01:00 or Z), Z (+0100). Other characters are literal; text in single quotes is literal.
 * A timestamp without a zone is read in the given IANA zone and flagged as `zoneAssumed`.
 */
export interface ParsedTime {
  utcMillis: number;
  zoneAssumed: boolean;
}

export type TimestampParser = (text: string) => ParsedTime | undefined;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** minutes east of UTC, when the text carries an offset */
  offset?: number;
}

const tokenPatterns: Record<string, [string, Slot]> = {
  yyyy: ['(\\d{4})', 'year'],
  MM: ['(\\d{2})', 'month'],
  M: ['(\\d{1,2})', 'month'],
  dd: ['(\\d{2})', 'day'],
  d: ['(\\d{1,2})', 'day'],
  HH: ['(\\d{2})', 'hour'],
  H: ['(\\d{1,2})', 'hour'],
  hh: ['(\\d{2})', 'hour'],
  h: ['(\\d{1,2})', 'hour'],
  mm: ['(\\d{2})', 'minute'],
  ss: ['(\\d{2})', 'second'],
  SSS: ['(\\d{1,9})', 'millis'],
  a: ['([AaPp][Mm])', 'ampm'],
  XXX: ['(Z|[+-]\\d{2}:?\\d{2})', 'offset'],
  Z: ['(Z|[+-]\\d{2}:?\\d{2})', 'offset'],
};
const tokenOrder = Object.keys(tokenPatterns).sort((a, b) => b.length - a.length);

export const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export class InvalidTimestampFormatError extends Error {}

/** The last millisecond of 2100, the latest time any format reads. */
export const LATEST_MILLIS = Date.UTC(2100, 11, 31, 23, 59, 59, 999);

/** Compiles a format once; the returned parser is called per record. */
export function compileTimestampParser(format: string, zone: string): TimestampParser {
  const toUtc = zoneConverter(zone);
  if (format === 'epoch-seconds' || format === 'epoch-millis') {
    const scale = format === 'epoch-seconds' ? 1000 : 1;
    return (text) => {
      if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return undefined;
      const ms = Math.round(Number(text) * scale);
      // The years a pattern accepts (1970–2100): a far-off number is a wrong format, not a time.
      return ms >= 0 && ms <= LATEST_MILLIS ? { utcMillis: ms, zoneAssumed: false } : undefined;
    };
  }
  if (format === 'iso8601') {
    return (text) => {
      const m = ISO.exec(text.trim());
      if (!m) return undefined;
      return finish(
        {
          year: +m[1]!,
          month: +m[2]!,
          day: +m[3]!,
          hour: +m[4]!,
          minute: +m[5]!,
          second: m[6] ? +m[6] : 0,
          millis: m[7] ? fractionToMillis(m[7]) : 0,
          offset: m[8] ? parseOffset(m[8]) : undefined,
        },
        toUtc,
      );
    };
  }
  const { regex, slots } = compilePattern(format);
  return (text) => {
    const m = regex.exec(text.trim());
    if (!m) return undefined;
    const parts: Parts = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 };
    let pm: boolean | undefined;
    for (let i = 0; i < slots.length; i++) {
      const value = m[i + 1]!;
      const slot = slots[i]!;
      if (slot === 'ampm') pm = value.toLowerCase() === 'pm';
      else if (slot === 'offset') parts.offset = parseOffset(value);
      else if (slot === 'millis') parts.millis = fractionToMillis(value);
      else parts[slot] = +value;
    }
    if (pm !== undefined) {
      if (parts.hour < 1 || parts.hour > 12) return undefined;
      parts.hour = (parts.hour % 12) + (pm ? 12 : 0);
    }
    return finish(parts, toUtc);
  };
}

export type Slot = keyof Parts | 'ampm';

/** A pattern format as a regular expression and what each group holds (also compiled to SQL: timestamp-sql.ts). */
export function compilePattern(format: string): { regex: RegExp; slots: Slot[] } {
  let source = '';
  const slots: Slot[] = [];
  let i = 0;
  while (i < format.length) {
    if (format[i] === "'") {
      const close = format.indexOf("'", i + 1);
      if (close === -1)
        throw new InvalidTimestampFormatError(`unclosed quote in timestamp format "${format}"`);
      source += escapeRegex(format.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    const token = tokenOrder.find((t) => format.startsWith(t, i));
    if (token) {
      const [pattern, slot] = tokenPatterns[token]!;
      source += pattern;
      slots.push(slot);
      i += token.length;
    } else {
      source += escapeRegex(format[i]!);
      i++;
    }
  }
  if (!slots.includes('year') || !slots.includes('month') || !slots.includes('day')) {
    throw new InvalidTimestampFormatError(`timestamp format "${format}" needs at least yyyy, MM and dd`);
  }
  return { regex: new RegExp(`^${source}$`), slots };
}

function finish(p: Parts, toUtc: (p: Parts) => number | undefined): ParsedTime | undefined {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59)
    return undefined;
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millis);
  // Date.UTC rolls 31/02 over into March: a date that does not come back unchanged does not exist.
  const check = new Date(local);
  if (check.getUTCDate() !== p.day || check.getUTCMonth() !== p.month - 1 || p.year < 1970 || p.year > 2100) {
    return undefined;
  }
  if (p.offset !== undefined) return { utcMillis: local - p.offset * 60_000, zoneAssumed: false };
  const utc = toUtc(p);
  return utc === undefined ? undefined : { utcMillis: utc, zoneAssumed: true };
}

/**
 * The offset (minutes east of UTC) a zone keeps all day on a local date, null when it changes that day, or
 * undefined when the date cannot be placed in the zone. A zone changes its offset at most once a day, so a
 * day whose first and last hour have the same offset has it throughout: one pair of lookups per day.
 * Remembered per date; the SQL mapping reads the same answers (mapping-sql.ts).
 */
export function zoneDayOffsets(
  zone: string,
): (year: number, month: number, day: number) => number | null | undefined {
  if (!DateTime.local().setZone(zone).isValid)
    throw new InvalidTimestampFormatError(`unknown time zone "${zone}"`);
  const days = new Map<number, number | null | undefined>();
  return (year, month, day) => {
    const dayKey = Date.UTC(year, month - 1, day);
    if (days.has(dayKey)) return days.get(dayKey);
    const at = (hour: number) => DateTime.fromObject({ year, month, day, hour }, { zone });
    const first = at(0);
    const last = at(23);
    // A midnight switch puts 00:00 in the gap (Luxon moves it): that day has a switch too.
    const offset =
      !first.isValid || !last.isValid
        ? undefined
        : first.offset === last.offset && first.hour === 0 && last.hour === 23
          ? first.offset
          : null;
    if (days.size > 100_000) days.clear();
    days.set(dayKey, offset);
    return offset;
  };
}

/**
 * The offset (minutes east of UTC) the zone applies to every wall time of one local hour, as the parser reads
 * them (on a day the zone switches, through Luxon), or null when it changes within the hour or the hour cannot
 * be placed. Zones switch on the hour or the half hour, at most once a day: an hour whose first and last
 * millisecond read with the same offset reads with it throughout. The native mapping asks this per hour.
 */
export function zoneHourOffsets(
  zone: string,
): (year: number, month: number, day: number, hour: number) => number | null {
  const dayOffset = zoneDayOffsets(zone);
  const toUtc = zoneConverter(zone);
  return (year, month, day, hour) => {
    const offset = dayOffset(year, month, day);
    if (offset !== null) return offset ?? null;
    const offsetAt = (minute: number, second: number, millis: number) => {
      const utc = toUtc({ year, month, day, hour, minute, second, millis });
      return utc === undefined
        ? undefined
        : (Date.UTC(year, month - 1, day, hour, minute, second, millis) - utc) / 60_000;
    };
    const first = offsetAt(0, 0, 0);
    return first !== undefined && first === offsetAt(59, 59, 999) ? first : null;
  };
}

/**
 * Local wall time in `zone` to UTC: by the day's offset, or on the few days with a switch through Luxon,
 * which moves a time in the spring-forward gap forward by the gap and reads a repeated autumn hour at its
 * first occurrence.
 */
function zoneConverter(zone: string): (p: Parts) => number | undefined {
  const dayOffset = zoneDayOffsets(zone);
  return (p) => {
    const offset = dayOffset(p.year, p.month, p.day);
    if (offset === undefined) return undefined;
    if (offset === null) {
      const dt = DateTime.fromObject(
        {
          year: p.year,
          month: p.month,
          day: p.day,
          hour: p.hour,
          minute: p.minute,
          second: p.second,
          millisecond: p.millis,
        },
        { zone },
      );
      return dt.isValid ? dt.toMillis() : undefined;
    }
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millis) - offset * 60_000;
  };
}

function parseOffset(text: string): number {
  if (text === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

function fractionToMillis(fraction: string): number {
  return Math.floor(Number(`0.${fraction}`) * 1000);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
