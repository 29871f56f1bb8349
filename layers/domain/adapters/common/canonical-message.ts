import type { Attachment, BodyStatus, CanonicalMessage } from '../../schema/message-schema.ts';
import type { EvidenceFile, ImportContext, NormalizedRecord } from '../adapter.ts';
import { rejection } from '../adapter.ts';

/** What an adapter found in one record; everything else of the canonical row comes from the import. */
export interface MessageParts {
  message_id: string;
  native_id: string | null;
  conversation_id: string;
  sent_at: number;
  sent_at_raw: string;
  timezone_assumed: boolean;
  received_at?: number | null;
  read_at?: number | null;
  sender: string;
  sender_device?: string | null;
  recipients: string[];
  body: string | null;
  body_status?: BodyStatus | null;
  attachments?: Attachment[] | null;
  geo?: { lat: number; lon: number } | null;
  reply_to?: string | null;
  forwarded_from?: string | null;
  edited_at?: number | null;
}

/** A canonical row for a record at `[offset, offset + length)` of `file`. */
export function canonicalMessage(
  context: ImportContext,
  file: EvidenceFile,
  offset: number,
  length: number,
  parts: MessageParts,
): CanonicalMessage {
  const { manifest } = context;
  return {
    message_id: parts.message_id,
    seizure_id: manifest.seizureId,
    case_id: manifest.caseId,
    platform: manifest.platform,
    native_id: parts.native_id,
    conversation_id: parts.conversation_id,
    sent_at: parts.sent_at,
    sent_at_raw: parts.sent_at_raw,
    timezone_assumed: parts.timezone_assumed,
    received_at: parts.received_at ?? null,
    read_at: parts.read_at ?? null,
    sender: parts.sender,
    sender_device: parts.sender_device ?? null,
    recipients: parts.recipients,
    body: parts.body,
    body_status: parts.body_status ?? null,
    language: null,
    entities: null,
    mentioned_geo: null,
    attachments: parts.attachments?.length ? parts.attachments : null,
    geo: parts.geo ?? null,
    reply_to: parts.reply_to ?? null,
    forwarded_from: parts.forwarded_from ?? null,
    edited_at: parts.edited_at ?? null,
    source_object: file.key,
    source_sha256: file.sha256,
    source_offset: offset,
    source_length: length,
    import_id: context.importId,
    ingested_at: context.ingestedAt,
  };
}

/** A rejected record; `raw` (cut at 64 KiB by `rejection`) goes to the quarantine, never to a log. */
export function rejected(
  file: EvidenceFile,
  offset: number,
  length: number,
  reason: string,
  raw?: Buffer,
): NormalizedRecord {
  return { rejection: rejection(file, offset, length, reason, raw) };
}

/** A latitude/longitude pair, or null when either is missing or out of range. */
export function geoPoint(lat: unknown, lon: unknown): { lat: number; lon: number } | null {
  const a = typeof lat === 'string' ? Number(lat.trim()) : lat;
  const b = typeof lon === 'string' ? Number(lon.trim()) : lon;
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b))
    return null;
  if (Math.abs(a) > 90 || Math.abs(b) > 180) return null;
  return { lat: a, lon: b };
}

/** Bidirectional and zero-width marks that exports put around names and at line starts. */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}
