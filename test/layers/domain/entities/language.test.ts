import { describe, expect, it } from 'vitest';
import { detectLanguage } from '#domain/entities/language.ts';
import { BodyComposer } from '#generator/body-composer.ts';
import { citiesByLanguage } from '#generator/geography.ts';
import { languages, roles } from '#generator/lexicon/lexicon.ts';
import { Prng } from '#generator/prng.ts';

describe('language detection', () => {
  it.each([
    ['nl', 'ik bel je morgen als de spullen binnen zijn'],
    ['en', 'call me tomorrow when the goods have arrived'],
    ['fr', "je t'appelle demain quand la marchandise est arrivée"],
    ['es', 'te llamo mañana cuando llegue la mercancía'],
    ['de', 'ich rufe dich morgen an, wenn die Ware angekommen ist'],
  ])('says %s for %j', (code, text) => {
    expect(detectLanguage(text)).toBe(code);
  });

  it('is right for at least 94% of generated chat lines of 15 letters and more, and unsure rather than wrong for most of the rest', () => {
    const composer = new BodyComposer(new Prng('language', 'bodies'), { allowEmoji: true });
    const rng = new Prng('language', 'roles');
    let right = 0;
    let wrong = 0;
    let total = 0;
    while (total < 3000) {
      const language = rng.pick(languages);
      const body = composer.compose(language, rng.pick(roles), rng.pick(citiesByLanguage[language]));
      if (body.replace(/[^\p{L}]/gu, '').length < 15) continue;
      total++;
      const detected = detectLanguage(body);
      if (detected === language) right++;
      else if (detected !== null) wrong++;
    }
    expect(right / total).toBeGreaterThan(0.94);
    expect(wrong / total).toBeLessThan(0.04);
  });

  it('gives the same answer for a text it has seen before', () => {
    const text = 'wanneer kan je het geld brengen';
    expect(detectLanguage(text)).toBe('nl');
    expect(detectLanguage(text)).toBe('nl');
  });
});
