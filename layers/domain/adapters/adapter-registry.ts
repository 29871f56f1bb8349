import type { Manifest } from '../manifest/manifest-schema.ts';
import type { Adapter, ImportContext } from './adapter.ts';
import { createMappingAdapter } from './mapping/mapping-adapter.ts';
import { resolveMapping } from './mapping/shipped-mappings.ts';

/** The adapter the manifest's `format` names, set up for one import. */
export function adapterFor(manifest: Manifest, ref: { importId: string; ingestedAt: number }): Adapter {
  const context: ImportContext = { manifest, importId: ref.importId, ingestedAt: ref.ingestedAt };
  switch (manifest.format) {
    case 'mapping':
      return createMappingAdapter(resolveMapping(manifest.options?.mapping, manifest.platform), context);
  }
}
