import path from 'node:path';
import { expect } from 'vitest';
import { runSeizure, tempDir } from './run-seizure.ts';

/**
 * A lake holding the two seizures of the planted story (generator/planted-story.ts): a Sky ECC-style and an
 * EncroChat-style seizure of generated traffic with the story's messages among it, generated and imported
 * with the real CLI. Returns the SEIZURE_HOME to run further commands against.
 */
export async function plantedLake(messages = 3000): Promise<{ home: string; env: Record<string, string> }> {
  const home = await tempDir('planted-lake');
  // The lake does not depend on search: use the suite's OpenSearch when it provides one, and otherwise an
  // address that refuses at once, so that no node is started for these tests.
  const env = { SEIZURE_HOME: home, OPENSEARCH_URL: process.env.OPENSEARCH_URL || 'http://127.0.0.1:9' };
  for (const platform of ['skyecc', 'encrochat']) {
    const out = path.join(home, 'generated', platform);
    const generated = await runSeizure(
      [
        'generate',
        '--platform',
        platform,
        '--messages',
        String(messages),
        '--seed',
        'plant',
        '--out',
        out,
        '--plant',
        'story',
      ],
      env,
    );
    expect(generated.stderr).toMatch(/wrote/);
    expect(generated.code).toBe(0);
    const imported = await runSeizure(['import', out], env);
    // With the suite's OpenSearch the whole import succeeds, index step included. Without one, a failed index
    // step leaves the lake complete; any other failure fails the test.
    if (process.env.OPENSEARCH_URL || imported.code === 0) expect(imported.stderr).toBe('');
    else expect(imported.stderr).toMatch(/ECONNREFUSED|OpenSearch|search|index/i);
  }
  return { home, env };
}

/** Rows of a SQL query over the lake, through `seizure query --json`. */
export async function lakeQuery<T = Record<string, unknown>>(
  sql: string,
  env: Record<string, string>,
): Promise<T[]> {
  const r = await runSeizure(['query', sql, '--json'], env);
  if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T[];
}
