import type { z } from 'zod';
import { compactSlice } from '#domain/import/compact-slice.ts';
import { sliceTaskSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface SliceSummary {
  sliceId: string;
  rows: number;
  staged: number;
  files: number;
}

/**
 * Task "Compact slice" (one item of the compaction map, finalize step 2): de-duplicates, sorts and writes one
 * slice of a month partition. Its outputs are named after the slice, so a retry overwrites and never
 * duplicates; its counts go to the reports bucket, for the reconcile step.
 */
export const compactSliceStep: Step<z.infer<typeof sliceTaskSchema>, SliceSummary> = {
  name: 'compact-slice',
  input: sliceTaskSchema,
  async run(store, task, settings) {
    try {
      const result = await compactSlice(store, task, {
        ...(settings.workDirectory ? { workDirectory: settings.workDirectory } : {}),
        ...(settings.duckdbMemoryLimit ? { memoryLimit: settings.duckdbMemoryLimit } : {}),
      });
      return {
        sliceId: result.sliceId,
        rows: result.rows,
        staged: result.staged,
        files: result.files.length,
      };
    } catch (error) {
      // The failure report must say which slice failed; the error keeps its name, which decides retries.
      const e = error as Error;
      e.message = `slice ${task.slice.sliceId}: ${e.message}`;
      throw e;
    }
  },
  logKeys: (task) => ({ seizureId: task.seizureId, importId: task.importId, sliceId: task.slice.sliceId }),
  metrics: (summary) => [
    { name: 'SliceRows', value: summary.rows },
    { name: 'SliceFiles', value: summary.files },
  ],
};
