import type { z } from 'zod';
import type { Chunk } from '#domain/adapters/adapter.ts';
import type { ChunkResult } from '#domain/import/import-types.ts';
import { normalizeChunk } from '#domain/import/normalize-chunk.ts';
import { chunkTaskSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

/**
 * Task "Normalize chunk" (one Distributed Map item): parses one chunk, stages its messages as Parquet and
 * quarantines its rejects. Its outputs are named after the chunk, so a retry overwrites and never duplicates.
 */
export const normalizeStep: Step<z.infer<typeof chunkTaskSchema>, ChunkResult> = {
  name: 'normalize',
  input: chunkTaskSchema,
  async run(store, task, settings) {
    const { chunkId, file } = task.chunk;
    try {
      return await normalizeChunk(
        store,
        { ...task, chunk: task.chunk as Chunk },
        {
          workDirectory: settings.workDirectory,
          onProgress:
            settings.onProgress && ((records, bytes) => settings.onProgress?.({ chunkId, records, bytes })),
        },
      );
    } catch (error) {
      // The failure report must say which chunk failed; the error keeps its name, which decides retries.
      const e = error as Error;
      e.message = `chunk ${chunkId} (${file.path} bytes ${task.chunk.start}-${task.chunk.end}): ${e.message}`;
      throw e;
    }
  },
  logKeys: (task) => ({ seizureId: task.seizureId, importId: task.importId, chunkId: task.chunk.chunkId }),
  metrics: (result) => [
    { name: 'RecordsRead', value: result.read },
    { name: 'MessagesStaged', value: result.staged },
    { name: 'RecordsRejected', value: result.rejected },
  ],
};
