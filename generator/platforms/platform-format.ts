import type { IdentityScheme } from '../identities.ts';
import type { Conversation, User } from '../population.ts';
import type { Prng } from '../prng.ts';

export const platformNames = ['encrochat', 'skyecc', 'anom'] as const;
export type PlatformName = (typeof platformNames)[number];

/** One message as it happened, before a platform writes it down. */
export interface ChatMessage {
  sentMs: number;
  sender: User;
  recipients: readonly User[];
  conversation: Conversation;
  body: string;
  /** Where the sender's device was, for the few records that carry it. */
  geo: { lat: number; lon: number } | null;
}

/** Ways a record goes bad in real exports; each platform supports those its format can express. */
export type MalformedKind =
  | 'invalid-bytes'
  | 'bad-timestamp'
  | 'missing-sender'
  | 'broken-json'
  | 'wrong-field-count';

/** A record as text, or as text pieces with raw bytes in between where the bytes are not valid text. */
export type RecordPieces = string | readonly (string | Uint8Array)[];

/** How one platform's dump looks: naming, file layout, encoding, and the records a message leaves. */
export interface PlatformFormat {
  platform: PlatformName;
  /** How to read the dump's zone-less timestamps (the manifest's `timezone`). */
  timezone: string;
  /** First day of activity, UTC milliseconds. */
  activityStartMs: number;
  identities: IdentityScheme;
  allowEmoji: boolean;
  encoding: 'utf-8' | 'windows-1252';
  lineEnding: '\n' | '\r\n';
  /** The header record (CSV), without line ending; null for formats without one. */
  header: string | null;
  /** Relative path of the n-th data file (1-based). */
  dataFile(n: number): string;
  malformedKinds: readonly MalformedKind[];
  /** The records a message leaves in the dump: the original first, then copies found elsewhere. */
  records(message: ChatMessage, ids: Prng): string[];
  malformedRecord(message: ChatMessage, kind: MalformedKind, ids: Prng, faults: Prng): RecordPieces;
  /** A well-formed record cut short so that no parser can accept it, as a dump cut off mid-write. */
  truncate(record: string, faults: Prng): string;
}
