import type { ObjectStore } from '../storage/object-store.ts';
import { type ReadAheadOptions, readAhead } from '../storage/read-ahead.ts';
import { evidenceResultKey } from './import-layout.ts';
import type { EvidenceItem, HashResult, ImportRef } from './import-types.ts';
import { checkFile } from './verify-evidence.ts';

/**
 * Verify, one item of the hash map: is one evidence file present, of its size and SHA-256? The file is read
 * in parallel ranges ahead of the hash, so a large file hashes at the CPU's speed rather than one S3
 * stream's. A mismatch is a result, not an error: every file is hashed and every problem reported together
 * by the step that concludes verify. The result is written under the file's id, so a retry overwrites it.
 */
export async function hashEvidenceFile(
  store: ObjectStore,
  ref: ImportRef,
  file: EvidenceItem,
  options: ReadAheadOptions = {},
): Promise<HashResult> {
  const found = await checkFile(file, {
    size: async () => (await store.head('landing', file.key))?.size,
    open: async (_path, size) =>
      readAhead((range) => store.readBuffer('landing', file.key, range), size, options),
  });
  const result: HashResult = {
    fileId: file.fileId,
    path: file.path,
    manifestSha256: file.manifestSha256,
    expected: { bytes: file.bytes, sha256: file.sha256 },
    found: { bytes: found.bytes, sha256: found.sha256 },
    ...(found.problem ? { problem: found.problem } : {}),
  };
  await store.write(
    'reports',
    evidenceResultKey(ref.seizureId, ref.importId, file.fileId),
    JSON.stringify(result, null, 2),
    { contentType: 'application/json' },
  );
  return result;
}
