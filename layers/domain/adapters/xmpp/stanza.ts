import { conversationId, messageIdFromContent, messageIdFromNative } from '../../ids/message-ids.ts';
import type { Attachment, BodyStatus } from '../../schema/message-schema.ts';
import type { TimestampParser } from '../../time/timestamp-parser.ts';
import type { MessageParts } from '../common/canonical-message.ts';
import { geoPoint } from '../common/canonical-message.ts';
import { child, children, type XmlElement } from './xml-tree.ts';

/**
 * Maps one XMPP message to canonical parts. The message comes as a bare stanza (`<message>`: an offline
 * message of a XEP-0227 export, a row of ejabberd's archive table), as a XEP-0313 result (`<result>` in a
 * XEP-0227 archive section) or as a result carried in a `<message>` (a MAM query's response).
 *
 * - handles are bare JIDs (lower-cased); the resource is the sender's device;
 * - a groupchat message belongs to its room (`group:<room JID>`) and has no individual recipients; its sender
 *   is the occupant's real JID when the room disclosed it (muc#user `<item jid>`), else the occupant JID;
 * - the send time is the message's own `<delay stamp>` (the original send time of a stored message), else the
 *   archive's `<delay stamp>` on the forwarded message, else the archive's timestamp;
 * - ids: see `messageKey`.
 */
export interface StanzaContext {
  platform: string;
  parseStamp: TimestampParser;
  /** Bare JID of the archive the message came from (its owner, or the room of a MUC archive). */
  owner?: string;
  /** The archive's own time for the message (ejabberd's `timestamp`), used when it has no `<delay>`. */
  archivedAt?: { millis: number; raw: string };
}

const NS = {
  mam: (u: string) => u.startsWith('urn:xmpp:mam:'),
  forward: 'urn:xmpp:forward:0',
  delay: 'urn:xmpp:delay',
  legacyDelay: 'jabber:x:delay',
  sid: 'urn:xmpp:sid:0',
  mucUser: 'http://jabber.org/protocol/muc#user',
  oob: 'jabber:x:oob',
  geoloc: 'http://jabber.org/protocol/geoloc',
  reply: 'urn:xmpp:reply:0',
  omemo: (u: string) => u === 'eu.siacs.conversations.axolotl' || u.startsWith('urn:xmpp:omemo:'),
  legacyPgp: 'jabber:x:encrypted',
  openpgp: 'urn:xmpp:openpgp:0',
};

export function bareJid(jid: string | undefined): string | undefined {
  if (!jid) return undefined;
  const slash = jid.indexOf('/');
  const bare = (slash === -1 ? jid : jid.slice(0, slash)).trim().toLowerCase();
  return bare || undefined;
}

export function jidResource(jid: string | undefined): string | undefined {
  if (!jid) return undefined;
  const slash = jid.indexOf('/');
  return slash === -1 || slash === jid.length - 1 ? undefined : jid.slice(slash + 1);
}

/** The archive owner named by the elements around a record in a XEP-0227 (or XEP-0519 component) export. */
export function ownerFromAncestors(ancestors: XmlElement[]): string | undefined {
  let host: string | undefined;
  let user: string | undefined;
  for (const a of ancestors) {
    if ((a.name === 'host' || a.name === 'component') && a.attrs.jid) host = a.attrs.jid;
    if ((a.name === 'user' || a.name === 'item') && a.attrs.name) user = a.attrs.name;
  }
  if (!host) return user?.toLowerCase();
  return bareJid(user ? `${user}@${host}` : host);
}

/** The parts of a message record, or the reason it is not one. */
export function stanzaToParts(record: XmlElement, ctx: StanzaContext): MessageParts | string {
  let owner = ctx.owner;
  let result: XmlElement | undefined;
  let stanza: XmlElement | undefined;
  if (record.name === 'result' && NS.mam(record.uri)) result = record;
  else if (record.name === 'message') {
    result = child(record, 'result', NS.mam);
    if (result)
      owner = bareJid(record.attrs.to) ?? owner; // a MAM response: the carrier goes to the archive owner
    else stanza = record;
  } else return `not a message: <${record.name}>`;

  let archiveDelay: XmlElement | undefined;
  if (result) {
    const forwarded = child(result, 'forwarded', NS.forward);
    stanza = child(forwarded, 'message');
    archiveDelay = child(forwarded, 'delay', NS.delay);
    if (!stanza) return 'MAM result without a forwarded <message>';
  }
  const message = stanza as XmlElement;
  const type = message.attrs.type ?? 'normal';
  if (type === 'error') return 'an error stanza (type="error"), not a message';

  // time
  const ownDelay = child(message, 'delay', NS.delay) ?? child(message, 'x', NS.legacyDelay);
  const sent = readTime(ownDelay, ctx) ?? readTime(archiveDelay, ctx);
  if (typeof sent === 'string') return sent;
  let sentAt = sent;
  if (!sentAt) {
    if (!ctx.archivedAt) return 'missing send time: no <delay stamp> and no archive timestamp';
    sentAt = { millis: ctx.archivedAt.millis, raw: ctx.archivedAt.raw, assumed: false };
  }
  const archived = ownDelay ? readTime(archiveDelay, ctx) : undefined;
  const receivedAt =
    archived && typeof archived !== 'string'
      ? archived.millis
      : ownDelay && ctx.archivedAt
        ? ctx.archivedAt.millis
        : null;

  // who
  const from = message.attrs.from;
  const to = message.attrs.to;
  let sender: string | undefined;
  let device: string | undefined;
  let recipients: string[];
  let room: string | undefined;
  if (type === 'groupchat') {
    // Sent to a room: addressed to its bare JID. From a room: from room@service/nick.
    const toRoom = to !== undefined && jidResource(to) === undefined && bareJid(from) !== bareJid(to);
    room = toRoom ? bareJid(to) : (bareJid(from) ?? owner);
    const realJid = child(child(message, 'x', NS.mucUser), 'item')?.attrs.jid;
    if (toRoom) {
      sender = bareJid(from) ?? (owner !== room ? owner : undefined);
      device = jidResource(from);
    } else if (realJid) {
      sender = bareJid(realJid);
      device = jidResource(realJid);
    } else {
      const nick = jidResource(from);
      sender = nick && room ? `${room}/${nick}` : undefined;
    }
    recipients = [];
  } else {
    sender = bareJid(from);
    device = jidResource(from);
    if (!sender && owner && bareJid(to) !== owner) sender = owner; // an archive's own outgoing messages
    const recipient = bareJid(to) ?? (owner !== sender ? owner : undefined);
    recipients = recipient ? [recipient] : [];
  }
  if (!sender) return 'missing sender: the message has no from attribute';

  // content
  const bodies = children(message, 'body');
  const body = bodies.find((b) => !b.attrs['xml:lang']) ?? bodies[0];
  let text: string | null = body ? body.text : null;
  const subject = child(message, 'subject')?.text;
  if (text === null && subject) text = subject;
  let status: BodyStatus | null = null;
  const omemo = child(message, 'encrypted', NS.omemo);
  const pgp = child(message, 'x', NS.legacyPgp) ?? child(message, 'openpgp', NS.openpgp);
  if (omemo || pgp || text?.startsWith('?OTR')) {
    status = 'encrypted';
    if (text === null) text = pgp?.text.trim() || child(omemo, 'payload')?.text.trim() || null;
  }
  const attachments: Attachment[] = children(message, 'x', NS.oob).flatMap((x) => {
    const url = child(x, 'url')?.text.trim();
    return url ? [{ name: url, media_type: null, size: null, sha256: null, object_key: null }] : [];
  });
  const geoloc = child(message, 'geoloc', NS.geoloc);
  let geo = geoloc ? geoPoint(child(geoloc, 'lat')?.text, child(geoloc, 'lon')?.text) : null;
  const geoUri = text ? /^geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/.exec(text.trim()) : null;
  if (!geo && geoUri) geo = geoPoint(geoUri[1], geoUri[2]);
  if (text === null && !attachments.length && !geo && status === null) {
    return 'no message content (no body: a chat state, receipt or marker)';
  }

  // ids
  const originId = child(message, 'origin-id', NS.sid)?.attrs.id;
  const roomStanzaId = room
    ? children(message, 'stanza-id', NS.sid).find((s) => bareJid(s.attrs.by) === room)?.attrs.id
    : undefined;
  const clientId = originId ?? message.attrs.id;
  const key = messageKey({
    room,
    sender,
    recipient: recipients[0],
    roomStanzaId,
    originId,
    id: message.attrs.id,
    body: text,
  });
  const reply = child(message, 'reply', NS.reply);
  let replyTo: string | null = null;
  if (reply?.attrs.id) {
    const replyKey = room
      ? ['xmpp-muc', room, reply.attrs.id]
      : bareJid(reply.attrs.to)
        ? ['xmpp', bareJid(reply.attrs.to) as string, reply.attrs.id]
        : undefined;
    replyTo = replyKey ? messageIdFromNative(ctx.platform, replyKey.join('\u0000')) : null;
  }

  return {
    message_id: key
      ? messageIdFromNative(ctx.platform, key.join('\u0000'))
      : messageIdFromContent(ctx.platform, sender, sentAt.millis, recipients, text),
    native_id: roomStanzaId ?? clientId ?? null,
    conversation_id: conversationId(room ?? null, sender, recipients),
    sent_at: sentAt.millis,
    sent_at_raw: sentAt.raw,
    timezone_assumed: sentAt.assumed,
    received_at: receivedAt,
    sender,
    sender_device: device ?? null,
    recipients,
    body: text,
    body_status: status,
    attachments,
    geo,
    reply_to: replyTo,
  };
}

/**
 * The native key behind message_id, the same in every archive that holds the message:
 * - groupchat: the room's stanza-id (XEP-0359 `<stanza-id by=room>`), which every occupant's copy carries;
 * - otherwise the sender's XEP-0359 origin-id, unique by definition;
 * - otherwise the message's id attribute, with the body (clients that count ids per session repeat them);
 * - none of these: undefined, and the id comes from the content (sender, time, recipients, body).
 */
function messageKey(m: {
  room?: string;
  sender: string;
  recipient?: string;
  roomStanzaId?: string;
  originId?: string;
  id?: string;
  body: string | null;
}): string[] | undefined {
  if (m.room && m.roomStanzaId) return ['xmpp-muc', m.room, m.roomStanzaId];
  if (m.room) return m.id ? ['xmpp-muc', m.room, m.sender, m.id, m.body ?? ''] : undefined;
  if (m.originId) return ['xmpp', m.sender, m.originId];
  if (m.id) return ['xmpp', m.sender, m.recipient ?? '', m.id, m.body ?? ''];
  return undefined;
}

interface Time {
  millis: number;
  raw: string;
  assumed: boolean;
}

/** A `<delay stamp>` (XEP-0203: XEP-0082 date-time) or legacy `<x stamp>` (XEP-0091: CCYYMMDDThh:mm:ss, UTC). */
function readTime(delay: XmlElement | undefined, ctx: StanzaContext): Time | string | undefined {
  const raw = delay?.attrs.stamp?.trim();
  if (!raw) return undefined;
  const legacy = /^(\d{4})(\d{2})(\d{2})T(\d{2}:\d{2}:\d{2})$/.exec(raw);
  const text = legacy ? `${legacy[1]}-${legacy[2]}-${legacy[3]}T${legacy[4]}Z` : raw;
  const t = ctx.parseStamp(text);
  if (!t) return `unparseable <delay stamp> ${JSON.stringify(raw.slice(0, 64))}`;
  return { millis: t.utcMillis, raw, assumed: t.zoneAssumed };
}
