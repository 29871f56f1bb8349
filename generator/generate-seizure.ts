import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BodyComposer } from './body-composer.ts';
import { DataFiles, type WrittenFile } from './data-files.ts';
import { isSlug, seedSlug, writeManifest } from './manifest.ts';
import { type PlantedMessage, plantedChatMessages } from './plant.ts';
import { anom } from './platforms/anom.ts';
import { encroChat } from './platforms/encrochat.ts';
import type { ChatMessage, PlatformFormat, PlatformName } from './platforms/platform-format.ts';
import { skyEcc } from './platforms/skyecc.ts';
import { buildPopulation, populationSize } from './population.ts';
import { Prng } from './prng.ts';
import { RecentRecords } from './recent-records.ts';
import { Timeline } from './timeline.ts';

export interface GenerateOptions {
  platform: PlatformName;
  /** Distinct messages to generate (copies and repeats come on top). */
  messages: number;
  seed: string | number;
  /** Directory that receives `manifest.json` and `data/`. */
  out: string;
  /** Defaults to `<platform>-<seed as a slug>`. */
  seizureId?: string;
  /** Share of messages written as malformed records, 0 to 1; above 0 the last record is also cut short. */
  malformedRate?: number;
  /** At most this many records per data file; 250,000 unless given. */
  recordsPerFile?: number;
  /**
   * Messages to write as given, before the generated ones (ground truth for tests and the demo). They draw
   * their platform ids from a stream of their own: without a plant, the output is what it always was.
   */
  plant?: readonly PlantedMessage[];
}

export interface GenerateResult {
  manifestPath: string;
  files: WrittenFile[];
  /** Distinct messages, malformed and planted ones included. */
  messages: number;
  /** Records a strict reader rejects, the cut-off last record included. */
  malformed: number;
  /** Records that repeat an earlier record's platform message id (handset copies and exact repeats). */
  duplicates: number;
}

export { type PlatformName, platformNames } from './platforms/platform-format.ts';

export const platformFormats: Record<PlatformName, PlatformFormat> = {
  encrochat: encroChat,
  skyecc: skyEcc,
  anom,
};

const ACTIVITY_DAYS = 183;
/** Exact repeats per message, on top of the copies a platform holds naturally (EncroChat handsets). */
const REPEAT_RATE: Record<PlatformName, number> = { encrochat: 0.01, skyecc: 0.015, anom: 0.015 };
const LOCATED_SHARE = 0.05;
/** Messages generated between checks on the disk keeping up. */
const BATCH = 2048;

/**
 * Writes a synthetic seizure of one platform: data files in its export format and a manifest listing them
 * with their hashes. The same options always produce the same bytes.
 */
export async function generateSeizure(options: GenerateOptions): Promise<GenerateResult> {
  const { platform, messages, seed } = options;
  const format = platformFormats[platform];
  if (!format)
    throw new Error(
      `unknown platform "${platform}": expected one of ${Object.keys(platformFormats).join(', ')}`,
    );
  if (!Number.isSafeInteger(messages) || messages < 1)
    throw new Error(`messages must be a whole number of at least 1, got ${messages}`);
  const malformedRate = options.malformedRate ?? 0;
  if (!(malformedRate >= 0 && malformedRate <= 1))
    throw new Error(`malformedRate must be between 0 and 1, got ${malformedRate}`);
  const recordsPerFile = options.recordsPerFile ?? 250_000;
  if (!Number.isSafeInteger(recordsPerFile) || recordsPerFile < 1)
    throw new Error(`recordsPerFile must be a whole number of at least 1`);
  const seizureId = options.seizureId ?? `${platform}-${seedSlug(seed)}`;
  if (!isSlug(seizureId))
    throw new Error(`seizureId "${seizureId}" must be a lower-case slug: a-z, 0-9 and "-"`);

  const stream = (name: string) => new Prng(seed, `${platform}/${name}`);
  const population = buildPopulation(populationSize(messages), format.identities, stream('population'));
  const timeline = new Timeline(
    population,
    { startMs: format.activityStartMs, days: ACTIVITY_DAYS, messages },
    stream('timeline'),
  );
  const composer = new BodyComposer(stream('bodies'), { allowEmoji: format.allowEmoji });
  const places = stream('places');
  const ids = stream('ids');
  const faults = stream('faults');
  const repeats = stream('repeats');
  const recent = new RecentRecords(4096);
  const repeatRate = REPEAT_RATE[platform];

  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const files = new DataFiles(out, format, recordsPerFile);
  let malformed = 0;
  let duplicates = 0;
  const planted = plantedChatMessages(options.plant ?? []);
  if (planted.length) {
    const plantIds = stream('plant');
    for (const message of planted) {
      const records = format.records(message, plantIds);
      for (const record of records) files.append(record);
      duplicates += records.length - 1;
    }
  }

  for (let i = 0; i < messages; i++) {
    const message = nextMessage(timeline, composer, places);
    if (malformedRate > 0 && i === messages - 1) {
      // The dump ends mid-record; the last message gets no copies, so the count stays exact.
      files.appendUnterminated(format.truncate((format.records(message, ids) as [string])[0], faults));
      malformed++;
    } else if (malformedRate > 0 && faults.chance(malformedRate)) {
      // A malformed record is the only trace of its message: no copies or repeats to reconcile.
      files.append(format.malformedRecord(message, faults.pick(format.malformedKinds), ids, faults));
      malformed++;
    } else {
      const records = format.records(message, ids);
      for (const record of records) {
        files.append(record);
        recent.add(record);
      }
      duplicates += records.length - 1;
      if (repeats.chance(repeatRate)) {
        files.append(recent.pick(repeats));
        duplicates++;
      }
    }
    if (i % BATCH === BATCH - 1) await files.drain();
  }

  const written = await files.close();
  const manifestPath = await writeManifest(
    out,
    { platform, seed, seizureId, timezone: format.timezone },
    written,
  );
  return { manifestPath, files: written, messages: messages + planted.length, malformed, duplicates };
}

function nextMessage(timeline: Timeline, composer: BodyComposer, places: Prng): ChatMessage {
  const turn = timeline.next();
  const { sender, conversation } = turn;
  const language =
    sender.language === conversation.language || places.chance(0.3) ? sender.language : conversation.language;
  const geo = places.chance(LOCATED_SHARE)
    ? {
        lat: sender.city.lat + (places.float() - 0.5) * 0.08,
        lon: sender.city.lon + (places.float() - 0.5) * 0.12,
      }
    : null;
  return {
    sentMs: turn.sentMs,
    sender,
    recipients: conversation.members.filter((m) => m !== sender),
    conversation,
    body: composer.compose(language, turn.role, sender.city),
    geo,
  };
}
