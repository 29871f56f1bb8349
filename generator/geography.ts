import type { Language } from './lexicon/lexicon.ts';

/** A place around which users live and meet; positions are scattered a few kilometres around it. */
export interface City {
  name: string;
  lat: number;
  lon: number;
}

/** Ports, hubs and cities of the trade, by the language spoken by the users who live there. */
export const citiesByLanguage: Record<Language, readonly City[]> = {
  nl: [
    { name: 'Rotterdam', lat: 51.9244, lon: 4.4777 },
    { name: 'Amsterdam', lat: 52.3676, lon: 4.9041 },
    { name: 'Den Haag', lat: 52.0705, lon: 4.3007 },
    { name: 'Utrecht', lat: 52.0907, lon: 5.1214 },
    { name: 'Eindhoven', lat: 51.4416, lon: 5.4697 },
    { name: 'Breda', lat: 51.5719, lon: 4.7683 },
    { name: 'Antwerpen', lat: 51.2194, lon: 4.4025 },
    { name: 'Vlissingen', lat: 51.4426, lon: 3.5736 },
  ],
  fr: [
    { name: 'Marseille', lat: 43.2965, lon: 5.3698 },
    { name: 'Paris', lat: 48.8566, lon: 2.3522 },
    { name: 'Lyon', lat: 45.764, lon: 4.8357 },
    { name: 'Lille', lat: 50.6292, lon: 3.0573 },
    { name: 'Le Havre', lat: 49.4944, lon: 0.1079 },
    { name: 'Bruxelles', lat: 50.8503, lon: 4.3517 },
    { name: 'Grenoble', lat: 45.1885, lon: 5.7245 },
  ],
  es: [
    { name: 'Algeciras', lat: 36.1408, lon: -5.4562 },
    { name: 'Málaga', lat: 36.7213, lon: -4.4214 },
    { name: 'Barcelona', lat: 41.3874, lon: 2.1686 },
    { name: 'Madrid', lat: 40.4168, lon: -3.7038 },
    { name: 'Valencia', lat: 39.4699, lon: -0.3763 },
    { name: 'La Línea', lat: 36.1681, lon: -5.3478 },
    { name: 'Marbella', lat: 36.5101, lon: -4.8825 },
  ],
  en: [
    { name: 'London', lat: 51.5072, lon: -0.1276 },
    { name: 'Liverpool', lat: 53.4084, lon: -2.9916 },
    { name: 'Manchester', lat: 53.4808, lon: -2.2426 },
    { name: 'Dublin', lat: 53.3498, lon: -6.2603 },
    { name: 'Felixstowe', lat: 51.9617, lon: 1.3513 },
    { name: 'Birmingham', lat: 52.4862, lon: -1.8904 },
  ],
};
