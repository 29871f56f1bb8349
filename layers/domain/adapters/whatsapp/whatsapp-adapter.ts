import type { Readable } from 'node:stream';
import { conversationId, messageIdFromContent } from '../../ids/message-ids.ts';
import { isOversized, type SplitRecord, splitRecords } from '../../records/record-splitter.ts';
import { compileTimestampParser } from '../../time/timestamp-parser.ts';
import type { Adapter, Chunk, EvidenceFile, ImportContext, NormalizedRecord, OpenRange } from '../adapter.ts';
import { canonicalMessage, geoPoint, rejected } from '../common/canonical-message.ts';
import { mediaIndex } from '../common/media-files.ts';
import { MAX_RECORD_BYTES } from '../mapping/mapping-adapter.ts';
import { startsWithBom } from '../mapping/text-decoder.ts';
import {
  calendar,
  chatNameFromPath,
  type DateOrder,
  DateOrderEvidence,
  locationIn,
  mediaPlaceholder,
  normalizeName,
  PARTIAL_HEADER,
  parseStartLine,
  type StartLine,
  splitSender,
} from './whatsapp-lines.ts';

/**
 * `whatsapp`: the text file of WhatsApp's "export chat" (Android and iOS, any locale's date order, 12- and
 * 24-hour clocks). Planning reads the file once to learn the date order (a day above 12 tells day-first from
 * month-first; `options.dateOrder` decides when none does), who takes part, and where messages start; a chunk
 * begins at a message whose time differs from the one before it, so identical messages in the same minute
 * are always counted in one chunk.
 *
 * A message is its header line and the lines that follow it; times are local (the manifest's zone, flagged).
 * A chat with more than two people is a group (`group:whatsapp:<chat name>`); otherwise the two form a
 * one-to-one conversation. System messages have the sender `(system)`. Media placeholders become attachments,
 * linked to the exported file when the manifest lists it with role `media`.
 */
interface WhatsAppContext {
  order: DateOrder;
  /** line terminator length: 1 (LF) or 2 (CRLF) */
  eol: number;
  group: boolean;
  /** the two people of a one-to-one chat (one, or none, when only they wrote) */
  pair: string[];
  chat: string;
}

export const SYSTEM_SENDER = '(system)';
const MAX_PARTICIPANTS = 100_000;

export function createWhatsAppAdapter(
  context: ImportContext,
  options: { maxRecordBytes?: number } = {},
): Adapter {
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const { manifest } = context;
  const platform = manifest.platform;
  const toUtc = compileTimestampParser('iso8601', manifest.timezone);
  const media = mediaIndex(manifest);
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decode = (b: Buffer) => {
    try {
      return utf8.decode(b);
    } catch {
      return undefined;
    }
  };

  async function plan(file: EvidenceFile, open: OpenRange, target: number): Promise<Chunk[]> {
    const evidence = new DateOrderEvidence();
    const people = new Set<string>();
    const bounds = [0];
    let chunkStart = 0;
    let previousRaw: string | undefined;
    let eol = 1;
    let sawLine = false;
    const stream = await open(0, file.bytes);
    for await (const batch of splitRecords(stream, { startOffset: 0, maxRecordBytes })) {
      for (const r of batch) {
        if (isOversized(r)) continue;
        if (!sawLine) {
          sawLine = true;
          const end = r.offset + r.bytes.length;
          eol = (await peek(open, end, Math.min(file.bytes, end + 2)))[0] === 0x0d ? 2 : 1;
        }
        const text = decode(r.bytes);
        const start = text === undefined ? undefined : parseStartLine(text);
        if (!start) continue;
        evidence.add(start);
        const who = splitSender(start.rest);
        if ('name' in who && people.size < MAX_PARTICIPANTS) people.add(normalizeName(who.name));
        if (start.raw !== previousRaw && r.offset - chunkStart >= target && r.offset > chunkStart) {
          bounds.push(r.offset);
          chunkStart = r.offset;
        }
        previousRaw = start.raw;
      }
    }
    if (!evidence.total) {
      throw new Error(
        `${file.path} has no line that starts a WhatsApp message ("31/12/2019, 23:59 - Name: text")`,
      );
    }
    const order = evidence.decide(manifest.options?.dateOrder);
    if (order !== 'dmy' && order !== 'mdy' && order !== 'ymd') throw new Error(`${file.path}: ${order}`);
    const chatName = chatNameFromPath(file.path);
    const group = people.size > 2;
    const pair = group ? [] : [...people].sort();
    if (!group && pair.length < 2 && chatName) {
      const other = normalizeName(chatName);
      if (!pair.includes(other)) pair.push(other);
    }
    const ctx: WhatsAppContext = { order, eol, group, pair, chat: chatName ?? file.path };
    bounds.push(file.bytes);
    return bounds.slice(0, -1).map((start, i) => ({
      chunkId: '',
      index: i,
      file,
      start,
      end: bounds[i + 1] as number,
      context: JSON.stringify(ctx),
    }));
  }

  const conversations = new Map<string, string>();
  /** A group's conversation is the chat; a one-to-one chat's is its pair of people. */
  function conversationOf(ctx: WhatsAppContext): string {
    const key = JSON.stringify([ctx.group, ctx.chat, ctx.pair]);
    let id = conversations.get(key);
    if (id === undefined) {
      id =
        ctx.group || !ctx.pair.length
          ? conversationId(`whatsapp:${ctx.chat}`, '', [])
          : conversationId(null, ctx.pair[0] as string, ctx.pair.slice(1));
      conversations.set(key, id);
    }
    return id;
  }

  async function* read(chunk: Chunk, bytes: Readable): AsyncIterable<NormalizedRecord[]> {
    const ctx = JSON.parse(chunk.context as string) as WhatsAppContext;
    const { file } = chunk;
    const seen: Seen = { raw: '', counts: new Map() };
    let current: Pending | undefined;
    let lastEnd = -1;

    const finish = (p: Pending | undefined): NormalizedRecord | undefined =>
      p ? toRecord(file, ctx, p, seen) : undefined;

    for await (const batch of splitRecords(bytes, { startOffset: chunk.start, maxRecordBytes })) {
      const out: NormalizedRecord[] = [];
      for (const r of batch as SplitRecord[]) {
        const length = isOversized(r) ? r.length : r.bytes.length;
        let offset = r.offset;
        let raw = isOversized(r) ? undefined : r.bytes;
        if (raw && offset === 0 && startsWithBom(raw)) {
          raw = raw.subarray(3);
          offset = 3;
        }
        // blank lines (which the splitter drops) inside a message are kept as empty lines
        const blanks = lastEnd === -1 ? 0 : Math.max(0, Math.round((r.offset - lastEnd) / ctx.eol) - 1);
        lastEnd = r.offset + length;
        const text = raw === undefined ? undefined : decode(raw);
        // a header with invalid UTF-8 still starts a message (a rejected one)
        const start = parseStartLine(text ?? raw?.toString('utf8') ?? '');
        if (start) {
          const done = finish(current);
          if (done) out.push(done);
          const problem = text === undefined ? 'invalid UTF-8' : undefined;
          current = { offset, end: offset + (raw?.length ?? length), start, lines: [start.rest], problem };
          continue;
        }
        if (raw === undefined) {
          // A line over the limit cannot be looked at: it is rejected with the lines that follow it, and the
          // message before it stays whole.
          const done = finish(current);
          if (done) out.push(done);
          current = { offset, end: offset + length, start: undefined, lines: [], problem: 'oversized' };
          continue;
        }
        const atEof = r.offset + length === file.bytes;
        if (atEof && text !== undefined && PARTIAL_HEADER.test(text.trim())) {
          const done = finish(current);
          if (done) out.push(done);
          current = undefined;
          out.push(
            rejected(
              file,
              offset,
              raw?.length ?? length,
              'truncated: an incomplete message header ends the file',
              raw,
            ),
          );
          continue;
        }
        if (!current) {
          current = {
            offset,
            end: offset,
            start: undefined,
            lines: [],
            problem: 'text before the first message',
          };
        }
        current.end = r.offset + length;
        for (let i = 0; i < blanks; i++) current.lines.push('');
        if (text === undefined) current.problem ??= 'invalid UTF-8';
        else current.lines.push(text);
      }
      if (out.length) yield out;
    }
    const last = finish(current);
    if (last) yield [last];
  }

  interface Pending {
    offset: number;
    end: number;
    start: StartLine | undefined;
    lines: string[];
    problem: string | undefined;
  }

  /** Identical messages in the same minute are told apart by their order: counted per header time. */
  interface Seen {
    raw: string;
    counts: Map<string, number>;
  }

  function toRecord(file: EvidenceFile, ctx: WhatsAppContext, p: Pending, seen: Seen): NormalizedRecord {
    const length = p.end - p.offset;
    const rawText = () => Buffer.from(p.lines.join('\n'));
    if (p.problem === 'oversized' || length > maxRecordBytes) {
      return rejected(
        file,
        p.offset,
        length,
        `message of ${length} bytes exceeds the ${maxRecordBytes}-byte limit`,
      );
    }
    if (p.problem || !p.start)
      return rejected(file, p.offset, length, p.problem ?? 'no message header', rawText());
    const when = calendar(p.start, ctx.order);
    const pad = (n: number) => String(n).padStart(2, '0');
    const sent = when
      ? toUtc(
          `${when.year}-${pad(when.month)}-${pad(when.day)}T${pad(when.hour)}:${pad(when.minute)}:${pad(when.second)}`,
        )
      : undefined;
    if (!sent) return rejected(file, p.offset, length, `invalid date or time "${p.start.raw}"`, rawText());

    const who = splitSender(p.start.rest);
    const system = 'system' in who;
    const sender = system ? SYSTEM_SENDER : normalizeName(who.name);
    const body = (system ? [who.system, ...p.lines.slice(1)] : [who.text, ...p.lines.slice(1)]).join('\n');
    let recipients: string[] = [];
    if (!ctx.group && !system) recipients = ctx.pair.filter((x) => x !== sender).slice(0, 1);
    const conversation = conversationOf(ctx);

    const placeholder = system || who.text.length > 300 ? undefined : mediaPlaceholder(who.text);
    const attachments = placeholder
      ? [media.attachment(file.path, placeholder.name, placeholder.mediaType)]
      : [];
    const loc = body.includes('maps.google.') ? locationIn(body) : undefined;
    // The same export gives the same ordinals, whatever its chunks: a chunk never splits a header time.
    if (seen.raw !== p.start.raw) {
      seen.raw = p.start.raw;
      seen.counts.clear();
    }
    const key = `${sender}\u0000${body}`;
    const n = seen.counts.get(key) ?? 0;
    seen.counts.set(key, n + 1);
    return {
      message: canonicalMessage(context, file, p.offset, length, {
        message_id: messageIdFromContent(
          platform,
          sender,
          sent.utcMillis,
          [conversation],
          n ? `${body}\u0000#${n}` : body,
        ),
        native_id: null,
        conversation_id: conversation,
        sent_at: sent.utcMillis,
        sent_at_raw: p.start.raw,
        timezone_assumed: sent.zoneAssumed,
        sender,
        recipients,
        body: body === '' ? null : body,
        attachments,
        geo: loc ? geoPoint(loc.lat, loc.lon) : null,
      }),
    };
  }

  return { plan, read };
}

async function peek(open: OpenRange, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const piece of await open(start, end)) parts.push(piece as Buffer);
  return Buffer.concat(parts);
}
