import { centralEuropeanMidnight, centralEuropeanOffset, formatDayMonthYear } from '../clock.ts';
import { csvFieldWriter } from '../csv-field.ts';
import { encroChatIdentities } from '../identities.ts';
import type { Prng } from '../prng.ts';
import { impossibleTimes, truncateCsv } from './malformations.ts';
import type { ChatMessage, MalformedKind, PlatformFormat, RecordPieces } from './platform-format.ts';

/**
 * EncroChat-style handset dumps as a forensic tool exports them: ';'-separated Windows-1252 CSV with CRLF,
 * several handsets per file (the owner columns say whose). A one-to-one message is on the sender's and the
 * recipient's handset, so it appears twice with the same msg_id; a group message only on the sender's.
 */
const columns = [
  'msg_id',
  'owner_imei',
  'owner_handle',
  'thread',
  'from_handle',
  'from_imei',
  'to_handles',
  'local_time',
  'message',
  'lat',
  'lon',
];
const field = csvFieldWriter(';');
const attachmentNames = ['IMG_0042.jpg', 'VID_20200412.mp4', 'voice_0113.amr', 'IMG-20200519-WA0007.jpg'];

interface Fields {
  id: string;
  thread: string;
  from: string;
  fromImei: string;
  to: string;
  time: string;
  body: string;
  lat: string;
  lon: string;
}

function fieldsOf(message: ChatMessage, ids: Prng): Fields {
  const local = message.sentMs + centralEuropeanOffset(message.sentMs);
  return {
    id: ids.hex(16),
    thread: message.conversation.group ?? '',
    from: message.sender.handle,
    fromImei: message.sender.device,
    to: message.recipients.map((r) => r.handle).join(','),
    time: formatDayMonthYear(local),
    body: field(message.body),
    lat: message.geo ? message.geo.lat.toFixed(6) : '',
    lon: message.geo ? message.geo.lon.toFixed(6) : '',
  };
}

/** Everything after the owner columns, the same on every handset holding the message. */
function tail(f: Fields): string {
  return `;${f.thread};${f.from};${f.fromImei};${f.to};${f.time};${f.body};${f.lat};${f.lon}`;
}

export const encroChat: PlatformFormat = {
  platform: 'encrochat',
  timezone: 'Europe/Paris',
  activityStartMs: centralEuropeanMidnight(2020, 3, 1),
  identities: encroChatIdentities,
  allowEmoji: false,
  encoding: 'windows-1252',
  lineEnding: '\r\n',
  header: columns.join(';'),
  dataFile: (n) => `data/handsets-${String(n).padStart(4, '0')}.csv`,
  // Windows-1252 decodes every byte, so a body cannot hold invalid text here.
  malformedKinds: ['bad-timestamp', 'missing-sender', 'wrong-field-count'],

  records(message, ids) {
    const f = fieldsOf(message, ids);
    const rest = tail(f);
    const sender = message.sender;
    const onSender = `${f.id};${sender.device};${sender.handle}${rest}`;
    if (message.conversation.group !== null) return [onSender];
    const recipient = message.recipients[0];
    return recipient ? [onSender, `${f.id};${recipient.device};${recipient.handle}${rest}`] : [onSender];
  },

  malformedRecord(message, kind: MalformedKind, ids, faults): RecordPieces {
    const f = fieldsOf(message, ids);
    const owner = `${f.id};${message.sender.device};${message.sender.handle}`;
    switch (kind) {
      case 'bad-timestamp':
        return owner + tail({ ...f, time: faults.pick(impossibleTimes.dayMonthYear) });
      case 'missing-sender':
        return owner + tail({ ...f, from: '' });
      case 'wrong-field-count':
        return faults.chance(0.5)
          ? `${owner};${f.thread};${f.from};${f.fromImei};${f.to};${f.time};${f.body};${f.lat}`
          : `${owner}${tail(f)};${faults.pick(attachmentNames)}`;
      default:
        throw new Error(`encrochat dumps cannot hold a ${kind} record`);
    }
  },

  truncate: (record, faults) => truncateCsv(record, ';', faults),
};
