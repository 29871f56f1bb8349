import type { z } from 'zod';
import { DEFAULT_SLICE_BYTES, planSlices } from '#domain/import/plan-slices.ts';
import { importRefSchema, sliceRunResultsPrefix } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface SlicesSummary {
  sliceCount: number;
  months: number;
  /** reports-bucket key of the slice list: the compaction map's ItemReader reads it */
  slicesKey: string;
  /** reports-bucket prefix the compaction map's ResultWriter writes its run's results under */
  resultPrefix: string;
}

/**
 * Task "Plan slices" (finalize, step 1): fixes what each month partition merges and cuts the months into
 * slices within the slice budget; writes the slice list to the reports bucket and returns where it is.
 */
export const planSlicesStep: Step<z.infer<typeof importRefSchema>, SlicesSummary> = {
  name: 'plan-slices',
  input: importRefSchema,
  async run(store, ref, settings) {
    const planned = await planSlices(store, ref, settings.sliceBytes ?? DEFAULT_SLICE_BYTES);
    return {
      sliceCount: planned.sliceCount,
      months: planned.months,
      slicesKey: planned.slicesKey,
      resultPrefix: sliceRunResultsPrefix(ref.seizureId, ref.importId),
    };
  },
  logKeys: (ref) => ({ seizureId: ref.seizureId, importId: ref.importId }),
  metrics: (output) => [{ name: 'SlicesPlanned', value: output.sliceCount }],
};
