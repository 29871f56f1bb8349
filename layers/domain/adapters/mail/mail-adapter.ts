import type { Readable } from 'node:stream';
import type { Adapter, Chunk, EvidenceFile, ImportContext, NormalizedRecord, OpenRange } from '../adapter.ts';
import { canonicalMessage, rejected } from '../common/canonical-message.ts';
import { mailDateParser } from './mail-dates.ts';
import { parseMail } from './mail-message.ts';
import { findSeparator, isSeparatorLine, type MboxPiece, MboxSplitter } from './mbox-splitter.ts';
import { type KeyRing, loadKeyRing } from './pgp-keys.ts';

/**
 * `mbox` and `eml`: RFC 5322 mail. An `.eml` file is one message (one chunk, one record). An mbox is cut into
 * chunks at `From ` separator lines found by seeking to each target offset, so a multi-GB mailbox is planned
 * without reading it through, and each message is a record from its `From ` line to the next.
 *
 * Messages can be large (attachments): one over `maxRecordBytes` (64 MiB) is quarantined by location.
 */
export const MAIL_MAX_RECORD_BYTES = 64 * 1024 * 1024;

export function createMailAdapter(
  format: 'mbox' | 'eml',
  context: ImportContext,
  options: { maxRecordBytes?: number } = {},
): Adapter {
  const maxBytes = options.maxRecordBytes ?? MAIL_MAX_RECORD_BYTES;
  const parseDate = mailDateParser(context.manifest.timezone);
  let ring: Promise<KeyRing> | undefined;
  const keys = () => {
    ring ??= loadKeyRing(context);
    return ring;
  };

  async function plan(file: EvidenceFile, open: OpenRange, target: number): Promise<Chunk[]> {
    const bounds = [0];
    if (format === 'mbox') {
      for (let next = target; next < file.bytes; ) {
        const at = await findSeparator(open, next, file.bytes);
        if (at === -1) break;
        if (at > (bounds[bounds.length - 1] as number)) bounds.push(at);
        next = at + target;
      }
    }
    bounds.push(file.bytes);
    return bounds.slice(0, -1).map((start, i) => ({
      chunkId: '',
      index: i,
      file,
      start,
      end: bounds[i + 1] as number,
    }));
  }

  async function toRecord(file: EvidenceFile, piece: MboxPiece): Promise<NormalizedRecord | undefined> {
    const { offset, length } = piece;
    if ('oversized' in piece) {
      return rejected(file, offset, length, `message of ${length} bytes exceeds the ${maxBytes}-byte limit`);
    }
    let bytes = piece.bytes;
    let envelope: { sender?: string; date?: string } | undefined;
    if (
      format === 'eml' &&
      bytes.length >= 3 &&
      bytes[0] === 0xef &&
      bytes[1] === 0xbb &&
      bytes[2] === 0xbf
    ) {
      bytes = bytes.subarray(3);
    }
    // Some tools save a single message with its mbox "From " line: it is read as the envelope.
    const envelopeLine = format === 'mbox' || isSeparatorLine(bytes.subarray(0, 512));
    if (envelopeLine) {
      if (!piece.separated) {
        if (!/\S/.test(bytes.toString('latin1'))) return undefined; // blank lines before the first message
        return rejected(file, offset, length, 'not an mbox message: no "From " line before this text', bytes);
      }
      const nl = bytes.indexOf(0x0a);
      const fromLine = bytes
        .subarray(0, nl === -1 ? bytes.length : nl)
        .toString('latin1')
        .replace(/\r$/, '');
      const m = /^From (\S*)\s+(.*)$/.exec(fromLine);
      envelope = { sender: m?.[1]?.includes('@') ? m[1] : undefined, date: m?.[2]?.trim() };
      bytes = bytes.subarray(nl === -1 ? bytes.length : nl + 1);
      if (format === 'mbox') bytes = unquoteFromLines(stripSeparatorBlankLine(bytes));
    }
    const parsed = await parseMail({
      bytes,
      platform: context.manifest.platform,
      parseDate,
      keys,
      maxBytes,
      envelope,
    });
    if (typeof parsed === 'string') return rejected(file, offset, length, parsed, piece.bytes);
    return {
      message: canonicalMessage(context, file, offset, length, parsed.parts),
      attachments: parsed.blobs,
    };
  }

  async function* read(chunk: Chunk, bytes: Readable): AsyncIterable<NormalizedRecord[]> {
    const { file } = chunk;
    if (format === 'eml') {
      const splitter = new WholeFile(chunk.start, maxBytes);
      for await (const piece of bytes) splitter.write(piece as Buffer);
      const record = await toRecord(file, splitter.end());
      if (record) yield [record];
      return;
    }
    const splitter = new MboxSplitter(chunk.start, maxBytes);
    for await (const piece of bytes) {
      const out: NormalizedRecord[] = [];
      for (const m of splitter.write(piece as Buffer)) {
        const r = await toRecord(file, m);
        if (r) out.push(r);
      }
      if (out.length) yield out;
    }
    const out: NormalizedRecord[] = [];
    for (const m of splitter.end()) {
      const r = await toRecord(file, m);
      if (r) out.push(r);
    }
    if (out.length) yield out;
  }

  return { plan, read };
}

/** An `.eml` file: one message, held only while it is under the limit. */
class WholeFile {
  readonly #start: number;
  readonly #max: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(start: number, max: number) {
    this.#start = start;
    this.#max = max;
  }

  write(buf: Buffer) {
    this.#size += buf.length;
    if (this.#size <= this.#max) this.#parts.push(Buffer.from(buf));
    else this.#parts = [];
  }

  end(): MboxPiece {
    if (this.#size > this.#max)
      return { offset: this.#start, length: this.#size, oversized: true, separated: true };
    return { offset: this.#start, length: this.#size, bytes: Buffer.concat(this.#parts), separated: true };
  }
}

/** mboxrd: a body line `>From ` (any number of `>`) was quoted by adding one `>`; this removes it. */
function unquoteFromLines(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  if (!/(^|\n)>+From /.test(text)) return bytes;
  return Buffer.from(text.replace(/(^|\n)>(>*From )/g, '$1$2'), 'latin1');
}

/** RFC 4155: a message is followed by an empty line, which belongs to the mbox, not to the message. */
function stripSeparatorBlankLine(bytes: Buffer): Buffer {
  const n = bytes.length;
  if (n >= 4 && bytes.subarray(n - 4).toString('latin1') === '\r\n\r\n') return bytes.subarray(0, n - 2);
  if (n >= 2 && bytes[n - 1] === 0x0a && bytes[n - 2] === 0x0a) return bytes.subarray(0, n - 1);
  return bytes;
}
