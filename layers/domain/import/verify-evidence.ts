import { createHash, hash } from 'node:crypto';
import type { EvidenceFile } from '../adapters/adapter.ts';
import type { Manifest } from '../manifest/manifest-schema.ts';
import { parseManifest } from '../manifest/validate-manifest.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { landingFileKey, landingManifestKey } from './import-layout.ts';

/** The evidence does not match its manifest; nothing has been written. */
export class EvidenceVerificationError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`evidence does not match the manifest:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EvidenceVerificationError';
    this.problems = problems;
  }
}

export function sha256Hex(bytes: Buffer | string): string {
  return hash('sha256', bytes, 'hex');
}

/** The import id follows from the manifest's bytes: the same manifest is the same import. */
export function importIdFor(manifestSha256: string): string {
  return `imp-${manifestSha256.slice(0, 20)}`;
}

export async function readManifest(
  store: ObjectStore,
  seizureId: string,
): Promise<{ manifest: Manifest; sha256: string }> {
  const bytes = await store.readBuffer('landing', landingManifestKey(seizureId));
  const manifest = parseManifest(bytes.toString('utf8'));
  if (manifest.seizureId !== seizureId) {
    throw new EvidenceVerificationError([
      `manifest.seizureId is "${manifest.seizureId}" but it was uploaded under seizures/${seizureId}/`,
    ]);
  }
  return { manifest, sha256: sha256Hex(bytes) };
}

/**
 * The manifest in the landing bucket is not the one this execution was started for: a newer version was
 * uploaded since. That version starts its own import; this one stops without writing anything.
 */
export class ManifestChangedError extends Error {
  constructor(expectedImportId: string, actualImportId: string) {
    super(
      `the manifest changed since this import started: it was started as ${expectedImportId}, the manifest now gives ${actualImportId}`,
    );
    this.name = 'ManifestChangedError';
  }
}

/** The manifest of an import, checked to be the version the import was started for (its id is its hash). */
export async function readImportManifest(
  store: ObjectStore,
  ref: { seizureId: string; importId: string },
): Promise<{ manifest: Manifest; sha256: string }> {
  const read = await readManifest(store, ref.seizureId);
  const importId = importIdFor(read.sha256);
  if (importId !== ref.importId) throw new ManifestChangedError(ref.importId, importId);
  return read;
}

export function evidenceFiles(manifest: Manifest): EvidenceFile[] {
  return manifest.files.map((f) => ({
    path: f.path,
    key: landingFileKey(manifest.seizureId, f.path),
    sha256: f.sha256,
    bytes: f.bytes,
  }));
}

export async function sha256OfStream(stream: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const sha256 = createHash('sha256');
  for await (const piece of stream) sha256.update(piece);
  return sha256.digest('hex');
}

/** How to look at one file: its size (undefined when missing) and a stream of its `size` bytes. */
export interface FileAccess {
  size(path: string): Promise<number | undefined>;
  open(path: string, size: number): Promise<AsyncIterable<Buffer | Uint8Array>>;
}

/** What one file was found to be, and the problem when it is not what the manifest says. */
export interface FileCheck {
  /** bytes found; null when the file is missing */
  bytes: number | null;
  /** SHA-256 found; null when missing or of the wrong size (not hashed) */
  sha256: string | null;
  problem?: string;
}

/** Checks one listed file's presence, size and SHA-256. */
export async function checkFile(
  file: { path: string; bytes: number; sha256: string },
  access: FileAccess,
): Promise<FileCheck> {
  const size = await access.size(file.path);
  if (size === undefined)
    return {
      bytes: null,
      sha256: null,
      problem: `${file.path}: missing (listed in the manifest, not found)`,
    };
  if (size !== file.bytes)
    return {
      bytes: size,
      sha256: null,
      problem: `${file.path}: ${size} bytes, the manifest says ${file.bytes}`,
    };
  const actual = await sha256OfStream(await access.open(file.path, size));
  if (actual !== file.sha256)
    return {
      bytes: size,
      sha256: actual,
      problem: `${file.path}: SHA-256 is ${actual}, the manifest says ${file.sha256}`,
    };
  return { bytes: size, sha256: actual };
}

/** Checks each listed file's presence, size and SHA-256; returns every problem found. */
export async function checkFiles(
  files: readonly { path: string; bytes: number; sha256: string }[],
  access: FileAccess,
): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    const { problem } = await checkFile(file, access);
    if (problem) problems.push(problem);
  }
  return problems;
}
