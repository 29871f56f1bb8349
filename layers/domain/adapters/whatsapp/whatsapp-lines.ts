import { stripInvisible } from '../common/canonical-message.ts';

/**
 * The lines of a WhatsApp "export chat" text file. A message starts with its date and time, then the
 * sender's name and a colon; a line without that header continues the message above it. System messages
 * (encryption notice, group changes) have a header but no sender. Seen in the wild:
 *
 *   Android  `31/12/2019, 23:59 - Alice: text`      `12/31/19, 11:59 PM - Alice: text`   `31.12.19, 23:59 - …`
 *   iOS      `[31/12/2019, 23:59:59] Alice: text`   `[12/31/19, 11:59:59 PM] Alice: text`
 *            (newer exports: U+202F before AM/PM, U+200E before attachment lines)
 *   others   `2019-12-31, 23:59 - …` (year first), `31/12/2019 23:59 - …`, `p. m.`, `a.m.`
 */
export interface StartLine {
  /** the numbers of the date as written, and whether the first has four digits (year first) */
  date: [number, number, number];
  yearFirst: boolean;
  yearDigits: number;
  hour: number;
  minute: number;
  second: number;
  /** true for PM, false for AM, undefined on a 24-hour clock */
  pm: boolean | undefined;
  /** the date and time as written */
  raw: string;
  /** what follows the header: `Name: text`, or a system message */
  rest: string;
}

const DATE = String.raw`(?<a>\d{1,4})(?<sep>[./-])(?<b>\d{1,2})\k<sep>(?<c>\d{1,4})\.?`;
const TIME = String.raw`(?<h>\d{1,2})[:.](?<mi>\d{2})(?:[:.](?<s>\d{2}))?(?:\s*(?<ampm>[AaPp])\.?\s?[Mm]\.?)?`;
const IOS = new RegExp(String.raw`^\[(?<raw>${DATE},?\s+${TIME})\]\s(?<rest>.*)$`, 's');
const ANDROID = new RegExp(String.raw`^(?<raw>${DATE},?\s+${TIME})\s[-–]\s(?<rest>.*)$`, 's');
/** The beginning of a header, cut off (a truncated file). */
export const PARTIAL_HEADER = /^\[?\d{1,4}[./-]\d{0,2}(?:[./-]\d{0,4})?\.?(?:,?\s*\d{0,2}(?::\d{0,2})?)?$/;

export function parseStartLine(line: string): StartLine | undefined {
  const text = line.replace(/^[\u200e\u200f\ufeff]+/, '');
  const g = (IOS.exec(text) ?? ANDROID.exec(text))?.groups;
  if (!g) return undefined;
  const a = g.a as string;
  return {
    date: [Number(a), Number(g.b), Number(g.c)],
    yearFirst: a.length === 4,
    yearDigits: (a.length === 4 ? a : (g.c as string)).length,
    hour: Number(g.h),
    minute: Number(g.mi),
    second: g.s ? Number(g.s) : 0,
    pm: g.ampm ? g.ampm.toLowerCase() === 'p' : undefined,
    raw: (g.raw as string).replace(/\s+/g, ' '),
    rest: g.rest as string,
  };
}

export type DateOrder = 'dmy' | 'mdy' | 'ymd';

/** What a whole file's headers say about the order of day and month. */
export class DateOrderEvidence {
  yearFirst = 0;
  firstOver12 = 0;
  secondOver12 = 0;
  total = 0;

  add(s: StartLine) {
    this.total++;
    if (s.yearFirst) this.yearFirst++;
    else if (s.date[0] > 12) this.firstOver12++;
    else if (s.date[1] > 12) this.secondOver12++;
  }

  /** The order, or why it cannot be told. */
  decide(option: DateOrder | undefined): DateOrder | string {
    if (this.yearFirst && this.yearFirst === this.total) return 'ymd';
    if (this.yearFirst) return 'some dates are written year first and some are not';
    if (this.firstOver12 && this.secondOver12) {
      return 'the dates mix day-first and month-first (a day above 12 in both places)';
    }
    const seen: DateOrder | undefined = this.firstOver12 ? 'dmy' : this.secondOver12 ? 'mdy' : undefined;
    if (option && seen && option !== seen) {
      return `options.dateOrder is "${option}" but the dates are written ${seen === 'dmy' ? 'day' : 'month'} first`;
    }
    return seen ?? option ?? 'no day above 12, so day and month cannot be told apart: set options.dateOrder';
  }
}

/** Calendar parts of a header under a date order: month, day, four-digit year; 24-hour time. */
export function calendar(s: StartLine, order: DateOrder) {
  const [a, b, c] = s.date;
  let [year, month, day] = order === 'ymd' ? [a, b, c] : order === 'dmy' ? [c, b, a] : [c, a, b];
  if (year < 100) year += 2000;
  let hour = s.hour;
  if (s.pm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (s.pm ? 12 : 0);
  }
  return { year, month, day, hour, minute: s.minute, second: s.second };
}

/** `Name: text` → name and text; a header with no name before a colon is a system message. */
export function splitSender(rest: string): { name: string; text: string } | { system: string } {
  const colon = rest.indexOf(': ');
  if (colon > 0 && colon <= 100) {
    const name = rest.slice(0, colon);
    // a quote before the colon belongs to a system message ("X changed the subject to "a: b"")
    // iOS puts a left-to-right mark before attachment and notice texts: a mark of the export, not the message
    if (!/["“”«»]/.test(name)) return { name, text: rest.slice(colon + 2).replace(/^\u200e/, '') };
  }
  if (rest.endsWith(':') && rest.length <= 101 && !rest.includes(' '))
    return { name: rest.slice(0, -1), text: '' };
  return { system: rest };
}

/** A handle from a display name: phone numbers to `+<digits>`, names as shown (without marks). */
export function normalizeName(name: string): string {
  const clean = stripInvisible(name).normalize('NFC').replace(/^~\s*/, '').replace(/\s+/g, ' ').trim();
  if (/^\+?[\d\s\-().]{6,}$/.test(clean)) {
    const digits = clean.replace(/\D/g, '');
    return clean.startsWith('+') ? `+${digits}` : digits;
  }
  return clean;
}

/** The chat's name from the export's file name (`WhatsApp Chat with Bob.txt`, `WhatsApp Chat - Bob/_chat.txt`). */
export function chatNameFromPath(path: string): string | undefined {
  const patterns = [
    /WhatsApp Chat with (.+)\.txt$/i,
    /WhatsApp Chat - (.+?)(?:\.txt|\/_chat\.txt)$/i,
    /WhatsApp-Chat mit (.+)\.txt$/i,
    /Chat de WhatsApp con (.+)\.txt$/i,
    /Discussion WhatsApp avec (.+)\.txt$/i,
    /WhatsApp-chat met (.+)\.txt$/i,
    /Conversa do WhatsApp com (.+)\.txt$/i,
    /Chat WhatsApp con (.+)\.txt$/i,
    /WhatsApp Chat - (.+?)\/[^/]+$/i,
  ];
  for (const p of patterns) {
    const m = p.exec(path);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

const OMITTED: [RegExp, string | null][] = [
  [/^(?:image|photo) omitted$/i, 'image/*'],
  [/^video omitted$/i, 'video/*'],
  [/^(?:audio|voice message) omitted$/i, 'audio/*'],
  [/^sticker omitted$/i, 'image/webp'],
  [/^GIF omitted$/i, 'video/*'],
  [/^document omitted$/i, null],
  [/^Contact card omitted$/i, 'text/vcard'],
  [
    /^<(?:Media omitted|Medien ausgeschlossen|Multimedia omitido|Médias omis|Media weggelaten|Mídia oculta|Media omessi)>$/i,
    null,
  ],
];
const ATTACHED_IOS = /^<attached: ([^>]+)>$/;
const ATTACHED_ANDROID =
  /^(\S.*?\.[A-Za-z0-9]{2,5}) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint|bestand bijgevoegd|arquivo anexado|file allegato)\)$/;

/** A media placeholder on a message's first line: the file's name (null when not exported) and its type. */
export function mediaPlaceholder(
  firstLine: string,
): { name: string | null; mediaType: string | null } | undefined {
  const line = stripInvisible(firstLine).trim();
  const ios = ATTACHED_IOS.exec(line) ?? ATTACHED_ANDROID.exec(line);
  if (ios?.[1]) return { name: ios[1], mediaType: null };
  for (const [re, type] of OMITTED) if (re.test(line)) return { name: null, mediaType: type };
  return undefined;
}

/** A shared location: `location: https://maps.google.com/?q=52.37,4.89` (and the iOS and localized forms). */
export function locationIn(text: string): { lat: number; lon: number } | undefined {
  const m = /maps\.google\.com\/\?q=(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/.exec(text);
  if (!m) return undefined;
  return { lat: Number(m[1]), lon: Number(m[2]) };
}
