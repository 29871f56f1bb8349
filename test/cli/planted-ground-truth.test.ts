import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lakeQuery, plantedLake } from '../support/planted-lake.ts';
import { runSeizure } from '../support/run-seizure.ts';

/**
 * Two generated seizures with a planted story (generator/planted-story.ts) among their traffic. Everything
 * expected here is written out by hand from the story: the tests find exactly what was planted, and nothing
 * in the generated traffic around it.
 */
let env: Record<string, string>;

beforeAll(async () => {
  ({ env } = await plantedLake());
});

const plantedHandles = ['KX7RT2', 'QM4ZL9', 'VB2WD8', 'planted-falcon', 'planted-viper', 'planted-cobra'];
const inPlanted = `(${plantedHandles.map((h) => `'${h}'`).join(', ')})`;

describe('entities found in the planted messages', () => {
  it('are exactly the planted ones, normalized, and none of the look-alikes', async () => {
    const rows = await lakeQuery(
      `SELECT seizure_id, sender, kind, entity, raw FROM entities WHERE sender IN ${inPlanted} ORDER BY sent_at, kind`,
      env,
    );
    expect(rows).toEqual([
      {
        seizure_id: 'skyecc-plant',
        sender: 'KX7RT2',
        kind: 'phone',
        entity: '+31620000001',
        raw: '+31 6 2000 0001',
      },
      {
        seizure_id: 'skyecc-plant',
        sender: 'QM4ZL9',
        kind: 'iban',
        entity: 'NL91ABNA0417164300',
        raw: 'NL91 ABNA 0417 1643 00',
      },
      {
        seizure_id: 'skyecc-plant',
        sender: 'VB2WD8',
        kind: 'coordinates',
        entity: '51.9244,4.4777',
        raw: '51.9244, 4.4777',
      },
      {
        seizure_id: 'skyecc-plant',
        sender: 'VB2WD8',
        kind: 'iban',
        entity: 'NL91ABNA0417164300',
        raw: 'NL91ABNA0417164300',
      },
      {
        seizure_id: 'skyecc-plant',
        sender: 'VB2WD8',
        kind: 'bitcoin',
        entity: 'bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4pg',
        raw: 'bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4pg',
      },
      {
        seizure_id: 'encrochat-plant',
        sender: 'planted-falcon',
        kind: 'email',
        entity: 'falcon.planted@example.org',
        raw: 'falcon.planted@example.org',
      },
      {
        seizure_id: 'encrochat-plant',
        sender: 'planted-falcon',
        kind: 'phone',
        entity: '+31620000001',
        raw: '0031 6 2000 0001',
      },
      {
        seizure_id: 'encrochat-plant',
        sender: 'planted-viper',
        kind: 'coordinates',
        entity: '52.370222,4.895167',
        raw: `52°22'12.8"N 4°53'42.6"E`,
      },
      {
        seizure_id: 'encrochat-plant',
        sender: 'planted-viper',
        kind: 'ethereum',
        entity: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
        raw: '0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe',
      },
      {
        seizure_id: 'encrochat-plant',
        sender: 'planted-viper',
        kind: 'licence-plate',
        entity: 'GB-123-X',
        raw: 'GB-123-X',
      },
    ]);
  });

  it('leave a message of look-alikes with an empty list, and give the planted bodies their language', async () => {
    const rows = await lakeQuery<{
      sender: string;
      entities: unknown[];
      language: string | null;
      geo: unknown;
    }>(
      `SELECT sender, entities, language, mentioned_geo AS geo FROM messages WHERE sender IN ${inPlanted} ORDER BY sent_at`,
      env,
    );
    expect(rows.map((r) => r.language)).toEqual(['en', 'en', 'en', 'en', null, 'en', 'en', 'en', 'en', null]);
    expect(rows[2]?.entities).toEqual([]); // order number, IMEI, version, IBAN with a bad check digit
    expect(rows[8]?.entities).toEqual([]); // dates, a transaction hash, a SHA-1, a mention
    expect(rows[3]?.geo).toEqual([{ lat: 51.9244, lon: 4.4777 }]);
  });

  it('are listed with the handles that mentioned them', async () => {
    const rows = await lakeQuery(
      `SELECT handle, devices, entities FROM handles WHERE handle IN ${inPlanted} ORDER BY handle`,
      env,
    );
    expect(rows).toEqual([
      { handle: 'KX7RT2', devices: ['356000000000011'], entities: ['phone +31620000001'] },
      { handle: 'QM4ZL9', devices: ['356000000000029'], entities: ['iban NL91ABNA0417164300'] },
      {
        handle: 'VB2WD8',
        devices: ['356000000000037'],
        entities: [
          'bitcoin bc1qht9aem07pusrzsjnv36cd9agh89dhm8a77r4pg',
          'coordinates 51.9244,4.4777',
          'iban NL91ABNA0417164300',
        ],
      },
      { handle: 'planted-cobra', devices: ['351111111111124'], entities: null },
      {
        handle: 'planted-falcon',
        devices: ['351111111111116'],
        entities: ['email falcon.planted@example.org', 'phone +31620000001'],
      },
      {
        handle: 'planted-viper',
        devices: ['351111111111124'],
        entities: [
          'coordinates 52.370222,4.895167',
          'ethereum 0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
          'licence-plate GB-123-X',
        ],
      },
    ]);
  });
});

describe('entities in the search index', () => {
  it.runIf(process.env.OPENSEARCH_URL)(
    'are searchable by their normalized value, however the body wrote them',
    async () => {
      const r = await runSeizure(
        [
          'search',
          'entities.value:"+31620000001"',
          '--seizure',
          'skyecc-plant',
          '--seizure',
          'encrochat-plant',
          '--json',
        ],
        env,
      );
      expect(r.code).toBe(0);
      const { total, hits } = JSON.parse(r.stdout) as { total: number; hits: { sender: string }[] };
      expect(total).toBe(2);
      expect(hits.map((h) => h.sender).sort()).toEqual(['KX7RT2', 'planted-falcon']);
      const places = await runSeizure(
        ['search', 'entities.kind:coordinates AND sender:VB2WD8', '--json'],
        env,
      );
      expect(JSON.parse(places.stdout).total).toBe(1);
    },
  );
});

describe('the planted contacts', () => {
  it('are the pairs that wrote to each other, with counts and first and last contact', async () => {
    const rows = await lakeQuery(
      `SELECT seizure_id, handle_a, handle_b, messages, first_contact, last_contact FROM contacts
       WHERE handle_a IN ${inPlanted} OR handle_b IN ${inPlanted} ORDER BY seizure_id, handle_a, handle_b`,
      env,
    );
    expect(rows).toEqual([
      {
        seizure_id: 'encrochat-plant',
        handle_a: 'planted-cobra',
        handle_b: 'planted-falcon',
        messages: 2,
        first_contact: '2020-04-08T09:00:00.000Z',
        last_contact: '2020-04-08T09:10:00.000Z',
      },
      {
        seizure_id: 'encrochat-plant',
        handle_a: 'planted-falcon',
        handle_b: 'planted-viper',
        messages: 2,
        first_contact: '2020-04-05T12:00:00.000Z',
        last_contact: '2020-04-05T12:30:00.000Z',
      },
      {
        seizure_id: 'skyecc-plant',
        handle_a: 'KX7RT2',
        handle_b: 'QM4ZL9',
        messages: 3,
        first_contact: '2020-04-01T10:00:00.000Z',
        last_contact: '2020-04-01T10:20:00.000Z',
      },
      {
        seizure_id: 'skyecc-plant',
        handle_a: 'QM4ZL9',
        handle_b: 'VB2WD8',
        messages: 3,
        first_contact: '2020-04-02T08:00:00.000Z',
        last_contact: '2020-04-03T09:00:00.000Z',
      },
    ]);
  });
});

describe('seizure links', () => {
  const expected = [
    {
      kind: 'phone',
      value: '+31620000001',
      seizure_count: 2,
      handle_count: 2,
      seizures: ['encrochat-plant', 'skyecc-plant'],
      occurrences: [
        { seizure_id: 'encrochat-plant', handle: 'planted-falcon', seen_as: 'mentioned', messages: 1 },
        { seizure_id: 'skyecc-plant', handle: 'KX7RT2', seen_as: 'mentioned', messages: 1 },
      ],
    },
    {
      kind: 'device',
      value: '351111111111124',
      seizure_count: 1,
      handle_count: 2,
      seizures: ['encrochat-plant'],
      occurrences: [
        { seizure_id: 'encrochat-plant', handle: 'planted-cobra', seen_as: 'device', messages: 2 },
        { seizure_id: 'encrochat-plant', handle: 'planted-viper', seen_as: 'device', messages: 1 },
      ],
    },
    {
      kind: 'iban',
      value: 'NL91ABNA0417164300',
      seizure_count: 1,
      handle_count: 2,
      seizures: ['skyecc-plant'],
      occurrences: [
        { seizure_id: 'skyecc-plant', handle: 'QM4ZL9', seen_as: 'mentioned', messages: 1 },
        { seizure_id: 'skyecc-plant', handle: 'VB2WD8', seen_as: 'mentioned', messages: 1 },
      ],
    },
  ];

  it('finds exactly the planted links: the number on both platforms, the shared IBAN, the shared handset', async () => {
    const r = await runSeizure(['links', '--json'], env);
    expect(r.code).toBe(0);
    const links = JSON.parse(r.stdout);
    expect(links).toMatchObject(expected);
    expect(links).toHaveLength(expected.length);
  });

  it('keeps to the links of one seizure, or of one kind', async () => {
    const sky = JSON.parse((await runSeizure(['links', '--seizure', 'skyecc-plant', '--json'], env)).stdout);
    expect(sky.map((l: { value: string }) => l.value)).toEqual(['+31620000001', 'NL91ABNA0417164300']);
    const devices = JSON.parse((await runSeizure(['links', '--kind', 'device', '--json'], env)).stdout);
    expect(devices.map((l: { value: string }) => l.value)).toEqual(['351111111111124']);
  });

  it('prints each link with where it was seen', async () => {
    const r = await runSeizure(['links', '--seizure', 'encrochat-plant'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'phone +31620000001: 2 seizures, 2 handles, 2 messages, 2020-04-01 to 2020-04-05',
    );
    expect(r.stdout).toMatch(/ {2}skyecc-plant\/KX7RT2 +mentioned +1 message +2020-04-01 to 2020-04-01/);
    expect(r.stdout).toContain('device 351111111111124: 1 seizure, 2 handles, 3 messages');
    expect(r.stdout).toContain('(2 links)');
  });
});

describe('seizure graph', () => {
  it('exports a handle neighbourhood as GraphML, depth by depth', async () => {
    const nodesOf = async (handle: string, depth: string) => {
      const r = await runSeizure(
        ['graph', '--seizure', 'skyecc-plant', '--handle', handle, '--depth', depth, '--format', 'graphml'],
        env,
      );
      expect(r.code).toBe(0);
      return [...r.stdout.matchAll(/<node id="([^"]+)">/g)].map((m) => m[1]);
    };
    expect(await nodesOf('KX7RT2', '1')).toEqual(['handle:KX7RT2', 'handle:QM4ZL9']);
    expect(await nodesOf('KX7RT2', '2')).toEqual(['handle:KX7RT2', 'handle:QM4ZL9', 'handle:VB2WD8']);
    expect(await nodesOf('QM4ZL9', '1')).toEqual(['handle:KX7RT2', 'handle:QM4ZL9', 'handle:VB2WD8']);
  });

  it('writes GraphML that Gephi reads: keys, an undirected graph, weighted edges', async () => {
    const r = await runSeizure(
      ['graph', '--seizure', 'skyecc-plant', '--handle', 'QM4ZL9', '--format', 'graphml'],
      env,
    );
    expect(r.stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<graphml xmlns="http:\/\/graphml.graphdrawing.org\/xmlns"/,
    );
    expect(r.stdout).toContain('<key id="weight" for="edge" attr.name="weight" attr.type="double"/>');
    expect(r.stdout).toContain('<graph id="skyecc-plant" edgedefault="undirected">');
    expect(r.stdout).toContain(
      '<edge id="e0" source="handle:KX7RT2" target="handle:QM4ZL9"><data key="edge_type">contact</data><data key="weight">3</data>',
    );
    expect(r.stdout.trimEnd().endsWith('</graphml>')).toBe(true);
  });

  it('exports nodes and edges as CSV for i2, with the identifiers each handle used or mentioned', async () => {
    const out = path.join(env.SEIZURE_HOME as string, 'falcon.csv');
    const r = await runSeizure(
      [
        'graph',
        '--seizure',
        'encrochat-plant',
        '--handle',
        'planted-falcon',
        '--entities',
        '--format',
        'csv',
        '--out',
        out,
      ],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('encrochat-plant: 3 handles, 2 contacts, 5 devices and identifiers');
    const nodes = (await fs.readFile(path.join(path.dirname(out), 'falcon-nodes.csv'), 'utf8'))
      .trimEnd()
      .split('\r\n');
    expect(nodes[0]).toBe(
      'Id,Label,Type,Seizure,Messages Sent,Messages Received,First Seen,Last Seen,Devices',
    );
    expect(nodes.slice(1).map((l) => l.split(',')[0])).toEqual([
      'handle:planted-cobra',
      'handle:planted-falcon',
      'handle:planted-viper',
      'device:351111111111116',
      'device:351111111111124',
      'email:falcon.planted@example.org',
      'ethereum:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
      'phone:+31620000001',
    ]);
    const edges = (await fs.readFile(path.join(path.dirname(out), 'falcon-edges.csv'), 'utf8'))
      .trimEnd()
      .split('\r\n');
    expect(edges[0]).toBe(
      'Source,Target,Type,Weight,Link,First,Last,Source Type,Source Label,Target Type,Target Label',
    );
    expect(edges).toContain(
      'handle:planted-cobra,device:351111111111124,Undirected,2,used-device,2020-04-08T09:00:00.000Z,2020-04-08T09:10:00.000Z,handle,planted-cobra,device,351111111111124',
    );
    expect(edges).toContain(
      'handle:planted-falcon,phone:+31620000001,Undirected,1,mentioned,2020-04-05T12:00:00.000Z,2020-04-05T12:00:00.000Z,handle,planted-falcon,phone,+31620000001',
    );
    expect(edges).toHaveLength(1 + 2 + 6);
  });

  it('says which handle it does not know, and what a command line lacks', async () => {
    const unknown = await runSeizure(
      ['graph', '--seizure', 'skyecc-plant', '--handle', 'NOBODY', '--format', 'csv'],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('handle NOBODY does not occur in seizure skyecc-plant');
    const noFormat = await runSeizure(['graph', '--seizure', 'skyecc-plant'], env);
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toContain('graph needs --format graphml or --format csv');
  });
});

describe('seizure thread', () => {
  async function conversationOf(handle: string): Promise<string> {
    const [row] = await lakeQuery<{ conversation_id: string }>(
      `SELECT DISTINCT conversation_id FROM messages WHERE sender = '${handle}'`,
      env,
    );
    return row?.conversation_id as string;
  }

  it('prints a conversation in order, in the zone asked for, with what was found in it', async () => {
    const conversation = await conversationOf('KX7RT2');
    const r = await runSeizure(['thread', conversation, '--zone', 'Europe/Amsterdam'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `conversation ${conversation} in skyecc-plant: 3 messages between KX7RT2, QM4ZL9`,
        'from 2020-04-01 12:00:00 +02:00 to 2020-04-01 12:20:00 +02:00 (times in Europe/Amsterdam)',
        '',
        '2020-04-01 12:00:00 +02:00  KX7RT2 (356000000000011) → QM4ZL9',
        '  new number for the boss: +31 6 2000 0001, only call after ten',
        '  found: phone +31620000001',
        '2020-04-01 12:05:00 +02:00  QM4ZL9 (356000000000029) → KX7RT2',
        '  ok. the money goes to NL91 ABNA 0417 1643 00, not the old account',
        '  found: iban NL91ABNA0417164300',
        '2020-04-01 12:20:00 +02:00  KX7RT2 (356000000000011) → QM4ZL9',
        '  order 123456789 is late, the phone with imei 356938035643809 is dead, update to version 2.10.1 and never use NL91 ABNA 0417 1643 01 again',
        '',
      ].join('\n'),
    );
  });

  it('marks a silence of more than a day, and gives JSON with local times', async () => {
    const conversation = await conversationOf('VB2WD8');
    const text = await runSeizure(['thread', conversation], env);
    expect(text.stdout).toContain('  ··· 24 hours without messages ···');
    const r = await runSeizure(['thread', conversation, '--zone', 'America/New_York', '--json'], env);
    const thread = JSON.parse(r.stdout);
    expect(thread).toMatchObject({
      conversation_id: conversation,
      seizure_id: 'skyecc-plant',
      zone: 'America/New_York',
    });
    expect(thread.messages.map((m: { sent_at_local: string }) => m.sent_at_local)).toEqual([
      '2020-04-02T04:00:00.000-04:00',
      '2020-04-02T04:01:00.000-04:00',
      '2020-04-03T05:00:00.000-04:00',
    ]);
  });

  it('refuses a zone that is not one', async () => {
    const r = await runSeizure(['thread', 'dm:x', '--zone', 'Mars/Olympus'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--zone Mars/Olympus is not an IANA time zone');
  });
});

describe('interception coverage', () => {
  it('splits a device’s activity where it was silent for more than a day, across the handles it served', async () => {
    const rows = await lakeQuery(
      `SELECT device, handles, window_number, window_start, window_end, messages, previous_window_end
       FROM coverage WHERE device = '351111111111124' ORDER BY window_number`,
      env,
    );
    expect(rows).toEqual([
      {
        device: '351111111111124',
        handles: ['planted-viper'],
        window_number: 1,
        window_start: '2020-04-05T12:30:00.000Z',
        window_end: '2020-04-05T12:30:00.000Z',
        messages: 1,
        previous_window_end: null,
      },
      {
        device: '351111111111124',
        handles: ['planted-cobra'],
        window_number: 2,
        window_start: '2020-04-08T09:00:00.000Z',
        window_end: '2020-04-08T09:10:00.000Z',
        messages: 2,
        previous_window_end: '2020-04-05T12:30:00.000Z',
      },
    ]);
  });

  it('covers every message of a device exactly once', async () => {
    const [row] = await lakeQuery<{ covered: number; sent: number }>(
      `SELECT (SELECT sum(messages) FROM coverage) AS covered, (SELECT count(*) FROM messages) AS sent`,
      env,
    );
    expect(row?.covered).toBe(row?.sent);
  });
});
