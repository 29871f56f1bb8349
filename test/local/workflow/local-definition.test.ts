import { describe, expect, it } from 'vitest';
import { synthesizeImportDefinition } from '#infra/synth-definition.ts';
import {
  READ_ITEMS_RESOURCE,
  readItemsStateName,
  translateForLocal,
} from '#local/workflow/local-definition.ts';

describe('translateForLocal', () => {
  const { definition } = synthesizeImportDefinition({ mapMaxConcurrency: 3 });
  const { definition: local, translatedMaps } = translateForLocal(definition);
  const mapName = translatedMaps[0]!;

  it('makes the Distributed Map inline, reading its items in a task just before it', () => {
    expect(translatedMaps).toHaveLength(1);
    const map = local.States[mapName]!;
    expect(map.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'INLINE' } });
    for (const gone of ['ItemReader', 'ResultWriter', 'ResultSelector', 'ItemBatcher'])
      expect(map).not.toHaveProperty(gone);
    expect(map.MaxConcurrency).toBe(3);
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
  });

  it('sends every transition into the Map through the loader, and changes nothing else', () => {
    for (const [name, state] of Object.entries(local.States)) {
      if (name === readItemsStateName(mapName)) continue;
      expect(JSON.stringify(state)).not.toContain(`"Next":"${mapName}"`);
    }
    const untouched = Object.keys(definition.States).filter(
      (n) => n !== mapName && definition.States[n]!.Next !== mapName,
    );
    for (const name of untouched) expect(local.States[name]).toEqual(definition.States[name]);
    expect(local.StartAt).toBe(definition.StartAt);
  });

  it('leaves the synthesized definition as it was', () => {
    expect(definition.States[mapName]!.ItemReader).toBeDefined();
  });
});
