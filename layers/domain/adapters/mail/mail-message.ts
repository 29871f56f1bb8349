import { createHash } from 'node:crypto';
import PostalMime, { type Address, type Email } from 'postal-mime';
import { conversationId, messageIdFromContent, messageIdFromNative } from '../../ids/message-ids.ts';
import type { Attachment, BodyStatus } from '../../schema/message-schema.ts';
import { type AttachmentBlob, attachmentKey } from '../adapter.ts';
import type { MessageParts } from '../common/canonical-message.ts';
import type { MailDateParser } from './mail-dates.ts';
import { decryptMessage, type KeyRing } from './pgp-keys.ts';

/**
 * One RFC 5322 message to canonical parts, with postal-mime doing MIME (multipart, transfer encodings,
 * RFC 2047 encoded words, RFC 2231 parameters, charsets) and OpenPGP.js doing the decryption.
 *
 * - sender: the From address (lower-cased), else Sender, else the mbox envelope sender;
 * - recipients: To, Cc and Bcc (groups flattened);
 * - sent_at: the Date header, else the mbox envelope date;
 * - received_at: the date of the topmost Received header (the last hop's delivery);
 * - body: `Subject: <subject>` and a blank line when there is a subject, then the text part (or the HTML
 *   part as text); inline PGP blocks (`-----BEGIN PGP MESSAGE-----`) and PGP/MIME (RFC 3156) bodies are
 *   decrypted with the import's keys. A body that stays encrypted keeps its ciphertext, with `body_status`;
 * - attachments: every attachment (of the decrypted content, for PGP/MIME), by SHA-256, stored in the lake.
 */
export interface MailInput {
  bytes: Uint8Array;
  platform: string;
  parseDate: MailDateParser;
  keys: () => Promise<KeyRing>;
  maxBytes: number;
  /** From an mbox `From ` line. */
  envelope?: { sender?: string; date?: string };
}

export interface ParsedMail {
  parts: MessageParts;
  blobs: AttachmentBlob[];
}

const PGP_BLOCK = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g;

export async function parseMail(input: MailInput): Promise<ParsedMail | string> {
  let email: Email;
  try {
    email = await PostalMime.parse(input.bytes, { attachmentEncoding: 'arraybuffer' });
  } catch (e) {
    return `unreadable MIME: ${firstLine((e as Error).message)}`;
  }
  const header = (key: string) => email.headers.find((h) => h.key === key)?.value;
  const hasHeaders = email.headers.length > 0;
  if (!hasHeaders) return 'not a mail message: no header fields';

  const sender =
    mailbox(email.from) ?? mailbox(email.sender) ?? normalizeAddress(input.envelope?.sender) ?? undefined;
  if (!sender) return 'missing sender: no From or Sender header (and no envelope sender)';
  const recipients = unique(
    [...(email.to ?? []), ...(email.cc ?? []), ...(email.bcc ?? [])].flatMap(addresses),
  );

  const dateRaw = header('date');
  let sentRaw = dateRaw;
  let sent = dateRaw ? input.parseDate(dateRaw) : undefined;
  if (!sent && input.envelope?.date) {
    sent = input.parseDate(input.envelope.date);
    if (sent) sentRaw = input.envelope.date;
  }
  if (!sent || sentRaw === undefined) {
    return dateRaw
      ? `unparseable Date header ${JSON.stringify(dateRaw.slice(0, 80))}`
      : 'missing Date header (and no envelope date)';
  }
  const received = email.headers.find((h) => h.key === 'received')?.value;
  const receivedAt = received ? input.parseDate(received.slice(received.lastIndexOf(';') + 1)) : undefined;

  // decryption
  let content: Email = email;
  let status: BodyStatus | null = null;
  let pgpMimeBody: string | undefined;
  let skipParts = new Set<unknown>();
  const contentType = (header('content-type') ?? '').toLowerCase();
  if (contentType.startsWith('multipart/encrypted') && contentType.includes('application/pgp-encrypted')) {
    const control = email.attachments.filter((a) => a.mimeType === 'application/pgp-encrypted');
    const cipher = email.attachments.find((a) => a.mimeType === 'application/octet-stream');
    skipParts = new Set([...control, cipher]);
    if (!cipher) status = 'decryption-failed';
    else {
      const armored = Buffer.from(toBytes(cipher.content)).toString('utf8');
      const result = await decryptMessage(armored, await input.keys(), input.maxBytes);
      if ('data' in result) {
        try {
          content = await PostalMime.parse(result.data, { attachmentEncoding: 'arraybuffer' });
          status = 'decrypted';
          skipParts = new Set();
        } catch {
          status = 'decryption-failed';
          pgpMimeBody = armored;
        }
      } else {
        status = result.status;
        pgpMimeBody = armored;
      }
    }
  }

  let text = pgpMimeBody ?? content.text ?? (content.html ? htmlToText(content.html) : undefined) ?? null;
  if (text !== null) text = text.replace(/\r\n/g, '\n').trimEnd() || null;
  if (text !== null && status === null && text.includes('-----BEGIN PGP MESSAGE-----')) {
    const ring = await input.keys();
    const pieces: string[] = [];
    let last = 0;
    let worst: BodyStatus = 'decrypted';
    for (const m of text.matchAll(PGP_BLOCK)) {
      pieces.push(text.slice(last, m.index));
      const result = await decryptMessage(m[0], ring, input.maxBytes);
      if ('data' in result) pieces.push(new TextDecoder('utf-8').decode(result.data).replace(/\r\n/g, '\n'));
      else {
        pieces.push(m[0]);
        if (worst !== 'decryption-failed') worst = result.status;
      }
      last = m.index + m[0].length;
    }
    pieces.push(text.slice(last));
    text = pieces.join('');
    status = worst;
  }
  const subject = (content === email ? email.subject : (content.subject ?? email.subject))?.trim();
  const body = subject ? `Subject: ${subject}${text ? `\n\n${text}` : ''}` : text;

  // attachments
  const blobs = new Map<string, AttachmentBlob>();
  const attachments: Attachment[] = [];
  for (const a of content.attachments) {
    if (skipParts.has(a)) continue;
    const bytes = toBytes(a.content);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    attachments.push({
      name: a.filename,
      media_type: a.mimeType,
      size: bytes.length,
      sha256,
      object_key: attachmentKey(sha256),
    });
    blobs.set(sha256, { sha256, bytes, mediaType: a.mimeType });
  }

  const messageId = stripAngles(email.messageId ?? header('message-id'));
  const inReplyTo = stripAngles(email.inReplyTo?.split(/\s+/)[0]);
  return {
    parts: {
      message_id: messageId
        ? messageIdFromNative(input.platform, messageId)
        : messageIdFromContent(input.platform, sender, sent.utcMillis, recipients, body),
      native_id: messageId ?? null,
      conversation_id: conversationId(null, sender, recipients),
      sent_at: sent.utcMillis,
      sent_at_raw: sentRaw,
      timezone_assumed: sent.zoneAssumed,
      received_at: receivedAt?.utcMillis ?? null,
      sender,
      recipients,
      body,
      body_status: status,
      attachments,
      reply_to: inReplyTo ? messageIdFromNative(input.platform, inReplyTo) : null,
    },
    blobs: [...blobs.values()],
  };
}

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

function addresses(a: Address): string[] {
  const list = a.group ? a.group : [a];
  return list.flatMap((m) => normalizeAddress(m.address) ?? []);
}

function mailbox(a: Address | undefined): string | undefined {
  return a ? addresses(a)[0] : undefined;
}

function normalizeAddress(address: string | undefined): string | undefined {
  const a = address?.trim().replace(/^<|>$/g, '').toLowerCase();
  return a && a !== 'mailer-daemon' ? a : undefined;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function stripAngles(id: string | undefined): string | undefined {
  const v = id?.trim().replace(/^<|>$/g, '').trim();
  return v || undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 200) ?? '';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The text of an HTML body: scripts and styles dropped, line breaks kept, tags removed, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all;
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
