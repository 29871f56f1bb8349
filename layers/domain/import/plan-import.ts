import type { Chunk } from '../adapters/adapter.ts';
import { adapterFor } from '../adapters/adapter-registry.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { fileIdOf, planKey } from './import-layout.ts';
import type { ImportRef, PlannedImport } from './import-types.ts';
import { evidenceFiles, readManifest } from './verify-evidence.ts';

/** Default chunk size: big enough to amortize a Lambda start, small enough for its memory (see BENCHMARKS.md). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Step "plan": cuts every file into chunks on record boundaries and writes the chunk list to the reports
 * bucket, where the Map state reads its items.
 */
export async function planImport(
  store: ObjectStore,
  ref: ImportRef,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): Promise<PlannedImport & { chunks: Chunk[] }> {
  const { manifest } = await readManifest(store, ref.seizureId);
  const adapter = adapterFor(manifest, ref);
  const chunks: Chunk[] = [];
  for (const [fileIndex, file] of evidenceFiles(manifest).entries()) {
    if (file.bytes === 0) continue; // an empty file has no records; the report shows it with zero counts
    // Keys and media files are verified evidence, but not messages: the report shows them with zero counts.
    if ((manifest.files[fileIndex]?.role ?? 'data') !== 'data') continue;
    const open = (start: number, end: number) => store.read('landing', file.key, { start, end });
    const fileChunks = await adapter.plan(file, open, chunkBytes);
    for (const chunk of fileChunks) {
      chunk.chunkId = `${fileIdOf(fileIndex)}-c${String(chunk.index).padStart(5, '0')}`;
      chunks.push(chunk);
    }
  }
  const key = planKey(ref.seizureId, ref.importId);
  await store.write('reports', key, JSON.stringify(chunks), { contentType: 'application/json' });
  return { ...ref, chunkCount: chunks.length, planKey: key, chunks };
}
