import type { z } from 'zod';
import { hashEvidenceFile } from '#domain/import/hash-evidence-file.ts';
import { evidenceFileTaskSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface HashSummary {
  fileId: string;
  /** false: the file does not match the manifest (its result names the problem; "Verify evidence" fails) */
  matches: boolean;
  bytes: number;
}

/**
 * Task "Hash evidence file" (one item of the hash map): hashes one evidence file and records what it found
 * in the reports bucket. A mismatch is recorded, not thrown, so every file's problem is reported together.
 */
export const hashEvidenceStep: Step<z.infer<typeof evidenceFileTaskSchema>, HashSummary> = {
  name: 'hash-evidence',
  input: evidenceFileTaskSchema,
  async run(store, input) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const result = await hashEvidenceFile(store, ref, input.file);
    return { fileId: result.fileId, matches: !result.problem, bytes: result.found.bytes ?? 0 };
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId, fileId: input.file.fileId }),
  metrics: (output) => [{ name: 'EvidenceBytesHashed', value: output.bytes }],
};
