import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WrittenFile } from './data-files.ts';
import type { PlatformName } from './platforms/platform-format.ts';
import { Prng } from './prng.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * The seed as it may appear in a slug. A seed that is not already slug-safe gets a short hash of its exact text
 * appended, so "Run 1" and "run-1" still name different seizures.
 */
export function seedSlug(seed: string | number): string {
  const text = String(seed);
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  if (slug === text) return slug;
  const hash = new Prng(text, 'seed-slug').hex(8);
  return slug ? `${slug}-${hash}` : hash;
}

export function isSlug(text: string): boolean {
  return SLUG.test(text);
}

export interface SeizureNaming {
  platform: PlatformName;
  seed: string | number;
  seizureId: string;
  timezone: string;
}

/** Writes `manifest.json` (2-space JSON, keys in the documented order) and returns its path. */
export async function writeManifest(
  outDir: string,
  naming: SeizureNaming,
  files: readonly WrittenFile[],
): Promise<string> {
  const seed = String(naming.seed);
  const manifest = {
    seizureId: naming.seizureId,
    platform: naming.platform,
    format: 'mapping',
    caseId: `case-synthetic-${seedSlug(naming.seed)}`,
    legalAuthority: `SYNTHETIC-${naming.platform.toUpperCase()}-${seed} (generated test data, no real persons)`,
    uploadedBy: 'generator@seizure-lake.invalid',
    timezone: naming.timezone,
    files: files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
    options: { mapping: naming.platform },
  };
  const path = join(outDir, 'manifest.json');
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
