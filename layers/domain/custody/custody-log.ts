import { sha256Hex } from '../import/verify-evidence.ts';
import { ObjectExistsError, type ObjectStore } from '../storage/object-store.ts';

/**
 * The chain of custody of one seizure: an append-only log of every action on the evidence and what was
 * derived from it. Each entry is its own object in the write-once landing bucket (Object Lock in the cloud),
 * numbered, and carries the SHA-256 of the entry before it, so an entry removed or edited breaks the chain.
 */
export type CustodyAction =
  | 'evidence-verified'
  | 'import-started'
  | 'import-finished'
  | 'import-failed'
  | 'reindexed'
  | 'verified';

export interface CustodyEntry {
  seq: number;
  at: string;
  action: CustodyAction;
  seizureId: string;
  importId?: string;
  /** who or what acted: a user, or the pipeline with its version */
  actor: string;
  details: Record<string, unknown>;
  /** SHA-256 of the previous entry's bytes; null for the first */
  prev: string | null;
}

export const custodyPrefix = (seizureId: string) => `seizures/${seizureId}/custody/`;
const entryKey = (seizureId: string, seq: number) =>
  `${custodyPrefix(seizureId)}${String(seq).padStart(8, '0')}.json`;

export interface StoredEntry {
  key: string;
  entry: CustodyEntry;
  sha256: string;
}

export async function readCustodyLog(store: ObjectStore, seizureId: string): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  for await (const o of store.list('landing', custodyPrefix(seizureId))) {
    if (!o.key.endsWith('.json')) continue;
    const bytes = await store.readBuffer('landing', o.key);
    entries.push({
      key: o.key,
      entry: JSON.parse(bytes.toString('utf8')) as CustodyEntry,
      sha256: sha256Hex(bytes),
    });
  }
  return entries;
}

/**
 * Appends an entry. Two writers racing for the same number cannot both win (the write is create-only), so
 * the loser reads the log again and takes the next number.
 */
export async function appendCustody(
  store: ObjectStore,
  entry: Omit<CustodyEntry, 'seq' | 'at' | 'prev'> & { at?: string },
): Promise<StoredEntry> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const log = await readCustodyLog(store, entry.seizureId);
    const last = log.at(-1);
    const full: CustodyEntry = {
      seq: (last?.entry.seq ?? 0) + 1,
      at: entry.at ?? new Date().toISOString(),
      action: entry.action,
      seizureId: entry.seizureId,
      ...(entry.importId ? { importId: entry.importId } : {}),
      actor: entry.actor,
      details: entry.details,
      prev: last?.sha256 ?? null,
    };
    const bytes = Buffer.from(JSON.stringify(full, null, 2));
    const key = entryKey(entry.seizureId, full.seq);
    try {
      await store.write('landing', key, bytes, { createOnly: true, contentType: 'application/json' });
      return { key, entry: full, sha256: sha256Hex(bytes) };
    } catch (e) {
      if (!(e instanceof ObjectExistsError)) throw e;
    }
  }
  throw new Error(`could not append to the custody log of ${entry.seizureId}: too many concurrent writers`);
}

/** Checks the chain: numbers run 1, 2, 3… without gaps, and each entry names the hash of the one before. */
export function checkCustodyChain(log: readonly StoredEntry[]): string[] {
  const problems: string[] = [];
  log.forEach((stored, i) => {
    const { entry, key } = stored;
    if (entry.seq !== i + 1)
      problems.push(`${key}: entry number ${entry.seq} where ${i + 1} was expected (an entry is missing)`);
    const expected = i === 0 ? null : (log[i - 1] as StoredEntry).sha256;
    if (entry.prev !== expected) {
      problems.push(
        `${key}: names previous entry ${entry.prev ?? 'none'}, but the previous entry hashes to ${expected ?? 'none'} (edited or removed)`,
      );
    }
    if (!key.endsWith(`${String(entry.seq).padStart(8, '0')}.json`))
      problems.push(`${key}: its number ${entry.seq} does not match its name`);
  });
  return problems;
}
