import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateSeizure } from '#generator/generate-seizure.ts';
import type { PlantedMessage } from '#generator/plant.ts';
import { plantedStory } from '#generator/planted-story.ts';
import { UsageError } from '../cli-errors.ts';

export const generatePlatforms = ['encrochat', 'skyecc', 'anom'] as const;

export const generateUsage = `seizure generate --platform <name> --messages <n> --seed <s> --out <dir> [--seizure <id>] [--malformed-rate <r>] [--plant story|<file.json>]

Writes a synthetic seizure (data files and a manifest.json with real SHA-256 hashes) to <dir>.
Same seed, same bytes. Synthetic data only: no real person appears in it.
  --platform        ${generatePlatforms.join(', ')}
  --messages        number of messages
  --seed            any text or number
  --seizure         seizure id (default <platform>-<seed>)
  --malformed-rate  share of malformed records, 0 to 1 (default 0)
  --plant           also write these messages, as ground truth to find again: "story" (skyecc, encrochat)
                    plants the README's story of links across two seizures; a file holds a JSON array of
                    {"at": ISO time, "from": {"handle", "device"}, "to": [{"handle", "device"}], "group"?, "body"}`;

export async function generateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      messages: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      seizure: { type: 'string' },
      'malformed-rate': { type: 'string' },
      plant: { type: 'string' },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const platform = values.platform as (typeof generatePlatforms)[number];
  if (!generatePlatforms.includes(platform))
    throw new UsageError(`--platform must be one of ${generatePlatforms.join(', ')}`);
  const messages = Number(values.messages);
  if (!Number.isSafeInteger(messages) || messages < 1)
    throw new UsageError('--messages must be a whole number of at least 1');
  if (!values.seed) throw new UsageError('--seed is required');
  if (!values.out) throw new UsageError('--out is required');
  const malformedRate = values['malformed-rate'] === undefined ? 0 : Number(values['malformed-rate']);
  if (!(malformedRate >= 0 && malformedRate <= 1))
    throw new UsageError('--malformed-rate must be between 0 and 1');

  let plant: readonly PlantedMessage[] | undefined;
  if (values.plant === 'story') {
    if (platform !== 'skyecc' && platform !== 'encrochat')
      throw new UsageError('--plant story is written for skyecc and encrochat');
    plant = plantedStory[platform];
  } else if (values.plant) {
    const parsed: unknown = JSON.parse(await fs.readFile(values.plant, 'utf8'));
    if (!Array.isArray(parsed))
      throw new UsageError(`--plant ${values.plant} must hold a JSON array of messages`);
    plant = parsed as PlantedMessage[];
  }

  // Files of an earlier run would sit beside the new manifest, unlisted and unverifiable.
  const existing = await fs.readdir(values.out).catch(() => []);
  if (existing.length)
    throw new UsageError(`--out ${values.out} is not empty; give a new or empty directory`);

  const started = Date.now();
  const result = await generateSeizure({
    platform,
    messages,
    seed: values.seed,
    out: values.out,
    seizureId: values.seizure,
    malformedRate,
    plant,
  });
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `wrote ${result.messages} messages (${result.duplicates} duplicates, ${result.malformed} malformed) in ` +
      `${result.files.length} file(s) and ${result.manifestPath} in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}
