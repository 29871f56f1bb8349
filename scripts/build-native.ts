/**
 * Builds the normalize step's native fast path (layers/native-normalize, Rust) into
 * `layers/native-normalize/native-normalize.node`. Without a Rust toolchain it says so and builds nothing:
 * normalize then maps NDJSON in DuckDB, slower but the same rows. Cargo rebuilds only what changed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nativeAddonPath } from '#domain/import/native-normalize.ts';

const crate = path.dirname(nativeAddonPath);
const probe = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
if (probe.status !== 0) {
  process.stdout.write(
    'cargo not found: the native normalize path is not built (normalize maps in DuckDB)\n',
  );
  process.exit(0);
}
const started = Date.now();
const build = spawnSync(
  'cargo',
  ['build', '--release', '--locked', '--manifest-path', path.join(crate, 'Cargo.toml')],
  {
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
fs.copyFileSync(path.join(crate, 'target/release/libnative_normalize.so'), nativeAddonPath);
process.stdout.write(`native normalize built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
