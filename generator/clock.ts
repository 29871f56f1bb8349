/**
 * Time arithmetic without Intl or the system clock: Central European time (Europe/Paris and
 * Europe/Amsterdam share it) and the three timestamp layouts the platforms write. Formatting runs once
 * per record, so date parts are cached per day.
 */

const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const dstBoundsByYear = new Map<number, [number, number]>();

/** EU summer time runs from the last Sunday of March to the last Sunday of October, 01:00 UTC both. */
function summerTimeBounds(year: number): [number, number] {
  let bounds = dstBoundsByYear.get(year);
  if (!bounds) {
    bounds = [lastSundayAt1Utc(year, 2), lastSundayAt1Utc(year, 9)];
    dstBoundsByYear.set(year, bounds);
  }
  return bounds;
}

function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Offset of Central European (Summer) Time from UTC at `utcMs`, in milliseconds. */
export function centralEuropeanOffset(utcMs: number): number {
  const [start, end] = summerTimeBounds(new Date(utcMs).getUTCFullYear());
  return utcMs >= start && utcMs < end ? 2 * HOUR : HOUR;
}

/** The UTC instant at which local Central European midnight of that date falls. */
export function centralEuropeanMidnight(year: number, month: number, day: number): number {
  const guess = Date.UTC(year, month - 1, day);
  return guess - centralEuropeanOffset(guess - HOUR);
}

const two = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const three = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

interface DayParts {
  dayMonthYear: string; // dd/MM/yyyy
  isoDate: string; // yyyy-MM-dd
}
const dayCache = new Map<number, DayParts>();

function dayParts(dayNumber: number): DayParts {
  let parts = dayCache.get(dayNumber);
  if (!parts) {
    const d = new Date(dayNumber * DAY);
    const yyyy = String(d.getUTCFullYear());
    const mm = two[d.getUTCMonth() + 1] as string;
    const dd = two[d.getUTCDate()] as string;
    parts = { dayMonthYear: `${dd}/${mm}/${yyyy}`, isoDate: `${yyyy}-${mm}-${dd}` };
    dayCache.set(dayNumber, parts);
  }
  return parts;
}

function clockTime(ms: number): string {
  const inDay = ms - Math.floor(ms / DAY) * DAY;
  const seconds = Math.floor(inDay / 1000);
  return `${two[Math.floor(seconds / 3600)]}:${two[Math.floor(seconds / 60) % 60]}:${two[seconds % 60]}`;
}

/** `dd/MM/yyyy HH:mm:ss` of a wall-clock time given as milliseconds on a UTC-less axis. */
export function formatDayMonthYear(wallMs: number): string {
  return `${dayParts(Math.floor(wallMs / DAY)).dayMonthYear} ${clockTime(wallMs)}`;
}

/** `yyyy-MM-dd HH:mm:ss` of a wall-clock time. */
export function formatIsoDateTime(wallMs: number): string {
  return `${dayParts(Math.floor(wallMs / DAY)).isoDate} ${clockTime(wallMs)}`;
}

/** ISO 8601 in UTC with milliseconds: `yyyy-MM-ddTHH:mm:ss.SSSZ`. */
export function formatIsoUtcMillis(utcMs: number): string {
  return `${dayParts(Math.floor(utcMs / DAY)).isoDate}T${clockTime(utcMs)}.${three[utcMs % 1000]}Z`;
}
