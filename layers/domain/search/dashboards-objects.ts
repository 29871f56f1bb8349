import { type FieldMapping, messagesMappings } from './index-mapping.ts';
import { MESSAGES_ALIAS } from './index-names.ts';

/**
 * OpenSearch Dashboards saved objects for the `messages` alias, as an export's NDJSON (one object per line,
 * then the export summary), generated here and checked in as dashboards/saved-objects.ndjson: the index
 * pattern (its fields generated from the index mapping), a saved search of the messages, and a seizure
 * dashboard (filter controls, volume over time, the most active handles and conversations, the entities the
 * messages mention and the handles that mention most, maps of the coordinates mentioned and of the devices'
 * locations, the messages).
 * The deploy-time setup imports them into the global tenant.
 */

export const INDEX_PATTERN_ID = 'seizure-lake-messages';
export const SAVED_SEARCH_ID = 'seizure-lake-messages-search';
export const DASHBOARD_ID = 'seizure-lake-seizure-overview';

/** The saved-object types this file uses, with the migration version OpenSearch Dashboards 2.x stores. */
export const savedObjectTypes = {
  'index-pattern': '7.6.0',
  search: '7.9.3',
  visualization: '7.10.0',
  dashboard: '7.9.3',
} as const;

export type SavedObjectType = keyof typeof savedObjectTypes;

export interface SavedObject {
  id: string;
  type: SavedObjectType;
  attributes: Record<string, unknown>;
  references: { id: string; name: string; type: SavedObjectType }[];
  migrationVersion: Record<string, string>;
}

export interface IndexPatternField {
  name: string;
  type: string;
  esTypes?: string[];
  searchable: boolean;
  aggregatable: boolean;
  readFromDocValues: boolean;
  count: number;
  scripted: boolean;
  subType?: { multi: { parent: string } };
}

const kbnType: Record<string, string> = {
  keyword: 'string',
  text: 'string',
  date: 'date',
  boolean: 'boolean',
  long: 'number',
  integer: 'number',
  double: 'number',
  geo_point: 'geo_point',
};

/** The index pattern's field list, from the mapping: every leaf field and multi-field, and the meta fields. */
export function indexPatternFields(properties = messagesMappings().properties): IndexPatternField[] {
  const fields: IndexPatternField[] = [
    meta('_id', 'string', '_id', true, true),
    meta('_index', 'string', '_index', true, true),
    meta('_score', 'number', undefined, false, false),
    meta('_source', '_source', '_source', false, false),
  ];
  const walk = (props: Record<string, FieldMapping>, prefix: string) => {
    for (const [name, mapping] of Object.entries(props)) {
      const path = `${prefix}${name}`;
      const type = mapping.type as string | undefined;
      if (type === undefined || type === 'object') {
        if (mapping.enabled !== false)
          walk((mapping.properties ?? {}) as Record<string, FieldMapping>, `${path}.`);
        continue;
      }
      fields.push(leaf(path, type, mapping));
      for (const [sub, subMapping] of Object.entries(
        (mapping.fields ?? {}) as Record<string, FieldMapping>,
      )) {
        fields.push({
          ...leaf(`${path}.${sub}`, subMapping.type as string, subMapping),
          subType: { multi: { parent: path } },
        });
      }
    }
  };
  walk(properties, '');
  return fields.sort((a, b) => a.name.localeCompare(b.name));
}

function leaf(name: string, esType: string, mapping: FieldMapping): IndexPatternField {
  const type = kbnType[esType];
  if (!type) throw new Error(`no Dashboards field type for ${esType} (${name})`);
  const indexed = mapping.index !== false;
  const docValues = esType !== 'text' && mapping.doc_values !== false;
  return {
    name,
    type,
    esTypes: [esType],
    searchable: indexed,
    aggregatable: docValues,
    readFromDocValues: docValues,
    count: 0,
    scripted: false,
  };
}

function meta(
  name: string,
  type: string,
  esType: string | undefined,
  searchable: boolean,
  aggregatable: boolean,
): IndexPatternField {
  return {
    name,
    type,
    ...(esType ? { esTypes: [esType] } : {}),
    searchable,
    aggregatable,
    readFromDocValues: false,
    count: 0,
    scripted: false,
  };
}

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

function searchSource(extra: Record<string, unknown> = {}): { searchSourceJSON: string } {
  return {
    searchSourceJSON: JSON.stringify({
      query: { query: '', language: 'kuery' },
      filter: [],
      ...extra,
      indexRefName: INDEX_REF,
    }),
  };
}

const indexReference = { id: INDEX_PATTERN_ID, name: INDEX_REF, type: 'index-pattern' as const };

function countMetric() {
  return { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} };
}

/** How many distinct values of `field` (handles, devices, seizures …) a bucket holds. */
function cardinalityMetric(id: string, field: string, label: string) {
  return { id, enabled: true, type: 'cardinality', schema: 'metric', params: { field, customLabel: label } };
}

function tableParams() {
  return {
    perPage: 20,
    showPartialRows: false,
    showMetricsAtAllLevels: false,
    sort: { columnIndex: null, direction: null },
    showTotal: false,
    totalFunc: 'sum',
    percentageCol: '',
  };
}

function visualization(id: string, title: string, description: string, visState: Record<string, unknown>) {
  return {
    id,
    type: 'visualization' as const,
    attributes: {
      title,
      description,
      visState: JSON.stringify({ title, ...visState }),
      uiStateJSON: '{}',
      version: 1,
      kibanaSavedObjectMeta: searchSource(),
    },
    references: [indexReference],
  };
}

export function savedObjects(): SavedObject[] {
  const withVersion = <T extends Omit<SavedObject, 'migrationVersion'>>(o: T): SavedObject => ({
    ...o,
    migrationVersion: { [o.type]: savedObjectTypes[o.type] },
  });

  const indexPattern = {
    id: INDEX_PATTERN_ID,
    type: 'index-pattern' as const,
    attributes: {
      title: MESSAGES_ALIAS,
      timeFieldName: 'sent_at',
      fields: JSON.stringify(indexPatternFields()),
      fieldFormatMap: JSON.stringify({ body: { id: 'string', params: {} } }),
    },
    references: [],
  };

  const search = {
    id: SAVED_SEARCH_ID,
    type: 'search' as const,
    attributes: {
      title: 'Messages',
      description:
        'Every message of the seizures you may see, newest first; type words, handles or ids to search.',
      hits: 0,
      columns: ['seizure_id', 'sender', 'recipients', 'conversation_id', 'body'],
      sort: [['sent_at', 'desc']],
      version: 1,
      kibanaSavedObjectMeta: searchSource({ highlightAll: true, version: true }),
    },
    references: [indexReference],
  };

  const controls = {
    id: 'seizure-lake-controls',
    type: 'visualization' as const,
    attributes: {
      title: 'Seizure and handle',
      description: 'Choose the seizure (and handles) the dashboard shows.',
      visState: JSON.stringify({
        title: 'Seizure and handle',
        type: 'input_control_vis',
        aggs: [],
        params: {
          controls: [
            listControl('1', 'seizure_id', 'Seizure', 'control_0_index_pattern'),
            listControl('2', 'sender', 'Sender', 'control_1_index_pattern'),
          ],
          updateFiltersOnChange: true,
          useTimeFilter: true,
          pinFilters: false,
        },
      }),
      uiStateJSON: '{}',
      version: 1,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references: [
      { id: INDEX_PATTERN_ID, name: 'control_0_index_pattern', type: 'index-pattern' as const },
      { id: INDEX_PATTERN_ID, name: 'control_1_index_pattern', type: 'index-pattern' as const },
    ],
  };

  const volume = visualization(
    'seizure-lake-volume',
    'Messages over time',
    'Messages per interval of send time.',
    {
      type: 'histogram',
      aggs: [
        countMetric(),
        {
          id: '2',
          enabled: true,
          type: 'date_histogram',
          schema: 'segment',
          params: {
            field: 'sent_at',
            useNormalizedOpenSearchInterval: true,
            interval: 'auto',
            drop_partials: false,
            min_doc_count: 1,
            extended_bounds: {},
          },
        },
      ],
      params: {
        type: 'histogram',
        grid: { categoryLines: false },
        categoryAxes: [
          {
            id: 'CategoryAxis-1',
            type: 'category',
            position: 'bottom',
            show: true,
            style: {},
            scale: { type: 'linear' },
            labels: { show: true, filter: true, truncate: 100 },
            title: {},
          },
        ],
        valueAxes: [
          {
            id: 'ValueAxis-1',
            name: 'LeftAxis-1',
            type: 'value',
            position: 'left',
            show: true,
            style: {},
            scale: { type: 'linear', mode: 'normal' },
            labels: { show: true, rotate: 0, filter: false, truncate: 100 },
            title: { text: 'Messages' },
          },
        ],
        seriesParams: [
          {
            show: true,
            type: 'histogram',
            mode: 'stacked',
            data: { label: 'Messages', id: '1' },
            valueAxis: 'ValueAxis-1',
            drawLinesBetweenPoints: true,
            lineWidth: 2,
            showCircles: true,
          },
        ],
        addTooltip: true,
        addLegend: false,
        legendPosition: 'right',
        times: [],
        addTimeMarker: false,
        labels: { show: false },
        thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
      },
    },
  );

  const handles = visualization(
    'seizure-lake-active-handles',
    'Most active handles',
    'Handles by messages sent.',
    {
      type: 'table',
      aggs: [
        countMetric(),
        {
          id: '2',
          enabled: true,
          type: 'terms',
          schema: 'bucket',
          params: {
            field: 'sender',
            orderBy: '1',
            order: 'desc',
            size: 20,
            otherBucket: false,
            missingBucket: false,
            customLabel: 'Handle',
          },
        },
        cardinalityMetric('3', 'conversation_id', 'Conversations'),
      ],
      params: tableParams(),
    },
  );

  const conversations = visualization(
    'seizure-lake-active-conversations',
    'Most active conversations',
    'Conversations by messages, with how many handles wrote in them.',
    {
      type: 'table',
      aggs: [
        countMetric(),
        {
          id: '2',
          enabled: true,
          type: 'terms',
          schema: 'bucket',
          params: {
            field: 'conversation_id',
            orderBy: '1',
            order: 'desc',
            size: 20,
            otherBucket: false,
            missingBucket: false,
            customLabel: 'Conversation',
          },
        },
        cardinalityMetric('3', 'sender', 'Writers'),
      ],
      params: tableParams(),
    },
  );

  // Entities found in the bodies at import (entities.kind, entities.value) and where they point (mentioned_geo).
  const entityKinds = visualization(
    'seizure-lake-entity-kinds',
    'What the messages mention',
    'Messages mentioning a phone number, IBAN, crypto address, e-mail address, URL, coordinates or licence plate.',
    {
      type: 'table',
      aggs: [
        { ...countMetric(), params: { customLabel: 'Messages' } },
        termsBucket('2', 'entities.kind', 'Kind', 10),
      ],
      params: tableParams(),
    },
  );

  const topEntities = visualization(
    'seizure-lake-top-entities',
    'Most mentioned numbers, accounts and addresses',
    'Entities by the messages that mention them, with how many handles and seizures did: a value under several handles or in several seizures is a lead (see also the links view and `seizure links`).',
    {
      type: 'table',
      aggs: [
        { ...countMetric(), params: { customLabel: 'Messages' } },
        termsBucket('2', 'entities.value', 'Entity', 25),
        cardinalityMetric('3', 'sender', 'Handles'),
        cardinalityMetric('4', 'seizure_id', 'Seizures'),
      ],
      params: tableParams(),
    },
  );

  const handleEntities = visualization(
    'seizure-lake-handle-entities',
    'Handles by what they mention',
    'Handles by the distinct entities their messages mention, with their devices and messages.',
    {
      type: 'table',
      aggs: [
        { ...countMetric(), params: { customLabel: 'Messages' } },
        termsBucket('2', 'sender', 'Handle', 20, '3'),
        cardinalityMetric('3', 'entities.value', 'Entities mentioned'),
        cardinalityMetric('4', 'sender_device', 'Devices'),
      ],
      params: tableParams(),
    },
  );

  const mentionedPlaces = coordinateMap(
    'seizure-lake-mentioned-places',
    'Places mentioned',
    'Coordinates written in the bodies (decimal or degrees, minutes and seconds), by the messages that mention them.',
    'mentioned_geo',
  );
  const deviceLocations = coordinateMap(
    'seizure-lake-device-locations',
    'Where devices were',
    'The location records carry (the geo field), by messages.',
    'geo',
  );

  const panels = [
    { ref: controls, grid: { x: 0, y: 0, w: 48, h: 6 } },
    { ref: volume, grid: { x: 0, y: 6, w: 48, h: 12 } },
    { ref: handles, grid: { x: 0, y: 18, w: 24, h: 15 } },
    { ref: conversations, grid: { x: 24, y: 18, w: 24, h: 15 } },
    { ref: entityKinds, grid: { x: 0, y: 33, w: 12, h: 15 } },
    { ref: topEntities, grid: { x: 12, y: 33, w: 36, h: 15 } },
    { ref: handleEntities, grid: { x: 0, y: 48, w: 16, h: 18 } },
    { ref: mentionedPlaces, grid: { x: 16, y: 48, w: 16, h: 18 } },
    { ref: deviceLocations, grid: { x: 32, y: 48, w: 16, h: 18 } },
    { ref: search, grid: { x: 0, y: 66, w: 48, h: 20 } },
  ];
  const dashboard = {
    id: DASHBOARD_ID,
    type: 'dashboard' as const,
    attributes: {
      title: 'Seizure overview',
      description:
        'One seizure at a glance: choose it above; volume over time, the most active handles and conversations, what the messages mention and who mentions most, maps of the places mentioned and of the devices, the messages.',
      hits: 0,
      panelsJSON: JSON.stringify(
        panels.map((p, i) => ({
          version: '2.19.0',
          gridData: { ...p.grid, i: String(i + 1) },
          panelIndex: String(i + 1),
          embeddableConfig: {},
          panelRefName: `panel_${i}`,
        })),
      ),
      optionsJSON: JSON.stringify({ hidePanelTitles: false, useMargins: true }),
      version: 1,
      timeRestore: false,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references: panels.map((p, i) => ({ id: p.ref.id, name: `panel_${i}`, type: p.ref.type })),
  };

  return [
    indexPattern,
    search,
    controls,
    volume,
    handles,
    conversations,
    entityKinds,
    topEntities,
    handleEntities,
    mentionedPlaces,
    deviceLocations,
    dashboard,
  ].map(withVersion);
}

/** A terms bucket, ordered by the metric `orderBy` (the count unless given). */
function termsBucket(id: string, field: string, label: string, size: number, orderBy = '1') {
  return {
    id,
    enabled: true,
    type: 'terms',
    schema: 'bucket',
    params: {
      field,
      orderBy,
      order: 'desc',
      size,
      otherBucket: false,
      missingBucket: false,
      customLabel: label,
    },
  };
}

/**
 * A coordinate map (Dashboards' tile_map) of a geo_point field, as scaled markers over geohash cells. The base
 * map comes from the Dashboards maps service; an air-gapped installation points it at its own WMS.
 */
function coordinateMap(id: string, title: string, description: string, field: string) {
  return visualization(id, title, description, {
    type: 'tile_map',
    aggs: [
      { ...countMetric(), params: { customLabel: 'Messages' } },
      {
        id: '2',
        enabled: true,
        type: 'geohash_grid',
        schema: 'segment',
        params: { field, autoPrecision: true, precision: 2, useGeocentroid: true, isFilteredByCollar: true },
      },
    ],
    params: {
      mapType: 'Scaled Circle Markers',
      isDesaturated: true,
      addTooltip: true,
      heatClusterSize: 1.5,
      legendPosition: 'bottomright',
      mapZoom: 2,
      mapCenter: [50, 5],
      colorSchema: 'Yellow to Red',
      wms: { enabled: false, url: '', options: { format: 'image/png', transparent: true } },
    },
  });
}

function listControl(id: string, fieldName: string, label: string, indexPatternRefName: string) {
  return {
    id,
    fieldName,
    parent: '',
    label,
    type: 'list',
    options: { type: 'terms', multiselect: true, dynamicOptions: true, size: 100, order: 'desc' },
    indexPatternRefName,
  };
}

/** The objects as Dashboards exports them: one JSON object per line, then the export summary line. */
export function savedObjectsNdjson(): string {
  const objects = savedObjects();
  const lines = objects.map((o) => JSON.stringify(o));
  lines.push(JSON.stringify({ exportedCount: objects.length, missingRefCount: 0, missingReferences: [] }));
  return `${lines.join('\n')}\n`;
}
