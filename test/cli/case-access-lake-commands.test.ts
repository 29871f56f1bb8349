import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '#cli/commands/links-command.ts';
import { runSeizure, tempDir } from '../support/run-seizure.ts';

/**
 * Per-case access of `seizure links`, `graph` and `thread` in local mode: two generated seizures of two cases
 * (each seed is its own case) in one $SEIZURE_HOME, each with its half of the planted story
 * (generator/planted-story.ts), whose phone number links the two seizures across the cases. Read through
 * the real CLI with `--case`.
 */
const run = Date.now().toString(36);
const a = { platform: 'skyecc', seed: `lake-a-${run}`, seizure: `sky-case-a-${run}`, caseId: '' };
const b = { platform: 'encrochat', seed: `lake-b-${run}`, seizure: `enc-case-b-${run}`, caseId: '' };
let home: string;

const seizure = (args: string[]) => runSeizure(args, { SEIZURE_HOME: home });

async function ok(args: string[]): Promise<string> {
  const r = await seizure(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return r.stdout;
}

/** A command that must fail (exit 1) with a message and print nothing. */
async function fails(args: string[]): Promise<string> {
  const r = await seizure(args);
  expect(r.code, args.join(' ')).toBe(1);
  expect(r.stdout, args.join(' ')).toBe('');
  return r.stderr;
}

const links = async (args: string[]) => JSON.parse(await ok(['links', ...args, '--json'])) as Link[];

/** A conversation of a planted handle, read with `query --case`. */
async function conversationOf(handle: string, caseId: string): Promise<string> {
  const sql = `SELECT min(conversation_id) AS id FROM messages WHERE sender = '${handle}'`;
  const [row] = JSON.parse(await ok(['query', sql, '--case', caseId, '--json'])) as { id: string | null }[];
  expect(row?.id).toEqual(expect.any(String));
  return row?.id as string;
}

beforeAll(async () => {
  home = await tempDir('case-lake-home');
  for (const s of [a, b]) {
    const out = path.join(home, 'generated', s.seizure);
    const generated = await seizure([
      'generate',
      ...['--platform', s.platform, '--messages', '300', '--seed', s.seed],
      ...['--seizure', s.seizure, '--out', out, '--plant', 'story'],
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    s.caseId = (
      JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { caseId: string }
    ).caseId;
    const imported = await seizure(['import', out]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
  }
  expect(a.caseId).not.toBe(b.caseId);
}, 300_000);

afterAll(async () => {
  if (home) await fs.rm(home, { recursive: true, force: true });
});

describe('seizure links --case', () => {
  it("lists only links among the case's seizures, and a link that crosses cases not at all", async () => {
    // Without --case (the local administrator's view), the planted phone number links the two cases.
    const phone = (l: Link) => l.kind === 'phone' && l.value === '+31620000001';
    expect((await links([])).find(phone)?.seizures).toEqual([a.seizure, b.seizure].sort());

    const inA = await links(['--case', a.caseId]);
    expect(inA.find((l) => l.kind === 'iban' && l.value === 'NL91ABNA0417164300')).toMatchObject({
      seizures: [a.seizure],
      occurrences: [
        { seizure_id: a.seizure, handle: 'QM4ZL9', seen_as: 'mentioned' },
        { seizure_id: a.seizure, handle: 'VB2WD8', seen_as: 'mentioned' },
      ],
    });
    expect(inA.find(phone)).toBeUndefined();
    for (const link of inA) {
      expect(link.seizures).toEqual([a.seizure]);
      expect(new Set(link.occurrences.map((o) => o.seizure_id))).toEqual(new Set([a.seizure]));
    }

    const inB = await links(['--case', b.caseId]);
    expect(inB.find((l) => l.kind === 'device' && l.value === '351111111111124')?.seizures).toEqual([
      b.seizure,
    ]);
    expect(JSON.stringify(inB)).not.toContain(a.seizure);
  });

  it("finds nothing of another case's seizure, and says so", async () => {
    expect(await links(['--case', a.caseId, '--seizure', b.seizure])).toEqual([]);
    expect(await ok(['links', '--case', a.caseId, '--seizure', b.seizure])).toBe(
      `no links involving ${b.seizure} in case ${a.caseId}\n`,
    );
  });
});

describe('seizure graph --case', () => {
  it("exports the case's seizure, and finds no messages of another case's seizure or handle", async () => {
    const edges = await ok([
      'graph',
      '--seizure',
      a.seizure,
      '--case',
      a.caseId,
      '--entities',
      '--format',
      'csv',
    ]);
    expect(edges).toMatch(/^handle:KX7RT2,handle:QM4ZL9,Undirected,\d+,contact,/m);
    expect(edges).toContain('NL91ABNA0417164300');
    expect(edges).not.toMatch(/planted-|351111111111124/);

    expect(await fails(['graph', '--seizure', b.seizure, '--case', a.caseId, '--format', 'graphml'])).toMatch(
      `no messages of seizure ${b.seizure} in case ${a.caseId}`,
    );
    expect(
      await fails([
        ...['graph', '--seizure', a.seizure, '--case', a.caseId],
        ...['--handle', 'planted-falcon', '--format', 'csv'],
      ]),
    ).toMatch(`handle planted-falcon does not occur in seizure ${a.seizure}`);
  });
});

describe('seizure thread --case', () => {
  it("prints a conversation of the case, and does not find another case's conversation", async () => {
    const inA = await conversationOf('KX7RT2', a.caseId);
    const inB = await conversationOf('planted-falcon', b.caseId);
    const ofA = await seizure([
      'query',
      `SELECT count(*)::INT AS n FROM messages WHERE conversation_id = '${inB}'`,
      '--case',
      a.caseId,
      '--json',
    ]);
    expect(JSON.parse(ofA.stdout)).toEqual([{ n: 0 }]); // B's conversation id is not one of A's too

    const thread = JSON.parse(await ok(['thread', inA, '--case', a.caseId, '--json'])) as {
      seizure_id: string;
      messages: { seizure_id: string; sender: string }[];
    };
    expect(thread.seizure_id).toBe(a.seizure);
    expect(thread.messages.map((m) => m.sender)).toContain('KX7RT2');
    expect(new Set(thread.messages.map((m) => m.seizure_id))).toEqual(new Set([a.seizure]));

    expect(await fails(['thread', inB, '--case', a.caseId])).toBe(
      `seizure thread: no conversation ${inB} in case ${a.caseId}\n`,
    );
    expect(await ok(['thread', inB, '--case', b.caseId])).toContain('planted-falcon');
  });

  it('refuses an empty case id, in links, graph and thread', async () => {
    for (const args of [['links'], ['graph', '--seizure', a.seizure, '--format', 'csv'], ['thread', 'any']]) {
      const r = await seizure([...args, '--case', ' ']);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toMatch('--case needs a case id');
    }
  });
});
