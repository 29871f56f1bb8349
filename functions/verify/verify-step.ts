import { verifyEvidence } from '#domain/import/verify-evidence.ts';
import { type ImportStart, importStartSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

/**
 * The manifest in the landing bucket is not the one this execution was started for: a newer version was
 * uploaded since. That version starts its own import; this one stops without writing anything.
 */
export class ManifestChangedError extends Error {
  constructor(expectedImportId: string, actualImportId: string) {
    super(
      `the manifest changed since this import started: it was started as ${expectedImportId}, the manifest now gives ${actualImportId}`,
    );
    this.name = 'ManifestChangedError';
  }
}

export interface VerifySummary {
  manifestSha256: string;
  files: number;
  bytes: number;
}

/** Task "Verify evidence": every file the manifest lists is there, of its size and SHA-256. */
export const verifyStep: Step<ImportStart, VerifySummary> = {
  name: 'verify',
  input: importStartSchema,
  async run(store, input) {
    const verified = await verifyEvidence(store, input.seizureId, input.ingestedAt);
    if (verified.importId !== input.importId)
      throw new ManifestChangedError(input.importId, verified.importId);
    return {
      manifestSha256: verified.manifestSha256,
      files: verified.files.length,
      bytes: verified.files.reduce((n, f) => n + f.bytes, 0),
    };
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId }),
  metrics: (output) => [
    { name: 'EvidenceFilesVerified', value: output.files },
    { name: 'EvidenceBytesVerified', value: output.bytes },
  ],
};
