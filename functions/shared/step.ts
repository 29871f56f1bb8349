import type { z } from 'zod';
import type { ObjectStore } from '#domain/storage/object-store.ts';

/** What a step may take from its environment rather than its event (Lambda: env vars; locally: the runner). */
export interface StepSettings {
  /** Scratch space for DuckDB and Parquet files (Lambda: /tmp). */
  workDirectory?: string;
  /** Chunk size the plan map cuts evidence files into, in bytes. */
  chunkBytes?: number;
  /** DuckDB memory limit of the slice compaction, e.g. '6GB'. */
  duckdbMemoryLimit?: string;
  /** Parquet bytes one finalize slice compacts at most (the plan-slices step cuts months by it). */
  sliceBytes?: number;
  /** Reads a secret a manifest names (PGP keys in the cloud: Secrets Manager under `seizure-lake/`). */
  resolveSecret?: (name: string) => Promise<string>;
  /** Progress of the normalize step: records and bytes read so far in a chunk (the local progress line). */
  onProgress?: (progress: { chunkId: string; records: number; bytes: number }) => void;
}

/** A count a step reports as a CloudWatch metric (Powertools Metrics) after it succeeds. */
export interface StepMetric {
  name: string;
  value: number;
}

/**
 * One task of the import state machine: its input schema and its work. The Lambda handler and the local
 * state-machine runner both call `runStep`, so an event is validated and handled the same way in both.
 */
export interface Step<I, O> {
  /** The handler's name: the folder under functions/ and the Task's name in the local runner. */
  readonly name: string;
  readonly input: z.ZodType<I>;
  run(store: ObjectStore, input: I, settings: StepSettings): Promise<O>;
  /** Ids to attach to every log line of the invocation (never message content). */
  logKeys?(input: I): Record<string, string | number>;
  metrics?(output: O): StepMetric[];
}

/** The event does not match the step's input schema: a wiring error, never worth a retry. */
export class InvalidInputError extends Error {
  readonly issues: string[];

  constructor(step: string, issues: string[]) {
    super(`invalid input for step ${step}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}

/** Validates an event against the step's schema; the issues name paths and rules, never the values. */
export function parseInput<I, O>(step: Step<I, O>, event: unknown): I {
  const result = step.input.safeParse(event);
  if (result.success) return result.data;
  throw new InvalidInputError(
    step.name,
    result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(event)'}: ${i.message}`),
  );
}

/** Validates `event` and runs the step: the one entry point of the Lambda handlers and the local runner. */
export async function runStep<I, O>(
  step: Step<I, O>,
  store: ObjectStore,
  event: unknown,
  settings: StepSettings = {},
): Promise<O> {
  return step.run(store, parseInput(step, event), settings);
}
