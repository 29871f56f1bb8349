import type { Chunk } from '../adapters/adapter.ts';
import { mapConcurrently } from '../lake/map-concurrently.ts';
import { readJsonObjectIfPresent } from '../storage/json-objects.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { fileIdOf, filePlanKey, planKey } from './import-layout.ts';
import type { ImportRef, PlannedImport } from './import-types.ts';
import { planEvidenceFile } from './plan-evidence-file.ts';
import { evidenceFiles, readManifest } from './verify-evidence.ts';

/** Default chunk size: big enough to amortize a Lambda start, small enough for its memory (see BENCHMARKS.md). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/** S3 requests in flight at once when reading the files' chunk lists. */
const READS_AT_ONCE = 32;

/**
 * Step "Plan chunks", after the plan map cut each file: joins every file's chunks, in the manifest's order,
 * into the chunk list the normalize map reads. A file without its list was not planned, and nothing is
 * normalized.
 */
export async function collectPlan(
  store: ObjectStore,
  ref: ImportRef,
): Promise<PlannedImport & { chunks: Chunk[] }> {
  const { manifest } = await readManifest(store, ref.seizureId);
  const files = evidenceFiles(manifest).map((file, i) => ({ ...file, fileId: fileIdOf(i) }));
  const lists = await mapConcurrently(files, READS_AT_ONCE, async (file) => {
    const chunks = await readJsonObjectIfPresent<Chunk[]>(
      store,
      'reports',
      filePlanKey(ref.seizureId, ref.importId, file.fileId),
    );
    if (!chunks)
      throw new Error(`${file.path} (${file.fileId}) has no chunk list: its plan item did not finish`);
    // A list another version of the file would have: the key is the import's, so only a fault writes one.
    if (chunks.some((c) => c.file.path !== file.path || c.file.sha256 !== file.sha256))
      throw new Error(`the chunk list of ${file.fileId} is not for ${file.path} as the manifest lists it`);
    return chunks;
  });
  const chunks = lists.flat();
  const key = planKey(ref.seizureId, ref.importId);
  await store.write('reports', key, JSON.stringify(chunks), { contentType: 'application/json' });
  return { ...ref, chunkCount: chunks.length, planKey: key, chunks };
}

/** Plan in one process, as the plan map and "Plan chunks" do it: every file in turn, then the chunk list. */
export async function planImport(
  store: ObjectStore,
  ref: ImportRef,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): Promise<PlannedImport & { chunks: Chunk[] }> {
  const { manifest } = await readManifest(store, ref.seizureId);
  for (const [i, file] of manifest.files.entries())
    await planEvidenceFile(store, ref, { fileId: fileIdOf(i), path: file.path }, chunkBytes);
  return collectPlan(store, ref);
}
