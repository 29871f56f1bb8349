/**
 * Walks a JSON byte stream in constant memory and reports where the values of interest begin and end, by
 * their path (`chats.list.#.messages.#`, `#` for an array element). It tokenizes only the containers on the
 * way to those values; everything else (a record, a contacts list) is skipped by counting brackets outside
 * strings. Values are not decoded here: a record's bytes are handed to JSON.parse, the parser that does.
 *
 * This lets a multi-GB Telegram export be cut into chunks between messages, read from the middle of its
 * `messages` array, and a single message of a gigabyte be skipped by location without being held in memory.
 */
export type PathRole = 'record' | 'scalar' | 'descend' | 'skip';

export interface SkimHandler {
  /** What the value at this path is: a record, a small scalar to capture, a container to walk into, or skip. */
  role(path: readonly string[]): PathRole;
  /** A record `[start, end)`; `truncated` when the stream ended inside it. */
  record?(start: number, end: number, truncated: boolean): void;
  recordStart?(start: number, path: readonly string[]): void;
  /** A scalar of interest, as JSON text (cut at 64 KiB). */
  scalar?(path: readonly string[], json: string): void;
  /** An object at this path begins (e.g. a chat of `chats.list`). */
  objectStart?(path: readonly string[]): void;
}

/** A container on the way down: its kind, and in an object the key being read or last read. */
export interface Frame {
  kind: 'obj' | 'arr';
  key: string | null;
}

const MAX_KEY = 256;
const MAX_SCALAR = 64 * 1024;

const WS = new Uint8Array(256);
// The bytes of a UTF-8 byte order mark cannot start a JSON token: where one may, they are skipped like spaces.
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf]) WS[c] = 1;

const S = {
  value: 0, // a value may begin (after '[', ',' in an array, ':' or at the top)
  key: 1, // in an object: a key or '}'
  colon: 2,
  after: 3, // after a value: ',' or a closing bracket
  keyString: 4,
  scalarString: 5,
  literal: 6,
  skip: 7, // inside a skipped or record value: counting brackets
} as const;
type State = (typeof S)[keyof typeof S];

export class JsonSkimmer {
  readonly #h: SkimHandler;
  #offset: number;
  #frames: Frame[];
  #state: State;
  #escape = false;
  #token: number[] = [];
  #tokenOverflow = false;
  // skipping / record
  #skipDepth = 0;
  #skipInString = false;
  #isRecord = false;
  #recordStart = -1;
  #scalarPath: string[] | null = null;

  constructor(startOffset: number, frames: Frame[], handler: SkimHandler) {
    this.#offset = startOffset;
    this.#frames = frames.map((f) => ({ ...f }));
    this.#h = handler;
    // A stream that starts mid-file starts where a value begins: in an array, or after an object's ':'.
    this.#state = S.value;
  }

  get frames(): Frame[] {
    return this.#frames.map((f) => ({ ...f }));
  }

  get offset(): number {
    return this.#offset;
  }

  #path(): string[] {
    return this.#frames.map((f) => (f.kind === 'arr' ? '#' : (f.key ?? '')));
  }

  write(buf: Buffer): void {
    const base = this.#offset;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const b = buf[i] as number;
      switch (this.#state) {
        case S.skip: {
          // fast path: only strings and brackets matter
          for (; i < n; i++) {
            const c = buf[i] as number;
            if (this.#skipInString) {
              if (this.#escape) this.#escape = false;
              else if (c === 0x5c) this.#escape = true;
              else if (c === 0x22) this.#skipInString = false;
              continue;
            }
            if (c === 0x22) this.#skipInString = true;
            else if (c === 0x7b || c === 0x5b) this.#skipDepth++;
            else if (c === 0x7d || c === 0x5d) {
              if (--this.#skipDepth === 0) {
                i++;
                this.#endSkip(base + i);
                break;
              }
            }
          }
          continue;
        }
        case S.keyString:
        case S.scalarString: {
          i++;
          if (this.#state === S.scalarString) this.#push(b);
          if (this.#escape) {
            this.#escape = false;
            if (this.#state === S.keyString) this.#pushKey(b);
            continue;
          }
          if (b === 0x5c) {
            this.#escape = true;
            if (this.#state === S.keyString) this.#pushKey(b);
            continue;
          }
          if (b === 0x22) {
            if (this.#state === S.keyString) {
              const top = this.#frames[this.#frames.length - 1];
              if (top) top.key = this.#keyText();
              this.#state = S.colon;
            } else {
              this.#emitScalar();
              this.#state = S.after;
            }
            continue;
          }
          if (this.#state === S.keyString) this.#pushKey(b);
          continue;
        }
        case S.literal: {
          if (WS[b] || b === 0x2c || b === 0x7d || b === 0x5d) {
            this.#emitScalar();
            this.#state = S.after;
            continue; // the delimiter is handled in 'after'
          }
          this.#push(b);
          i++;
          continue;
        }
      }
      i++;
      if (WS[b]) continue;
      switch (this.#state) {
        case S.value:
          this.#beginValue(b, base + i - 1);
          break;
        case S.key:
          if (b === 0x22) {
            this.#state = S.keyString;
            this.#token = [];
            this.#tokenOverflow = false;
          } else if (b === 0x7d) this.#close();
          break;
        case S.colon:
          if (b === 0x3a) this.#state = S.value;
          break;
        case S.after:
          if (b === 0x2c) {
            const top = this.#frames[this.#frames.length - 1];
            this.#state = top?.kind === 'obj' ? S.key : S.value;
          } else if (b === 0x7d || b === 0x5d) this.#close();
          break;
      }
    }
    this.#offset = base + n;
  }

  /** At the end of the stream: a record still open was cut off. */
  end(): void {
    if (this.#state === S.skip && this.#isRecord) {
      this.#h.record?.(this.#recordStart, this.#offset, true);
      this.#isRecord = false;
    }
  }

  #beginValue(b: number, at: number) {
    if (b === 0x5d) {
      this.#close(); // an empty array
      return;
    }
    const path = this.#path();
    const role = this.#h.role(path);
    if (b === 0x7b || b === 0x5b) {
      if (role === 'descend') {
        this.#frames.push({ kind: b === 0x7b ? 'obj' : 'arr', key: null });
        this.#state = b === 0x7b ? S.key : S.value;
        if (b === 0x7b) this.#h.objectStart?.(path);
        return;
      }
      this.#state = S.skip;
      this.#skipDepth = 1;
      this.#skipInString = false;
      this.#escape = false;
      this.#isRecord = role === 'record' && b === 0x7b;
      if (this.#isRecord) {
        this.#recordStart = at;
        this.#h.recordStart?.(at, path);
      }
      return;
    }
    this.#scalarPath = role === 'scalar' ? path : null;
    this.#token = [];
    this.#tokenOverflow = false;
    if (b === 0x22) {
      this.#push(b);
      this.#state = S.scalarString;
      this.#escape = false;
    } else {
      this.#push(b);
      this.#state = S.literal;
    }
  }

  #endSkip(end: number) {
    if (this.#isRecord) {
      this.#h.record?.(this.#recordStart, end, false);
      this.#isRecord = false;
    }
    this.#state = S.after;
  }

  #close() {
    this.#frames.pop();
    this.#state = S.after;
  }

  #push(b: number) {
    if (!this.#scalarPath) return;
    if (this.#token.length >= MAX_SCALAR) this.#tokenOverflow = true;
    else this.#token.push(b);
  }

  #pushKey(b: number) {
    if (this.#token.length >= MAX_KEY) this.#tokenOverflow = true;
    else this.#token.push(b);
  }

  #keyText(): string {
    const raw = Buffer.from(this.#token).toString('utf8');
    if (this.#tokenOverflow || !raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  }

  #emitScalar() {
    if (this.#scalarPath && !this.#tokenOverflow) {
      this.#h.scalar?.(this.#scalarPath, Buffer.from(this.#token).toString('utf8'));
    }
    this.#scalarPath = null;
    this.#token = [];
  }
}
