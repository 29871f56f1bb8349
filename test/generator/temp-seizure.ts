import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GenerateOptions, type GenerateResult, generateSeizure } from '#generator/generate-seizure.ts';

const made: string[] = [];

/** Generates a seizure into a fresh temporary directory; `removeTempSeizures` cleans them up. */
export async function generateTemp(
  options: Omit<GenerateOptions, 'out'>,
): Promise<GenerateResult & { out: string }> {
  const out = mkdtempSync(join(tmpdir(), `seizure-gen-${options.platform}-`));
  made.push(out);
  return { ...(await generateSeizure({ ...options, out })), out };
}

export function readData(out: string, path: string): Buffer {
  return readFileSync(join(out, path));
}

export function removeTempSeizures(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
