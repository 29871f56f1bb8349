import type { Chunk, EvidenceFile } from '../adapters/adapter.ts';

/** What every step after verify receives: small, so it fits a Step Functions payload. */
export interface ImportRef {
  seizureId: string;
  importId: string;
  /** epoch ms; the `ingested_at` of every row the import writes */
  ingestedAt: number;
}

export interface VerifiedImport extends ImportRef {
  manifestSha256: string;
  files: EvidenceFile[];
}

/** One item of the hash map: an evidence file as the manifest lists it. */
export interface EvidenceItem extends EvidenceFile {
  /** `f0000`: the file's place in the manifest */
  fileId: string;
  /** SHA-256 of the manifest that lists it: a result of another manifest version is not this import's */
  manifestSha256: string;
}

/** Where the files to hash are listed (the hash map's ItemReader), and how many. */
export interface PlannedHashing extends ImportRef {
  manifestSha256: string;
  files: number;
  bytes: number;
  /** reports-bucket key of the item list */
  itemsKey: string;
}

/** What hashing one evidence file found, kept in the reports bucket for the step that concludes verify. */
export interface HashResult {
  fileId: string;
  path: string;
  manifestSha256: string;
  expected: { bytes: number; sha256: string };
  /** null: missing, or (sha256) not hashed since its size is wrong */
  found: { bytes: number | null; sha256: string | null };
  /** why the file does not match the manifest; absent when it does */
  problem?: string;
}

export interface PlannedImport extends ImportRef {
  chunkCount: number;
  /** reports-bucket key of the chunk list (the Distributed Map's item source) */
  planKey: string;
}

export interface ChunkTask extends ImportRef {
  chunk: Chunk;
}

export interface ChunkResult {
  chunkId: string;
  path: string;
  start: number;
  end: number;
  read: number;
  /** messages written to staging (before cross-chunk de-duplication) */
  staged: number;
  rejected: number;
  months: { month: string; rows: number }[];
  /** of `read`, the records DuckDB mapped (map-chunk-in-sql.ts); the others went through the adapter */
  mappedInSql?: number;
  /** Records the native fast path mapped (the rest went through the adapter). */
  mappedNatively?: number;
}

export interface Counts {
  read: number;
  written: number;
  rejected: number;
  duplicates: number;
}

export interface FileReport extends Counts {
  path: string;
  key: string;
  sha256: string;
  bytes: number;
  chunks: number;
}

export type ImportStatus = 'succeeded' | 'failed';

/** The import report, written to reports/seizures/<seizure>/imports/<import>/report.json. */
export interface ImportReport {
  importId: string;
  seizureId: string;
  caseId: string;
  platform: string;
  format: string;
  status: ImportStatus;
  legalAuthority: string;
  uploadedBy: string;
  manifestSha256: string;
  pipelineVersion: string;
  startedAt: string;
  finishedAt: string;
  counts: Counts;
  files: FileReport[];
  partitions: { month: string; rows: number; files: string[] }[];
  quarantine: { rejected: string; duplicates: string };
  error?: { step: string; message: string };
  /** Filled by the orchestrator: which execution ran the import, and how each state ended. */
  execution?: unknown;
}

/**
 * One finalize task: the rows of a month partition whose message_id falls in hash bucket `bucket` of
 * `buckets` (all of the month when `buckets` is 1). A duplicate has the same send time and the same
 * message_id as its original, so it is always in the same slice: de-duplication within a slice is exact.
 */
export interface Slice {
  sliceId: string;
  month: string;
  bucket: number;
  buckets: number;
}

export interface SliceTask extends ImportRef {
  slice: Slice;
}

/** A stored object with its size. */
export interface SizedKey {
  key: string;
  bytes: number;
}

/**
 * What the slices of one month read, fixed when finalize is planned so that every slice and every retry
 * reads the same input: this import's staged files of the month and the files the partition held then.
 */
export interface MonthInput {
  month: string;
  buckets: number;
  /** messages the chunks staged for this month */
  stagedRows: number;
  staged: SizedKey[];
  existing: SizedKey[];
}

/** The result of finalize's planning step: where the slice list is (the compaction map's ItemReader). */
export interface PlannedSlices extends ImportRef {
  sliceCount: number;
  months: number;
  /** reports-bucket key of the slice list */
  slicesKey: string;
}

/** What one slice wrote, kept in the reports bucket for the reconcile step. */
export interface SliceResult extends Slice {
  /** rows of this slice in the partition after compaction, all imports */
  rows: number;
  /** rows of this import's staging in this slice (kept + dropped as duplicates) */
  staged: number;
  /** lake files written, with their sizes and rows */
  files: (SizedKey & { rows: number })[];
  /** per evidence object: rows of this import kept, and rows dropped as duplicates */
  bySource: Record<string, { written: number; duplicates: number }>;
  /** quarantine key of the dropped duplicates' provenance, when there were any */
  duplicatesKey?: string;
}
