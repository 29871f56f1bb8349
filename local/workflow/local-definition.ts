import type { AslDefinition } from '#infra/synth-definition.ts';

/**
 * The one translation the synthesized definition needs to run locally. aws-local-stepfunctions runs inline
 * Map states but not a Distributed Map's ItemReader, ItemBatcher or ResultWriter. So each DISTRIBUTED Map
 * (the evidence files' twice, the chunks' and the slices') becomes INLINE, and a Task state inserted before it does
 * what the ItemReader did: read the JSON item list from the bucket. ResultWriter and ResultSelector (which
 * reads the Map Run's ARN) go; the Map's output is the array of item results, which the later steps accept as
 * well. Everything else runs as synthesized.
 */
export const READ_ITEMS_RESOURCE = 'local:read-items';
export const readItemsStateName = (mapState: string) => `${mapState} (read items)`;
const ITEMS_PATH = '$.localMapItems';

type State = Record<string, unknown>;

export interface LocalTranslation {
  definition: AslDefinition;
  /** Map states translated, by name. */
  translatedMaps: string[];
}

export class UnsupportedDefinitionError extends Error {}

export function translateForLocal(source: AslDefinition): LocalTranslation {
  const definition = structuredClone(source);
  const translatedMaps: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const processor = (state.ItemProcessor as State | undefined)?.ProcessorConfig as State | undefined;
    if (state.Type !== 'Map' || processor?.Mode !== 'DISTRIBUTED') continue;
    const reader = state.ItemReader as
      | { Resource?: string; ReaderConfig?: State; Parameters?: State }
      | undefined;
    if (reader?.Resource !== 'arn:aws:states:::s3:getObject' || reader.ReaderConfig?.InputType !== 'JSON') {
      throw new UnsupportedDefinitionError(`${name}: only an S3 JSON ItemReader can run locally`);
    }
    const { Bucket, Key, 'Key.$': keyPath } = reader.Parameters ?? {};
    const loader: State = {
      Type: 'Task',
      Comment: `Local stand-in for the ItemReader of "${name}": reads its JSON item list from the bucket.`,
      Resource: READ_ITEMS_RESOURCE,
      Parameters: { bucket: Bucket, ...(keyPath ? { 'key.$': keyPath } : { key: Key }) },
      ResultPath: ITEMS_PATH,
      Next: name,
      ...(state.Catch ? { Catch: state.Catch } : {}),
    };
    (state.ItemProcessor as State).ProcessorConfig = { Mode: 'INLINE' };
    state.ItemsPath = ITEMS_PATH;
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ResultSelector', 'Label'])
      delete state[field];
    for (const field of ['ToleratedFailurePercentage', 'ToleratedFailureCount']) delete state[field];
    const loaderName = readItemsStateName(name);
    redirect(definition, name, loaderName);
    definition.States[loaderName] = loader;
    translatedMaps.push(name);
  }
  return { definition, translatedMaps };
}

/** Every transition into `from` now goes to `to`. */
function redirect(definition: AslDefinition, from: string, to: string): void {
  if (definition.StartAt === from) definition.StartAt = to;
  for (const state of Object.values(definition.States)) {
    if (state.Next === from) state.Next = to;
    if (state.Default === from) state.Default = to;
    for (const rule of [...((state.Choices as State[]) ?? []), ...((state.Catch as State[]) ?? [])]) {
      if (rule.Next === from) rule.Next = to;
    }
  }
}
