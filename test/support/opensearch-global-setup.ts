import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startOpenSearch, stopOpenSearch } from '#local/opensearch/stack.ts';

/**
 * Vitest global setup: one real OpenSearch node for the whole run, on port 9201 (never a developer's 9200),
 * its data in a private temporary SEIZURE_HOME, heap 512m (two shared cores). Exports OPENSEARCH_URL, which
 * the test workers and every `seizure` child process inherit, and provides it as `opensearchUrl`. With
 * OPENSEARCH_URL already set, that node is used and nothing is started.
 */
const PORT = 9201;
let home: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    opensearchUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.OPENSEARCH_URL?.trim();
  if (!url) {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'seizure-test-opensearch-'));
    url = (await startOpenSearch({ home, port: PORT, heap: '512m' })).url;
    process.env.OPENSEARCH_URL = url;
  }
  project.provide('opensearchUrl', url);
  return async () => {
    if (!home) return;
    delete process.env.OPENSEARCH_URL;
    await stopOpenSearch({ home });
    await fs.rm(home, { recursive: true, force: true });
  };
}
