import type { FieldDef } from './field-types.ts';

/**
 * The canonical message: one row of the `messages` table and one document of the `messages` index.
 * Field order is the column order of the Parquet files and of the Glue table.
 */
export const attachmentFields = [
  {
    name: 'name',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'file name as the source gives it',
  },
  { name: 'media_type', type: 'string', required: false, search: 'keyword', doc: 'MIME type' },
  { name: 'size', type: 'int64', required: false, search: 'long', doc: 'bytes' },
  { name: 'sha256', type: 'string', required: false, search: 'keyword', doc: 'hash of the attachment bytes' },
  {
    name: 'object_key',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'where the bytes are stored',
  },
] as const satisfies readonly FieldDef[];

export const geoFields = [
  { name: 'lat', type: 'double', required: true, search: 'double', doc: 'latitude, WGS84' },
  { name: 'lon', type: 'double', required: true, search: 'double', doc: 'longitude, WGS84' },
] as const satisfies readonly FieldDef[];

/** A thing found in a body: what kind, its normalized form (what links and searches use) and the text as written. */
export const entityFields = [
  {
    name: 'kind',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'phone, iban, bitcoin, ethereum, monero, tron, email, url, coordinates or licence-plate',
  },
  {
    name: 'value',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'normalized: E.164 phone, compact IBAN, lower-case e-mail, "lat,lon" coordinates, ...',
  },
  { name: 'raw', type: 'string', required: true, search: 'keyword', doc: 'the text as the body has it' },
] as const satisfies readonly FieldDef[];

export const messageFields = [
  {
    name: 'message_id',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'deterministic id: the same message found twice gets the same id (see README, "Message ids")',
  },
  {
    name: 'seizure_id',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'the seizure; partition key',
  },
  {
    name: 'case_id',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'the case; unit of access control',
  },
  { name: 'platform', type: 'string', required: true, search: 'keyword', doc: 'source platform' },
  {
    name: 'native_id',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: "the platform's own message id",
  },
  {
    name: 'conversation_id',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'chat or group; one-to-one chats are derived from the sorted pair of handles',
  },
  { name: 'sent_at', type: 'timestamp', required: true, search: 'date', doc: 'send time, UTC' },
  {
    name: 'sent_at_raw',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'send time as the source wrote it',
  },
  {
    name: 'timezone_assumed',
    type: 'boolean',
    required: true,
    search: 'boolean',
    doc: "true when the source had no zone and the manifest's timezone was applied",
  },
  {
    name: 'received_at',
    type: 'timestamp',
    required: false,
    search: 'date',
    doc: 'delivery time, UTC, where recorded',
  },
  {
    name: 'read_at',
    type: 'timestamp',
    required: false,
    search: 'date',
    doc: 'read time, UTC, where recorded',
  },
  {
    name: 'sender',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'normalized handle of the sender',
  },
  {
    name: 'sender_device',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'IMEI, PIN or handset id',
  },
  {
    name: 'recipients',
    type: { list: 'string' },
    required: true,
    search: 'keyword',
    doc: 'normalized handles',
  },
  { name: 'body', type: 'string', required: false, search: 'multilingual-text', doc: 'decoded message text' },
  {
    name: 'body_status',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'null for a body that was never encrypted; decrypted, encrypted (no key supplied fits: body is the ciphertext) or decryption-failed',
  },
  {
    name: 'language',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'detected language (ISO 639-1)',
  },
  {
    name: 'entities',
    type: { list: { struct: entityFields } },
    required: false,
    search: 'object',
    doc: 'phone numbers, IBANs, crypto addresses, e-mail addresses, URLs, coordinates and licence plates found in the body; empty when none, null when the body was not read (none, or still encrypted)',
  },
  {
    name: 'mentioned_geo',
    type: { list: { struct: geoFields } },
    required: false,
    search: 'geo-point',
    doc: 'the coordinates found in the body, as points for maps (the entities of kind coordinates)',
  },
  {
    name: 'attachments',
    type: { list: { struct: attachmentFields } },
    required: false,
    search: 'object',
    doc: 'files sent with the message',
  },
  {
    name: 'geo',
    type: { struct: geoFields },
    required: false,
    search: 'geo-point',
    doc: 'location of the record',
  },
  {
    name: 'reply_to',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'message_id of the message this one replies to',
  },
  {
    name: 'forwarded_from',
    type: 'string',
    required: false,
    search: 'keyword',
    doc: 'handle or name of the original author of a forwarded message',
  },
  {
    name: 'edited_at',
    type: 'timestamp',
    required: false,
    search: 'date',
    doc: 'time of the last edit, UTC, where recorded',
  },
  {
    name: 'source_object',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'key of the evidence file the record came from',
  },
  {
    name: 'source_sha256',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'SHA-256 of that evidence file',
  },
  {
    name: 'source_offset',
    type: 'int64',
    required: true,
    search: 'long',
    doc: 'byte offset of the record in it',
  },
  { name: 'source_length', type: 'int32', required: true, search: 'long', doc: 'byte length of the record' },
  {
    name: 'import_id',
    type: 'string',
    required: true,
    search: 'keyword',
    doc: 'the import that wrote the row',
  },
  {
    name: 'ingested_at',
    type: 'timestamp',
    required: true,
    search: 'date',
    doc: 'when that import started, UTC',
  },
] as const satisfies readonly FieldDef[];

/**
 * Hive partition columns, in path order: `seizure_id=<id>/sent_month=<YYYY-MM>/`. `seizure_id` is also a
 * message field; `sent_month` is derived from `sent_at` (UTC).
 */
export const partitionColumns = ['seizure_id', 'sent_month'] as const;

/** The canonical message as the domain code handles it: times are epoch milliseconds (UTC). */
export interface Attachment {
  name: string | null;
  media_type: string | null;
  size: number | null;
  sha256: string | null;
  object_key: string | null;
}

/** One entity found in a body (see `entityFields`). */
export interface Entity {
  kind: string;
  value: string;
  raw: string;
}

/** What became of an encrypted body: read with a supplied key, kept as ciphertext, or damaged. */
export type BodyStatus = 'decrypted' | 'encrypted' | 'decryption-failed';

export interface CanonicalMessage {
  message_id: string;
  seizure_id: string;
  case_id: string;
  platform: string;
  native_id: string | null;
  conversation_id: string;
  sent_at: number;
  sent_at_raw: string;
  timezone_assumed: boolean;
  received_at: number | null;
  read_at: number | null;
  sender: string;
  sender_device: string | null;
  recipients: string[];
  body: string | null;
  body_status: BodyStatus | null;
  language: string | null;
  entities: Entity[] | null;
  mentioned_geo: { lat: number; lon: number }[] | null;
  attachments: Attachment[] | null;
  geo: { lat: number; lon: number } | null;
  reply_to: string | null;
  forwarded_from: string | null;
  edited_at: number | null;
  source_object: string;
  source_sha256: string;
  source_offset: number;
  source_length: number;
  import_id: string;
  ingested_at: number;
}

// Keeps the interface and the field list in step: a field added to one and not the other fails to compile.
type FieldNames = (typeof messageFields)[number]['name'];
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const fieldsMatchInterface: SameKeys<FieldNames, keyof CanonicalMessage> = true;
