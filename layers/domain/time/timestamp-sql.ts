import { sqlList, sqlString } from '../sql/sql-literals.ts';
import { compilePattern, ISO, LATEST_MILLIS, type Slot } from './timestamp-parser.ts';

/**
 * The SQL twin of `compileTimestampParser`, for the mapping compiled to SQL (mapping-sql.ts). It reads a
 * time exactly as the parser does or not at all: a text it cannot read yields NULL and its record goes to
 * the JavaScript mapping, which then reads it or rejects it with the reason.
 */
export interface TimeSql {
  /** Captures the text's groups once (RE2 keeps to what JavaScript's regex accepts, or matches less). */
  capture: string;
  /** BIGINT milliseconds from `capture`: UTC when the text carries its zone, else the local wall time. */
  millis: (captured: string) => string;
  /** INTEGER local day (days since 1970-01-01) of a time read in the zone, NULL when the text has its zone. */
  localDay: (captured: string) => string;
}

/** Characters String.prototype.trim removes. */
export const JS_WHITESPACE =
  '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

export function jsTrim(expression: string): string {
  return `trim(${expression}, ${sqlString(JS_WHITESPACE)})`;
}

const DAY_MS = 86_400_000;

export function timeSql(format: string, text: string): TimeSql {
  const trimmed = jsTrim(text);
  if (format === 'epoch-seconds' || format === 'epoch-millis') {
    // Integers only, and few enough digits that JavaScript's double multiplies them exactly.
    const [digits, scale] = format === 'epoch-seconds' ? [12, 1000] : [15, 1];
    return {
      capture: `CASE WHEN regexp_full_match(${trimmed}, '-?[0-9]{1,${digits}}') THEN CAST(${trimmed} AS BIGINT) * ${scale} END`,
      millis: (c) => `CASE WHEN ${c} BETWEEN 0 AND ${LATEST_MILLIS} THEN ${c} END`,
      localDay: () => 'NULL::INTEGER',
    };
  }
  const strptime = strptimeFormat(format);
  if (strptime) {
    // A fixed-width pattern: the text is read exactly when it is what strftime writes back (the parser's
    // regular expression and its checks of each field, without surrounding whitespace, which goes to JavaScript).
    // Whatever reads it then reads the same fields: DuckDB's own timestamp cast where it can, being faster.
    const read =
      strptime === ISO_LIKE ? `TRY_CAST(${text} AS TIMESTAMP)` : `try_strptime(${text}, ${strptime})`;
    const inRange = (c: string) => `year(${c}) BETWEEN 1970 AND 2100`;
    return {
      capture: `CASE WHEN strftime(${read}, ${strptime}) = ${text} THEN ${read} END`,
      millis: (c) => `CASE WHEN ${inRange(c)} THEN epoch_ms(${c}) END`,
      localDay: (c) =>
        `CASE WHEN ${inRange(c)} THEN CAST(CAST(${c} AS DATE) - DATE '1970-01-01' AS INTEGER) END`,
    };
  }
  const { regex, slots } =
    format === 'iso8601'
      ? {
          regex: ISO,
          slots: ['year', 'month', 'day', 'hour', 'minute', 'second', 'millis', 'offset'] as Slot[],
        }
      : compilePattern(format);
  const names = slots.map((_, i) => `g${i}`);
  const capture = `regexp_extract(${trimmed}, ${sqlString(regex.source)}, ${sqlList(names)})`;
  // The last group of a slot wins, as in the parser's loop; a group that did not take part is ''.
  const group = (slot: Slot, c: string) => {
    const i = slots.lastIndexOf(slot);
    return i === -1 ? undefined : `${c}.g${i}`;
  };
  const int = (slot: Slot, c: string, fallback: number) => {
    const g = group(slot, c);
    return g ? `coalesce(TRY_CAST(nullif(${g}, '') AS BIGINT), ${fallback})` : String(fallback);
  };
  const parts = (c: string) => {
    const ampm = group('ampm', c);
    const rawHour = int('hour', c, 0);
    const hour = ampm ? `(${rawHour} % 12 + CASE WHEN lower(${ampm}) = 'pm' THEN 12 ELSE 0 END)` : rawHour;
    const millisGroup = group('millis', c);
    const millis = millisGroup
      ? `CASE WHEN ${millisGroup} = '' THEN 0 ELSE CAST(floor(CAST('0.' || ${millisGroup} AS DOUBLE) * 1000) AS BIGINT) END`
      : '0';
    const y = int('year', c, 0);
    const mo = int('month', c, 1);
    const d = int('day', c, 1);
    const mi = int('minute', c, 0);
    const s = int('second', c, 0);
    const valid = [
      `${c}.g0 <> ''`,
      `${mo} BETWEEN 1 AND 12`,
      `${d} >= 1`,
      `${rawHour} <= 23`,
      `${mi} <= 59`,
      `${s} <= 59`,
      `${y} BETWEEN 1970 AND 2100`,
      ...(ampm ? [`${rawHour} BETWEEN 1 AND 12`] : []),
    ].join(' AND ');
    // A date that does not exist (31/02) makes make_date fail: try() turns that into NULL.
    const days = `(try(make_date(${y}, ${mo}, ${d})) - DATE '1970-01-01')`;
    const local = `(${days} * ${DAY_MS} + ${hour} * 3600000 + ${mi} * 60000 + ${s} * 1000 + ${millis})`;
    return { valid, days, local };
  };
  const offset = (c: string) => {
    const g = group('offset', c);
    if (!g) return undefined;
    const digits = `replace(${g}[2:], ':', '')`;
    return {
      present: `${g} <> ''`,
      minutes: `CASE WHEN ${g} = 'Z' THEN 0 ELSE (CASE WHEN ${g}[1] = '-' THEN -1 ELSE 1 END) * (CAST(${digits}[1:2] AS BIGINT) * 60 + coalesce(TRY_CAST(nullif(${digits}[3:4], '') AS BIGINT), 0)) END`,
    };
  };
  return {
    capture,
    millis: (c) => {
      const p = parts(c);
      const o = offset(c);
      const local = o
        ? `CASE WHEN ${o.present} THEN ${p.local} - ${o.minutes} * 60000 ELSE ${p.local} END`
        : p.local;
      return `CASE WHEN ${p.valid} THEN ${local} END`;
    },
    localDay: (c) => {
      const p = parts(c);
      const o = offset(c);
      return `CASE WHEN ${p.valid}${o ? ` AND NOT (${o.present})` : ''} THEN CAST(${p.days} AS INTEGER) END`;
    },
  };
}

/** The strptime format of `yyyy-MM-dd HH:mm:ss`, which DuckDB's timestamp cast also reads. */
const ISO_LIKE = "'%Y-%m-%d %H:%M:%S'";

const fixedWidth: Record<string, string> = { yyyy: '%Y', MM: '%m', dd: '%d', HH: '%H', mm: '%M', ss: '%S' };

/** The strptime format of a pattern made only of fixed-width tokens and literal text, else undefined. */
function strptimeFormat(format: string): string | undefined {
  if (format === 'iso8601' || format.includes("'")) return undefined;
  let out = '';
  for (let i = 0; i < format.length; ) {
    const token = Object.keys(fixedWidth).find((t) => format.startsWith(t, i));
    if (token) {
      out += fixedWidth[token];
      i += token.length;
      continue;
    }
    const c = format[i] as string;
    // Letters are the parser's tokens (variable width, AM/PM, zones): left to the regular expression.
    if (/[A-Za-z]/.test(c)) return undefined;
    out += c === '%' ? '%%' : c;
    i++;
  }
  return sqlString(out);
}
