/**
 * How the search indices are named. Every seizure has its own indices, never shared with another seizure:
 *
 *   messages                     alias over every seizure's current index: what analysts and Dashboards search
 *   messages-<seizure>-v<N>      alias over one seizure's current index, for mapping version N: where the
 *                                indexer writes (its write index) and where `reindex` swaps a rebuild in
 *   messages-<seizure>-v<N>-<G>  the concrete index of generation G (digits: 0 for the first, then the
 *                                rebuild's UTC time), created from the `messages` index template
 *
 * Seizure ids are slugs (a-z, 0-9, -), so a concrete name, read from its end (`-v<N>-<digits>`), never
 * equals another seizure's alias or index.
 */

/** Bumped when the mapping changes incompatibly: a rebuild then creates `-v<N+1>` indices. */
export const MAPPING_VERSION = 1;

export const MESSAGES_ALIAS = 'messages';
export const INDEX_TEMPLATE_NAME = 'messages';
export const ISM_POLICY_ID = 'messages';
/** Matches the concrete indices (and only those, as aliases get no template). */
export const INDEX_PATTERN = 'messages-*';

export function seizureAlias(seizureId: string, version: number = MAPPING_VERSION): string {
  return `${MESSAGES_ALIAS}-${seizureId}-v${version}`;
}

export function generationIndex(seizureId: string, generation: string, version: number = MAPPING_VERSION) {
  if (!/^\d+$/.test(generation)) throw new Error(`an index generation is digits, got ${generation}`);
  return `${seizureAlias(seizureId, version)}-${generation}`;
}

/** A generation for a rebuild: the UTC time to the millisecond, e.g. `20240102030405678`. */
export function rebuildGeneration(now: Date = new Date()): string {
  return now.toISOString().replace(/\D/g, '');
}

/** The seizure, mapping version and generation of a concrete index name, or undefined for other names. */
export function parseIndexName(
  name: string,
): { seizureId: string; version: number; generation: string } | undefined {
  const m = /^messages-([a-z0-9][a-z0-9-]*)-v(\d+)-(\d+)$/.exec(name);
  return m ? { seizureId: m[1] as string, version: Number(m[2]), generation: m[3] as string } : undefined;
}
