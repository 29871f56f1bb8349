import { conversationId, messageIdFromContent, messageIdFromNative } from '../../ids/message-ids.ts';
import type { Attachment } from '../../schema/message-schema.ts';
import { compileTimestampParser } from '../../time/timestamp-parser.ts';
import type { EvidenceFile, ImportContext, NormalizedRecord } from '../adapter.ts';
import { canonicalMessage, geoPoint, rejected } from '../common/canonical-message.ts';
import { mediaIndex } from '../common/media-files.ts';

/**
 * One message of a Telegram Desktop export to canonical parts.
 * - handles are Telegram's ids as the export writes them (`user123456789`, `channel1234567890`);
 * - a personal chat's `id` is the peer's user id: its messages go between the peer and the account's owner
 *   (`personal_information.user_id`, or in a one-chat export whoever else writes); groups and channels are
 *   conversations (`group:telegram:<chat id>`) without individual recipients;
 * - `date_unixtime` is the send time (UTC); older exports only have `date`, local time, read in the manifest's
 *   zone and flagged; `edited`, `reply_to_message_id`, `forwarded_from` are kept;
 * - `text` (a string, or an array of strings and entities `{type, text, href}`) is flattened, links kept;
 * - service messages (`type: "service"`) are `[action] details` from their actor;
 * - photos and files are attachments, linked to the exported file when the manifest lists it (role `media`).
 */
export interface ChatInfo {
  id: string | null;
  name: string | null;
  type: string | null;
}

const PERSONAL = new Set(['personal_chat', 'bot_chat']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const parsers = new Map<string, ReturnType<typeof compileTimestampParser>>();
const indexes = new WeakMap<object, ReturnType<typeof mediaIndex>>();

type Json = Record<string, unknown>;

export function telegramMessage(
  context: ImportContext,
  file: EvidenceFile,
  offset: number,
  raw: Buffer,
  chat: ChatInfo,
  owner: string | null,
): NormalizedRecord {
  const length = raw.length;
  const reject = (reason: string) => rejected(file, offset, length, reason, raw);
  let m: unknown;
  try {
    m = JSON.parse(utf8.decode(raw));
  } catch (e) {
    // JSON.parse quotes the text around the error: only where it is goes into the reason
    const at = e instanceof SyntaxError ? /at position (\d+)/.exec(e.message)?.[1] : undefined;
    if (!(e instanceof SyntaxError)) return reject('invalid UTF-8');
    return reject(at ? `invalid JSON at byte ${at} of the message` : 'invalid JSON');
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    return reject('a message must be a JSON object');
  const msg = m as Json;
  const { manifest } = context;
  const platform = manifest.platform;
  const zone = manifest.timezone;
  let parse = parsers.get(zone);
  if (!parse) {
    parse = compileTimestampParser('iso8601', zone);
    parsers.set(zone, parse);
  }
  let media = indexes.get(manifest);
  if (!media) {
    media = mediaIndex(manifest);
    indexes.set(manifest, media);
  }

  const time = (unix: unknown, local: unknown) => {
    if (typeof unix === 'string' && /^\d{1,12}$/.test(unix)) {
      return { millis: Number(unix) * 1000, raw: unix, assumed: false };
    }
    if (typeof unix === 'number' && Number.isInteger(unix)) {
      return { millis: unix * 1000, raw: String(unix), assumed: false };
    }
    if (typeof local === 'string') {
      const t = parse(local);
      return t ? { millis: t.utcMillis, raw: local, assumed: t.zoneAssumed } : undefined;
    }
    return undefined;
  };
  const sent = time(msg.date_unixtime, msg.date);
  if (!sent) return reject('missing or unparseable date');
  const edited = time(msg.edited_unixtime, msg.edited);

  const service = msg.type === 'service';
  const sender =
    handle(service ? msg.actor_id : msg.from_id) ??
    (chat.type?.endsWith('channel') && chat.id ? `channel${chat.id}` : undefined) ??
    name(service ? msg.actor : msg.from);
  if (!sender) return reject(`missing sender: no ${service ? 'actor_id' : 'from_id'}`);

  const chatKey = chat.id ?? chat.name;
  let recipients: string[] = [];
  let conversation: string;
  if (chat.type && PERSONAL.has(chat.type) && chat.id) {
    const peer = `user${chat.id}`;
    const other = sender === peer ? owner : peer;
    recipients = other ? [other] : [];
    conversation = owner
      ? conversationId(null, owner, [peer])
      : conversationId(`telegram:${chat.id}`, sender, []);
  } else if (chat.type === 'saved_messages') {
    conversation = conversationId(null, sender, []);
  } else {
    conversation = conversationId(`telegram:${chatKey ?? 'unknown'}`, sender, []);
  }

  let body = flatten(msg.text);
  if (service) {
    const details = [
      str(msg.title),
      Array.isArray(msg.members) ? msg.members.filter((x) => typeof x === 'string').join(', ') : undefined,
      typeof msg.duration_seconds === 'number' ? `${msg.duration_seconds} s` : undefined,
      str(msg.discard_reason),
      body || undefined,
    ].filter(Boolean);
    body = `[${str(msg.action) ?? 'service'}]${details.length ? ` ${details.join(' · ')}` : ''}`;
  } else {
    const extra = [
      msg.poll && typeof msg.poll === 'object' ? str((msg.poll as Json).question) : undefined,
      contact(msg.contact_information),
      str(msg.sticker_emoji),
    ].filter(Boolean);
    if (!body && extra.length) body = extra.join('\n');
  }

  const attachments: Attachment[] = [];
  for (const field of ['photo', 'file'] as const) {
    const value = msg[field];
    if (typeof value !== 'string') continue;
    const included = !value.startsWith('(');
    const type = str(msg.mime_type) ?? (field === 'photo' ? 'image/jpeg' : null);
    attachments.push(media.attachment(file.path, included ? value : null, type));
  }
  const loc = msg.location_information as Json | undefined;
  const geo = loc && typeof loc === 'object' ? geoPoint(loc.latitude, loc.longitude) : null;

  const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? String(msg.id) : null;
  const replyId = typeof msg.reply_to_message_id === 'number' ? String(msg.reply_to_message_id) : null;
  const nativeKey = (n: string) => `telegram\u0000${chatKey}\u0000${n}`;
  return {
    message: canonicalMessage(context, file, offset, length, {
      message_id:
        id && chatKey
          ? messageIdFromNative(platform, nativeKey(id))
          : messageIdFromContent(platform, sender, sent.millis, [conversation], body),
      native_id: id,
      conversation_id: conversation,
      sent_at: sent.millis,
      sent_at_raw: sent.raw,
      timezone_assumed: sent.assumed,
      sender,
      recipients,
      body: body || null,
      attachments,
      geo,
      reply_to: replyId && chatKey ? messageIdFromNative(platform, nativeKey(replyId)) : null,
      forwarded_from:
        handle(msg.forwarded_from_id) ?? name(msg.forwarded_from) ?? name(msg.saved_from) ?? null,
      edited_at: edited?.millis ?? null,
    }),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function handle(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return `user${v}`;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function name(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim().normalize('NFC') : undefined;
}

function contact(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const c = v as Json;
  const text = [str(c.first_name), str(c.last_name), str(c.phone_number)].filter(Boolean).join(' ');
  return text || undefined;
}

/** Telegram text: a string, or an array of strings and entities (`{type, text}`; links with `href`). */
export function flatten(text: unknown): string {
  if (typeof text === 'string') return text;
  if (!Array.isArray(text)) return '';
  return text
    .map((part) => {
      if (typeof part === 'string') return part;
      if (!part || typeof part !== 'object') return '';
      const p = part as Json;
      const t = typeof p.text === 'string' ? p.text : '';
      return typeof p.href === 'string' && p.href !== t ? `${t} (${p.href})` : t;
    })
    .join('');
}
