/**
 * Cuts a byte stream into records on line boundaries, with the exact byte offset and length of each.
 * For quoted formats (CSV), a newline inside a quoted field does not end a record: with RFC 4180 quoting,
 * a newline ends a record exactly when the number of quote bytes since the record began is even.
 * Offsets and lengths exclude the line terminator (`\n` or `\r\n`). Blank lines are not records.
 */
export interface RawRecord {
  offset: number;
  bytes: Buffer;
}

/** A record longer than the limit: never buffered, reported by location so it can be quarantined. */
export interface OversizedRecord {
  offset: number;
  length: number;
  oversized: true;
}

export type SplitRecord = RawRecord | OversizedRecord;

export interface SplitOptions {
  /** Offset of the stream's first byte in the file. */
  startOffset: number;
  /** The quote byte of a quoted format (`"` is 0x22); undefined for formats without quoting (NDJSON). */
  quote?: number;
  /** Longest record kept in memory; longer ones are skipped and reported. */
  maxRecordBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;

export const isOversized = (r: SplitRecord): r is OversizedRecord => 'oversized' in r;

/** Yields the records of each buffer read as one batch, so the per-record cost stays synchronous. */
export async function* splitRecords(
  source: AsyncIterable<Buffer | Uint8Array>,
  options: SplitOptions,
): AsyncGenerator<SplitRecord[]> {
  const { quote, maxRecordBytes } = options;
  let carry: Buffer | undefined; // the unfinished record from the previous buffer
  let carryOffset = options.startOffset; // file offset of carry[0] (or of the skipped record)
  let quotesInCarry = 0;
  let skipping = false; // inside an oversized record
  let skippedLength = 0;

  for await (const piece of source) {
    const batch: SplitRecord[] = [];
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let bufOffset = carryOffset + (carry?.length ?? 0) + (skipping ? skippedLength : 0);
    if (carry) {
      buf = Buffer.concat([carry, buf]);
      bufOffset = carryOffset;
    }
    let recordStart = 0; // index in buf
    let quotes = carry || skipping ? quotesInCarry : 0;
    let scanFrom = carry ? carry.length : 0;
    carry = undefined;

    for (;;) {
      const nl = buf.indexOf(LF, scanFrom);
      const segmentEnd = nl === -1 ? buf.length : nl;
      if (quote !== undefined) quotes += countByte(buf, quote, scanFrom, segmentEnd);
      if (nl === -1) break;
      scanFrom = nl + 1;
      if (quote !== undefined && quotes % 2 === 1) continue; // newline inside a quoted field
      if (skipping) {
        batch.push({ offset: carryOffset, length: skippedLength + nl - recordStart, oversized: true });
        skipping = false;
        skippedLength = 0;
      } else {
        const end = nl > recordStart && buf[nl - 1] === CR ? nl - 1 : nl;
        if (end > recordStart) {
          if (end - recordStart > maxRecordBytes) {
            batch.push({ offset: bufOffset + recordStart, length: end - recordStart, oversized: true });
          } else {
            batch.push({ offset: bufOffset + recordStart, bytes: buf.subarray(recordStart, end) });
          }
        }
      }
      recordStart = nl + 1;
      quotes = 0;
    }

    if (skipping) {
      skippedLength += buf.length - recordStart;
    } else if (recordStart < buf.length) {
      const pending = buf.length - recordStart;
      if (pending > maxRecordBytes) {
        skipping = true;
        carryOffset = bufOffset + recordStart;
        skippedLength = pending;
      } else {
        carry = Buffer.from(buf.subarray(recordStart)); // copy: the source may reuse its buffer
        carryOffset = bufOffset + recordStart;
        quotesInCarry = quotes;
      }
    } else {
      carryOffset = bufOffset + buf.length;
    }
    if (skipping) quotesInCarry = quotes;
    if (batch.length) yield batch;
  }

  // The last record of a stream may lack its newline (or be truncated): it is still a record.
  if (skipping) {
    yield [{ offset: carryOffset, length: skippedLength, oversized: true }];
  } else if (carry?.length) {
    const end = carry[carry.length - 1] === CR ? carry.length - 1 : carry.length;
    if (end > 0) yield [{ offset: carryOffset, bytes: carry.subarray(0, end) }];
  }
}

function countByte(buf: Buffer, byte: number, from: number, to: number): number {
  let n = 0;
  let i = buf.indexOf(byte, from);
  while (i !== -1 && i < to) {
    n++;
    i = buf.indexOf(byte, i + 1);
  }
  return n;
}
