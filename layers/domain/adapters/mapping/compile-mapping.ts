import { conversationId, messageIdFromContent, messageIdFromNative } from '../../ids/message-ids.ts';
import type { CanonicalMessage } from '../../schema/message-schema.ts';
import { compileTimestampParser, type TimestampParser } from '../../time/timestamp-parser.ts';
import type { ImportContext } from '../adapter.ts';
import type { ListSpec, Mapping, TimeSpec, Transform, ValueSpec } from './mapping-schema.ts';

/** A mapping that cannot be applied to a file (e.g. it names a column the file does not have). */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** Reads the raw value of a column (CSV) or a dotted path (NDJSON) from one parsed record. */
export type Accessor<R> = (record: R) => unknown;
export type AccessorFactory<R> = (from: string) => Accessor<R>;

/** Where a record sits in its file; goes into the provenance columns. */
export interface RecordLocation {
  sourceObject: string;
  sourceSha256: string;
  offset: number;
  length: number;
}

/** A message, or the reason the record is rejected. */
export type MappedRecord = CanonicalMessage | string;

const transformFns: Record<Transform, (s: string) => string> = {
  trim: (s) => s.trim(),
  lowercase: (s) => s.toLowerCase(),
  uppercase: (s) => s.toUpperCase(),
  'bare-jid': (s) => {
    const slash = s.indexOf('/');
    return (slash === -1 ? s : s.slice(0, slash)).toLowerCase();
  },
  'jid-resource': (s) => {
    const slash = s.indexOf('/');
    return slash === -1 ? '' : s.slice(slash + 1);
  },
  digits: (s) => s.replace(/\D+/g, ''),
};

type Getter<R> = (record: R) => string | null;

function describe(spec: { from?: string; const?: string }): string {
  return spec.from !== undefined ? `"${spec.from}"` : 'a constant';
}

function toText(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return JSON.stringify(raw);
}

function compileValue<R>(spec: ValueSpec, access: AccessorFactory<R>): Getter<R> {
  const fns = (spec.transform ?? []).map((t) => transformFns[t]);
  const read: Getter<R> =
    spec.const !== undefined ? () => spec.const as string : compileRead(access(spec.from as string));
  const transformed: Getter<R> = fns.length
    ? (record) => {
        let v = read(record);
        if (v === null) return null;
        for (const fn of fns) v = fn(v);
        return v === '' ? null : v;
      }
    : read;
  if (!spec.when) return transformed;
  const gate = access(spec.when.from);
  const equals = spec.when.equals;
  return (record) => (toText(gate(record)) === equals ? transformed(record) : null);
}

function compileRead<R>(accessor: Accessor<R>): Getter<R> {
  return (record) => {
    const v = toText(accessor(record));
    return v === '' ? null : v;
  };
}

function compileList<R>(spec: ListSpec, access: AccessorFactory<R>): (record: R) => string[] {
  const fns = (spec.transform ?? []).map((t) => transformFns[t]);
  const apply = (items: string[]) => {
    const out: string[] = [];
    for (let item of items) {
      for (const fn of fns) item = fn(item);
      if (item !== '') out.push(item);
    }
    return out;
  };
  const accessor: Accessor<R> = spec.const !== undefined ? () => spec.const : access(spec.from as string);
  const gate = spec.when ? access(spec.when.from) : undefined;
  const split = spec.split;
  return (record) => {
    if (gate && toText(gate(record)) !== spec.when?.equals) return [];
    const raw = accessor(record);
    if (raw === null || raw === undefined || raw === '') return [];
    if (Array.isArray(raw)) return apply(raw.map((x) => toText(x) ?? ''));
    const text = toText(raw) as string;
    return apply(split ? text.split(split) : [text]);
  };
}

interface TimeGetter<R> {
  read: Getter<R>;
  parse: TimestampParser;
  spec: TimeSpec;
}

function compileTime<R>(spec: TimeSpec, access: AccessorFactory<R>, manifestZone: string): TimeGetter<R> {
  return {
    read: compileValue(spec, access),
    parse: compileTimestampParser(spec.format, spec.zone ?? manifestZone),
    spec,
  };
}

function parseNumber(text: string | null): number | null | undefined {
  if (text === null) return null;
  const n = Number(text.trim().replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/**
 * Compiles a mapping once per chunk into a function from a parsed record to a canonical message (or the
 * reason it is rejected). `access` resolves column names or paths; it throws MappingError for a column the
 * file does not have, so a bad mapping fails the import up front instead of rejecting every record.
 */
export function compileMapping<R>(
  mapping: Mapping,
  access: AccessorFactory<R>,
  context: ImportContext,
): (record: R, location: RecordLocation) => MappedRecord {
  const f = mapping.fields;
  const { manifest, importId, ingestedAt } = context;
  const platform = manifest.platform;
  const zone = manifest.timezone;

  const nativeId = f.native_id ? compileValue(f.native_id, access) : () => null;
  const sender = compileValue(f.sender, access);
  const senderDevice = f.sender_device ? compileValue(f.sender_device, access) : () => null;
  const recipients = f.recipients ? compileList(f.recipients, access) : () => [];
  const group = f.group ? compileValue(f.group, access) : () => null;
  const body = f.body ? compileValue(f.body, access) : () => null;
  const latitude = f.latitude ? compileValue(f.latitude, access) : () => null;
  const longitude = f.longitude ? compileValue(f.longitude, access) : () => null;
  const sent = compileTime(f.sent_at, access, zone);
  const received = f.received_at ? compileTime(f.received_at, access, zone) : undefined;
  const read = f.read_at ? compileTime(f.read_at, access, zone) : undefined;

  function optionalTime(t: TimeGetter<R> | undefined, record: R, name: string): number | null | string {
    if (!t) return null;
    const raw = t.read(record);
    if (raw === null) return null;
    const parsed = t.parse(raw);
    return parsed
      ? parsed.utcMillis
      : `unparseable ${name} ${JSON.stringify(raw)} in ${describe(t.spec)}: expected ${t.spec.format}`;
  }

  return (record, location) => {
    const from = sender(record);
    if (from === null) return `missing sender (${describe(f.sender)})`;
    const sentRaw = sent.read(record);
    if (sentRaw === null) return `missing send time (${describe(f.sent_at)})`;
    const sentAt = sent.parse(sentRaw);
    if (!sentAt) {
      return `unparseable send time ${JSON.stringify(sentRaw)} in ${describe(f.sent_at)}: expected ${f.sent_at.format}`;
    }
    const receivedAt = optionalTime(received, record, 'receive time');
    if (typeof receivedAt === 'string') return receivedAt;
    const readAt = optionalTime(read, record, 'read time');
    if (typeof readAt === 'string') return readAt;

    const lat = parseNumber(latitude(record));
    const lon = parseNumber(longitude(record));
    if (lat === undefined || lon === undefined || (lat === null) !== (lon === null)) {
      return 'invalid location: latitude and longitude must both be numbers, or both be empty';
    }
    if (lat !== null && lon !== null && (Math.abs(lat) > 90 || Math.abs(lon) > 180)) {
      return `invalid location: ${lat}, ${lon} is out of range`;
    }

    const to = recipients(record);
    const native = nativeId(record);
    const text = body(record);
    const groupId = group(record);
    return {
      message_id: native
        ? messageIdFromNative(platform, native)
        : messageIdFromContent(platform, from, sentAt.utcMillis, to, text),
      seizure_id: manifest.seizureId,
      case_id: manifest.caseId,
      platform,
      native_id: native,
      conversation_id: conversationId(groupId, from, to),
      sent_at: sentAt.utcMillis,
      sent_at_raw: sentRaw,
      timezone_assumed: sentAt.zoneAssumed,
      received_at: receivedAt,
      read_at: readAt,
      sender: from,
      sender_device: senderDevice(record),
      recipients: to,
      body: text,
      body_status: null,
      language: null,
      entities: null,
      mentioned_geo: null,
      attachments: null,
      geo: lat !== null && lon !== null ? { lat, lon } : null,
      reply_to: null,
      forwarded_from: null,
      edited_at: null,
      source_object: location.sourceObject,
      source_sha256: location.sourceSha256,
      source_offset: location.offset,
      source_length: location.length,
      import_id: importId,
      ingested_at: ingestedAt,
    };
  };
}

/** Every column or path a mapping reads, for checking it against a file's header up front. */
export function columnsUsed(mapping: Mapping): string[] {
  const used = new Set<string>();
  for (const spec of Object.values(mapping.fields)) {
    if (!spec) continue;
    if (spec.from !== undefined) used.add(spec.from);
    if (spec.when) used.add(spec.when.from);
  }
  return [...used];
}
