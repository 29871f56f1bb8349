import { type FieldDef, type FieldType, isList, isStruct, type SearchKind } from '../schema/field-types.ts';
import { messageFields } from '../schema/message-schema.ts';
import { INDEX_PATTERN, ISM_POLICY_ID, MAPPING_VERSION } from './index-names.ts';

/**
 * The `messages` index, generated from the canonical schema (`messageFields` and each field's `search`
 * kind), as the DuckDB and Glue types are. The checked-in JSON under ./assets is this output; a test keeps
 * the two equal (`node scripts/generate-search-assets.ts` rewrites it).
 */

/** The languages a body is analysed in, each as a sub-field `body.<code>`, beside the language-neutral `body`. */
export const bodyLanguages = [
  { code: 'nl', name: 'Dutch' },
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'French' },
  { code: 'es', name: 'Spanish' },
  { code: 'de', name: 'German' },
] as const;

export type LanguageCode = (typeof bodyLanguages)[number]['code'];

/** The analyzer of the language-neutral field: words split by Unicode rules, lower-cased, accents folded. */
export const NEUTRAL_ANALYZER = 'body_neutral';
export const languageAnalyzer = (code: LanguageCode) => `body_${code}`;

/**
 * The analysis chain of each field, spelled out rather than taken from OpenSearch's built-in language
 * analyzers, so what matches what is readable here. Dutch uses the Kraaij-Pohlmann stemmer, which takes
 * past participles and past tenses to their stem (gebeld, belde, bellen → bel); the Snowball Dutch stemmer
 * does not strip the ge- prefix. No stop words are dropped: chat messages are short, "ik" and "je" carry
 * meaning in them, and a "quoted phrase" then finds its words in that order, in any of their forms.
 */
export function messagesAnalysis() {
  return {
    filter: {
      body_nl_stemmer: { type: 'stemmer', language: 'dutch_kp' },
      body_en_possessive: { type: 'stemmer', language: 'possessive_english' },
      body_en_stemmer: { type: 'stemmer', language: 'english' },
      body_fr_elision: {
        type: 'elision',
        articles_case: true,
        articles: ['l', 'm', 't', 'qu', 'n', 's', 'j', 'd', 'c', 'jusqu', 'quoiqu', 'lorsqu', 'puisqu'],
      },
      body_fr_stemmer: { type: 'stemmer', language: 'light_french' },
      body_es_stemmer: { type: 'stemmer', language: 'light_spanish' },
      body_de_stemmer: { type: 'stemmer', language: 'light_german' },
    },
    analyzer: {
      [NEUTRAL_ANALYZER]: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
      body_nl: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'body_nl_stemmer'],
      },
      body_en: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['body_en_possessive', 'lowercase', 'body_en_stemmer'],
      },
      body_fr: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['body_fr_elision', 'lowercase', 'body_fr_stemmer'],
      },
      body_es: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'body_es_stemmer'],
      },
      body_de: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'german_normalization', 'body_de_stemmer'],
      },
    },
  };
}

export type FieldMapping = Record<string, unknown>;

/**
 * Free text finds handles and ids too: these keyword fields are copied, with the body, into
 * `search_text`, one language-neutral field (not stored; nothing to display) that the default search
 * covers, so `icecold-sniper bellen` finds the messages of that handle that say so.
 */
export const SEARCH_TEXT_FIELD = 'search_text';
export const freeTextFields = [
  'message_id',
  'native_id',
  'conversation_id',
  'sender',
  'sender_device',
  'recipients',
  'body',
] as const;

/** The fields a query without field names searches, here and in Dashboards (`index.query.default_field`). */
export const defaultQueryFields = [SEARCH_TEXT_FIELD, ...bodyLanguages.map(({ code }) => `body.${code}`)];

/** Keyword values longer than this are kept in `_source` but not indexed (ids and handles are far shorter). */
const KEYWORD_IGNORE_ABOVE = 2048;

function structOf(type: FieldType): readonly FieldDef[] | undefined {
  if (isStruct(type)) return type.struct;
  if (isList(type)) return structOf(type.list);
  return undefined;
}

/** The mapping of one field, from its `search` kind (a list maps as its items: OpenSearch fields are multi-valued). */
export function fieldMapping(field: FieldDef): FieldMapping {
  const kind: SearchKind = field.search;
  switch (kind) {
    case 'keyword':
      return { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
    case 'multilingual-text':
      return {
        type: 'text',
        analyzer: NEUTRAL_ANALYZER,
        fields: Object.fromEntries(
          bodyLanguages.map(({ code }) => [code, { type: 'text', analyzer: languageAnalyzer(code) }]),
        ),
      };
    case 'date':
      // The default format, strict_date_optional_time||epoch_millis: ISO 8601 text or epoch ms.
      return { type: 'date' };
    case 'boolean':
      return { type: 'boolean' };
    case 'long':
      return { type: 'long' };
    case 'double':
      return { type: 'double' };
    case 'geo-point':
      return { type: 'geo_point' };
    case 'object': {
      const fields = structOf(field.type);
      if (!fields) throw new Error(`field ${field.name} has search kind object but is not a struct`);
      // A plain object (OpenSearch's default type for a field with properties).
      return { properties: propertiesOf(fields) };
    }
    case 'not-indexed':
      // Kept in _source for display, never searchable or aggregatable.
      return structOf(field.type)
        ? { type: 'object', enabled: false }
        : { type: 'keyword', index: false, doc_values: false };
  }
}

export function propertiesOf(fields: readonly FieldDef[]): Record<string, FieldMapping> {
  return Object.fromEntries(fields.map((f) => [f.name, fieldMapping(f)]));
}

function messageProperties(): Record<string, FieldMapping> {
  const properties = propertiesOf(messageFields);
  for (const name of freeTextFields) {
    const mapping = properties[name];
    const kind = messageFields.find((f) => f.name === name)?.search;
    if (!mapping || (kind !== 'keyword' && kind !== 'multilingual-text'))
      throw new Error(`free-text field ${name} is not a keyword or text field of the canonical schema`);
    properties[name] = { ...mapping, copy_to: [SEARCH_TEXT_FIELD] };
  }
  if (properties[SEARCH_TEXT_FIELD]) throw new Error(`the schema already has a field ${SEARCH_TEXT_FIELD}`);
  properties[SEARCH_TEXT_FIELD] = { type: 'text', analyzer: NEUTRAL_ANALYZER };
  return properties;
}

/** `_meta` of every index: what it was generated from, for the indexer to check before it writes. */
export function mappingMeta() {
  return { schema: 'canonical-message', mapping_version: MAPPING_VERSION };
}

export function messagesMappings() {
  return {
    // A field the schema does not know is an error, reported per document, never a silent new field.
    dynamic: 'strict',
    _meta: mappingMeta(),
    properties: messageProperties(),
  };
}

/**
 * Index settings. One shard by default (the indexer asks for more when a seizure is large); one replica
 * where a second node can hold it, none on a single local node (`auto_expand_replicas`).
 */
export function messagesSettings() {
  return {
    index: {
      number_of_shards: 1,
      auto_expand_replicas: '0-1',
      refresh_interval: '1s',
      codec: 'best_compression',
      max_result_window: 10000,
      query: { default_field: defaultQueryFields },
    },
    analysis: messagesAnalysis(),
  };
}

/** The composable index template every concrete `messages-*` index is created from. */
export function messagesIndexTemplate() {
  return {
    index_patterns: [INDEX_PATTERN],
    // Above any catch-all template a cluster may have.
    priority: 200,
    version: MAPPING_VERSION,
    _meta: {
      description: 'seizure-lake messages: one index per seizure, behind the alias "messages"',
      generated_from: 'layers/domain/schema/message-schema.ts',
    },
    template: {
      settings: messagesSettings(),
      mappings: messagesMappings(),
    },
  };
}

/**
 * The ISM policy of the message indices: a week after it was created (its import or rebuild long done), an
 * index is force-merged to one segment, which makes searches cheaper. Nothing is ever deleted or made read-only by
 * the policy: how long evidence is kept is a legal decision, and a later import or rebuild of the seizure
 * must still be able to write.
 */
export function messagesIsmPolicy() {
  return {
    policy: {
      description: 'seizure-lake messages: force-merge a seizure index once its import is done; never delete',
      default_state: 'loading',
      states: [
        {
          name: 'loading',
          actions: [],
          transitions: [{ state_name: 'settled', conditions: { min_index_age: '7d' } }],
        },
        {
          name: 'settled',
          actions: [
            {
              retry: { count: 3, backoff: 'exponential', delay: '10m' },
              force_merge: { max_num_segments: 1 },
            },
          ],
          transitions: [],
        },
      ],
      ism_template: [{ index_patterns: [INDEX_PATTERN], priority: 100 }],
    },
  };
}

export { ISM_POLICY_ID };
