import { Readable } from 'node:stream';
import type { Chunk, EvidenceFile, OpenRange } from '../adapters/adapter.ts';
import { adapterFor } from '../adapters/adapter-registry.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import {
  READ_AHEAD_PARALLEL,
  READ_AHEAD_RANGE_BYTES,
  type ReadAheadOptions,
  readAhead,
} from '../storage/read-ahead.ts';
import { fileIdOf, filePlanKey } from './import-layout.ts';
import type { EvidenceItem, ImportRef } from './import-types.ts';
import { evidenceFiles, readManifest } from './verify-evidence.ts';

/** What one plan item found: how many chunks its file was cut into, listed under `key`. */
export interface FilePlan {
  fileId: string;
  chunkCount: number;
  key: string;
}

/**
 * Plan, one item of the plan map: cuts one evidence file into chunks on record boundaries and writes them,
 * with their ids, to the reports bucket under the file's id (a retry overwrites its own list). A file an
 * adapter must read whole to find its boundaries (quoted CSV, where a newline may sit inside a field) is
 * read in parallel ranges ahead of the scan, as verify reads it to hash it, so it is planned at the scan's
 * speed rather than one S3 stream's; keys, media and empty files have no chunks.
 */
export async function planEvidenceFile(
  store: ObjectStore,
  ref: ImportRef,
  item: Pick<EvidenceItem, 'fileId' | 'path'>,
  chunkBytes: number,
  options: ReadAheadOptions = {},
): Promise<FilePlan> {
  const { manifest } = await readManifest(store, ref.seizureId);
  const index = manifest.files.findIndex((f, i) => fileIdOf(i) === item.fileId && f.path === item.path);
  if (index === -1) throw new Error(`${item.fileId} (${item.path}) is not a file of the manifest`);
  const file = evidenceFiles(manifest)[index] as EvidenceFile;
  const chunks: Chunk[] = [];
  if (file.bytes > 0 && (manifest.files[index]?.role ?? 'data') === 'data') {
    const readRange = (start: number, end: number) => store.readBuffer('landing', file.key, { start, end });
    // A range longer than the ranges read ahead at once is read ahead (a whole-file scan); a shorter one (a
    // header, a window searched for the next newline) is one stream, so that no read fetches far past its end.
    const readAheadFrom =
      (options.rangeBytes ?? READ_AHEAD_RANGE_BYTES) * (options.parallel ?? READ_AHEAD_PARALLEL);
    const open: OpenRange = async (start, end) =>
      end - start > readAheadFrom
        ? Readable.from(readAhead((r) => readRange(start + r.start, start + r.end), end - start, options))
        : store.read('landing', file.key, { start, end });
    for (const chunk of await adapterFor(manifest, ref).plan(file, open, chunkBytes)) {
      chunk.chunkId = `${item.fileId}-c${String(chunk.index).padStart(5, '0')}`;
      chunks.push(chunk);
    }
  }
  const key = filePlanKey(ref.seizureId, ref.importId, item.fileId);
  await store.write('reports', key, JSON.stringify(chunks), { contentType: 'application/json' });
  return { fileId: item.fileId, chunkCount: chunks.length, key };
}
