import type { OpenRange } from '../adapter.ts';

/**
 * mbox (RFC 4155): messages follow one another, each starting with a `From ` line (`From <sender> <asctime
 * date>`). Body lines that begin with `From ` are quoted as `>From ` by the writer (mboxrd quotes `>From `
 * too, as `>>From `). A line that starts with `From ` but does not look like a separator (no date after the
 * sender) is body text, not a new message.
 *
 * The splitter cuts a byte stream into messages with exact offsets: a message runs from its `From ` line to
 * the next one (its trailing blank line included), so the messages of a file tile it. It holds one message
 * at a time and drops one larger than the limit, keeping only its location.
 */
const SEPARATOR = /^From \S*\s+(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b.*\b\d{4}\b|.*\b\d{4}-\d{2}-\d{2}\b)/;
const LF = 0x0a;
/** Bytes of a line looked at to decide whether it is a separator. */
const HEAD = 512;

export function isSeparatorLine(head: Buffer): boolean {
  if (head.length < 5 || head[0] !== 0x46 /* F */) return false;
  const text = head.toString('latin1');
  const nl = text.indexOf('\n');
  return SEPARATOR.test((nl === -1 ? text : text.slice(0, nl)).replace(/\r$/, ''));
}

export type MboxPiece =
  | { offset: number; length: number; bytes: Buffer; separated: boolean }
  | { offset: number; length: number; oversized: true; separated: boolean };

export class MboxSplitter {
  readonly #max: number;
  #atLineStart = true;
  #head: Buffer[] = [];
  #headBytes = 0;
  #deciding = false;
  // the message being collected
  #start: number;
  #separated = false;
  #parts: Buffer[] = [];
  #size = 0;
  #oversized = false;

  constructor(startOffset: number, maxBytes: number) {
    this.#start = startOffset;
    this.#max = maxBytes;
  }

  /** Feeds bytes; returns the messages completed by them. */
  write(buf: Buffer): MboxPiece[] {
    const out: MboxPiece[] = [];
    let i = 0;
    while (i < buf.length) {
      if (this.#atLineStart) {
        this.#atLineStart = false;
        this.#head = [];
        this.#headBytes = 0;
        this.#deciding = true;
      }
      const nl = buf.indexOf(LF, i);
      const end = nl === -1 ? buf.length : nl + 1;
      if (this.#deciding) {
        // A line's first bytes are held until it is known whether it starts a new message.
        const take = buf.subarray(i, Math.min(end, i + HEAD - this.#headBytes));
        this.#head.push(Buffer.from(take));
        this.#headBytes += take.length;
        i += take.length;
        const complete = take.length > 0 && take[take.length - 1] === LF;
        if (complete || this.#headBytes >= HEAD) {
          this.#decide(out);
          if (complete) this.#atLineStart = true;
        }
        continue;
      }
      this.#append(buf.subarray(i, end));
      if (nl !== -1) this.#atLineStart = true;
      i = end;
    }
    return out;
  }

  /** The messages left at the end of the stream. */
  end(): MboxPiece[] {
    const out: MboxPiece[] = [];
    if (this.#deciding && this.#headBytes) this.#decide(out);
    const last = this.#finish();
    if (last) out.push(last);
    return out;
  }

  #decide(out: MboxPiece[]) {
    this.#deciding = false;
    const head = Buffer.concat(this.#head, this.#headBytes);
    if (isSeparatorLine(head)) {
      const done = this.#finish();
      if (done) out.push(done);
      this.#separated = true;
    }
    this.#append(head);
  }

  #append(part: Buffer) {
    this.#size += part.length;
    if (this.#oversized) return;
    if (this.#size > this.#max) {
      this.#oversized = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(Buffer.from(part)); // copy: the stream may reuse its buffer
  }

  #finish(): MboxPiece | undefined {
    if (this.#size === 0) return undefined;
    const piece: MboxPiece = this.#oversized
      ? { offset: this.#start, length: this.#size, oversized: true, separated: this.#separated }
      : {
          offset: this.#start,
          length: this.#size,
          bytes: Buffer.concat(this.#parts, this.#size),
          separated: this.#separated,
        };
    this.#start += this.#size;
    this.#parts = [];
    this.#size = 0;
    this.#oversized = false;
    return piece;
  }
}

/** Where the first separator line at or after `from` begins, or -1. Reads only what it needs. */
export async function findSeparator(open: OpenRange, from: number, size: number): Promise<number> {
  const WINDOW = 256 * 1024;
  // a line that starts exactly at `from` is found by looking from the byte before it
  for (let at = Math.max(0, from - 1); at < size; at += WINDOW - HEAD) {
    const end = Math.min(size, at + WINDOW);
    const chunks: Buffer[] = [];
    for await (const piece of await open(at, end)) chunks.push(piece as Buffer);
    const buf = Buffer.concat(chunks);
    let i = at === 0 && from === 0 ? -1 : buf.indexOf(LF);
    while (i !== -1) {
      const lineStart = i + 1;
      if (at + lineStart >= from && lineStart < buf.length) {
        if (buf.length - lineStart < HEAD && end < size) break; // the line may go on in the next window
        if (isSeparatorLine(buf.subarray(lineStart, lineStart + HEAD))) return at + lineStart;
      }
      i = buf.indexOf(LF, lineStart);
    }
    if (end >= size) break;
  }
  return -1;
}
