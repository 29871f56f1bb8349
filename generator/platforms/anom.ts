import { formatIsoUtcMillis } from '../clock.ts';
import { csvFieldWriter } from '../csv-field.ts';
import { anomIdentities } from '../identities.ts';
import type { Prng } from '../prng.ts';
import { impossibleTimes, markInvalidBytes, truncateCsv, withInvalidBytes } from './malformations.ts';
import type { ChatMessage, MalformedKind, PlatformFormat, RecordPieces } from './platform-format.ts';

/**
 * Anom-style XMPP server export as CSV (',' UTF-8, LF): one stanza per message, full JIDs of senders (the
 * resource is the device), bare JIDs or conference rooms as recipients, UTC times with a zone.
 */
const DOMAIN = 'anom.example';
const field = csvFieldWriter(',');

/** A version-4 UUID drawn from the generator, as XMPP clients use for stanza ids. */
function stanzaId(ids: Prng): string {
  const hex = ids.hex(32);
  const variant = '89ab'[ids.int(4)];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function serialize(id: string, timestamp: string, from: string, message: ChatMessage, body: string): string {
  const group = message.conversation.group;
  const to = group === null ? `${message.recipients[0]?.handle}@${DOMAIN}` : `${group}@conference.${DOMAIN}`;
  const lat = message.geo ? message.geo.lat.toFixed(6) : '';
  const lon = message.geo ? message.geo.lon.toFixed(6) : '';
  return `${id},${timestamp},${from},${to},${group === null ? 'chat' : 'groupchat'},${field(body)},${lat},${lon}`;
}

function fullJid(message: ChatMessage): string {
  return `${message.sender.handle}@${DOMAIN}/${message.sender.device}`;
}

export const anom: PlatformFormat = {
  platform: 'anom',
  timezone: 'UTC',
  activityStartMs: Date.UTC(2020, 9, 1),
  identities: anomIdentities,
  allowEmoji: true,
  encoding: 'utf-8',
  lineEnding: '\n',
  header: 'id,timestamp,from_jid,to_jid,type,body,lat,lon',
  dataFile: (n) => `data/anom-messages-${String(n).padStart(4, '0')}.csv`,
  malformedKinds: ['invalid-bytes', 'bad-timestamp', 'missing-sender', 'wrong-field-count'],

  records(message, ids) {
    return [
      serialize(stanzaId(ids), formatIsoUtcMillis(message.sentMs), fullJid(message), message, message.body),
    ];
  },

  malformedRecord(message, kind: MalformedKind, ids, faults): RecordPieces {
    const id = stanzaId(ids);
    const time = formatIsoUtcMillis(message.sentMs);
    const from = fullJid(message);
    switch (kind) {
      case 'invalid-bytes':
        return withInvalidBytes(
          serialize(id, time, from, message, markInvalidBytes(message.body, faults)),
          faults,
        );
      case 'bad-timestamp':
        return serialize(id, faults.pick(impossibleTimes.isoUtc), from, message, message.body);
      case 'missing-sender':
        return serialize(id, time, '', message, message.body);
      case 'wrong-field-count': {
        const record = serialize(id, time, from, message, message.body);
        // A column lost (the last one) or one too many (a stray delivery flag).
        return faults.chance(0.5) ? record.slice(0, record.lastIndexOf(',')) : `${record},delivered`;
      }
      default:
        throw new Error(`anom exports cannot hold a ${kind} record`);
    }
  },

  truncate: (record, faults) => truncateCsv(record, ',', faults),
};
