import type { Readable } from 'node:stream';
import {
  isOversized,
  type RawRecord,
  type SplitRecord,
  splitRecords,
} from '../../records/record-splitter.ts';
import {
  type Adapter,
  type Chunk,
  type EvidenceFile,
  type ImportContext,
  type NormalizedRecord,
  type OpenRange,
  rejection,
} from '../adapter.ts';
import {
  columnsUsed,
  compileMapping,
  type MappedRecord,
  MappingError,
  type RecordLocation,
} from './compile-mapping.ts';
import { csvFieldParser, HEADER_OVER_LINES, headerRunsOverLines } from './csv-records.ts';
import type { Mapping } from './mapping-schema.ts';
import { compileMappingSql } from './mapping-sql.ts';
import { recordDecoder, startsWithBom } from './text-decoder.ts';

/** Records longer than this are quarantined by location instead of being read into memory. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const QUOTE_FREE_WINDOW = 64 * 1024;

/** The mapping adapter: any CSV or NDJSON export, described by a mapping file. */
export function createMappingAdapter(mapping: Mapping, context: ImportContext): Adapter {
  const input = mapping.input;
  const quote = input.type === 'csv' ? input.quote.charCodeAt(0) : undefined;
  const decode = recordDecoder(input.type === 'csv' ? input.encoding : 'utf-8');
  const parseFields = input.type === 'csv' ? csvFieldParser(input) : undefined;

  function checkColumns(file: EvidenceFile, columns: string[]) {
    const missing = columnsUsed(mapping).filter((c) => !columns.includes(c));
    if (missing.length) {
      throw new MappingError(
        `mapping "${mapping.name}" reads ${missing.map((c) => `"${c}"`).join(', ')}, which ${file.path} does not have; ` +
          `its columns are: ${columns.join(', ')}`,
      );
    }
  }

  /** Reads the header record of a CSV file: its column names and where the data begins. */
  async function readHeader(
    file: EvidenceFile,
    open: OpenRange,
  ): Promise<{ columns: string[]; dataStart: number }> {
    const stream = await open(0, Math.min(file.bytes, MAX_RECORD_BYTES + 2));
    for await (const batch of splitRecords(stream, {
      startOffset: 0,
      quote,
      maxRecordBytes: MAX_RECORD_BYTES,
    })) {
      stream.destroy();
      const first = batch[0];
      if (!first || isOversized(first))
        throw new MappingError(`${file.path}: the header record is too long to be a header`);
      const bom = startsWithBom(first.bytes) ? 3 : 0;
      const text = decode(first.bytes.subarray(bom));
      const fields = text === undefined ? undefined : parseFields?.([text])[0];
      if (!fields || !Array.isArray(fields))
        throw new MappingError(`${file.path}: the header record cannot be read as CSV`);
      if (headerRunsOverLines(text as string)) throw new MappingError(`${file.path}: ${HEADER_OVER_LINES}`);
      const headerEnd = first.offset + first.bytes.length;
      const dataStart = await skipNewline(
        await open(headerEnd, Math.min(file.bytes, headerEnd + 2)),
        headerEnd,
      );
      return { columns: fields.map((c) => c.trim()), dataStart };
    }
    throw new MappingError(
      `${file.path} is empty: a CSV file with a header needs at least the header record`,
    );
  }

  async function plan(file: EvidenceFile, open: OpenRange, target: number): Promise<Chunk[]> {
    let start = 0;
    let columns: string[] | undefined;
    if (input.type === 'csv') {
      if (input.header) {
        const header = await readHeader(file, open);
        columns = header.columns;
        start = header.dataStart;
      } else {
        if (!input.columns)
          throw new MappingError(`mapping "${mapping.name}" has header: false but no columns`);
        columns = input.columns;
      }
      checkColumns(file, columns);
    }
    const bounds =
      quote === undefined
        ? await boundariesBySeeking(open, start, file.bytes, target)
        : await boundariesByScanning(open, start, file.bytes, target, quote);
    const chunks: Chunk[] = [];
    for (let i = 0; i < bounds.length - 1; i++) {
      chunks.push({
        chunkId: '',
        index: i,
        file,
        start: bounds[i] as number,
        end: bounds[i + 1] as number,
        columns,
      });
    }
    return chunks;
  }

  /** Maps one batch of decoded records of a chunk; `records[i]` is where `texts[i]` came from. */
  type BatchMapper = (texts: string[], records: RawRecord[]) => NormalizedRecord[];

  function csvBatchMapper(chunk: Chunk): BatchMapper {
    const { file } = chunk;
    const columns = chunk.columns ?? (input.type === 'csv' ? input.columns : undefined) ?? [];
    const mapRow = compileMapping<string[]>(mapping, columnAccessor(file, columns), context);
    const split = parseFields as NonNullable<typeof parseFields>;
    return (texts, records) =>
      split(texts).map((fields, j) => {
        const r = records[j] as RawRecord;
        if (!Array.isArray(fields)) return reject(file, r, fields.error);
        if (fields.length !== columns.length)
          return reject(file, r, `expected ${columns.length} fields, found ${fields.length}`);
        return toResult(file, r, mapRow(fields, locate(file, r)));
      });
  }

  function jsonBatchMapper(chunk: Chunk): BatchMapper {
    const { file } = chunk;
    const mapObject = compileMapping<Record<string, unknown>>(mapping, pathAccessor, context);
    return (texts, records) =>
      texts.map((text, j) => {
        const r = records[j] as RawRecord;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (e) {
          return reject(file, r, `invalid JSON: ${(e as Error).message}`);
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return reject(file, r, 'a record must be a JSON object');
        }
        return toResult(file, r, mapObject(value as Record<string, unknown>, locate(file, r)));
      });
  }

  /** One batch of a chunk's records: oversized ones by location, the rest decoded and mapped. */
  function mapRecords(chunk: Chunk, batch: SplitRecord[], mapBatch = batchMapper(chunk)): NormalizedRecord[] {
    const { file } = chunk;
    const out: NormalizedRecord[] = new Array(batch.length);
    const texts: string[] = [];
    const decoded: RawRecord[] = [];
    const slots: number[] = [];
    batch.forEach((r, i) => {
      if (isOversized(r)) {
        out[i] = {
          rejection: rejection(
            file,
            r.offset,
            r.length,
            `record of ${r.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`,
          ),
        };
        return;
      }
      if (r.offset === 0 && startsWithBom(r.bytes)) {
        r.bytes = r.bytes.subarray(3);
        r.offset = 3;
      }
      const text = decode(r.bytes);
      if (text === undefined) {
        out[i] = reject(file, r, 'invalid UTF-8');
        return;
      }
      texts.push(text);
      decoded.push(r);
      slots.push(i);
    });
    const mapped = mapBatch(texts, decoded);
    for (let j = 0; j < mapped.length; j++) out[slots[j] as number] = mapped[j] as NormalizedRecord;
    return out;
  }

  function batchMapper(chunk: Chunk): BatchMapper {
    return input.type === 'csv' ? csvBatchMapper(chunk) : jsonBatchMapper(chunk);
  }

  async function* read(chunk: Chunk, bytes: Readable): AsyncIterable<NormalizedRecord[]> {
    const mapBatch = batchMapper(chunk);
    for await (const batch of splitRecords(bytes, {
      startOffset: chunk.start,
      quote,
      maxRecordBytes: MAX_RECORD_BYTES,
    })) {
      yield mapRecords(chunk, batch, mapBatch);
    }
  }

  const sql = compileMappingSql(mapping, context.manifest.platform, context.manifest.timezone);
  const sqlMapping = sql
    ? { sql, mapping, mapRecords: (chunk: Chunk, records: RawRecord[]) => mapRecords(chunk, records) }
    : undefined;
  return { plan, read, sqlMapping };
}

function reject(file: EvidenceFile, r: RawRecord, reason: string): NormalizedRecord {
  return { rejection: rejection(file, r.offset, r.bytes.length, reason, r.bytes) };
}

function toResult(file: EvidenceFile, r: RawRecord, mapped: MappedRecord): NormalizedRecord {
  return typeof mapped === 'string' ? reject(file, r, mapped) : { message: mapped };
}

function locate(file: EvidenceFile, r: RawRecord): RecordLocation {
  return { sourceObject: file.key, sourceSha256: file.sha256, offset: r.offset, length: r.bytes.length };
}

function columnAccessor(file: EvidenceFile, columns: string[]) {
  return (name: string) => {
    const index = columns.indexOf(name);
    if (index === -1)
      throw new MappingError(`${file.path} has no column "${name}"; its columns are: ${columns.join(', ')}`);
    return (row: string[]) => row[index];
  };
}

function pathAccessor(path: string) {
  const parts = path.split('.');
  if (parts.length === 1) return (obj: Record<string, unknown>) => obj[path];
  return (obj: Record<string, unknown>) => {
    let v: unknown = obj;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

/** The header's line terminator (`\n` or `\r\n`) is not part of the first data record. */
async function skipNewline(stream: Readable, offset: number): Promise<number> {
  const bytes: number[] = [];
  for await (const piece of stream) bytes.push(...(piece as Buffer));
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return offset + 2;
  if (bytes[0] === 0x0a) return offset + 1;
  return offset;
}

/** Without quoting every newline ends a record, so a boundary is found by reading a little after each target. */
async function boundariesBySeeking(
  open: OpenRange,
  start: number,
  size: number,
  target: number,
): Promise<number[]> {
  const bounds = [start];
  let next = start + target;
  while (next < size) {
    const nl = await findNewline(open, next, size);
    if (nl === -1 || nl + 1 >= size) break;
    bounds.push(nl + 1);
    next = nl + 1 + target;
  }
  if (size > start) bounds.push(size);
  return bounds;
}

async function findNewline(open: OpenRange, from: number, size: number): Promise<number> {
  for (let at = from; at < size; at += QUOTE_FREE_WINDOW) {
    const stream = await open(at, Math.min(size, at + QUOTE_FREE_WINDOW));
    let pos = at;
    for await (const piece of stream) {
      const i = (piece as Buffer).indexOf(0x0a);
      if (i !== -1) {
        stream.destroy();
        return pos + i;
      }
      pos += (piece as Buffer).length;
    }
  }
  return -1;
}

/** With quoting a newline may sit inside a field, so the file is scanned record by record (quote parity). */
async function boundariesByScanning(
  open: OpenRange,
  start: number,
  size: number,
  target: number,
  quote: number,
): Promise<number[]> {
  const bounds = [start];
  let chunkStart = start;
  const stream = await open(start, size);
  for await (const batch of splitRecords(stream, {
    startOffset: start,
    quote,
    maxRecordBytes: MAX_RECORD_BYTES,
  })) {
    for (const r of batch) {
      if (r.offset - chunkStart >= target) {
        bounds.push(r.offset);
        chunkStart = r.offset;
      }
    }
  }
  if (size > start) bounds.push(size);
  return bounds;
}
