import { XmlScanner } from './xml-scanner.ts';

/**
 * Delimits the message records of an XMPP XML file: every `<message>` or `<result>` element that is not
 * inside another one (a MAM result, a stanza of a XEP-0227 export or of a stream log), wherever it sits.
 * Keeps the start tags of the elements open above the records, so a chunk can be read from its first
 * record with the namespaces and the archive owner of the file.
 */
export interface OpenElement {
  name: string;
  /** the start tag as written, or undefined when it was too long to keep */
  tag: string | undefined;
}

export type XmlRecord =
  | { offset: number; length: number; bytes: Buffer; open: OpenElement[] }
  | { offset: number; length: number; oversized: true }
  | { offset: number; length: number; truncated: true };

export interface RecordEvents {
  record?(r: XmlRecord): void;
  /** A record begins here, with these elements open above it (called before its bytes are read). */
  recordStart?(offset: number, open: readonly OpenElement[]): void;
  /** A DOCTYPE declaration; `inRecord` when it sits inside a record (which its parser then refuses). */
  doctype?(offset: number, inRecord: boolean): void;
}

const isRecordName = (qname: string) => {
  const local = qname.slice(qname.indexOf(':') + 1);
  return local === 'message' || local === 'result';
};

export class XmlRecordReader {
  readonly #scanner: XmlScanner;
  readonly #events: RecordEvents;
  readonly #maxRecordBytes: number;
  readonly #keepBytes: boolean;
  #open: OpenElement[];
  #recordStart = -1;
  #depth = 0;
  #parts: Buffer[] = [];
  #size = 0;
  #oversized = false;
  #buf: Buffer = Buffer.alloc(0);
  #bufOffset = 0;

  /**
   * @param open the elements open where the stream starts (from the plan's chunk context)
   * @param keepBytes false when only offsets are wanted (planning)
   */
  constructor(
    startOffset: number,
    open: OpenElement[],
    events: RecordEvents,
    options: { maxRecordBytes: number; keepBytes: boolean },
  ) {
    this.#open = [...open];
    this.#events = events;
    this.#maxRecordBytes = options.maxRecordBytes;
    this.#keepBytes = options.keepBytes;
    this.#scanner = new XmlScanner(startOffset, {
      startTag: (name, start, end, selfClosing, raw) => {
        if (this.#recordStart !== -1) {
          if (!selfClosing) this.#depth++;
          return;
        }
        if (isRecordName(name)) {
          this.#begin(start, raw);
          if (selfClosing) this.#end(end);
          else this.#depth = 1;
        } else if (!selfClosing) {
          this.#open.push({
            name,
            tag: raw === undefined ? undefined : reducedStartTag(name, raw.toString('utf8')),
          });
        }
      },
      endTag: (name, _start, end) => {
        if (this.#recordStart !== -1) {
          if (--this.#depth === 0) this.#end(end);
          return;
        }
        const i = this.#open.findLastIndex((o) => o.name === name);
        if (i !== -1) this.#open.length = i; // an end tag closes its element (and any left open inside it)
      },
      doctype: (offset) => {
        this.#events.doctype?.(offset, this.#recordStart !== -1);
      },
    });
  }

  get open(): readonly OpenElement[] {
    return this.#open;
  }

  write(buf: Buffer): void {
    this.#buf = buf;
    this.#bufOffset = this.#scanner.offset;
    this.#scanner.write(buf);
    if (this.#recordStart !== -1) {
      const from = Math.max(this.#recordStart, this.#bufOffset) - this.#bufOffset;
      this.#collect(buf.subarray(from), true);
    }
  }

  /** At the end of the stream: a record still open was cut off. */
  end(): void {
    if (this.#recordStart === -1) return;
    const length = this.#scanner.offset - this.#recordStart;
    this.#events.record?.({ offset: this.#recordStart, length, truncated: true });
    this.#recordStart = -1;
    this.#parts = [];
    this.#scanner.captureTags = true;
  }

  #begin(start: number, tag: Buffer | undefined) {
    this.#recordStart = start;
    this.#parts = [];
    this.#size = 0;
    this.#oversized = false;
    if (start < this.#bufOffset) {
      // The start tag began in an earlier buffer: its bytes up to this one are the scanner's copy of the tag.
      if (tag) this.#collect(tag.subarray(0, this.#bufOffset - start), false);
      else this.#oversized = true; // a start tag over the capture limit (64 KiB) is no stanza's
    }
    this.#scanner.captureTags = false;
    this.#events.recordStart?.(start, this.#open);
  }

  #end(end: number) {
    const start = this.#recordStart;
    const from = Math.max(start, this.#bufOffset) - this.#bufOffset;
    this.#collect(this.#buf.subarray(from, end - this.#bufOffset), false);
    const length = end - start;
    if (this.#oversized) this.#events.record?.({ offset: start, length, oversized: true });
    else {
      const bytes = this.#keepBytes ? Buffer.concat(this.#parts, this.#size) : Buffer.alloc(0);
      this.#events.record?.({ offset: start, length, bytes, open: [...this.#open] });
    }
    this.#recordStart = -1;
    this.#parts = [];
    this.#scanner.captureTags = true;
  }

  #collect(part: Buffer, copy: boolean) {
    if (this.#oversized) return;
    this.#size += part.length;
    if (this.#size > this.#maxRecordBytes) {
      this.#oversized = true;
      this.#parts = [];
      return;
    }
    if (this.#keepBytes && part.length) this.#parts.push(copy ? Buffer.from(part) : part);
  }
}

const KEPT_ATTRIBUTES = /^(xmlns(:.+)?|jid|name|type|to|from)$/;

/**
 * The start tag of an element around records, reduced to what reading a record needs: its namespace
 * declarations and the attributes naming the archive (`jid`, `name`). Everything else (a XEP-0227 user's
 * `password`) is left out, so it never reaches a chunk's context in the import plan.
 */
export function reducedStartTag(name: string, tag: string): string {
  const attrs: string[] = [];
  for (const m of tag.matchAll(/\s([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')/g)) {
    if (KEPT_ATTRIBUTES.test(m[1] as string)) attrs.push(`${m[1]}=${m[2]}`);
  }
  return `<${name}${attrs.map((a) => ` ${a}`).join('')}>`;
}
