import fs from 'node:fs';
import path from 'node:path';

/**
 * The DuckDB Lambda layer: DuckDB's Node API and its native binding for Lambda's x86_64 Linux (glibc), laid
 * out as `nodejs/node_modules/...` so the runtime resolves `@duckdb/node-api` from /opt. The normalize and
 * finalize functions use it; their bundles mark `@duckdb/*` external. One copy of the ~70 MB binary in a
 * layer instead of one per function keeps deployments small and lets both functions share a cached layer.
 */
export const duckDbLayerPackages = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  '@duckdb/node-bindings-linux-x64',
  'detect-libc',
] as const;

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const defaultNodeModules = path.join(repoRoot, 'node_modules');

/** Raised when the Linux x64 binding is not installed (npm installs only the host platform's binding). */
export class MissingBindingError extends Error {
  constructor(pkg: string, version: string) {
    super(
      `${pkg} is not installed, and the DuckDB layer needs it for Lambda (Linux x86_64). On a non-Linux-x64 ` +
        `machine install it next to the host's binding: npm install --no-save --os=linux --cpu=x64 ${pkg}@${version}`,
    );
    this.name = 'MissingBindingError';
  }
}

function packageJson(nodeModules: string, pkg: string): { version: string } | undefined {
  const file = path.join(nodeModules, pkg, 'package.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }) : undefined;
}

/**
 * The versions the layer is built from ('missing' for a package that is not installed): the layer asset's
 * hash, so a new DuckDB is a new layer version and an unchanged one is neither copied nor published again.
 */
export function duckDbLayerVersions(nodeModules: string = defaultNodeModules): Record<string, string> {
  return Object.fromEntries(
    duckDbLayerPackages.map((pkg) => [pkg, packageJson(nodeModules, pkg)?.version ?? 'missing']),
  );
}

/** Copies the layer's packages into `outputDir/nodejs/node_modules` (without type declarations or maps). */
export function packageDuckDbLayer(outputDir: string, nodeModules: string = defaultNodeModules): void {
  const versions = duckDbLayerVersions(nodeModules);
  for (const pkg of duckDbLayerPackages) {
    if (versions[pkg] === 'missing')
      throw new MissingBindingError(pkg, versions['@duckdb/node-api'] ?? 'latest');
  }
  for (const pkg of duckDbLayerPackages) {
    fs.cpSync(path.join(nodeModules, pkg), path.join(outputDir, 'nodejs', 'node_modules', pkg), {
      recursive: true,
      dereference: true,
      filter: (source) => !/\.(d\.ts|map)$/.test(source),
    });
  }
}
