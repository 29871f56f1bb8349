#!/usr/bin/env node
/**
 * How fast enrichment (entities and language) runs on its own, on bodies the generator writes: the rate the
 * normalize step pays per message on top of parsing and writing Parquet.
 *
 *   node scripts/bench-enrichment.ts [messages=100000]
 */
import { enrichMessage, enrichmentContext } from '#domain/entities/enrich-message.ts';
import type { CanonicalMessage } from '#domain/schema/message-schema.ts';
import { BodyComposer } from '#generator/body-composer.ts';
import { citiesByLanguage } from '#generator/geography.ts';
import { languages, roles } from '#generator/lexicon/lexicon.ts';
import { Prng } from '#generator/prng.ts';

const count = Number(process.argv[2] ?? 100_000);
const rng = new Prng('bench', 'enrichment');
const composer = new BodyComposer(new Prng('bench', 'bodies'), { allowEmoji: true });
const messages: CanonicalMessage[] = [];
for (let i = 0; i < count; i++) {
  const language = rng.pick(languages);
  const body = composer.compose(language, rng.pick(roles), rng.pick(citiesByLanguage[language]));
  messages.push({
    body,
    body_status: null,
    language: null,
    entities: null,
    mentioned_geo: null,
  } as CanonicalMessage);
}
function run(): number {
  // A fresh context each run, as each chunk has: a repeated body is enriched once per run, not once ever.
  const context = enrichmentContext({ timezone: 'Europe/Amsterdam', options: undefined });
  const started = performance.now();
  for (const m of messages) {
    m.language = null;
    enrichMessage(m, context);
  }
  return performance.now() - started;
}
run(); // warm up the JIT and the detector's tables
const times = [run(), run(), run()].sort((a, b) => a - b);
const best = times[0] as number;
const withEntities = messages.filter((m) => m.entities?.length).length;
const withLanguage = messages.filter((m) => m.language).length;
const chars = messages.reduce((n, m) => n + (m.body?.length ?? 0), 0);
const distinct = new Set(messages.map((m) => m.body)).size;
process.stdout.write(
  `${count} bodies, ${distinct} distinct (${(chars / count).toFixed(0)} characters on average): ` +
    `${Math.round((count / best) * 1000).toLocaleString('en')} messages/s (best of 3, ${best.toFixed(0)} ms); ` +
    `${withEntities} with entities, ${withLanguage} with a language\n`,
);
