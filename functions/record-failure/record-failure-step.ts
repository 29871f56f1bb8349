import type { z } from 'zod';
import { discardSliceOutput } from '#domain/import/discard-slice-output.ts';
import { recordImportFailure } from '#domain/import/record-failure.ts';
import { recordExecution, stateOutcomes } from '../shared/execution-record.ts';
import { failureInputSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';
import { failureMessage } from './failure-cause.ts';

export interface FailureSummary {
  seizureId: string;
  importId: string;
  step: string;
  /** false when no report could be written (the manifest itself is unreadable); the execution still fails */
  recorded: boolean;
  message: string;
}

/** Errors after which no report can be written: the report's fields come from a readable, valid manifest. */
const unrecordable = new Set(['InvalidManifestError', 'ObjectNotFoundError', 'EvidenceVerificationError']);
/** Steps after which slices may have written lake files that no report accounts for. */
const compactingSteps = new Set(['compact', 'finalize']);
/** The summary goes back into the state data (256 KiB limit); the report keeps the whole message. */
const SUMMARY_MESSAGE = 1_000;

/**
 * Task "Record failure" (the Catch path): writes the import report with status `failed`, the step and the
 * cause, so a failed import is as visible as a finished one. After a failed compaction or reconcile it first
 * removes the lake files the slices wrote (see discard-slice-output.ts), so that nothing of a failed import
 * stays in the lake. The state machine fails right after it.
 */
export const recordFailureStep: Step<z.infer<typeof failureInputSchema>, FailureSummary> = {
  name: 'record-failure',
  input: failureInputSchema,
  async run(store, input) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const message = await failureMessage(store, input);
    const summary = (recorded: boolean): FailureSummary => ({
      seizureId: input.seizureId,
      importId: input.importId,
      step: input.step,
      recorded,
      message: message.slice(0, SUMMARY_MESSAGE),
    });
    if (compactingSteps.has(input.step)) await discardSliceOutput(store, input);
    if (input.execution) {
      const outcomes = stateOutcomes(input, { step: input.step, error: input.error.Error });
      await recordExecution(store, ref, input.execution, outcomes);
    }
    try {
      await recordImportFailure(store, ref, { step: input.step, message });
    } catch (error) {
      if (unrecordable.has((error as Error).name)) return summary(false);
      throw error;
    }
    return summary(true);
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId, failedStep: input.step }),
  metrics: () => [{ name: 'ImportsFailed', value: 1 }],
};
