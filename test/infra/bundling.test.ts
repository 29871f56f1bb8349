import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { houseBundling, repoRoot } from '#infra/lambda/function-with-log-group.ts';
import { duckDbLayerPackages, packageDuckDbLayer } from '../../layers/duckdb/package-layer.ts';
import {
  nativeAddonInLayer,
  nativeAddonOnLambda,
  packageNativeNormalizeLayer,
} from '../../layers/native-normalize/package-layer.ts';

/** The handlers under functions/ (each folder with a handler.ts). */
const handlers = fs
  .readdirSync(path.join(repoRoot, 'functions'))
  .filter((f) => fs.existsSync(path.join(repoRoot, 'functions', f, 'handler.ts')))
  .sort();
const usesDuckDb = new Set(['normalize', 'compact-slice', 'index-seizure']);
// The OpenSearch client's `debug` requires supports-color inside a try/catch; it is optional and not installed.
const usesOpenSearch = new Set(['index-seizure', 'search-setup']);

/** esbuild with the options NodejsFunction passes for the house bundling settings. */
async function bundle(folder: string, outdir: string) {
  const options = houseBundling();
  const outfile = path.join(outdir, folder, 'index.mjs');
  const result = await build({
    entryPoints: [path.join(repoRoot, 'functions', folder, 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    mainFields: options.mainFields,
    banner: { js: options.banner ?? '' },
    minify: options.minify,
    sourcemap: options.sourceMap,
    sourcesContent: options.sourcesContent,
    external: options.externalModules,
    outfile,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  const output = result.metafile.outputs[path.relative(repoRoot, outfile)];
  const externals = [...new Set((output?.imports ?? []).filter((i) => i.external).map((i) => i.path))];
  return { outfile, externals };
}

describe('function bundles', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-lake-bundles-'));
  const layer = path.join(outdir, 'duckdb-layer');
  const bundles = new Map<string, Awaited<ReturnType<typeof bundle>>>();

  beforeAll(async () => {
    for (const folder of handlers) bundles.set(folder, await bundle(folder, outdir));
    packageDuckDbLayer(layer);
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('exist for the trigger, every import step, the index step and the custom resources', () => {
    expect(handlers).toEqual([
      'athena-views',
      'check-manifest',
      'compact-slice',
      'finalize',
      'hash-evidence',
      'index-seizure',
      'normalize',
      'plan',
      'plan-file',
      'plan-slices',
      'record-failure',
      'search-setup',
      'trigger',
      'verify',
    ]);
  });

  it('leave out only Node built-ins and, where DuckDB is used, @duckdb/node-api (the layer provides it)', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const [folder, { externals }] of bundles) {
      const nonBuiltin = externals.filter((e) => !builtins.has(e)).sort();
      const expected = [
        ...(usesDuckDb.has(folder) ? ['@duckdb/node-api'] : []),
        ...(usesOpenSearch.has(folder) ? ['supports-color'] : []),
      ];
      expect(nonBuiltin, folder).toEqual(expected);
    }
  });

  it('package the DuckDB layer as nodejs/node_modules with the linux-x64 binding', () => {
    for (const pkg of duckDbLayerPackages) {
      expect(fs.existsSync(path.join(layer, 'nodejs', 'node_modules', pkg, 'package.json')), pkg).toBe(true);
    }
    const binding = path.join(layer, 'nodejs', 'node_modules', '@duckdb', 'node-bindings-linux-x64');
    expect(fs.existsSync(path.join(binding, 'duckdb.node'))).toBe(true);
    expect(fs.statSync(path.join(binding, 'libduckdb.so')).size).toBeGreaterThan(10_000_000);
  });

  it('package the native normalize layer: the addon, loadable, where the normalize function is told to look', () => {
    const native = path.join(outdir, 'native-layer');
    packageNativeNormalizeLayer(native);
    expect(nativeAddonOnLambda).toBe(`/opt/${nativeAddonInLayer}`);
    const addon = path.join(native, nativeAddonInLayer);
    const script = `const m = require(${JSON.stringify(addon)}); if (typeof m.NdjsonChunkMapper !== 'function') process.exit(3);`;
    execFileSync(process.execPath, ['-e', script], { stdio: 'pipe' });
  });

  it('load as ES modules and export a handler, with the layer standing in for /opt/nodejs', () => {
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      LANDING_BUCKET: 'landing',
      LAKE_BUCKET: 'lake',
      QUARANTINE_BUCKET: 'quarantine',
      REPORTS_BUCKET: 'reports',
      STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:000000000000:stateMachine:test',
      POWERTOOLS_SERVICE_NAME: 'bundle-test',
      POWERTOOLS_METRICS_NAMESPACE: 'SeizureLake',
    };
    for (const [folder, { outfile }] of bundles) {
      // Lambda resolves layer packages from /opt/nodejs/node_modules; here a node_modules next to the bundle.
      if (usesDuckDb.has(folder)) {
        fs.symlinkSync(
          path.join(layer, 'nodejs', 'node_modules'),
          path.join(path.dirname(outfile), 'node_modules'),
        );
      }
      const script = `const m = await import(${JSON.stringify(outfile)}); if (typeof m.handler !== 'function') process.exit(3);${
        usesDuckDb.has(folder)
          ? "const { DuckDBInstance } = await import('@duckdb/node-api'); await DuckDBInstance.create(':memory:');"
          : ''
      }`;
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: path.dirname(outfile),
        env,
        stdio: 'pipe',
      });
    }
  });
});
