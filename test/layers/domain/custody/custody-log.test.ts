import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendCustody, checkCustodyChain, readCustodyLog } from '#domain/custody/custody-log.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';

describe('custody log', () => {
  it('stays one unbroken chain when writers append at the same time', async () => {
    const store = new DirectoryStore(await fs.mkdtemp(path.join(os.tmpdir(), 'custody-')));
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        appendCustody(store, { action: 'reindexed', seizureId: 's1', actor: `writer-${i}`, details: { i } }),
      ),
    );
    const log = await readCustodyLog(store, 's1');
    expect(log.map((e) => e.entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(log.map((e) => e.entry.actor)).size).toBe(6);
    expect(log[0]!.entry.prev).toBeNull();
    expect(checkCustodyChain(log)).toEqual([]);
  });

  it('never lets an entry be replaced through the store', async () => {
    const store = new DirectoryStore(await fs.mkdtemp(path.join(os.tmpdir(), 'custody-')));
    const first = await appendCustody(store, {
      action: 'verified',
      seizureId: 's1',
      actor: 'a',
      details: {},
    });
    await expect(store.write('landing', first.key, '{}')).rejects.toThrow(/write-once/);
    await expect(store.delete('landing', first.key)).rejects.toThrow(/refusing to delete evidence/);
  });
});
