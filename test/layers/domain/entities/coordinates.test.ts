import { describe, expect, it } from 'vitest';
import { extractEntities } from '#domain/entities/extract-entities.ts';
import { entitiesIn, valuesIn } from './entity-harness.ts';

describe('coordinates', () => {
  it.each([
    ['loc 52.370216, 4.895168', '52.370216,4.895168', '52.370216, 4.895168'],
    ['loc 52.370216,4.895168.', '52.370216,4.895168', '52.370216,4.895168'],
    ['hier 51.9244 4.4777 ok', '51.9244,4.4777', '51.9244 4.4777'],
    ['sydney -33.8688, 151.2093', '-33.8688,151.2093', '-33.8688, 151.2093'],
    ['52.3702 N, 4.8952 E', '52.3702,4.8952', '52.3702 N, 4.8952 E'],
    ['40.4168 N 3.7038 W', '40.4168,-3.7038', '40.4168 N 3.7038 W'],
    ['maps.example/@52.3702161,4.8951679,17z', '52.370216,4.895168', '52.3702161,4.8951679'],
  ])('finds decimal degrees in %j', (text, value, raw) => {
    expect(entitiesIn(text)).toEqual([['coordinates', value, raw]]);
  });

  it.each([
    [`52°22'12.8"N 4°53'42.6"E`, '52.370222,4.895167'],
    [`N 52°22'12.8" E 4°53'42.6"`, '52.370222,4.895167'],
    [`40°25′0.5″N, 3°42′13.7″W`, '40.416806,-3.703806'],
    [`33°52'7.68"S 151°12'33.48"E`, '-33.8688,151.2093'],
    [`52°22.213'N 4°53.710'E`, '52.370217,4.895167'],
  ])('finds degrees, minutes and seconds in %j', (text, value) => {
    expect(entitiesIn(`punt ${text} ok`)).toEqual([['coordinates', value, text]]);
  });

  it('finds a position in a map link, and the link', () => {
    expect(entitiesIn('https://maps.example.com/@52.3702161,4.8951679,17z')).toEqual([
      [
        'url',
        'https://maps.example.com/@52.3702161,4.8951679,17z',
        'https://maps.example.com/@52.3702161,4.8951679,17z',
      ],
      ['coordinates', '52.370216,4.895168', '52.3702161,4.8951679'],
    ]);
  });

  it('gives each position as a point for maps', () => {
    const found = extractEntities(`a 52.370216, 4.895168 b 51°55'27.8"N 4°28'39.7"E`, 'NL').findings;
    expect(found?.points).toEqual([
      { lat: 52.370216, lon: 4.895168 },
      { lat: 51.924389, lon: 4.477694 },
    ]);
  });

  it.each([
    ['a date', 'op 12.05.2020, 14.30 uur'],
    ['a list of months', 'van 03.2020, 05.2021'],
    ['prices with two decimals', 'kost 12.50, 3.20'],
    ['crypto amounts near zero', 'stuur 0.0523, 0.1250'],
    ['a version string', 'versie 1.2.3 en v10.12345.67890'],
    ['a latitude beyond 90°', '95.123456, 4.123456'],
    ['a longitude beyond 180°', '52.123456, 190.123456'],
    ['minutes of 60', `52°60'12.8"N 4°53'42.6"E`],
    ['degrees without a hemisphere', `52°22'12.8" 4°53'42.6"`],
    ['a number chain', '1.23456, 2.34567, 3.45678, 4.56789'],
  ])('does not take %s for coordinates', (_, text) => {
    expect(valuesIn(text, 'coordinates')).toEqual([]);
  });
});
