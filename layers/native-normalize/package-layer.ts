import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nativeAddonPath } from '../domain/import/native-normalize.ts';

/** Where the layer puts the addon: Lambda mounts layers at /opt; the normalize function is told this path. */
export const nativeAddonInLayer = 'native-normalize/native-normalize.node';
export const nativeAddonOnLambda = `/opt/${nativeAddonInLayer}`;

/** Raised at synth when the addon was never built on this machine. */
export class MissingNativeBuildError extends Error {
  constructor() {
    super(
      `${nativeAddonPath} is not built, and the normalize function's layer needs it: run npm run build:native ` +
        '(Rust from crates.io; on a machine other than Linux x86_64, build on one, as Lambda runs x86_64 Linux)',
    );
    this.name = 'MissingNativeBuildError';
  }
}

/** The built addon's SHA-256: the layer asset's hash, so an unchanged build is neither copied nor published again. */
export function nativeNormalizeLayerHash(addon: string = nativeAddonPath): string {
  if (!fs.existsSync(addon)) throw new MissingNativeBuildError();
  return createHash('sha256').update(fs.readFileSync(addon)).digest('hex');
}

/** Copies the built addon into `outputDir/native-normalize/`. */
export function packageNativeNormalizeLayer(outputDir: string, addon: string = nativeAddonPath): void {
  if (!fs.existsSync(addon)) throw new MissingNativeBuildError();
  const target = path.join(outputDir, nativeAddonInLayer);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(addon, target);
}
