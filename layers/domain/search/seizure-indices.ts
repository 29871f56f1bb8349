import type { Client } from '@opensearch-project/opensearch';
import { mappingMeta, messagesMappings } from './index-mapping.ts';
import {
  generationIndex,
  INDEX_TEMPLATE_NAME,
  MAPPING_VERSION,
  MESSAGES_ALIAS,
  parseIndexName,
  rebuildGeneration,
  seizureAlias,
} from './index-names.ts';

/** The cluster lacks the `messages` index template (or has an older one): indices would get wrong mappings. */
export class SearchSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchSetupError';
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } })?.meta?.statusCode;
}

function errorType(error: unknown): string | undefined {
  return (error as { meta?: { body?: { error?: { type?: string } } } })?.meta?.body?.error?.type;
}

/** Primary shards for a seizure of `rows` messages: about 20 million per shard (tens of GB), 1 to 24. */
export function shardsFor(rows: number): number {
  return Math.min(24, Math.max(1, Math.ceil(rows / 20_000_000)));
}

/** The concrete indices the seizure's alias points at (normally one), or [] when it has none. */
export async function seizureIndices(client: Client, seizureId: string): Promise<string[]> {
  try {
    const response = await client.indices.getAlias({ name: seizureAlias(seizureId) });
    return Object.keys(response.body as Record<string, unknown>).sort();
  } catch (error) {
    if (statusOf(error) === 404) return [];
    throw error;
  }
}

/**
 * Every concrete index of the seizure, of any mapping version and generation, behind an alias or not (a
 * rebuild that died leaves one behind). Names are parsed, so `a`'s indices never include `a-v1-2`'s.
 */
export async function allSeizureIndices(client: Client, seizureId: string): Promise<string[]> {
  const response = await client.cat.indices({
    index: `${MESSAGES_ALIAS}-${seizureId}-v*`,
    format: 'json',
    h: ['index'],
    expand_wildcards: 'all',
  });
  return (response.body as { index: string }[])
    .map((r) => r.index)
    .filter((name) => parseIndexName(name)?.seizureId === seizureId)
    .sort();
}

/** Creates a concrete index from the template and checks the template was there to shape it. */
async function createIndex(
  client: Client,
  index: string,
  body: { settings?: Record<string, unknown>; aliases?: Record<string, { is_write_index?: boolean }> },
): Promise<void> {
  await client.indices.create({ index, body });
  const mapping = await client.indices.getMapping({ index });
  const meta = (mapping.body as Record<string, { mappings?: { _meta?: Record<string, unknown> } }>)[index]
    ?.mappings?._meta;
  const expected = mappingMeta();
  if (meta?.mapping_version !== expected.mapping_version || meta?.schema !== expected.schema) {
    await client.indices.delete({ index });
    throw new SearchSetupError(
      `the index template "${INDEX_TEMPLATE_NAME}" (mapping version ${MAPPING_VERSION}) is not installed on this ` +
        `cluster (found ${meta ? JSON.stringify(meta) : 'none'}): install it first (locally it is installed ` +
        'automatically; in the cloud by the search setup custom resource at deploy time)',
    );
  }
}

/**
 * The index the seizure's new messages go to: the write index of its alias, or a first index (generation
 * 0) created with both aliases. Concurrent first writers race on the same deterministic name; the losers
 * find the winner's index.
 */
export async function ensureSeizureIndex(
  client: Client,
  seizureId: string,
  options: { shards?: number } = {},
): Promise<string> {
  const existing = await writeIndexOf(client, seizureId);
  if (existing) {
    await applyMapping(client, existing, seizureId);
    return existing;
  }
  const index = generationIndex(seizureId, '0');
  try {
    await createIndex(client, index, {
      ...(options.shards ? { settings: { 'index.number_of_shards': options.shards } } : {}),
      aliases: { [MESSAGES_ALIAS]: {}, [seizureAlias(seizureId)]: { is_write_index: true } },
    });
    return index;
  } catch (error) {
    if (errorType(error) !== 'resource_already_exists_exception') throw error;
    const winner = await writeIndexOf(client, seizureId);
    if (!winner) throw new Error(`index ${index} exists but is not behind alias ${seizureAlias(seizureId)}`);
    return winner;
  }
}

async function writeIndexOf(client: Client, seizureId: string): Promise<string | undefined> {
  let body: Record<string, { aliases: Record<string, { is_write_index?: boolean }> }>;
  try {
    body = (await client.indices.getAlias({ name: seizureAlias(seizureId) })).body as typeof body;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  const entries = Object.entries(body);
  const flagged = entries.find(([, v]) => v.aliases[seizureAlias(seizureId)]?.is_write_index === true);
  if (flagged) return flagged[0];
  if (entries.length === 1) return entries[0]?.[0];
  throw new Error(`alias ${seizureAlias(seizureId)} points at several indices and none is its write index`);
}

/**
 * Brings an existing index's mapping up to the schema's: fields added to the canonical schema since the
 * index was created are added in place (the mapping is strict, so documents with them would be refused).
 * A change that cannot be made in place (a field's type) needs a rebuild, and says so.
 */
async function applyMapping(client: Client, index: string, seizureId: string): Promise<void> {
  try {
    await client.indices.putMapping({
      index,
      body: messagesMappings() as Parameters<Client['indices']['putMapping']>[0]['body'],
    });
  } catch (error) {
    if (statusOf(error) !== 400) throw error;
    const reason = (error as { meta?: { body?: { error?: { reason?: string } } } }).meta?.body?.error?.reason;
    throw new SearchSetupError(
      `the mapping of ${index} cannot take the current schema in place (${reason ?? 'conflict'}): ` +
        `rebuild it with seizure reindex ${seizureId}`,
    );
  }
}

/** A new generation for a rebuild, behind no alias until `swapIn`. */
export async function createRebuildIndex(
  client: Client,
  seizureId: string,
  options: { shards?: number } = {},
): Promise<string> {
  const index = generationIndex(seizureId, rebuildGeneration());
  await createIndex(client, index, {
    settings: {
      ...(options.shards ? { 'index.number_of_shards': options.shards } : {}),
      'index.refresh_interval': '-1',
    },
  });
  return index;
}

/**
 * Puts a rebuilt index behind `messages` and the seizure's alias and deletes every other index of the
 * seizure, in one atomic alias operation: searches see the old index or the new one, never both or neither.
 */
export async function swapIn(client: Client, seizureId: string, index: string): Promise<string[]> {
  const others = (await allSeizureIndices(client, seizureId)).filter((name) => name !== index);
  await client.indices.updateAliases({
    body: {
      actions: [
        { add: { index, alias: MESSAGES_ALIAS } },
        { add: { index, alias: seizureAlias(seizureId), is_write_index: true } },
        ...others.map((name) => ({ remove_index: { index: name } })),
      ],
    },
  });
  return others;
}

/** The index's `refresh_interval` as set on it (undefined: the default), to be restored after a load. */
export async function refreshInterval(client: Client, index: string): Promise<string | undefined> {
  const response = await client.indices.getSettings({
    index,
    name: 'index.refresh_interval',
    flat_settings: true,
  });
  const settings = (response.body as Record<string, { settings?: Record<string, string> }>)[index]?.settings;
  return settings?.['index.refresh_interval'];
}

/** Sets `refresh_interval` (`-1` turns refreshes off during a load; null restores the default). */
export async function setRefreshInterval(client: Client, index: string, value: string | null): Promise<void> {
  // null resets the setting; the client's types do not know that.
  await client.indices.putSettings({ index, body: { index: { refresh_interval: value as string } } });
}

/** Documents in an index or alias after a refresh, optionally only those sent in [from, to). */
export async function countDocuments(
  client: Client,
  target: string,
  sentBetween?: { from: string; to: string },
): Promise<number> {
  await client.indices.refresh({ index: target });
  const query = sentBetween
    ? { range: { sent_at: { gte: sentBetween.from, lt: sentBetween.to } } }
    : { match_all: {} };
  const response = await client.count({ index: target, body: { query } });
  return (response.body as { count: number }).count;
}
