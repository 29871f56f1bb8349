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
  run(store, task, settings) {
    return normalizeChunk(
      store,
      { ...task, chunk: task.chunk as Chunk },
      settings.workDirectory ? { workDirectory: settings.workDirectory } : {},
    );
  },
  logKeys: (task) => ({ seizureId: task.seizureId, importId: task.importId, chunkId: task.chunk.chunkId }),
  metrics: (result) => [
    { name: 'RecordsRead', value: result.read },
    { name: 'MessagesStaged', value: result.staged },
    { name: 'RecordsRejected', value: result.rejected },
  ],
};
