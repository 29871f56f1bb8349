import { concludeVerification } from '#domain/import/conclude-verification.ts';
import { evidenceListKey } from '#domain/import/import-layout.ts';
import { type ImportStart, importStartSchema, planRunResultsPrefix } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface VerifySummary {
  manifestSha256: string;
  files: number;
  bytes: number;
  /** reports-bucket key of the verified files: the plan map's ItemReader reads it */
  itemsKey: string;
  /** reports-bucket prefix the plan map's ResultWriter writes the map run's results under */
  resultPrefix: string;
}

/**
 * Task "Verify evidence", after "Hash evidence": every file the manifest lists was found present, of its
 * size and SHA-256, or the import fails with every problem named (EvidenceVerificationError, never retried).
 */
export const verifyStep: Step<ImportStart, VerifySummary> = {
  name: 'verify',
  input: importStartSchema,
  async run(store, input) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const verified = await concludeVerification(store, ref);
    return {
      manifestSha256: verified.manifestSha256,
      files: verified.files.length,
      bytes: verified.files.reduce((n, f) => n + f.bytes, 0),
      itemsKey: evidenceListKey(ref.seizureId, ref.importId),
      resultPrefix: planRunResultsPrefix(ref.seizureId, ref.importId),
    };
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId }),
  metrics: (output) => [
    { name: 'EvidenceFilesVerified', value: output.files },
    { name: 'EvidenceBytesVerified', value: output.bytes },
  ],
};
