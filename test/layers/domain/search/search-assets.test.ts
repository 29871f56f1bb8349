import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageFields } from '#domain/schema/message-schema.ts';
import {
  DASHBOARD_ID,
  INDEX_PATTERN_ID,
  type indexPatternFields,
  SAVED_SEARCH_ID,
  savedObjectTypes,
} from '#domain/search/dashboards-objects.ts';
import {
  bodyLanguages,
  freeTextFields,
  messagesIsmPolicy,
  SEARCH_TEXT_FIELD,
} from '#domain/search/index-mapping.ts';
import {
  generationIndex,
  INDEX_PATTERN,
  parseIndexName,
  rebuildGeneration,
  seizureAlias,
} from '#domain/search/index-names.ts';
import { searchAssets } from '#domain/search/search-assets.ts';
import { searchRequestBody } from '#domain/search/search-messages.ts';

const root = path.resolve(import.meta.dirname, '../../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const template = () => JSON.parse(read('layers/domain/search/assets/messages-index-template.json'));

describe('the versioned search assets', () => {
  it('are what the canonical schema generates (run node scripts/generate-search-assets.ts after a change)', () => {
    for (const asset of searchAssets()) {
      const checkedIn = read(asset.path);
      if (asset.path.endsWith('.ndjson')) expect(checkedIn, asset.path).toBe(asset.content);
      else expect(JSON.parse(checkedIn), asset.path).toEqual(JSON.parse(asset.content));
    }
  });

  it('map every field of the schema by its search kind, strictly', () => {
    const { mappings, settings } = template().template;
    expect(mappings.dynamic).toBe('strict');
    const expected: Record<string, string | undefined> = {
      keyword: 'keyword',
      'multilingual-text': 'text',
      date: 'date',
      boolean: 'boolean',
      long: 'long',
      double: 'double',
      'geo-point': 'geo_point',
      object: undefined, // an object: properties, no type
    };
    for (const field of messageFields) {
      const mapping = mappings.properties[field.name];
      expect(mapping, field.name).toBeDefined();
      expect(mapping.type, field.name).toBe(expected[field.search]);
      expect(Boolean(mapping.copy_to), field.name).toBe(
        (freeTextFields as readonly string[]).includes(field.name),
      );
    }
    expect(Object.keys(mappings.properties).sort()).toEqual(
      [...messageFields.map((f) => f.name), SEARCH_TEXT_FIELD].sort(),
    );
    expect(mappings.properties.attachments.properties.media_type.type).toBe('keyword');
    for (const { code } of bodyLanguages) {
      expect(mappings.properties.body.fields[code].analyzer).toBe(`body_${code}`);
      expect(settings.analysis.analyzer[`body_${code}`]).toBeDefined();
    }
    expect(template().index_patterns).toEqual([INDEX_PATTERN]);
  });

  it('keep an ISM policy that only ever merges, never deletes or blocks writes', () => {
    const { policy } = JSON.parse(read('layers/domain/search/assets/messages-ism-policy.json'));
    expect(policy).toEqual(messagesIsmPolicy().policy);
    const names = policy.states.map((s: { name: string }) => s.name);
    expect(names).toContain(policy.default_state);
    for (const state of policy.states) {
      for (const t of state.transitions) expect(names).toContain(t.state_name);
      for (const action of state.actions) {
        expect(Object.keys(action).filter((k) => k !== 'retry')).toEqual(['force_merge']);
      }
    }
    expect(policy.ism_template).toEqual([{ index_patterns: [INDEX_PATTERN], priority: 100 }]);
  });
});

interface ExportedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { id: string; name: string; type: string }[];
  migrationVersion: Record<string, string>;
}

describe('the Dashboards saved objects (dashboards/saved-objects.ndjson)', () => {
  const lines = read('dashboards/saved-objects.ndjson').trimEnd().split('\n');
  const parsed = lines.map((line) => JSON.parse(line));
  const summary = parsed.at(-1) as {
    exportedCount: number;
    missingRefCount: number;
    missingReferences: unknown[];
  };
  const objects = parsed.slice(0, -1) as ExportedObject[];
  const byKey = new Map(objects.map((o) => [`${o.type}:${o.id}`, o]));
  const indexPattern = byKey.get(`index-pattern:${INDEX_PATTERN_ID}`) as ExportedObject;
  const fields = JSON.parse(indexPattern.attributes.fields as string) as ReturnType<
    typeof indexPatternFields
  >;
  const fieldByName = new Map(fields.map((f) => [f.name, f]));

  it('is an export: one object per line, then the export summary, ids unique, types known', () => {
    expect(summary).toEqual({ exportedCount: objects.length, missingRefCount: 0, missingReferences: [] });
    expect(byKey.size).toBe(objects.length);
    for (const o of objects) {
      expect(Object.keys(savedObjectTypes)).toContain(o.type);
      expect(o.id).toMatch(/^[a-z0-9-]+$/);
      expect(o.migrationVersion).toEqual({
        [o.type]: savedObjectTypes[o.type as keyof typeof savedObjectTypes],
      });
      expect(typeof o.attributes.title).toBe('string');
    }
    expect([...byKey.keys()].sort()).toEqual(
      expect.arrayContaining([
        `index-pattern:${INDEX_PATTERN_ID}`,
        `search:${SAVED_SEARCH_ID}`,
        `dashboard:${DASHBOARD_ID}`,
      ]),
    );
  });

  it('has references that resolve, and every JSON attribute parses and names its references', () => {
    for (const o of objects) {
      const names = new Set(o.references.map((r) => r.name));
      expect(names.size, o.id).toBe(o.references.length);
      for (const r of o.references)
        expect(byKey.has(`${r.type}:${r.id}`), `${o.id} → ${r.type}:${r.id}`).toBe(true);
      for (const key of [
        'visState',
        'uiStateJSON',
        'panelsJSON',
        'optionsJSON',
        'fields',
        'fieldFormatMap',
      ]) {
        if (key in o.attributes)
          expect(() => JSON.parse(o.attributes[key] as string), `${o.id}.${key}`).not.toThrow();
      }
      const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string } | undefined;
      if (meta) {
        const source = JSON.parse(meta.searchSourceJSON);
        if (source.indexRefName) expect(names.has(source.indexRefName), o.id).toBe(true);
      }
      if (o.type === 'dashboard') {
        const panels = JSON.parse(o.attributes.panelsJSON as string) as {
          panelRefName: string;
          panelIndex: string;
        }[];
        expect(panels.map((p) => p.panelRefName).sort()).toEqual([...names].sort());
        expect(new Set(panels.map((p) => p.panelIndex)).size).toBe(panels.length);
      }
      if (o.type === 'visualization') {
        const vis = JSON.parse(o.attributes.visState as string);
        for (const control of vis.params?.controls ?? []) {
          expect(names.has(control.indexPatternRefName), o.id).toBe(true);
          expect(fieldByName.get(control.fieldName)?.aggregatable, control.fieldName).toBe(true);
        }
        for (const agg of vis.aggs) {
          if (!agg.params.field) continue;
          const field = fieldByName.get(agg.params.field);
          expect(field?.aggregatable, `${o.id}: ${agg.params.field}`).toBe(true);
          if (agg.type === 'date_histogram') expect(field?.type).toBe('date');
        }
      }
    }
  });

  it('has an index pattern on the messages alias whose fields are exactly the mapping’s', () => {
    expect(indexPattern.attributes).toMatchObject({ title: 'messages', timeFieldName: 'sent_at' });
    // Independently of the generator: every leaf and multi-field of the checked-in template's mapping.
    const expected = new Map<string, { esType: string; aggregatable: boolean }>();
    const walk = (props: Record<string, Record<string, unknown>>, prefix: string) => {
      for (const [name, m] of Object.entries(props)) {
        if (m.properties) {
          walk(m.properties as Record<string, Record<string, unknown>>, `${prefix}${name}.`);
          continue;
        }
        expected.set(`${prefix}${name}`, { esType: m.type as string, aggregatable: m.type !== 'text' });
        for (const [sub, sm] of Object.entries((m.fields ?? {}) as Record<string, Record<string, unknown>>))
          expected.set(`${prefix}${name}.${sub}`, {
            esType: sm.type as string,
            aggregatable: sm.type !== 'text',
          });
      }
    };
    walk(template().template.mappings.properties, '');
    const own = fields.filter((f) => !f.name.startsWith('_'));
    expect(own.map((f) => f.name).sort()).toEqual([...expected.keys()].sort());
    for (const f of own) {
      expect(f.esTypes, f.name).toEqual([expected.get(f.name)?.esType]);
      expect(f.aggregatable, f.name).toBe(expected.get(f.name)?.aggregatable);
      expect(f.searchable, f.name).toBe(true);
    }
    expect(fieldByName.get('body.nl')?.subType).toEqual({ multi: { parent: 'body' } });
    expect(fields.filter((f) => f.name.startsWith('_')).map((f) => f.name)).toEqual([
      '_id',
      '_index',
      '_score',
      '_source',
    ]);
  });

  it('has a saved search and a dashboard over fields that exist', () => {
    const search = byKey.get(`search:${SAVED_SEARCH_ID}`) as ExportedObject;
    for (const column of search.attributes.columns as string[])
      expect(fieldByName.has(column), column).toBe(true);
    expect(search.attributes.sort).toEqual([['sent_at', 'desc']]);
    const dashboard = byKey.get(`dashboard:${DASHBOARD_ID}`) as ExportedObject;
    expect(dashboard.references.map((r) => r.type).sort()).toEqual([
      'search',
      ...Array<string>(9).fill('visualization'),
    ]);
    // The entity and handle panels, and the maps of the coordinates mentioned and of the devices.
    const visState = (id: string) =>
      JSON.parse((byKey.get(`visualization:${id}`) as ExportedObject).attributes.visState as string);
    expect(visState('seizure-lake-top-entities').aggs[1].params.field).toBe('entities.value');
    expect(visState('seizure-lake-handle-entities').aggs[2].params.field).toBe('entities.value');
    for (const [id, field] of [
      ['seizure-lake-mentioned-places', 'mentioned_geo'],
      ['seizure-lake-device-locations', 'geo'],
    ] as const) {
      expect(visState(id)).toMatchObject({
        type: 'tile_map',
        aggs: [{}, { type: 'geohash_grid', params: { field } }],
      });
      expect(fieldByName.get(field)?.type).toBe('geo_point');
    }
  });
});

describe('index names', () => {
  it('never confuse one seizure with another whose id extends it', () => {
    expect(seizureAlias('sky-1')).toBe('messages-sky-1-v1');
    expect(generationIndex('sky-1', '0')).toBe('messages-sky-1-v1-0');
    expect(parseIndexName('messages-sky-1-v1-0')).toEqual({
      seizureId: 'sky-1',
      version: 1,
      generation: '0',
    });
    expect(parseIndexName('messages-a-v1-2-v1-5')).toEqual({
      seizureId: 'a-v1-2',
      version: 1,
      generation: '5',
    });
    expect(parseIndexName('messages-sky-1-v1')).toBeUndefined();
    expect(() => generationIndex('sky', 'x1')).toThrow(/digits/);
    expect(rebuildGeneration(new Date('2024-01-02T03:04:05.678Z'))).toBe('20240102030405678');
  });
});

describe('search requests', () => {
  it('match everything for "*", exactly counted, without highlights', () => {
    const body = searchRequestBody({ query: '*' });
    expect(body).toMatchObject({ track_total_hits: true, query: { bool: { must: { match_all: {} } } } });
    expect(body.highlight).toBeUndefined();
  });

  it('take a bare end date as the whole day and refuse dates that are not dates', () => {
    const body = searchRequestBody({ query: 'x', from: '2020-03-01', to: '2020-03-31' }) as {
      query: { bool: { filter: unknown[] } };
    };
    expect(body.query.bool.filter).toContainEqual({
      range: { sent_at: { time_zone: 'UTC', gte: '2020-03-01', lte: '2020-03-31||/d' } },
    });
    expect(() => searchRequestBody({ query: 'x', from: '2020-13-45' })).toThrow(/--from must be a date/);
    expect(() => searchRequestBody({ query: 'x', to: 'yesterday' })).toThrow(/--to must be a date/);
    expect(() => searchRequestBody({ query: 'x', size: 9_000, offset: 2_000 })).toThrow(/10,000/);
  });
});
