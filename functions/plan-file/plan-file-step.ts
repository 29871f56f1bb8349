import type { z } from 'zod';
import { planEvidenceFile } from '#domain/import/plan-evidence-file.ts';
import { DEFAULT_CHUNK_BYTES } from '#domain/import/plan-import.ts';
import { evidenceFileTaskSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface FilePlanSummary {
  fileId: string;
  chunkCount: number;
}

/**
 * Task "Plan evidence file" (one item of the plan map): cuts one verified evidence file into chunks on record
 * boundaries and writes its chunk list to the reports bucket, where "Plan chunks" joins the lists.
 */
export const planFileStep: Step<z.infer<typeof evidenceFileTaskSchema>, FilePlanSummary> = {
  name: 'plan-file',
  input: evidenceFileTaskSchema,
  async run(store, input, settings) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const plan = await planEvidenceFile(store, ref, input.file, settings.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    return { fileId: plan.fileId, chunkCount: plan.chunkCount };
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId, fileId: input.file.fileId }),
  metrics: (output) => [{ name: 'ChunksPlanned', value: output.chunkCount }],
};
