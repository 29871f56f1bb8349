import { createHash } from 'node:crypto';
import type { EvidenceFile } from '../adapters/adapter.ts';
import { appendCustody } from '../custody/custody-log.ts';
import type { Manifest } from '../manifest/manifest-schema.ts';
import { parseManifest } from '../manifest/validate-manifest.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { PIPELINE_VERSION, pipelineActor } from '../version.ts';
import { landingFileKey, landingManifestKey } from './import-layout.ts';
import type { VerifiedImport } from './import-types.ts';

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
  return createHash('sha256').update(bytes).digest('hex');
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

export function evidenceFiles(manifest: Manifest): EvidenceFile[] {
  return manifest.files.map((f) => ({
    path: f.path,
    key: landingFileKey(manifest.seizureId, f.path),
    sha256: f.sha256,
    bytes: f.bytes,
  }));
}

export async function sha256OfStream(stream: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of stream) hash.update(piece);
  return hash.digest('hex');
}

/** How to look at one file: its size (undefined when missing) and a stream of its bytes. */
export interface FileAccess {
  size(path: string): Promise<number | undefined>;
  open(path: string): Promise<AsyncIterable<Buffer | Uint8Array>>;
}

/** Checks each listed file's presence, size and SHA-256; returns every problem found. */
export async function checkFiles(
  files: readonly { path: string; bytes: number; sha256: string }[],
  access: FileAccess,
): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    const size = await access.size(file.path);
    if (size === undefined) problems.push(`${file.path}: missing (listed in the manifest, not found)`);
    else if (size !== file.bytes)
      problems.push(`${file.path}: ${size} bytes, the manifest says ${file.bytes}`);
    else {
      const actual = await sha256OfStream(await access.open(file.path));
      if (actual !== file.sha256)
        problems.push(`${file.path}: SHA-256 is ${actual}, the manifest says ${file.sha256}`);
    }
  }
  return problems;
}

/**
 * Step "verify": every file the manifest lists is present, of the stated size and SHA-256. Every problem is
 * reported at once, and the import stops before anything is written.
 */
export async function verifyEvidence(
  store: ObjectStore,
  seizureId: string,
  ingestedAt: number = Date.now(),
): Promise<VerifiedImport> {
  const { manifest, sha256 } = await readManifest(store, seizureId);
  const files = evidenceFiles(manifest);
  const key = (p: string) => landingFileKey(seizureId, p);
  const problems = await checkFiles(files, {
    size: async (p) => (await store.head('landing', key(p)))?.size,
    open: (p) => store.read('landing', key(p)),
  });
  if (problems.length) throw new EvidenceVerificationError(problems);
  const importId = importIdFor(sha256);
  await appendCustody(store, {
    action: 'evidence-verified',
    seizureId,
    importId,
    actor: pipelineActor,
    details: {
      manifestSha256: sha256,
      uploadedBy: manifest.uploadedBy,
      legalAuthority: manifest.legalAuthority,
      files: files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
    },
  });
  await appendCustody(store, {
    action: 'import-started',
    seizureId,
    importId,
    actor: pipelineActor,
    details: { pipelineVersion: PIPELINE_VERSION, ingestedAt: new Date(ingestedAt).toISOString() },
  });
  return { seizureId, importId, ingestedAt, manifestSha256: sha256, files };
}
