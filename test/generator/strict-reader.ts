import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { DateTime } from 'luxon';

/**
 * A strict, independent reader of generated dumps for the tests: it splits records the way the importer does
 * (a newline inside a quoted CSV field does not end a record) and rejects what an import must reject.
 */
export interface ReadRecord {
  id: string;
  /** The record's text, for comparing repeats. */
  raw: string;
  fields: Record<string, unknown>;
}

export interface ReadResult {
  valid: ReadRecord[];
  rejected: { reason: string; raw: string }[];
}

type Platform = 'encrochat' | 'skyecc' | 'anom';

/** Records of a file as byte ranges: header excluded for CSV, line endings dropped, last line may lack one. */
export function splitRecords(bytes: Buffer, quoted: boolean): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  let quotes = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (quoted && b === 0x22) quotes++;
    else if (b === 0x0a && quotes % 2 === 0) {
      records.push(bytes.subarray(start, i > start && bytes[i - 1] === 0x0d ? i - 1 : i));
      start = i + 1;
      quotes = 0;
    }
  }
  if (start < bytes.length) records.push(bytes.subarray(start));
  return records;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer, platform: Platform): string | undefined {
  if (platform === 'encrochat') return iconv.decode(bytes, 'windows-1252');
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function csvFields(text: string, delimiter: string): string[] | string {
  try {
    const rows = parse(text, {
      delimiter,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n'],
    }) as string[][];
    return rows.length === 1 ? (rows[0] as string[]) : `${rows.length} rows`;
  } catch (e) {
    return (e as Error).message;
  }
}

const validTime = (text: unknown, format: string, zone: string) =>
  typeof text === 'string' && DateTime.fromFormat(text, format, { zone }).isValid;

const encroColumns = [
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
const anomColumns = ['id', 'timestamp', 'from_jid', 'to_jid', 'type', 'body', 'lat', 'lon'];

/** Reads one data file; a CSV file's first record must be its header. */
export function readStrict(bytes: Buffer, platform: Platform): ReadResult {
  const records = splitRecords(bytes, platform !== 'skyecc');
  const result: ReadResult = { valid: [], rejected: [] };
  const columns = platform === 'encrochat' ? encroColumns : platform === 'anom' ? anomColumns : undefined;
  if (columns) {
    const header = decode(records.shift() as Buffer, platform);
    if (header !== columns.join(platform === 'encrochat' ? ';' : ','))
      throw new Error(`bad header: ${header}`);
  }
  for (const bytes of records) {
    const raw = decode(bytes, platform);
    const reject = (reason: string) => result.rejected.push({ reason, raw: raw ?? bytes.toString('latin1') });
    if (raw === undefined) {
      reject('invalid-bytes');
      continue;
    }
    let fields: Record<string, unknown>;
    if (columns) {
      const values = csvFields(raw, platform === 'encrochat' ? ';' : ',');
      if (typeof values === 'string') {
        reject(`csv: ${values}`);
        continue;
      }
      if (values.length !== columns.length) {
        reject('wrong-field-count');
        continue;
      }
      fields = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
    } else {
      try {
        fields = JSON.parse(raw);
      } catch {
        reject('broken-json');
        continue;
      }
    }
    const sender =
      platform === 'encrochat' ? fields.from_handle : platform === 'skyecc' ? fields.from : fields.from_jid;
    if (typeof sender !== 'string' || sender === '') {
      reject('missing-sender');
      continue;
    }
    const timeOk =
      platform === 'encrochat'
        ? validTime(fields.local_time, 'dd/MM/yyyy HH:mm:ss', 'Europe/Paris')
        : platform === 'skyecc'
          ? validTime(fields.sent, 'yyyy-MM-dd HH:mm:ss', 'Europe/Amsterdam')
          : typeof fields.timestamp === 'string' &&
            /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(fields.timestamp) &&
            DateTime.fromISO(fields.timestamp, { zone: 'utc' }).isValid;
    if (!timeOk) {
      reject('bad-timestamp');
      continue;
    }
    const id = String(platform === 'encrochat' ? fields.msg_id : fields.id);
    result.valid.push({ id, raw, fields });
  }
  return result;
}
