import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enrichDistinctBody } from '#domain/entities/enrich-message.ts';
import { nativeNormalize } from '#domain/import/native-normalize.ts';
import {
  randomBitcoinAddress,
  randomCoordinates,
  randomEthereumAddress,
  randomIban,
  randomMobileNumber,
} from '#generator/entities.ts';
import { citiesByLanguage } from '#generator/geography.ts';
import { languages } from '#generator/lexicon/lexicon.ts';
import { Prng } from '#generator/prng.ts';
import { generateTemp, removeTempSeizures } from '../../../generator/temp-seizure.ts';

/**
 * The native path enriches a body itself only where no entity extractor could find anything (its language,
 * no entities, no places); every other body goes to JavaScript. Differential: wherever it decides, JavaScript's
 * enrichDistinctBody finds exactly that. The texts hold planted entities, their near misses (runs of letters
 * and digits just too short for an address, IBAN-like starts, numbers that start a word) and generated chat.
 */
describe('native enrichment of bodies without entities', () => {
  const addon = nativeNormalize();
  afterAll(removeTempSeizures);

  function compare(texts: readonly string[]) {
    if (!addon) throw new Error('the native path is not built: npm run build:native (needs cargo)');
    const native = addon.nativeEnrichment([...texts]);
    const differences: { text: string; native: string; javascript: unknown }[] = [];
    let decided = 0;
    texts.forEach((text, i) => {
      if (native[i] === '?') return;
      decided++;
      const found = enrichDistinctBody(text, 'NL');
      const same =
        found.entities?.length === 0 &&
        found.mentioned_geo === null &&
        (native[i] || null) === found.language;
      if (!same && differences.length < 10)
        differences.push({ text, native: native[i] as string, javascript: found });
    });
    return { differences, decided };
  }

  it('agrees with JavaScript on a generated seizure’s bodies, and decides most of them itself', async () => {
    const seizure = await generateTemp({ platform: 'skyecc', messages: 6000, seed: 'native-enrichment' });
    const bodies = new Set<string>();
    for (const file of seizure.files)
      for (const line of readFileSync(join(seizure.out, file.path), 'utf8').split('\n')) {
        const text = line ? (JSON.parse(line) as { text: unknown }).text : null;
        if (typeof text === 'string') bodies.add(text);
      }
    const { differences, decided } = compare([...bodies]);
    expect(differences).toEqual([]);
    expect(decided).toBeGreaterThan(bodies.size * 0.6);
  }, 60_000);

  it('leaves every planted entity and its near misses to JavaScript, or agrees with it', () => {
    const rng = new Prng('native-enrichment', 'entities');
    const texts: string[] = [];
    const around = (thing: string) => [
      `stuur het naar ${thing} vandaag nog`,
      `${thing}`,
      `(${thing}) morgen om 10 uur`,
      `ok ${thing.replace(/\s/g, '')} en dan klaar met alles`,
      `bel me op ${thing.slice(0, Math.max(1, thing.length - 3))} als je er bent`,
    ];
    for (let i = 0; i < 200; i++) {
      const language = rng.pick(languages);
      texts.push(
        ...around(randomIban(language, rng)),
        ...around(randomBitcoinAddress(rng)),
        ...around(randomEthereumAddress(rng)),
        ...around(randomMobileNumber(language, rng)),
        ...around(randomCoordinates(rng.pick(citiesByLanguage[language]), rng)),
        ...around(`${rng.hex(rng.between(8, 12))}`),
        ...around(`AB${rng.digits(2)}`),
        ...around(`${rng.pick(['+', '0', '00', '(0'])}${rng.digits(rng.between(6, 11))}`),
        ...around(`${rng.pick(['XX', 'AB', '1'])}-${rng.digits(3)}-${rng.pick(['ZZ', 'B', 'AB'])}`),
        ...around(`info@${rng.hex(5)}.nl www.${rng.hex(4)}.com http://${rng.hex(6)}.onion`),
        ...around(`${rng.between(1, 89)}°${rng.between(0, 59)}'${rng.between(0, 59)}" N`),
      );
    }
    const { differences, decided } = compare(texts);
    expect(differences).toEqual([]);
    // Near misses without entities are decided natively too: the prefilter is not "anything with digits".
    expect(decided).toBeGreaterThan(200);
  });
});
