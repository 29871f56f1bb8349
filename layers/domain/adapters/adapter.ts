import type { Readable } from 'node:stream';
import type { Manifest } from '../manifest/manifest-schema.ts';
import type { CanonicalMessage } from '../schema/message-schema.ts';

/** One evidence file as the import sees it. */
export interface EvidenceFile {
  /** path in the manifest, e.g. `data/part-0001.csv` */
  path: string;
  /** key in the landing bucket */
  key: string;
  sha256: string;
  bytes: number;
}

/** A piece of one file that can be normalized on its own: records `[start, end)` by byte offset. */
export interface Chunk {
  chunkId: string;
  index: number;
  file: EvidenceFile;
  start: number;
  end: number;
  /** Column names of a CSV file whose header sits outside this chunk. */
  columns?: string[];
}

/** A record that could not become a message, with its location in the evidence and why. */
export interface Rejection {
  source_object: string;
  source_sha256: string;
  source_offset: number;
  source_length: number;
  reason: string;
  /** The record's text when it is valid UTF-8, otherwise `raw_base64`; cut at 64 KiB (the location has all of it). */
  raw?: string;
  raw_base64?: string;
}

export type NormalizedRecord = { message: CanonicalMessage } | { rejection: Rejection };

export interface ImportContext {
  manifest: Manifest;
  importId: string;
  ingestedAt: number;
}

/** Turns one format's records into canonical messages. Every record read yields exactly one result. */
export interface Adapter {
  /** Cuts a file into chunks on record boundaries; throws a clear error when the file cannot be read at all. */
  plan(file: EvidenceFile, open: OpenRange, targetChunkBytes: number): Promise<Chunk[]>;
  /** Normalizes the records of one chunk, in batches. */
  read(chunk: Chunk, bytes: Readable): AsyncIterable<NormalizedRecord[]>;
}

/** Opens `[start, end)` of an evidence file as a stream. */
export type OpenRange = (start: number, end: number) => Promise<Readable>;

const RAW_LIMIT = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function rejection(
  file: EvidenceFile,
  offset: number,
  length: number,
  reason: string,
  raw?: Buffer,
): Rejection {
  const r: Rejection = {
    source_object: file.key,
    source_sha256: file.sha256,
    source_offset: offset,
    source_length: length,
    reason,
  };
  if (raw) {
    const cut = raw.subarray(0, RAW_LIMIT);
    try {
      r.raw = utf8.decode(cut);
    } catch {
      r.raw_base64 = cut.toString('base64');
    }
  }
  return r;
}
