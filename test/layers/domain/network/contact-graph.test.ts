import { describe, expect, it } from 'vitest';
import { contactGraph, edgesCsv, neighbourhood, nodesCsv, toGraphml } from '#domain/network/contact-graph.ts';

const handle = (h: string, devices: string[] | null = null) => ({
  handle: h,
  messages_sent: 1,
  messages_received: 2,
  first_seen: '2020-01-01T00:00:00.000Z',
  last_seen: '2020-01-02T00:00:00.000Z',
  devices,
});
const contact = (a: string, b: string, messages = 1) => ({
  handle_a: a,
  handle_b: b,
  messages,
  first_contact: '2020-01-01T00:00:00.000Z',
  last_contact: '2020-01-02T00:00:00.000Z',
});

describe('contact networks', () => {
  const contacts = [contact('a', 'b'), contact('b', 'c'), contact('c', 'd'), contact('x', 'y')];

  it('takes the handles within a number of contacts of one', () => {
    expect([...neighbourhood('a', 1, contacts)].sort()).toEqual(['a', 'b']);
    expect([...neighbourhood('a', 2, contacts)].sort()).toEqual(['a', 'b', 'c']);
    expect([...neighbourhood('c', 1, contacts)].sort()).toEqual(['b', 'c', 'd']);
    expect([...neighbourhood('a', 9, contacts)].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps only the edges between kept handles', () => {
    const graph = contactGraph({
      seizure: 's',
      handles: ['a', 'b', 'c', 'd', 'x', 'y'].map((h) => handle(h)),
      contacts,
      around: { handle: 'b', depth: 1 },
    });
    expect(graph.nodes.map((n) => n.id)).toEqual(['handle:a', 'handle:b', 'handle:c']);
    expect(graph.edges.map((e) => [e.source, e.target])).toEqual([
      ['handle:a', 'handle:b'],
      ['handle:b', 'handle:c'],
    ]);
  });

  it('writes one node per identifier, linked to each handle that used or mentioned it', () => {
    const graph = contactGraph({
      seizure: 's',
      handles: [handle('a'), handle('b')],
      contacts: [contact('a', 'b')],
      identifiers: [
        {
          handle: 'a',
          kind: 'phone',
          value: '+31620000001',
          messages: 1,
          first_seen: '2020-01-03',
          last_seen: '2020-01-03',
        },
        {
          handle: 'b',
          kind: 'phone',
          value: '+31620000001',
          messages: 2,
          first_seen: '2020-01-01',
          last_seen: '2020-01-02',
        },
        {
          handle: 'b',
          kind: 'device',
          value: '351111111111124',
          messages: 5,
          first_seen: '2020-01-01',
          last_seen: '2020-01-05',
        },
      ],
    });
    expect(graph.nodes.slice(2)).toMatchObject([
      { id: 'device:351111111111124', type: 'device' },
      { id: 'phone:+31620000001', type: 'phone', firstSeen: '2020-01-01', lastSeen: '2020-01-03' },
    ]);
    expect(graph.edges.map((e) => `${e.source} ${e.type} ${e.target} ${e.weight}`)).toEqual([
      'handle:a contact handle:b 1',
      'handle:a mentioned phone:+31620000001 1',
      'handle:b mentioned phone:+31620000001 2',
      'handle:b used-device device:351111111111124 5',
    ]);
  });

  it('escapes what XML and CSV must escape', () => {
    const graph = contactGraph({
      seizure: 's',
      handles: [handle('<a&"b">', ['d,1', 'd"2']), handle('c')],
      contacts: [contact('<a&"b">', 'c', 3)],
    });
    const xml = toGraphml(graph);
    expect(xml).toContain('<node id="handle:&#60;a&#38;&#34;b&#34;&#62;">');
    expect(xml).not.toMatch(/<a&"b">/);
    expect(nodesCsv(graph).split('\r\n')[1]).toBe(
      'handle:<a&"b">,"<a&""b"">",handle,s,1,2,2020-01-01T00:00:00.000Z,2020-01-02T00:00:00.000Z,"d""2; d,1"'.replace(
        'handle:<a&"b">',
        '"handle:<a&""b"">"',
      ),
    );
    expect(edgesCsv(graph).split('\r\n')[1]).toMatch(/^"handle:<a&""b"">",handle:c,Undirected,3,contact,/);
  });
});
