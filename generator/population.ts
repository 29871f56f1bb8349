import { type City, citiesByLanguage } from './geography.ts';
import type { IdentityScheme } from './identities.ts';
import { type Language, languages } from './lexicon/lexicon.ts';
import { cumulativeWeights, type Prng } from './prng.ts';

/**
 * The people of a seizure and who talks to whom. Users live in cells (a crew of up to 40 sharing a language and
 * a city); most contacts are inside the cell, a few brokers connect cells. Conversations are one-to-one
 * chats along contacts and group chats of 3–12 members of a cell.
 */
export interface User {
  handle: string;
  device: string;
  language: Language;
  city: City;
  /** How much this user writes, relative to others; heavy-tailed like real traffic. */
  activity: number;
}

export interface Conversation {
  members: readonly User[];
  /** The platform's group name; null for a one-to-one chat. */
  group: string | null;
  language: Language;
}

export interface Population {
  users: readonly User[];
  chats: readonly Conversation[];
  groups: readonly Conversation[];
  chatWeights: Float64Array;
  groupWeights: Float64Array;
}

const languageShares: readonly [Language, number][] = [
  ['nl', 0.4],
  ['fr', 0.22],
  ['es', 0.2],
  ['en', 0.18],
];
const languageWeights = cumulativeWeights(languageShares.map(([, w]) => w));

/** Handles scale with the dump: about one per 200 messages, at least 50, at most 20,000. */
export function populationSize(messages: number): number {
  return Math.min(20_000, Math.max(50, Math.round(messages / 200)));
}

export function buildPopulation(size: number, identities: IdentityScheme, rng: Prng): Population {
  const taken = new Set<string>();
  const users: User[] = [];
  const cells: { language: Language; members: User[] }[] = [];
  const brokers: User[] = [];

  // Small seizures still get every language: the first cells take one each, in a seeded order.
  const firstLanguages = sample(languages, languages.length, rng);
  const largestCell = Math.max(8, Math.min(40, Math.round(size / 6)));
  while (users.length < size) {
    const cellSize = Math.min(size - users.length, rng.between(Math.min(8, largestCell), largestCell));
    const language =
      firstLanguages[cells.length] ??
      (languageShares[rng.weighted(languageWeights)] as [Language, number])[0];
    const city = rng.pick(citiesByLanguage[language]);
    const cell: User[] = [];
    for (let i = 0; i < cellSize; i++) {
      // A user mostly writes one language: their own, which is nearly always the cell's.
      const own = rng.chance(0.92) ? language : rng.pick(languages);
      const user: User = {
        handle: identities.handle(rng, taken),
        device: identities.device(rng),
        language: own,
        city: own === language && rng.chance(0.8) ? city : rng.pick(citiesByLanguage[own]),
        activity: Math.min(40, (1 - rng.float()) ** (-1 / 1.6)),
      };
      users.push(user);
      cell.push(user);
      if (rng.chance(0.04)) brokers.push(user);
    }
    cells.push({ language, members: cell });
  }

  const chats: Conversation[] = [];
  const paired = new Set<string>();
  const connect = (a: User, b: User) => {
    if (a === b) return;
    const key = a.handle < b.handle ? `${a.handle}\u0000${b.handle}` : `${b.handle}\u0000${a.handle}`;
    if (paired.has(key)) return;
    paired.add(key);
    const language = a.language === b.language ? a.language : rng.chance(0.6) ? 'en' : a.language;
    chats.push({ members: [a, b], group: null, language });
  };

  const groups: Conversation[] = [];
  for (const { language, members: cell } of cells) {
    for (const user of cell) {
      const contacts = cell.length > 2 ? rng.between(2, Math.min(8, cell.length - 1)) : 1;
      for (let i = 0; i < contacts; i++) connect(user, rng.pick(cell));
      if (cell.length < 3 || rng.chance(0.1)) connect(user, rng.pick(users));
    }
    if (cell.length >= 3) {
      const count = rng.between(1, cell.length >= 20 ? 3 : 2);
      for (let g = 0; g < count; g++) {
        const members = sample(cell, rng.between(3, Math.min(12, cell.length)), rng);
        if (brokers.length && rng.chance(0.2) && members.length < 12) {
          const outsider = rng.pick(brokers);
          if (!members.includes(outsider)) members.push(outsider);
        }
        groups.push({ members, group: identities.groupName(rng, taken), language });
      }
    }
  }
  for (const broker of brokers) {
    const reach = rng.between(5, 15);
    for (let i = 0; i < reach; i++) connect(broker, rng.pick(users));
  }
  if (chats.length === 0) connect(users[0] as User, users[1] as User);

  return {
    users,
    chats,
    groups,
    chatWeights: cumulativeWeights(chats.map((c) => Math.sqrt(activityOf(c, 0) * activityOf(c, 1)))),
    groupWeights: cumulativeWeights(
      groups.map((g) => g.members.reduce((s, m) => s + m.activity, 0) / g.members.length),
    ),
  };
}

function activityOf(c: Conversation, i: number): number {
  return (c.members[i] as User).activity;
}

/** `count` distinct members of `from`, in random order (partial Fisher–Yates). */
function sample<T>(from: readonly T[], count: number, rng: Prng): T[] {
  const pool = [...from];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, count);
}
