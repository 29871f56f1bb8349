import { describe, expect, it } from 'vitest';
import { importStates } from '#infra/import-workflow/import-definition.ts';
import { synthesizeImportDefinition } from '#infra/synth-definition.ts';
import {
  READ_ITEMS_RESOURCE,
  readItemsStateName,
  translateForLocal,
} from '#local/workflow/local-definition.ts';

describe('translateForLocal', () => {
  const { definition } = synthesizeImportDefinition({
    verifyMapMaxConcurrency: 4,
    mapMaxConcurrency: 3,
    finalizeMapMaxConcurrency: 2,
  });
  const { definition: local, translatedMaps } = translateForLocal(definition);

  it('makes the four Distributed Maps (evidence files to hash and to plan, chunks and slices) inline, each reading its items in a task just before it', () => {
    expect(translatedMaps.sort()).toEqual(
      [
        importStates.hashEvidence,
        importStates.planFiles,
        importStates.compactSlices,
        importStates.normalizeChunks,
      ].sort(),
    );
    const concurrency: Record<string, number> = {
      [importStates.hashEvidence]: 4,
      [importStates.planFiles]: 4,
      [importStates.normalizeChunks]: 3,
      [importStates.compactSlices]: 2,
    };
    for (const mapName of translatedMaps) {
      const map = local.States[mapName]!;
      expect(map.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'INLINE' } });
      for (const gone of ['ItemReader', 'ResultWriter', 'ResultSelector', 'ItemBatcher'])
        expect(map, mapName).not.toHaveProperty(gone);
      expect(map.MaxConcurrency).toBe(concurrency[mapName]);
      const reader = definition.States[mapName]!.ItemReader as { Parameters: Record<string, string> };
      const loader = local.States[readItemsStateName(mapName)]!;
      expect(loader).toMatchObject({
        Type: 'Task',
        Resource: READ_ITEMS_RESOURCE,
        Next: mapName,
        ResultPath: map.ItemsPath,
        Parameters: { bucket: reader.Parameters.Bucket, 'key.$': reader.Parameters['Key.$'] },
        Catch: definition.States[mapName]!.Catch,
      });
    }
  });

  it('sends every transition into a Map through its loader, and changes nothing else', () => {
    const maps = new Set(translatedMaps);
    for (const [name, state] of Object.entries(local.States)) {
      for (const mapName of maps) {
        if (name === readItemsStateName(mapName)) continue;
        expect(JSON.stringify(state)).not.toContain(`"Next":"${mapName}"`);
      }
    }
    const untouched = Object.keys(definition.States).filter(
      (n) => !maps.has(n) && !maps.has(definition.States[n]!.Next as string),
    );
    expect(untouched.length).toBeGreaterThan(5);
    for (const name of untouched) expect(local.States[name]).toEqual(definition.States[name]);
    expect(local.StartAt).toBe(definition.StartAt);
  });

  it('leaves the synthesized definition as it was', () => {
    for (const mapName of translatedMaps) expect(definition.States[mapName]!.ItemReader).toBeDefined();
  });
});
