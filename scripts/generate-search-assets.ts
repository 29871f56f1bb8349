#!/usr/bin/env node
/**
 * Writes the versioned search assets from the code that generates them (the canonical schema): the index
 * template, the ISM policy and the Dashboards saved objects. Run after changing the schema or the search
 * design; a test fails while the checked-in files differ from what this writes.
 *
 *   node scripts/generate-search-assets.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { searchAssets } from '#domain/search/search-assets.ts';

const root = path.resolve(import.meta.dirname, '..');
for (const asset of searchAssets()) {
  const file = path.join(root, asset.path);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, asset.content);
  process.stdout.write(`wrote ${asset.path}\n`);
}
// In the repository's JSON style, so `biome check` passes; the test compares the parsed content.
const json = searchAssets()
  .map((a) => a.path)
  .filter((p) => p.endsWith('.json'));
execFileSync(path.join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', ...json], {
  cwd: root,
  stdio: 'inherit',
});
