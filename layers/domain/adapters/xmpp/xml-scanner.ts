/**
 * Finds the element structure of an XML byte stream with exact byte offsets, in constant memory: start tags
 * (name, offsets, the tag's bytes), end tags, and DOCTYPE declarations. It does not check well-formedness or
 * decode anything; each record it delimits is parsed by saxes, which does. Comments, CDATA sections,
 * processing instructions and quoted attribute values are skipped, so a `<` or `>` inside them is not markup.
 *
 * This is what lets a multi-GB archive be cut into chunks between records and read from the middle, and
 * lets a record of a gigabyte be skipped by location without ever being held in memory.
 */
export interface ScanHandler {
  /** A start tag `[start, end)`; `raw` is its bytes when shorter than the tag-capture limit. */
  startTag(name: string, start: number, end: number, selfClosing: boolean, raw: Buffer | undefined): void;
  endTag(name: string, start: number, end: number): void;
  doctype(start: number): void;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const DASH = 0x2d;

const enum_ = {
  text: 0,
  lt: 1,
  startName: 2,
  inTag: 3,
  inQuote: 4,
  endName: 5,
  bang: 6,
  comment: 7,
  cdata: 8,
  pi: 9,
  decl: 10,
} as const;
type State = (typeof enum_)[keyof typeof enum_];

/** Longest start tag kept for replay (the open elements above a chunk's first record). */
export const MAX_TAG_BYTES = 64 * 1024;
const MAX_NAME_BYTES = 1024;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export class XmlScanner {
  readonly #handler: ScanHandler;
  #offset: number;
  #state: State = enum_.text;
  #markupStart = 0;
  #name: number[] = [];
  #quote = 0;
  #prev = 0;
  #prev2 = 0;
  #bang: number[] = [];
  /** inside a DOCTYPE: depth of `[ ... ]` (the internal subset) and the quote byte, if in a literal */
  #declBrackets = 0;
  #declQuote = 0;
  #tagParts: Buffer[] = [];
  #tagBytes = 0;
  #tagOverflow = false;

  constructor(startOffset: number, handler: ScanHandler) {
    this.#offset = startOffset;
    this.#handler = handler;
  }

  /** Whether start tags' bytes are kept (off inside records, whose tags are never replayed). */
  captureTags = true;

  /** true when the stream so far ends inside markup (a tag, comment, CDATA section, ...). */
  get inMarkup(): boolean {
    return this.#state !== enum_.text;
  }

  /** The file offset of the next byte to be written. */
  get offset(): number {
    return this.#offset;
  }

  write(buf: Buffer): void {
    const base = this.#offset;
    const n = buf.length;
    let i = 0;
    let tagFrom = this.#capturing() ? 0 : -1; // where this buffer's part of the current start tag begins
    while (i < n) {
      switch (this.#state) {
        case enum_.text: {
          const lt = buf.indexOf(LT, i);
          if (lt === -1) {
            i = n;
            break;
          }
          this.#markupStart = base + lt;
          this.#state = enum_.lt;
          i = lt + 1;
          tagFrom = lt;
          this.#tagParts = [];
          this.#tagBytes = 0;
          this.#tagOverflow = false;
          break;
        }
        case enum_.lt: {
          const b = buf[i] as number;
          if (b === SLASH) {
            this.#state = enum_.endName;
            this.#name = [];
            tagFrom = -1;
          } else if (b === BANG) {
            this.#state = enum_.bang;
            this.#bang = [];
            tagFrom = -1;
          } else if (b === QUESTION) {
            this.#state = enum_.pi;
            this.#prev = 0;
            tagFrom = -1;
          } else if (isSpace(b) || b === GT || b === LT) {
            // not markup a parser would accept; it is left to the record's parser to refuse
            this.#state = enum_.text;
            tagFrom = -1;
            continue;
          } else {
            this.#state = enum_.startName;
            this.#name = [b];
          }
          i++;
          break;
        }
        case enum_.startName: {
          const b = buf[i] as number;
          if (isSpace(b) || b === SLASH || b === GT) {
            this.#state = enum_.inTag;
            this.#prev = 0;
            continue; // the in-tag state looks at this byte
          }
          if (this.#name.length < MAX_NAME_BYTES) this.#name.push(b);
          i++;
          break;
        }
        case enum_.inTag: {
          const b = buf[i] as number;
          if (b === GT) {
            const end = base + i + 1;
            if (tagFrom !== -1) this.#capture(buf.subarray(tagFrom, i + 1));
            const raw = this.#tagOverflow ? undefined : Buffer.concat(this.#tagParts, this.#tagBytes);
            this.#tagParts = [];
            tagFrom = -1;
            this.#state = enum_.text;
            this.#handler.startTag(this.#nameText(), this.#markupStart, end, this.#prev === SLASH, raw);
          } else if (b === DQUOTE || b === SQUOTE) {
            this.#quote = b;
            this.#state = enum_.inQuote;
          } else if (b === LT) {
            // a tag that never closed: resynchronize on the new markup
            this.#state = enum_.text;
            tagFrom = -1;
            continue;
          }
          if (!isSpace(b)) this.#prev = b;
          i++;
          break;
        }
        case enum_.inQuote: {
          const q = buf.indexOf(this.#quote, i);
          if (q === -1) {
            i = n;
            break;
          }
          this.#state = enum_.inTag;
          this.#prev = this.#quote;
          i = q + 1;
          break;
        }
        case enum_.endName: {
          const b = buf[i] as number;
          if (b === GT) {
            this.#state = enum_.text;
            this.#handler.endTag(this.#nameText(), this.#markupStart, base + i + 1);
          } else if (b === LT) {
            this.#state = enum_.text;
            continue;
          } else if (!isSpace(b) && this.#name.length < MAX_NAME_BYTES) {
            this.#name.push(b);
          }
          i++;
          break;
        }
        case enum_.bang: {
          this.#bang.push(buf[i] as number);
          i++;
          const seen = String.fromCharCode(...this.#bang);
          if (seen === '--') {
            this.#state = enum_.comment;
            this.#prev = 0;
            this.#prev2 = 0;
          } else if (seen === '[CDATA[') {
            this.#state = enum_.cdata;
            this.#prev = 0;
            this.#prev2 = 0;
          } else if (seen === 'DOCTYPE') {
            this.#handler.doctype(this.#markupStart);
            this.#state = enum_.decl;
            this.#declBrackets = 0;
            this.#declQuote = 0;
          } else if (!'--'.startsWith(seen) && !'[CDATA['.startsWith(seen) && !'DOCTYPE'.startsWith(seen)) {
            this.#state = enum_.decl; // some other declaration: skipped to its '>'
            this.#declBrackets = 0;
            this.#declQuote = 0;
          }
          break;
        }
        case enum_.comment:
        case enum_.cdata: {
          // ends at '-->' or ']]>': the two bytes before '>' are remembered across buffers
          const closer = this.#state === enum_.comment ? DASH : RBRACKET;
          while (i < n) {
            const b = buf[i] as number;
            i++;
            if (b === GT && this.#prev === closer && this.#prev2 === closer) {
              this.#state = enum_.text;
              break;
            }
            this.#prev2 = this.#prev;
            this.#prev = b;
          }
          break;
        }
        case enum_.pi: {
          while (i < n) {
            const b = buf[i] as number;
            i++;
            if (b === GT && this.#prev === QUESTION) {
              this.#state = enum_.text;
              break;
            }
            this.#prev = b;
          }
          break;
        }
        case enum_.decl: {
          const b = buf[i] as number;
          i++;
          if (this.#declQuote) {
            if (b === this.#declQuote) this.#declQuote = 0;
          } else if (b === DQUOTE || b === SQUOTE) this.#declQuote = b;
          else if (b === LBRACKET) this.#declBrackets++;
          else if (b === RBRACKET) this.#declBrackets = Math.max(0, this.#declBrackets - 1);
          else if (b === GT && this.#declBrackets === 0) this.#state = enum_.text;
          break;
        }
      }
    }
    if (tagFrom !== -1 && this.#capturing()) this.#capture(buf.subarray(tagFrom));
    this.#offset = base + n;
  }

  #capturing(): boolean {
    const s = this.#state;
    return s === enum_.lt || s === enum_.startName || s === enum_.inTag || s === enum_.inQuote;
  }

  #capture(part: Buffer): void {
    if (!this.captureTags) {
      this.#tagOverflow = true;
      return;
    }
    if (this.#tagOverflow) return;
    this.#tagBytes += part.length;
    if (this.#tagBytes > MAX_TAG_BYTES) {
      this.#tagOverflow = true;
      this.#tagParts = [];
      return;
    }
    this.#tagParts.push(Buffer.from(part)); // copy: the stream may reuse its buffer
  }

  #nameText(): string {
    return Buffer.from(this.#name).toString('utf8');
  }
}
