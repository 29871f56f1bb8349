import type { ObjectStore } from '../storage/object-store.ts';
import { evidenceListKey, fileIdOf } from './import-layout.ts';
import type { EvidenceItem, ImportRef, PlannedHashing } from './import-types.ts';
import { evidenceFiles, readImportManifest } from './verify-evidence.ts';

/**
 * Verify, first step: reads and validates the manifest (a field it lacks or gets wrong is an
 * InvalidManifestError naming it; another version than the import's is a ManifestChangedError) and writes
 * the files it lists to the reports bucket, where the hash map's ItemReader reads them: the list can exceed
 * the state payload limit.
 */
export async function planEvidenceHashing(
  store: ObjectStore,
  ref: ImportRef,
): Promise<PlannedHashing & { items: EvidenceItem[] }> {
  const { manifest, sha256 } = await readImportManifest(store, ref);
  const items: EvidenceItem[] = evidenceFiles(manifest).map((file, i) => ({
    fileId: fileIdOf(i),
    ...file,
    manifestSha256: sha256,
  }));
  const itemsKey = evidenceListKey(ref.seizureId, ref.importId);
  await store.write('reports', itemsKey, JSON.stringify(items), { contentType: 'application/json' });
  return {
    ...ref,
    manifestSha256: sha256,
    files: items.length,
    bytes: items.reduce((n, f) => n + f.bytes, 0),
    itemsKey,
    items,
  };
}
