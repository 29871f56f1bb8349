#!/usr/bin/env node
/**
 * `taskset -c 1 node bench/language.ts [--messages 200000]`: language detection per distinct body of a
 * generated Sky ECC seizure (the bench's seed), eld/small itself beside our compiled copy of its scorer
 * (layers/domain/entities/ngram-language-detector.ts). Checks the answers are the same, then times each three
 * times, interleaved, and prints µs per body. Pin it to one core: the machine is shared.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eld } from 'eld/small';
import { detectReliableLanguage } from '#domain/entities/ngram-language-detector.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';

const at = process.argv.indexOf('--messages');
const messages = at === -1 ? 200_000 : Number(process.argv[at + 1]);

const work = await mkdtemp(path.join(os.tmpdir(), 'language-bench-'));
const bodies = new Set<string>();
try {
  const seizure = await generateSeizure({ platform: 'skyecc', messages, seed: 'bench', out: work });
  for (const file of seizure.files)
    for (const line of readFileSync(path.join(work, file.path), 'utf8').split('\n')) {
      const text = line ? (JSON.parse(line) as { text: unknown }).text : null;
      if (typeof text === 'string') bodies.add(text);
    }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const texts = [...bodies];

function withEld(text: string): string | null {
  const result = eld.detect(text);
  return result.language && result.isReliable() ? result.language : null;
}

let differ = 0;
let detected = 0;
for (const text of texts) {
  const answer = withEld(text);
  if (answer !== null) detected++;
  if (detectReliableLanguage(text) !== answer) differ++;
}

/** µs per body for one pass over all of them. */
function pass(detect: (text: string) => string | null): number {
  const started = performance.now();
  for (const text of texts) detect(text);
  return ((performance.now() - started) * 1000) / texts.length;
}
const runs = { eld: [] as number[], ours: [] as number[] };
pass(withEld);
pass(detectReliableLanguage);
for (let r = 0; r < 3; r++) {
  runs.eld.push(pass(withEld));
  runs.ours.push(pass(detectReliableLanguage));
}
const best = (xs: number[]) => Math.min(...xs);
const show = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
process.stdout.write(
  `${texts.length.toLocaleString('en')} distinct bodies of ${messages.toLocaleString('en')} messages, ` +
    `${detected.toLocaleString('en')} with a reliable language; answers that differ: ${differ}\n` +
    `eld/small  ${best(runs.eld).toFixed(2)} µs a body (runs: ${show(runs.eld)})\n` +
    `ours       ${best(runs.ours).toFixed(2)} µs a body (runs: ${show(runs.ours)})\n` +
    `speed-up   ${(best(runs.eld) / best(runs.ours)).toFixed(1)}×\n`,
);
if (differ) process.exitCode = 1;
