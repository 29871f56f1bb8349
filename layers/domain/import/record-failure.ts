import { appendCustody } from '../custody/custody-log.ts';
import { readJsonObjectIfPresent } from '../storage/json-objects.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { PIPELINE_VERSION, pipelineActor } from '../version.ts';
import { reportKey } from './import-layout.ts';
import type { ImportRef, ImportReport } from './import-types.ts';
import { readManifest } from './verify-evidence.ts';

/**
 * The failure path of an import: writes its report with status `failed`, the step that failed and why, so a
 * failed import is as visible as a finished one. Counts are zero: nothing of a failed import enters the lake.
 */
export async function recordImportFailure(
  store: ObjectStore,
  ref: ImportRef,
  failure: { step: string; message: string },
): Promise<ImportReport> {
  const { manifest, sha256 } = await readManifest(store, ref.seizureId);
  const report: ImportReport = {
    importId: ref.importId,
    seizureId: manifest.seizureId,
    caseId: manifest.caseId,
    platform: manifest.platform,
    format: manifest.format,
    status: 'failed',
    legalAuthority: manifest.legalAuthority,
    uploadedBy: manifest.uploadedBy,
    manifestSha256: sha256,
    pipelineVersion: PIPELINE_VERSION,
    startedAt: new Date(ref.ingestedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    counts: { read: 0, written: 0, rejected: 0, duplicates: 0 },
    files: [],
    partitions: [],
    quarantine: { rejected: '', duplicates: '' },
    error: failure,
  };
  await store.write('reports', reportKey(ref.seizureId, ref.importId), JSON.stringify(report, null, 2), {
    contentType: 'application/json',
  });
  await appendCustody(store, {
    action: 'import-failed',
    seizureId: ref.seizureId,
    importId: ref.importId,
    actor: pipelineActor,
    details: { pipelineVersion: PIPELINE_VERSION, ...failure },
  });
  return report;
}

export async function readImportReport(
  store: ObjectStore,
  seizureId: string,
  importId: string,
): Promise<ImportReport | undefined> {
  const key = reportKey(seizureId, importId);
  return readJsonObjectIfPresent<ImportReport>(store, 'reports', key);
}
