import { type City, citiesByLanguage } from './geography.ts';
import type { ChatMessage } from './platforms/platform-format.ts';
import type { Conversation, User } from './population.ts';

/**
 * Planted ground truth: messages written into a generated seizure exactly as given, among the generated
 * ones, so that a test (or a demo) knows what the seizure must reveal: who talked to whom, which numbers,
 * accounts and addresses were mentioned, and what the two seizures have in common.
 */
export interface PlantedParty {
  /** As the platform writes handles (Sky ECC: 6 capitals and digits; EncroChat: lower-case words; Anom: a call sign). */
  handle: string;
  /** As the platform writes devices (IMEI, PIN). */
  device: string;
}

export interface PlantedMessage {
  /** Send time, ISO 8601 with a zone, e.g. 2020-04-01T10:00:00Z. */
  at: string;
  from: PlantedParty;
  /** One recipient: a one-to-one chat; several: the group named by `group`. */
  to: readonly PlantedParty[];
  group?: string;
  body: string;
}

/** Planted messages as the generator's own, for the platform's format to write down. */
export function plantedChatMessages(plant: readonly PlantedMessage[]): ChatMessage[] {
  const users = new Map<string, User>();
  const user = (p: PlantedParty): User => {
    const key = `${p.handle}\u0000${p.device}`;
    let u = users.get(key);
    if (!u) {
      u = {
        handle: p.handle,
        device: p.device,
        language: 'en',
        city: citiesByLanguage.en[0] as City,
        activity: 1,
      };
      users.set(key, u);
    }
    return u;
  };
  return plant.map((m, i) => {
    const sentMs = Date.parse(m.at);
    if (!Number.isFinite(sentMs) || !/(?:Z|[+-]\d\d:?\d\d)$/.test(m.at))
      throw new Error(`planted message ${i}: "at" must be an ISO 8601 time with a zone, got ${m.at}`);
    const party = (p: PlantedParty | undefined) =>
      typeof p?.handle === 'string' && p.handle !== '' && typeof p.device === 'string';
    if (!party(m.from)) throw new Error(`planted message ${i}: "from" needs a handle and a device`);
    if (!Array.isArray(m.to) || m.to.length === 0 || !m.to.every(party))
      throw new Error(`planted message ${i}: "to" must list recipients, each with a handle and a device`);
    if (typeof m.body !== 'string') throw new Error(`planted message ${i}: "body" must be text`);
    if (m.to.length > 1 && !m.group) throw new Error(`planted message ${i}: several recipients need a group`);
    const sender = user(m.from);
    const recipients = m.to.map(user);
    const conversation: Conversation = {
      members: [sender, ...recipients],
      group: m.group ?? null,
      language: 'en',
    };
    return { sentMs, sender, recipients, conversation, body: m.body, geo: null };
  });
}
