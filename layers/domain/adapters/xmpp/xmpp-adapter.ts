import type { Readable } from 'node:stream';
import { isOversized, splitRecords } from '../../records/record-splitter.ts';
import { compileTimestampParser } from '../../time/timestamp-parser.ts';
import type { Adapter, Chunk, EvidenceFile, ImportContext, NormalizedRecord, OpenRange } from '../adapter.ts';
import { canonicalMessage, rejected } from '../common/canonical-message.ts';
import { withUnreadStretchesQuarantined } from '../common/unread-stretches.ts';
import { csvFieldParser, HEADER_OVER_LINES, headerRunsOverLines } from '../mapping/csv-records.ts';
import { MAX_RECORD_BYTES } from '../mapping/mapping-adapter.ts';
import { startsWithBom } from '../mapping/text-decoder.ts';
import { bareJid, ownerFromAncestors, stanzaToParts } from './stanza.ts';
import { type OpenElement, type XmlRecord, XmlRecordReader } from './xml-records.ts';
import { parseRecord } from './xml-tree.ts';

/**
 * `xmpp`: XMPP message archives.
 * - XML: XEP-0313 (MAM) results, as a query returns them or as a XEP-0227 export keeps them in each user's
 *   `<archive>`, and bare `<message>` stanzas (XEP-0227 offline messages, stream logs). Cut into chunks
 *   between records; each chunk carries the start tags open at its first record.
 * - CSV: ejabberd's `archive` table exported with a header (`username, timestamp, peer, bare_peer, xml, txt,
 *   id, kind, nick, ...`), RFC 4180 quoting; the stanza is in `xml`, `timestamp` is in microseconds (UTC).
 *   Cut into chunks between rows.
 * The kind of file is told by its first byte: `<` is XML.
 */
type XmppContext =
  | { kind: 'xml'; open: OpenElement[] }
  | { kind: 'csv'; columns: string[] }
  | { kind: 'refused'; reason: string };

/** ejabberd's archive columns the adapter needs. */
const REQUIRED_COLUMNS = ['username', 'timestamp', 'xml'];
/** Where a record (`<message>` or `<result>`, prefixed or not) begins: where a damaged file hides one. */
const RECORD_START = /<(?:[A-Za-z_][\w.-]*:)?(?:message|result)[\s/>]/g;

const csvOptions = {
  type: 'csv',
  delimiter: ',',
  quote: '"',
  encoding: 'utf-8',
  header: true,
} as const;

export function createXmppAdapter(
  context: ImportContext,
  options: { maxRecordBytes?: number } = {},
): Adapter {
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const platform = context.manifest.platform;
  const parseStamp = compileTimestampParser('iso8601', context.manifest.timezone);

  async function plan(file: EvidenceFile, open: OpenRange, target: number): Promise<Chunk[]> {
    const head = await readHead(open, file.bytes);
    const first = head
      .subarray(startsWithBom(head) ? 3 : 0)
      .toString('latin1')
      .trimStart();
    if (first.startsWith('<')) return planXml(file, open, target, first);
    return planCsv(file, open, target);
  }

  async function planXml(
    file: EvidenceFile,
    open: OpenRange,
    target: number,
    head: string,
  ): Promise<Chunk[]> {
    const declared = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
    if (declared && !/^utf-?8$/i.test(declared)) {
      return refuse(file, `XML encoding "${declared}" is not supported: XMPP is UTF-8`);
    }
    const bounds: { start: number; open: OpenElement[] }[] = [{ start: 0, open: [] }];
    let doctype = false;
    const reader = new XmlRecordReader(
      0,
      [],
      {
        recordStart(offset, openNow) {
          const last = bounds[bounds.length - 1] as { start: number };
          // a chunk's context must stay small (it travels in the state machine's payload)
          const small = JSON.stringify(openNow).length < 16_384;
          if (offset - last.start >= target && offset > last.start && small) {
            bounds.push({ start: offset, open: [...openNow] });
          }
        },
        doctype(_offset, inRecord) {
          if (!inRecord) doctype = true;
        },
      },
      { maxRecordBytes, keepBytes: false },
    );
    const stream = await open(0, file.bytes);
    for await (const piece of stream) {
      reader.write(piece as Buffer);
      if (doctype) {
        stream.destroy();
        return refuse(
          file,
          'refused: the XML has a DOCTYPE declaration (entity expansion and external entities are never processed)',
        );
      }
    }
    return bounds.map((b, i) => ({
      chunkId: '',
      index: i,
      file,
      start: b.start,
      end: bounds[i + 1]?.start ?? file.bytes,
      context: JSON.stringify({ kind: 'xml', open: b.open } satisfies XmppContext),
    }));
  }

  async function planCsv(file: EvidenceFile, open: OpenRange, target: number): Promise<Chunk[]> {
    const quote = 0x22;
    const bounds: number[] = [];
    let columns: string[] | undefined;
    let chunkStart = 0;
    const stream = await open(0, file.bytes);
    for await (const batch of splitRecords(stream, { startOffset: 0, quote, maxRecordBytes })) {
      for (const r of batch) {
        if (!columns) {
          if (isOversized(r)) throw new Error(`${file.path}: the header record is too long to be a header`);
          const bom = r.offset === 0 && startsWithBom(r.bytes) ? 3 : 0;
          const header = r.bytes.subarray(bom).toString('utf8');
          const fields = csvFieldParser(csvOptions)([header])[0];
          if (!fields || !Array.isArray(fields))
            throw new Error(`${file.path}: the header cannot be read as CSV`);
          if (headerRunsOverLines(header)) throw new Error(`${file.path}: ${HEADER_OVER_LINES}`);
          columns = fields.map((c) => c.trim().toLowerCase());
          const missing = REQUIRED_COLUMNS.filter((c) => !columns?.includes(c));
          if (missing.length) {
            throw new Error(
              `${file.path} is neither XMPP XML nor ejabberd's archive table as CSV: it has no ` +
                `${missing.map((c) => `"${c}"`).join(', ')} column; its columns are: ${columns.join(', ')}`,
            );
          }
          continue;
        }
        if (!bounds.length) {
          bounds.push(r.offset);
          chunkStart = r.offset;
        } else if (r.offset - chunkStart >= target) {
          bounds.push(r.offset);
          chunkStart = r.offset;
        }
      }
    }
    if (!columns) throw new Error(`${file.path} is empty: ejabberd's archive as CSV needs its header`);
    if (!bounds.length) return [];
    bounds.push(file.bytes);
    const ctx = JSON.stringify({ kind: 'csv', columns } satisfies XmppContext);
    return bounds.slice(0, -1).map((start, i) => ({
      chunkId: '',
      index: i,
      file,
      start,
      end: bounds[i + 1] as number,
      context: ctx,
    }));
  }

  async function* read(chunk: Chunk, bytes: Readable): AsyncIterable<NormalizedRecord[]> {
    const ctx = JSON.parse(chunk.context ?? '{"kind":"xml","open":[]}') as XmppContext;
    if (ctx.kind === 'refused') {
      const raw = await firstBytes(bytes, 64 * 1024);
      yield [rejected(chunk.file, chunk.start, chunk.end - chunk.start, ctx.reason, raw)];
      return;
    }
    if (ctx.kind === 'csv') yield* readCsv(chunk, bytes, ctx.columns);
    else
      yield* withUnreadStretchesQuarantined(chunk, bytes, RECORD_START, (watched) =>
        readXml(chunk, watched, ctx.open),
      );
  }

  async function* readXml(
    chunk: Chunk,
    bytes: AsyncIterable<Buffer>,
    open: OpenElement[],
  ): AsyncIterable<NormalizedRecord[]> {
    const { file } = chunk;
    let batch: NormalizedRecord[] = [];
    const reader = new XmlRecordReader(
      chunk.start,
      open,
      { record: (r) => batch.push(xmlRecord(file, r)) },
      { maxRecordBytes, keepBytes: true },
    );
    for await (const piece of bytes) {
      reader.write(piece);
      if (batch.length) {
        yield batch;
        batch = [];
      }
    }
    reader.end();
    if (batch.length) yield batch;
  }

  function xmlRecord(file: EvidenceFile, r: XmlRecord): NormalizedRecord {
    if ('oversized' in r) {
      return rejected(
        file,
        r.offset,
        r.length,
        `record of ${r.length} bytes exceeds the ${maxRecordBytes}-byte limit`,
      );
    }
    if ('truncated' in r) {
      return rejected(file, r.offset, r.length, 'truncated: the file ends inside this record', undefined);
    }
    const text = decodeUtf8(r.bytes);
    if (text === undefined) return rejected(file, r.offset, r.length, 'invalid UTF-8', r.bytes);
    if (r.open.some((o) => o.tag === undefined)) {
      return rejected(
        file,
        r.offset,
        r.length,
        'an element around this record has a start tag too long to read',
      );
    }
    const parsed = parseRecord(
      text,
      r.open.map((o) => o.tag as string),
      r.open.map((o) => o.name).reverse(),
    );
    if (typeof parsed === 'string') return rejected(file, r.offset, r.length, parsed, r.bytes);
    const parts = stanzaToParts(parsed.record, {
      platform,
      parseStamp,
      owner: ownerFromAncestors(parsed.ancestors),
    });
    if (typeof parts === 'string') return rejected(file, r.offset, r.length, parts, r.bytes);
    return { message: canonicalMessage(context, file, r.offset, r.length, parts) };
  }

  async function* readCsv(
    chunk: Chunk,
    bytes: Readable,
    columns: string[],
  ): AsyncIterable<NormalizedRecord[]> {
    const { file } = chunk;
    const parse = csvFieldParser(csvOptions);
    const col = (name: string) => columns.indexOf(name);
    const [iUser, iHost, iTime, iXml] = [col('username'), col('server_host'), col('timestamp'), col('xml')];
    for await (const batch of splitRecords(bytes, {
      startOffset: chunk.start,
      quote: 0x22,
      maxRecordBytes,
    })) {
      const out: NormalizedRecord[] = [];
      for (const r of batch) {
        if (isOversized(r)) {
          out.push(
            rejected(
              file,
              r.offset,
              r.length,
              `record of ${r.length} bytes exceeds the ${maxRecordBytes}-byte limit`,
            ),
          );
          continue;
        }
        const length = r.bytes.length;
        const text = decodeUtf8(r.bytes);
        if (text === undefined) {
          out.push(rejected(file, r.offset, length, 'invalid UTF-8', r.bytes));
          continue;
        }
        const fields = parse([text])[0];
        if (!fields || !Array.isArray(fields)) {
          out.push(rejected(file, r.offset, length, fields?.error ?? 'malformed CSV', r.bytes));
          continue;
        }
        if (fields.length !== columns.length) {
          out.push(
            rejected(
              file,
              r.offset,
              length,
              `expected ${columns.length} fields, found ${fields.length}`,
              r.bytes,
            ),
          );
          continue;
        }
        const micros = (fields[iTime] ?? '').trim();
        if (!/^\d{1,19}$/.test(micros)) {
          out.push(
            rejected(
              file,
              r.offset,
              length,
              `timestamp ${JSON.stringify(micros)} is not microseconds`,
              r.bytes,
            ),
          );
          continue;
        }
        const user = (fields[iUser] ?? '').trim();
        const host = iHost === -1 ? '' : (fields[iHost] ?? '').trim();
        const owner = bareJid(user.includes('@') || !host ? user : `${user}@${host}`);
        const parsed = parseRecord(fields[iXml] ?? '', [], []);
        if (typeof parsed === 'string') {
          out.push(rejected(file, r.offset, length, `column "xml": ${parsed}`, r.bytes));
          continue;
        }
        const parts = stanzaToParts(parsed.record, {
          platform,
          parseStamp,
          owner,
          archivedAt: { millis: Math.floor(Number(micros) / 1000), raw: micros },
        });
        out.push(
          typeof parts === 'string'
            ? rejected(file, r.offset, length, parts, r.bytes)
            : { message: canonicalMessage(context, file, r.offset, length, parts) },
        );
      }
      if (out.length) yield out;
    }
  }

  return { plan, read };
}

function refuse(file: EvidenceFile, reason: string): Chunk[] {
  return [
    {
      chunkId: '',
      index: 0,
      file,
      start: 0,
      end: file.bytes,
      context: JSON.stringify({ kind: 'refused', reason } satisfies XmppContext),
    },
  ];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

async function readHead(open: OpenRange, size: number): Promise<Buffer> {
  return firstBytes(await open(0, Math.min(size, 4096)), 4096);
}

async function firstBytes(stream: Readable, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const piece of stream) {
    parts.push(piece as Buffer);
    n += (piece as Buffer).length;
    if (n >= limit) break;
  }
  stream.destroy();
  return Buffer.concat(parts).subarray(0, limit);
}
