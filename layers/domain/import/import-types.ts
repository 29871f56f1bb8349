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
