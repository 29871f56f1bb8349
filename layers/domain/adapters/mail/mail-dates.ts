import { compileTimestampParser, type ParsedTime } from '../../time/timestamp-parser.ts';

/**
 * Mail dates. RFC 5322 `date-time` (`Thu, 13 Feb 2020 23:32:54 -0330`) with its obsolete forms (two-digit
 * years, `UT`/`GMT`/US zone names, military letters, a trailing comment such as `(CET)`), and the asctime
 * date of an mbox `From ` line (`Sat Jan  3 01:05:34 1996`, no zone). A date without a zone is read in the
 * manifest's zone and flagged; `-0000` and military letters mean UTC (RFC 5322 section 4.3).
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

const RFC5322 =
  /^(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[A-Za-z]{1,5})?\s*(?:\(.*\))?\s*$/;
const ASCTIME =
  /^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Za-z]{2,5})\s+)?(\d{4})\s*$/;

export type MailDateParser = (text: string) => ParsedTime | undefined;

export function mailDateParser(zone: string): MailDateParser {
  const iso = compileTimestampParser('iso8601', zone);
  const build = (
    y: number,
    mon: string,
    d: string,
    h: string,
    mi: string,
    s: string | undefined,
    z?: string,
  ) => {
    const month = MONTHS.indexOf(mon.toLowerCase()) + 1;
    if (month === 0) return undefined;
    let offset = '';
    if (z) {
      if (/^[+-]\d{4}$/.test(z)) offset = `${z.slice(0, 3)}:${z.slice(3)}`;
      else if (z.toLowerCase() in NAMED_ZONES)
        offset = minutesToOffset(NAMED_ZONES[z.toLowerCase()] as number);
      else if (z.length === 1)
        offset = 'Z'; // military zones: -0000
      else return undefined;
    }
    const text = `${y}-${pad(month)}-${pad(d)}T${pad(h)}:${mi}:${s ?? '00'}${offset}`;
    return iso(text);
  };
  return (text) => {
    const t = text.replace(/\s+/g, ' ').trim();
    const m = RFC5322.exec(t);
    if (m) {
      let year = Number(m[3]);
      if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
      else if (m[3]!.length === 3) year += 1900;
      return build(year, m[2]!, m[1]!, m[4]!, m[5]!, m[6], m[7]);
    }
    const a = ASCTIME.exec(t);
    if (a) return build(Number(a[7]), a[1]!, a[2]!, a[3]!, a[4]!, a[5], a[6]);
    return iso(t); // not RFC 5322, but some tools write ISO 8601
  };
}

function pad(v: string | number): string {
  return String(v).padStart(2, '0');
}

function minutesToOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
