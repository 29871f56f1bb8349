import { centralEuropeanMidnight, centralEuropeanOffset, formatIsoDateTime } from '../clock.ts';
import { skyEccIdentities } from '../identities.ts';
import type { Prng } from '../prng.ts';
import { impossibleTimes, markInvalidBytes, truncateJson, withInvalidBytes } from './malformations.ts';
import type { ChatMessage, MalformedKind, PlatformFormat, RecordPieces } from './platform-format.ts';

/**
 * Sky ECC-style server dump: NDJSON, one message per line, Sky IDs as handles, server times (Europe/Amsterdam)
 * without a zone for sent, received and read. The server holds each message once.
 */
interface Times {
  sent: string;
  received: string | null;
  read: string | null;
}

function serverTime(utcMs: number): string {
  return formatIsoDateTime(utcMs + centralEuropeanOffset(utcMs));
}

/** Delivery takes seconds, minutes when the phone is off the network, hours now and then; some never arrive. */
function deliveryTimes(sentMs: number, rng: Prng): Times {
  const sent = serverTime(sentMs);
  if (rng.chance(0.03)) return { sent, received: null, read: null };
  const r = rng.float();
  const delay = r < 0.8 ? rng.between(1, 30) : r < 0.96 ? rng.between(31, 1800) : rng.between(1800, 6 * 3600);
  const receivedMs = sentMs + delay * 1000;
  if (rng.chance(0.15)) return { sent, received: serverTime(receivedMs), read: null };
  const readDelay = Math.round(Math.min(12 * 3600, Math.exp(Math.log(120) + 1.5 * rng.normal())));
  return { sent, received: serverTime(receivedMs), read: serverTime(receivedMs + readDelay * 1000) };
}

const quoted = (s: string | null) => (s === null ? 'null' : `"${s}"`);

function serialize(
  id: string,
  from: string | null | undefined,
  message: ChatMessage,
  times: Times,
  text: string,
): string {
  const sender = from === undefined ? '' : `"from":${quoted(from)},`;
  const to = `[${message.recipients.map((r) => `"${r.handle}"`).join(',')}]`;
  const loc = message.geo ? `{"lat":${round6(message.geo.lat)},"lon":${round6(message.geo.lon)}}` : 'null';
  return (
    `{"id":"${id}",${sender}"from_imei":"${message.sender.device}","to":${to},` +
    `"group":${quoted(message.conversation.group)},"sent":"${times.sent}","received":${quoted(times.received)},` +
    `"read":${quoted(times.read)},"text":${text},"loc":${loc}}`
  );
}

function round6(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}

export const skyEcc: PlatformFormat = {
  platform: 'skyecc',
  timezone: 'Europe/Amsterdam',
  activityStartMs: centralEuropeanMidnight(2020, 3, 1),
  identities: skyEccIdentities,
  allowEmoji: true,
  encoding: 'utf-8',
  lineEnding: '\n',
  header: null,
  dataFile: (n) => `data/sky-messages-${String(n).padStart(4, '0')}.ndjson`,
  malformedKinds: ['invalid-bytes', 'bad-timestamp', 'missing-sender', 'broken-json'],

  records(message, ids) {
    const times = deliveryTimes(message.sentMs, ids);
    return [serialize(ids.hex(24), message.sender.handle, message, times, JSON.stringify(message.body))];
  },

  malformedRecord(message, kind: MalformedKind, ids, faults): RecordPieces {
    const id = ids.hex(24);
    const times = deliveryTimes(message.sentMs, ids);
    const from = message.sender.handle;
    const text = JSON.stringify(message.body);
    switch (kind) {
      case 'invalid-bytes':
        return withInvalidBytes(
          serialize(id, from, message, times, JSON.stringify(markInvalidBytes(message.body, faults))),
          faults,
        );
      case 'bad-timestamp':
        return serialize(id, from, message, { ...times, sent: faults.pick(impossibleTimes.isoLocal) }, text);
      case 'missing-sender':
        return serialize(id, faults.pick([undefined, null, '']), message, times, text);
      case 'broken-json': {
        const record = serialize(id, from, message, times, text);
        switch (faults.int(3)) {
          case 0: // the closing brace never written
            return record.slice(0, -1);
          case 1: // a quote in the text not escaped
            return serialize(id, from, message, times, `${JSON.stringify(message.body).slice(0, -1)} "ok""`);
          default: // a trailing comma
            return `${record.slice(0, -1)},}`;
        }
      }
      default:
        throw new Error(`skyecc dumps cannot hold a ${kind} record`);
    }
  },

  truncate: truncateJson,
};
