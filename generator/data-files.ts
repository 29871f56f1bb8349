import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import iconv from 'iconv-lite';
import type { RecordPieces } from './platforms/platform-format.ts';

/** A data file as the manifest lists it, with the number of records it holds. */
export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
  records: number;
}

export interface FileLayout {
  dataFile(n: number): string;
  header: string | null;
  lineEnding: string;
  encoding: 'utf-8' | 'windows-1252';
}

/** Text is collected into pieces of about this many characters before it is encoded and written. */
const FLUSH_CHARS = 1 << 20;

interface OpenFile {
  path: string;
  stream: WriteStream;
  hash: Hash;
  bytes: number;
  records: number;
}

/**
 * Writes records into numbered data files of at most `maxRecords` records each, hashing the bytes as they
 * go. Records are gathered into large pieces and written with few calls; `drain` waits while the disk is
 * behind, so memory stays flat however many records pass through.
 */
export class DataFiles {
  private readonly outDir: string;
  private readonly layout: FileLayout;
  private readonly maxRecords: number;
  private readonly encode: (text: string) => Buffer;
  private readonly written: WrittenFile[] = [];
  private readonly closing: Promise<void>[] = [];
  private current: OpenFile | undefined;
  private text = '';
  private backlogged: WriteStream | undefined;
  private failure: Error | undefined;

  constructor(outDir: string, layout: FileLayout, maxRecords: number) {
    this.outDir = outDir;
    this.layout = layout;
    this.maxRecords = maxRecords;
    this.encode =
      layout.encoding === 'windows-1252'
        ? (text) => iconv.encode(text, 'windows-1252')
        : (text) => Buffer.from(text, 'utf8');
  }

  /** Appends one record and its line ending. */
  append(record: RecordPieces): void {
    const file = this.fileWithRoom();
    file.records++;
    if (typeof record === 'string') {
      this.text += record + this.layout.lineEnding;
    } else {
      for (const piece of record) {
        if (typeof piece === 'string') this.text += piece;
        else {
          this.flushText();
          this.writeBytes(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
        }
      }
      this.text += this.layout.lineEnding;
    }
    if (this.text.length >= FLUSH_CHARS) this.flushText();
  }

  /** Appends a final record without its line ending, as a dump cut off mid-write ends. */
  appendUnterminated(record: string): void {
    this.fileWithRoom().records++;
    this.text += record;
  }

  /** Waits until the file being written has taken what it was given. */
  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    const stream = this.backlogged;
    if (!stream) return;
    this.backlogged = undefined;
    // `once` rejects if the stream fails while we wait.
    if (stream.writableNeedDrain && !stream.destroyed) await once(stream, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Writes what is left, closes every file and returns them in order. */
  async close(): Promise<WrittenFile[]> {
    if (!this.current) this.open();
    this.closeCurrent();
    await Promise.all(this.closing);
    return this.written;
  }

  private fileWithRoom(): OpenFile {
    if (this.current && this.current.records >= this.maxRecords) this.closeCurrent();
    return this.current ?? this.open();
  }

  private open(): OpenFile {
    const path = this.layout.dataFile(this.written.length + 1);
    const absolute = join(this.outDir, path);
    mkdirSync(dirname(absolute), { recursive: true });
    const stream = createWriteStream(absolute, { highWaterMark: 4 * FLUSH_CHARS });
    // Kept for `drain` and `close` to throw; also keeps the error from going unhandled in between.
    stream.on('error', (error) => {
      this.failure ??= error;
    });
    this.current = { path, stream, hash: createHash('sha256'), bytes: 0, records: 0 };
    if (this.layout.header !== null) this.text = this.layout.header + this.layout.lineEnding;
    return this.current;
  }

  private closeCurrent(): void {
    const file = this.current;
    if (!file) return;
    this.flushText();
    file.stream.end();
    this.closing.push(finished(file.stream));
    this.written.push({
      path: file.path,
      bytes: file.bytes,
      sha256: file.hash.digest('hex'),
      records: file.records,
    });
    this.current = undefined;
  }

  private flushText(): void {
    if (this.text.length === 0) return;
    this.writeBytes(this.encode(this.text));
    this.text = '';
  }

  private writeBytes(bytes: Buffer): void {
    const file = this.current as OpenFile;
    file.hash.update(bytes);
    file.bytes += bytes.length;
    if (!file.stream.write(bytes)) this.backlogged = file.stream;
  }
}
