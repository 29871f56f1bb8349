import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { describeObjectStoreContract } from './object-store.contract.ts';

describeObjectStoreContract('DirectoryStore', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'directory-store-'));
  return {
    store: new DirectoryStore(root),
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
});
