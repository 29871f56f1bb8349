import type { z } from 'zod';
import { finalizeImport } from '#domain/import/finalize-import.ts';
import { reportKey } from '#domain/import/import-layout.ts';
import type { Counts } from '#domain/import/import-types.ts';
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
 * Task "Finalize import": merges the staged chunks into the lake partitions, reconciles the counts and
 * writes the import report, and next to it the execution that ran it. Returns a summary; the report is in S3.
 */
export const finalizeStep: Step<z.infer<typeof finalizeInputSchema>, ImportSummary> = {
  name: 'finalize',
  input: finalizeInputSchema,
  async run(store, input, settings) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const report = await finalizeImport(store, ref, {
      ...(settings.workDirectory ? { workDirectory: settings.workDirectory } : {}),
      ...(settings.duckdbMemoryLimit ? { memoryLimit: settings.duckdbMemoryLimit } : {}),
    });
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
