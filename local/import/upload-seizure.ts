import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { landingFileKey, landingManifestKey } from '#domain/import/import-layout.ts';
import { checkFiles, EvidenceVerificationError, sha256Hex } from '#domain/import/verify-evidence.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { parseManifest } from '#domain/manifest/validate-manifest.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';

/** The landing bucket already holds different evidence under the same name. */
export class EvidenceConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceConflictError';
  }
}

/**
 * What `aws s3 cp` of a dump does in the cloud: puts a seizure directory's files and then its manifest into
 * the landing bucket. The files are checked against the manifest first, so evidence that cannot import is
 * never written to the write-once bucket. Files already there with the same content are left as they are.
 */
export async function uploadSeizure(
  store: ObjectStore,
  directory: string,
): Promise<{ manifest: Manifest; manifestSha256: string }> {
  const manifestPath = path.join(directory, 'manifest.json');
  const manifestBytes = await fs.readFile(manifestPath).catch((e) => {
    throw e.code === 'ENOENT'
      ? new Error(`${manifestPath} not found: a seizure directory needs its manifest.json`)
      : e;
  });
  const manifest = parseManifest(manifestBytes.toString('utf8'));
  const local = (p: string) => path.join(directory, ...p.split('/'));
  const problems = await checkFiles(manifest.files, {
    size: async (p) => (await fs.stat(local(p)).catch(() => undefined))?.size,
    open: async (p) => createReadStream(local(p), { highWaterMark: 1 << 20 }),
  });
  if (problems.length) throw new EvidenceVerificationError(problems);

  for (const file of manifest.files) {
    const key = landingFileKey(manifest.seizureId, file.path);
    const existing = await store.head('landing', key);
    if (existing) {
      // Write-once: the same path with other bytes is a conflict; the verify step re-hashes what is there.
      if (existing.size !== file.bytes) {
        throw new EvidenceConflictError(
          `landing already holds ${key} with ${existing.size} bytes, not ${file.bytes}`,
        );
      }
      continue;
    }
    await store.write('landing', key, { file: local(file.path) }, { createOnly: true });
  }

  const manifestSha256 = sha256Hex(manifestBytes);
  const manifestKey = landingManifestKey(manifest.seizureId);
  if (await store.head('landing', manifestKey)) {
    const current = sha256Hex(await store.readBuffer('landing', manifestKey));
    if (current !== manifestSha256) {
      throw new EvidenceConflictError(
        `seizure "${manifest.seizureId}" already has a different manifest in the write-once landing bucket; ` +
          'give the new evidence its own seizureId',
      );
    }
  } else {
    await store.write('landing', manifestKey, manifestBytes, {
      createOnly: true,
      contentType: 'application/json',
    });
  }
  return { manifest, manifestSha256 };
}
