import path from 'node:path';
import { mapConcurrently } from '../lake/map-concurrently.ts';
import { readJsonObjectIfPresent } from '../storage/json-objects.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { importFilePrefix, monthInputKey, monthPartitionPrefix, slicesKey } from './import-layout.ts';
import type { MonthInput, Slice } from './import-types.ts';

const REQUESTS_AT_ONCE = 32;

/**
 * The failure path of a finalize that compacted some slices but did not finish: removes the lake files its
 * slices wrote that the partitions did not hold before, so that the partitions read as they did before the
 * import (a file of the same name as one the partition held is this import's own from an earlier run,
 * rewritten with the same rows). Nothing is removed once any file the partitions held is gone: the reconcile
 * step had begun replacing them, and the new files are then the only copy of those rows; a re-run completes
 * the import. A slice Lambda still running when its map failed can write after this (the cloud stops the
 * map's executions, not their Lambdas); a re-run of the import replaces such a file. Returns the number of
 * files removed, or undefined when it removed nothing because a held file was gone.
 */
export async function discardSliceOutput(
  store: ObjectStore,
  ref: { seizureId: string; importId: string },
): Promise<number | undefined> {
  const { seizureId, importId } = ref;
  const listKey = slicesKey(seizureId, importId);
  const slices = await readJsonObjectIfPresent<Slice[]>(store, 'reports', listKey);
  if (!slices) return 0;
  const discard: string[] = [];
  for (const month of new Set(slices.map((s) => s.month))) {
    const inputKey = monthInputKey(seizureId, importId, month);
    const input = await readJsonObjectIfPresent<MonthInput>(store, 'reports', inputKey);
    if (!input) continue;
    const held = new Set(input.existing.map((o) => o.key));
    const present = new Set<string>();
    for await (const o of store.list('lake', monthPartitionPrefix(seizureId, month))) present.add(o.key);
    if ([...held].some((key) => !present.has(key))) return undefined;
    for (const key of present) {
      if (!held.has(key) && path.posix.basename(key).startsWith(importFilePrefix(importId)))
        discard.push(key);
    }
  }
  await mapConcurrently(discard, REQUESTS_AT_ONCE, (key) => store.delete('lake', key));
  return discard.length;
}
