import type { Readable } from 'node:stream';
import type { Manifest } from '../manifest/manifest-schema.ts';
import type { RawRecord } from '../records/record-splitter.ts';
import type { CanonicalMessage } from '../schema/message-schema.ts';
import type { Mapping } from './mapping/mapping-schema.ts';
import type { MappingSql } from './mapping/mapping-sql.ts';

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
  /**
   * What an adapter learned while planning that it needs to read from the chunk's start (JSON, small): e.g. the
   * XML elements open at that point, the chat a Telegram chunk begins in, the date order of a WhatsApp export.
   */
  context?: string;
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

/** Bytes a message carried (a mail attachment), stored once in the lake bucket under `attachmentKey(sha256)`. */
export interface AttachmentBlob {
  sha256: string;
  bytes: Uint8Array;
  mediaType: string | null;
}

export type NormalizedRecord =
  | { message: CanonicalMessage; attachments?: AttachmentBlob[] }
  | { rejection: Rejection };

/** Content-addressed key of an attachment in the lake bucket. */
export const attachmentKey = (sha256: string) => `attachments/${sha256}`;

/** Reads a file the manifest lists (by its manifest path) from the verified evidence, e.g. a PGP key. */
export type EvidenceReader = (path: string) => Promise<Buffer>;

/** Resolves a secret by its name in the cloud's secret store (never logged). */
export type SecretResolver = (name: string) => Promise<string>;

/** In the cloud, a manifest's secret names are read under this prefix, and IAM allows nothing else. */
export const SECRET_PREFIX = 'seizure-lake/';

export interface ImportContext {
  manifest: Manifest;
  importId: string;
  ingestedAt: number;
  /** Other files of the seizure (keys); absent where the caller cannot read evidence. */
  readEvidence?: EvidenceReader;
  /** The cloud's secret store; absent locally, where secrets come from files or the environment. */
  resolveSecret?: SecretResolver;
}

/**
 * A format whose chunks DuckDB can map (the mapping adapter for NDJSON): SQL for the records it maps
 * exactly, and the adapter's own mapping for the records the SQL hands back (see mapping-sql.ts).
 */
export interface SqlChunkMapping {
  sql: MappingSql;
  /** The mapping file itself, for the native fast path (map-chunk-natively.ts). */
  mapping: Mapping;
  /** Maps records of the chunk (exact bytes and offsets) as `read` would. */
  mapRecords(chunk: Chunk, records: RawRecord[]): NormalizedRecord[];
}

/**
 * Turns one format's records into canonical messages. Every record read yields exactly one result; a stretch
 * of damaged bytes in which messages seem to begin but no record was read yields a rejection of its own.
 */
export interface Adapter {
  /** Present when DuckDB can map this adapter's chunks; the normalize step then prefers it. */
  sqlMapping?: SqlChunkMapping;
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
