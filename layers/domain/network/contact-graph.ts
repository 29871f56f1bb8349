/**
 * A contact network as analysts' tools take it: handles (and, when asked, the devices they used and the
 * identifiers they mentioned) as nodes, contacts and mentions as undirected, weighted edges. Built from the
 * lake views' rows (`handles`, `contacts`, `identifiers`); written as GraphML (Gephi, yEd, Cytoscape) or as
 * CSV (i2 Analyst's Notebook, Gephi's spreadsheet import).
 */

export type NodeType =
  | 'handle'
  | 'device'
  | 'phone'
  | 'iban'
  | 'bitcoin'
  | 'ethereum'
  | 'monero'
  | 'tron'
  | 'email';
export type EdgeType = 'contact' | 'used-device' | 'mentioned';

export interface GraphNode {
  /** Unique in the graph: `<type>:<label>` (a handle and a phone number may be written alike). */
  id: string;
  type: NodeType;
  label: string;
  seizure: string;
  messagesSent: number | null;
  messagesReceived: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
  devices: readonly string[];
}

export interface GraphEdge {
  source: string;
  target: string;
  type: EdgeType;
  /** Messages between the two handles, or in which the handle used the device or mentioned the identifier. */
  weight: number;
  first: string | null;
  last: string | null;
}

export interface ContactGraph {
  seizure: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A row of the `handles` view. */
export interface HandleRow {
  handle: string;
  messages_sent: number;
  messages_received: number;
  first_seen: string | null;
  last_seen: string | null;
  devices: string[] | null;
}

/** A row of the `contacts` view. */
export interface ContactRow {
  handle_a: string;
  handle_b: string;
  messages: number;
  first_contact: string | null;
  last_contact: string | null;
}

/** A row of the `identifiers` view (seen_as device or mentioned). */
export interface IdentifierRow {
  handle: string;
  kind: string;
  value: string;
  messages: number;
  first_seen: string | null;
  last_seen: string | null;
}

export const handleId = (handle: string) => `handle:${handle}`;

export interface GraphInput {
  seizure: string;
  handles: readonly HandleRow[];
  contacts: readonly ContactRow[];
  /** Devices and mentioned identifiers, as nodes linked to the handles; none unless given. */
  identifiers?: readonly IdentifierRow[];
  /** Only the handles within `depth` contacts of this one. */
  around?: { handle: string; depth: number };
}

/** The graph of one seizure, or of one handle's neighbourhood in it (breadth-first along contacts). */
export function contactGraph(input: GraphInput): ContactGraph {
  let keep: Set<string> | undefined;
  if (input.around) {
    const { handle, depth } = input.around;
    if (!input.handles.some((h) => h.handle === handle))
      throw new Error(`handle ${handle} does not occur in seizure ${input.seizure}`);
    keep = neighbourhood(handle, depth, input.contacts);
  }
  const nodes: GraphNode[] = [];
  for (const h of input.handles) {
    if (keep && !keep.has(h.handle)) continue;
    nodes.push({
      id: handleId(h.handle),
      type: 'handle',
      label: h.handle,
      seizure: input.seizure,
      messagesSent: h.messages_sent,
      messagesReceived: h.messages_received,
      firstSeen: h.first_seen,
      lastSeen: h.last_seen,
      devices: [...(h.devices ?? [])].sort(),
    });
  }
  const edges: GraphEdge[] = [];
  for (const c of input.contacts) {
    if (keep && !(keep.has(c.handle_a) && keep.has(c.handle_b))) continue;
    edges.push({
      source: handleId(c.handle_a),
      target: handleId(c.handle_b),
      type: 'contact',
      weight: c.messages,
      first: c.first_contact,
      last: c.last_contact,
    });
  }
  const identifierNodes = new Map<string, GraphNode>();
  for (const i of input.identifiers ?? []) {
    if (keep && !keep.has(i.handle)) continue;
    const type = i.kind as NodeType;
    const id = `${type}:${i.value}`;
    const node = identifierNodes.get(id);
    if (node) {
      node.firstSeen = earliest(node.firstSeen, i.first_seen);
      node.lastSeen = latest(node.lastSeen, i.last_seen);
    } else {
      identifierNodes.set(id, {
        id,
        type,
        label: i.value,
        seizure: input.seizure,
        messagesSent: null,
        messagesReceived: null,
        firstSeen: i.first_seen,
        lastSeen: i.last_seen,
        devices: [],
      });
    }
    edges.push({
      source: handleId(i.handle),
      target: id,
      type: type === 'device' ? 'used-device' : 'mentioned',
      weight: i.messages,
      first: i.first_seen,
      last: i.last_seen,
    });
  }
  nodes.push(...[...identifierNodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  return { seizure: input.seizure, nodes, edges };
}

/** The handles within `depth` contacts of `start` (itself included). */
export function neighbourhood(start: string, depth: number, contacts: readonly ContactRow[]): Set<string> {
  const adjacent = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = adjacent.get(a);
    if (list) list.push(b);
    else adjacent.set(a, [b]);
  };
  for (const c of contacts) {
    link(c.handle_a, c.handle_b);
    link(c.handle_b, c.handle_a);
  }
  const seen = new Set([start]);
  let frontier = [start];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: string[] = [];
    for (const h of frontier) {
      for (const n of adjacent.get(h) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        next.push(n);
      }
    }
    frontier = next;
  }
  return seen;
}

const earliest = (a: string | null, b: string | null) => (a === null ? b : b === null || a <= b ? a : b);
const latest = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);

// --- GraphML -------------------------------------------------------------------------------------------

const nodeKeys: [id: string, name: string, type: 'string' | 'long', value: (n: GraphNode) => unknown][] = [
  ['label', 'label', 'string', (n) => n.label],
  ['type', 'type', 'string', (n) => n.type],
  ['seizure', 'seizure', 'string', (n) => n.seizure],
  ['sent', 'messages_sent', 'long', (n) => n.messagesSent],
  ['received', 'messages_received', 'long', (n) => n.messagesReceived],
  ['first', 'first_seen', 'string', (n) => n.firstSeen],
  ['last', 'last_seen', 'string', (n) => n.lastSeen],
  ['devices', 'devices', 'string', (n) => (n.devices.length ? n.devices.join('; ') : null)],
];
const edgeKeys: [id: string, name: string, type: 'string' | 'double', value: (e: GraphEdge) => unknown][] = [
  ['edge_type', 'type', 'string', (e) => e.type],
  ['weight', 'weight', 'double', (e) => e.weight],
  ['edge_first', 'first', 'string', (e) => e.first],
  ['edge_last', 'last', 'string', (e) => e.last],
];

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function data(key: string, value: unknown): string {
  return value === null || value === undefined ? '' : `<data key="${key}">${xml(String(value))}</data>`;
}

/** GraphML 1.0: undirected, with typed attributes (Gephi takes `label` as the label and `weight` as the weight). */
export function toGraphml(graph: ContactGraph): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ...nodeKeys.map(
      ([id, name, type]) => `  <key id="${id}" for="node" attr.name="${name}" attr.type="${type}"/>`,
    ),
    ...edgeKeys.map(
      ([id, name, type]) => `  <key id="${id}" for="edge" attr.name="${name}" attr.type="${type}"/>`,
    ),
    `  <graph id="${xml(graph.seizure)}" edgedefault="undirected">`,
  ];
  for (const n of graph.nodes) {
    lines.push(
      `    <node id="${xml(n.id)}">${nodeKeys.map(([id, , , v]) => data(id, v(n))).join('')}</node>`,
    );
  }
  graph.edges.forEach((e, i) => {
    lines.push(
      `    <edge id="e${i}" source="${xml(e.source)}" target="${xml(e.target)}">${edgeKeys.map(([id, , , v]) => data(id, v(e))).join('')}</edge>`,
    );
  });
  lines.push('  </graph>', '</graphml>');
  return `${lines.join('\n')}\n`;
}

// --- CSV -----------------------------------------------------------------------------------------------

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** The nodes table (RFC 4180, CRLF): Id and Label as Gephi names them, then the attributes. */
export function nodesCsv(graph: ContactGraph): string {
  return csv(
    [
      'Id',
      'Label',
      'Type',
      'Seizure',
      'Messages Sent',
      'Messages Received',
      'First Seen',
      'Last Seen',
      'Devices',
    ],
    graph.nodes.map((n) => [
      n.id,
      n.label,
      n.type,
      n.seizure,
      n.messagesSent,
      n.messagesReceived,
      n.firstSeen,
      n.lastSeen,
      n.devices.join('; '),
    ]),
  );
}

/**
 * The edges table, one row per link with both ends named and typed, which is all i2 Analyst's Notebook needs
 * to import entities and links from one sheet; Gephi reads Source, Target, Type and Weight.
 */
export function edgesCsv(graph: ContactGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return csv(
    [
      'Source',
      'Target',
      'Type',
      'Weight',
      'Link',
      'First',
      'Last',
      'Source Type',
      'Source Label',
      'Target Type',
      'Target Label',
    ],
    graph.edges.map((e) => [
      e.source,
      e.target,
      'Undirected',
      e.weight,
      e.type,
      e.first,
      e.last,
      byId.get(e.source)?.type,
      byId.get(e.source)?.label,
      byId.get(e.target)?.type,
      byId.get(e.target)?.label,
    ]),
  );
}
