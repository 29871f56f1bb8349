import type { z } from 'zod';
import { collectPlan } from '#domain/import/plan-import.ts';
import { importRefSchema, mapResultsPrefix } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface PlanSummary {
  chunkCount: number;
  /** reports-bucket key of the chunk list: the Distributed Map's ItemReader reads it */
  planKey: string;
  /** reports-bucket prefix the Distributed Map's ResultWriter writes the map run's results under */
  resultPrefix: string;
}

/**
 * Task "Plan chunks", after the plan map cut every file: writes the chunk list to the reports bucket. Returns
 * only where the list is: the list itself can exceed the 256 KiB state payload limit.
 */
export const planStep: Step<z.infer<typeof importRefSchema>, PlanSummary> = {
  name: 'plan',
  input: importRefSchema,
  async run(store, ref) {
    const plan = await collectPlan(store, ref);
    return {
      chunkCount: plan.chunkCount,
      planKey: plan.planKey,
      resultPrefix: mapResultsPrefix(ref.seizureId, ref.importId),
    };
  },
  logKeys: (ref) => ({ seizureId: ref.seizureId, importId: ref.importId }),
  metrics: (output) => [{ name: 'ChunksPlanned', value: output.chunkCount }],
};
