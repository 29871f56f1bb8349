import type { z } from 'zod';
import { reportKey } from '#domain/import/import-layout.ts';
import type { Counts } from '#domain/import/import-types.ts';
import { reconcileImport } from '#domain/import/reconcile-import.ts';
import { recordExecution, stateOutcomes } from '../shared/execution-record.ts';
import { finalizeInputSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface ImportSummary {
  seizureId: string;
  importId: string;
  status: 'succeeded' | 'failed';
  counts: Counts;
  partitions: number;
  reportKey: string;
}

/**
 * Task "Finalize import" (finalize, step 3, after every slice is compacted): checks the slices' files and
 * reconciles the counts, removes the partition files they replace, writes the import report and the custody
 * entry, and next to them the execution that ran it. Returns a summary; the report is in S3.
 */
export const finalizeStep: Step<z.infer<typeof finalizeInputSchema>, ImportSummary> = {
  name: 'finalize',
  input: finalizeInputSchema,
  async run(store, input) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const report = await reconcileImport(store, ref);
    if (input.execution) await recordExecution(store, ref, input.execution, stateOutcomes(input));
    return {
      seizureId: report.seizureId,
      importId: report.importId,
      status: report.status,
      counts: report.counts,
      partitions: report.partitions.length,
      reportKey: reportKey(report.seizureId, report.importId),
    };
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId }),
  metrics: (summary) => [
    { name: 'ImportsSucceeded', value: 1 },
    { name: 'MessagesWritten', value: summary.counts.written },
    { name: 'DuplicatesDropped', value: summary.counts.duplicates },
  ],
};
