import { z } from 'zod';
import { importsPrefix } from '#domain/import/import-layout.ts';
import { manifestSchema } from '#domain/manifest/manifest-schema.ts';

/**
 * The events the import state machine passes to its tasks. Unknown keys are dropped (a task receives the
 * whole state and keeps what it needs), missing or malformed ones are an InvalidInputError.
 */
export const seizureIdSchema = manifestSchema.shape.seizureId;
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');

export const importRefSchema = z.object({
  seizureId: seizureIdSchema,
  importId: z.string().regex(/^imp-[0-9a-f]{20}$/, 'must be imp-<20 hex digits>'),
  /** epoch ms */
  ingestedAt: z.number().int().nonnegative(),
});

/** The execution input, as the trigger (or the local runner) starts it. */
export const importStartSchema = importRefSchema.extend({
  /** SHA-256 of the manifest version the execution was started for. */
  manifestSha256: sha256Schema.optional(),
  /** S3 version id of that manifest (cloud only). */
  manifestVersionId: z.string().optional(),
});
export type ImportStart = z.infer<typeof importStartSchema>;

const evidenceFileSchema = z.object({
  path: z.string().min(1),
  key: z.string().min(1),
  sha256: sha256Schema,
  bytes: z.number().int().nonnegative(),
});

/** One item of the hash map and of the plan map: an evidence file as the manifest lists it (see import-types.ts, EvidenceItem). */
export const evidenceItemSchema = evidenceFileSchema.extend({
  fileId: z.string().regex(/^f\d{4,}$/, 'must be a file id'),
  manifestSha256: sha256Schema,
});

export const evidenceFileTaskSchema = importRefSchema.extend({ file: evidenceItemSchema });

export const chunkSchema = z.object({
  chunkId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a chunk id'),
  index: z.number().int().nonnegative(),
  file: evidenceFileSchema,
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  columns: z.array(z.string()).optional(),
  /** Adapter state for reading from the chunk's start (see Chunk.context). */
  context: z
    .string()
    .max(64 * 1024)
    .optional(),
});

export const chunkTaskSchema = importRefSchema.extend({ chunk: chunkSchema });

const monthSchema = z.string().regex(/^\d{4}-\d{2}$/, 'must be a month, YYYY-MM');

/** One item of the compaction map: a month, or a hash bucket of a month (see import-types.ts, Slice). */
export const sliceSchema = z
  .object({
    sliceId: z.string().regex(/^\d{4}-\d{2}(-\d+of\d+)?$/, 'must be a slice id'),
    month: monthSchema,
    bucket: z.number().int().nonnegative(),
    buckets: z.number().int().positive(),
  })
  .refine((s) => s.bucket < s.buckets, { message: 'bucket must be below buckets', path: ['bucket'] });

export const sliceTaskSchema = importRefSchema.extend({ slice: sliceSchema });

/** `$$.Execution` as the state machine passes it on, to be recorded in the import report. */
export const executionSchema = z.object({
  name: z.string(),
  id: z.string(),
  startedAt: z.string(),
});
export type ExecutionInfo = z.infer<typeof executionSchema>;

export const finalizeInputSchema = importRefSchema.extend({
  execution: executionSchema.optional(),
  /**
   * What the earlier states returned, as the state data holds it (summarized in the report). Any shape: a
   * local runner's inline Map returns the chunk results as an array where the cloud returns the map run.
   */
  verified: z.unknown().optional(),
  plan: z.unknown().optional(),
  mapRun: z.unknown().optional(),
  slices: z.unknown().optional(),
  sliceRun: z.unknown().optional(),
});

/** A Catch's error object: Step Functions' `Error` name and `Cause` text. */
export const stateErrorSchema = z.object({
  Error: z.string(),
  Cause: z.string().optional(),
});
export type StateError = z.infer<typeof stateErrorSchema>;

export const failureInputSchema = finalizeInputSchema.extend({
  /** What "Check manifest" returned, when a later step of verify failed. */
  evidence: z.unknown().optional(),
  /**
   * The step that failed: check-manifest, hash-evidence, verify, plan, normalize, plan-slices, compact or
   * finalize.
   */
  step: z.string().min(1),
  error: stateErrorSchema,
});

/**
 * Where the Distributed Map writes its run results (one folder per map run, FAILED_*.json among them),
 * next to the import's report. Step Functions appends `/<map run id>/`.
 */
export const mapResultsPrefix = (seizureId: string, importId: string) =>
  `${importsPrefix(seizureId)}${importId}/map-runs`;

/** Where the compaction map writes its run results (as mapResultsPrefix, for the slices). */
export const sliceRunResultsPrefix = (seizureId: string, importId: string) =>
  `${importsPrefix(seizureId)}${importId}/slice-runs`;

/** Where the hash map writes its run results (as mapResultsPrefix, for the evidence files). */
export const hashRunResultsPrefix = (seizureId: string, importId: string) =>
  `${importsPrefix(seizureId)}${importId}/hash-runs`;

/** Where the plan map writes its run results (as mapResultsPrefix, for the evidence files). */
export const planRunResultsPrefix = (seizureId: string, importId: string) =>
  `${importsPrefix(seizureId)}${importId}/plan-runs`;
