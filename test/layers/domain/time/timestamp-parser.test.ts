import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compileTimestampParser, InvalidTimestampFormatError } from '#domain/time/timestamp-parser.ts';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('compileTimestampParser', () => {
  it('reads a zone-less pattern in the given zone and flags the zone as assumed', () => {
    const parse = compileTimestampParser('dd/MM/yyyy HH:mm:ss', 'Europe/Paris');
    const t = parse('25/03/2020 14:03:22');
    expect(iso(t?.utcMillis)).toBe('2020-03-25T13:03:22.000Z');
    expect(t?.zoneAssumed).toBe(true);
  });

  it('applies summer time on the right side of the switch', () => {
    const parse = compileTimestampParser('yyyy-MM-dd HH:mm:ss', 'Europe/Amsterdam');
    expect(iso(parse('2020-03-29 01:59:59')?.utcMillis)).toBe('2020-03-29T00:59:59.000Z');
    expect(iso(parse('2020-03-29 03:00:00')?.utcMillis)).toBe('2020-03-29T01:00:00.000Z');
    expect(iso(parse('2020-10-25 12:00:00')?.utcMillis)).toBe('2020-10-25T11:00:00.000Z');
  });

  it('agrees with Luxon at every quarter hour of years with summer time, whatever order days come in', () => {
    // The converter caches an offset per day and falls back to hours on days with a switch; any slip
    // around a switch (gap, repeated hour, midnight switches) shows up here.
    for (const zone of ['Europe/Amsterdam', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Gaza']) {
      const parse = compileTimestampParser('yyyy-MM-dd HH:mm', zone);
      const times: string[] = [];
      for (let t = Date.UTC(2021, 0, 1); t < Date.UTC(2022, 0, 1); t += 15 * 60_000) {
        times.push(new Date(t).toISOString().slice(0, 16).replace('T', ' '));
      }
      times.reverse(); // a day's hours arrive after the days following it: no reliance on order
      for (const text of times) {
        const expected = DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone });
        expect(iso(parse(text)?.utcMillis), `${zone} ${text}`).toBe(
          `${expected.toUTC().toISO({ includeOffset: false })}Z`,
        );
      }
    }
  });

  it('honours an offset or Z in the text and does not flag it', () => {
    const parse = compileTimestampParser('iso8601', 'Europe/Amsterdam');
    expect(parse('2021-03-14T10:22:33.123Z')).toEqual({
      utcMillis: Date.parse('2021-03-14T10:22:33.123Z'),
      zoneAssumed: false,
    });
    expect(iso(parse('2021-03-14 10:22:33+02:00')?.utcMillis)).toBe('2021-03-14T08:22:33.000Z');
    expect(parse('2021-03-14T10:22:33')?.zoneAssumed).toBe(true);
  });

  it('reads 12-hour clocks and literal text', () => {
    const parse = compileTimestampParser("M/d/yyyy 'at' h:mm a", 'UTC');
    expect(iso(parse('3/7/2020 at 12:05 AM')?.utcMillis)).toBe('2020-03-07T00:05:00.000Z');
    expect(iso(parse('3/7/2020 at 1:05 PM')?.utcMillis)).toBe('2020-03-07T13:05:00.000Z');
    expect(parse('3/7/2020 at 13:05 PM')).toBeUndefined();
  });

  it('reads epoch seconds and milliseconds', () => {
    expect(iso(compileTimestampParser('epoch-seconds', 'UTC')('1584000000')?.utcMillis)).toBe(
      '2020-03-12T08:00:00.000Z',
    );
    expect(iso(compileTimestampParser('epoch-millis', 'UTC')('1584000000123')?.utcMillis)).toBe(
      '2020-03-12T08:00:00.123Z',
    );
    expect(compileTimestampParser('epoch-seconds', 'UTC')('soon')).toBeUndefined();
    // Outside the years every format accepts (1970–2100): a wrong format, rejected rather than a crash later.
    expect(compileTimestampParser('epoch-seconds', 'UTC')('15830174290000')).toBeUndefined();
    expect(compileTimestampParser('epoch-millis', 'UTC')('-1')).toBeUndefined();
    expect(compileTimestampParser('epoch-millis', 'UTC')('4133980799999')?.utcMillis).toBe(4133980799999);
  });

  it.each([
    '31/02/2020 10:00:00',
    '25/13/2020 10:00:00',
    '25/03/2020 25:61:00',
    'yesterday',
    '',
    '25/03/2020',
  ])('refuses %j', (text) => {
    expect(compileTimestampParser('dd/MM/yyyy HH:mm:ss', 'Europe/Paris')(text)).toBeUndefined();
  });

  it('refuses a format without a date and an unknown zone up front', () => {
    expect(() => compileTimestampParser('HH:mm', 'UTC')).toThrow(InvalidTimestampFormatError);
    expect(() => compileTimestampParser('iso8601', 'Mars/Olympus')).toThrow(/unknown time zone/);
  });
});
