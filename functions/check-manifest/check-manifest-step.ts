import { planEvidenceHashing } from '#domain/import/plan-evidence-hashing.ts';
import { hashRunResultsPrefix, type ImportStart, importStartSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

export interface EvidenceListSummary {
  manifestSha256: string;
  files: number;
  bytes: number;
  /** reports-bucket key of the file list: the hash map's ItemReader reads it */
  itemsKey: string;
  /** reports-bucket prefix the hash map's ResultWriter writes the map run's results under */
  resultPrefix: string;
}

/**
 * Task "Check manifest": validates the manifest (the version this execution was started for) and writes
 * the files it lists to the reports bucket, one item of "Hash evidence" each.
 */
export const checkManifestStep: Step<ImportStart, EvidenceListSummary> = {
  name: 'check-manifest',
  input: importStartSchema,
  async run(store, input) {
    const ref = { seizureId: input.seizureId, importId: input.importId, ingestedAt: input.ingestedAt };
    const planned = await planEvidenceHashing(store, ref);
    return {
      manifestSha256: planned.manifestSha256,
      files: planned.files,
      bytes: planned.bytes,
      itemsKey: planned.itemsKey,
      resultPrefix: hashRunResultsPrefix(ref.seizureId, ref.importId),
    };
  },
  logKeys: (input) => ({ seizureId: input.seizureId, importId: input.importId }),
  metrics: (output) => [{ name: 'EvidenceFilesListed', value: output.files }],
};
