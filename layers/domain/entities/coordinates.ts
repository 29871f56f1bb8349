import type { Findings } from './findings.ts';

/**
 * Decimal degrees: latitude and longitude with at least four decimals each (about 10 m; fewer decimals are
 * prices and times far more often than places), separated by a comma or spaces, optionally with a hemisphere
 * letter after each number (52.3702 N, 4.8952 E). A pair inside a longer list of decimals is not a position;
 * a map link's zoom after the pair (@52.3702161,4.8951679,17z) is allowed.
 */
const DECIMAL =
  /(?<![\w.,+-]|\d\.\d+\s*[,;]\s*)([-+]?)(\d{1,2})\.(\d{4,10})(?:\s?°)?(?:\s?([NS]))?(?:\s*[,;]\s*|\s+)([-+]?)(\d{1,3})\.(\d{4,10})(?:\s?°)?(?:\s?([EW]))?(?![\w°]|[.,]\d(?!\d*(?:\.\d+)?z\b)|\s*[,;]\s*[-+]?\d+\.\d)/g;

/**
 * Degrees, minutes and (optionally) seconds with a hemisphere letter after (52°22'12.8"N 4°53'42.6"E) or
 * before (N 52°22'12.8" E 4°53'42.6") each half. Primes may be typed as ', ′ or ’; seconds as ", ″, ” or ''.
 */
const HALF = (hemispheres: string) =>
  `(?:([${hemispheres}])\\s?)?(\\d{1,3})\\s?°\\s?(\\d{1,2}(?:[.,]\\d+)?)\\s?['′’](?:\\s?(\\d{1,2}(?:[.,]\\d+)?)\\s?(?:''|["″”]))?(?:\\s?([${hemispheres}]))?`;
const DMS = new RegExp(`(?<![\\w°])${HALF('NS')}[\\s,;]*${HALF('EW')}(?![\\w°])`, 'g');

/**
 * Coordinates in the text, as entities with value "lat,lon" (at most six decimals) and as points. Rejected:
 * latitudes beyond 90° and longitudes beyond 180°, minutes or seconds of 60 and more, a pair within a degree
 * of 0,0 (amounts such as "0.0523, 0.1250"), and month.year pairs (03.2020, 05.2021) that only look like
 * decimal degrees.
 */
export function findCoordinates(text: string, found: Findings, decimal: boolean, dms: boolean): void {
  if (decimal) {
    DECIMAL.lastIndex = 0;
    for (let m = DECIMAL.exec(text); m; m = DECIMAL.exec(text)) {
      const latFraction = m[3] as string;
      const lonFraction = m[7] as string;
      if (latFraction.length === 4 && lonFraction.length === 4 && isYear(latFraction) && isYear(lonFraction))
        continue;
      const lat = signed(m[1], m[4], `${m[2]}.${latFraction}`, 'S');
      const lon = signed(m[5], m[8], `${m[6]}.${lonFraction}`, 'W');
      if (lat === undefined || lon === undefined) continue;
      accept(text, found, lat, lon, m.index, m.index + m[0].length);
    }
  }
  if (dms) {
    DMS.lastIndex = 0;
    for (let m = DMS.exec(text); m; m = DMS.exec(text)) {
      const lat = degrees(m[1] ?? m[5], m[2], m[3], m[4], 'S', 'N');
      const lon = degrees(m[6] ?? m[10], m[7], m[8], m[9], 'W', 'E');
      if (lat === undefined || lon === undefined) continue;
      accept(text, found, lat, lon, m.index, m.index + m[0].length);
    }
  }
}

function accept(text: string, found: Findings, lat: number, lon: number, start: number, end: number): void {
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
  if (Math.abs(lat) < 1 && Math.abs(lon) < 1) return;
  const point = { lat: round6(lat), lon: round6(lon) };
  if (found.add('coordinates', `${point.lat},${point.lon}`, text, start, end)) found.points.push(point);
}

function isYear(digits: string): boolean {
  return digits.startsWith('19') || digits.startsWith('20');
}

/** A signed decimal; a hemisphere letter must agree with a sign if both are given. */
function signed(sign: string | undefined, hemisphere: string | undefined, digits: string, negative: string) {
  const value = Number(digits);
  const south = hemisphere !== undefined && negative.includes(hemisphere);
  if (sign === '-' && hemisphere !== undefined) return undefined;
  return sign === '-' || south ? -value : value;
}

function degrees(
  hemisphere: string | undefined,
  d: string | undefined,
  m: string | undefined,
  s: string | undefined,
  negative: string,
  positive: string,
): number | undefined {
  if (hemisphere === undefined) return undefined;
  const h = hemisphere;
  if (!negative.includes(h) && !positive.includes(h)) return undefined;
  const minutes = Number((m as string).replace(',', '.'));
  const seconds = s === undefined ? 0 : Number(s.replace(',', '.'));
  if (!(minutes < 60) || !(seconds < 60)) return undefined;
  const value = Number(d) + minutes / 60 + seconds / 3600;
  return negative.includes(h) ? -value : value;
}

/** Six decimals: about 10 cm, beyond what any phone's position is worth. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
