import { appendCustody, readCustodyLog } from '../custody/custody-log.ts';
import { mapConcurrently } from '../lake/map-concurrently.ts';
import { readJsonObjectIfPresent } from '../storage/json-objects.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { PIPELINE_VERSION, pipelineActor } from '../version.ts';
import { evidenceResultKey, fileIdOf } from './import-layout.ts';
import type { HashResult, ImportRef, VerifiedImport } from './import-types.ts';
import { EvidenceVerificationError, evidenceFiles, readImportManifest } from './verify-evidence.ts';

/** Results read at once: latency, not bandwidth, bounds thousands of small reads. */
const READS_AT_ONCE = 32;

/**
 * A listed file has no hash result of this manifest although the hash map succeeded: a wiring fault, not
 * the evidence's. Retried like any error; the evidence is not declared verified without every result.
 */
export class HashResultMissingError extends Error {
  constructor(paths: string[]) {
    super(`no hash result for ${paths.length} listed file(s): ${paths.slice(0, 5).join(', ')}`);
    this.name = 'HashResultMissingError';
  }
}

/**
 * Verify, last step: collects what the hash map found for every file the manifest lists. Any file missing,
 * of the wrong size or SHA-256 fails the import with one EvidenceVerificationError naming them all, and
 * nothing is written. Otherwise the custody log gets `evidence-verified` (every file's hash, who uploaded,
 * the legal authority) and `import-started`, each once even when this step is retried. The manifest is read
 * again: a version uploaded since the import started is a ManifestChangedError.
 */
export async function concludeVerification(store: ObjectStore, ref: ImportRef): Promise<VerifiedImport> {
  const { manifest, sha256 } = await readImportManifest(store, ref);
  const files = evidenceFiles(manifest);
  const results = await mapConcurrently(files, READS_AT_ONCE, (_, i) =>
    readJsonObjectIfPresent<HashResult>(
      store,
      'reports',
      evidenceResultKey(ref.seizureId, ref.importId, fileIdOf(i)),
    ),
  );
  const problems: string[] = [];
  const unhashed: string[] = [];
  for (const [i, file] of files.entries()) {
    const result = results[i];
    const ofThisManifest =
      result?.manifestSha256 === sha256 &&
      result.path === file.path &&
      result.expected.sha256 === file.sha256 &&
      result.expected.bytes === file.bytes;
    if (!ofThisManifest) unhashed.push(file.path);
    else if (result.problem) problems.push(result.problem);
  }
  if (problems.length)
    throw new EvidenceVerificationError([...problems, ...unhashed.map((p) => `${p}: not hashed`)]);
  if (unhashed.length) throw new HashResultMissingError(unhashed);

  const log = (await readCustodyLog(store, ref.seizureId)).map((e) => e.entry);
  const last = log.findLast((e) => e.importId === ref.importId);
  const startedAt = new Date(ref.ingestedAt).toISOString();
  // A retry after the entries (or the first of them) were written does not write them again.
  const started = last?.action === 'import-started' && last.details.ingestedAt === startedAt;
  const verified =
    started || (last?.action === 'evidence-verified' && last.details.manifestSha256 === sha256);
  if (!verified)
    await appendCustody(store, {
      action: 'evidence-verified',
      seizureId: ref.seizureId,
      importId: ref.importId,
      actor: pipelineActor,
      details: {
        manifestSha256: sha256,
        uploadedBy: manifest.uploadedBy,
        legalAuthority: manifest.legalAuthority,
        files: files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
      },
    });
  if (!started)
    await appendCustody(store, {
      action: 'import-started',
      seizureId: ref.seizureId,
      importId: ref.importId,
      actor: pipelineActor,
      details: { pipelineVersion: PIPELINE_VERSION, ingestedAt: startedAt },
    });
  return { ...ref, manifestSha256: sha256, files };
}
