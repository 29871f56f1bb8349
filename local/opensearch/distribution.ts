import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, run } from './commands.ts';

/**
 * The OpenSearch version the local node runs. The newest release that Amazon OpenSearch Service offers
 * and that still runs on Java 17 (OpenSearch 3.x needs Java 21): the 2.19 line, latest patch on Maven Central.
 */
export const OPENSEARCH_VERSION = '2.19.6';

/** OpenSearch's minimal distribution (no bundled JDK, no plugins, no security plugin), as published to Maven Central. */
export function distributionArtifact(version: string): string {
  return `org.opensearch.distribution.integ-test-zip:opensearch:${version}:zip`;
}

/** Pinned so a download resolves the same way on every machine (Maven 3.8 would otherwise pick 2.8). */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Downloads and unpacked tools: `$SEIZURE_CACHE`, or `.cache/` in the repository (gitignored). */
export function cacheRoot(): string {
  return path.resolve(process.env.SEIZURE_CACHE ?? path.join(REPO_ROOT, '.cache'));
}

/** Where the unpacked distribution of one version lives: `<cache>/opensearch/<version>/`. */
export function distributionDir(version: string = OPENSEARCH_VERSION): string {
  return path.join(cacheRoot(), 'opensearch', version);
}

export interface Distribution {
  /** The unpacked distribution (`OPENSEARCH_HOME`), with `bin/opensearch` in it. */
  home: string;
  version: string;
  /** False when the cache already held it and nothing was downloaded. */
  fetched: boolean;
}

/**
 * Makes the minimal distribution available in the cache: downloaded with Maven (checksums enforced) and
 * unpacked on the first call, returned from the cache without any network on later calls. The unpacked
 * tree is moved into place with one rename, so a crash or a concurrent caller never leaves half of it.
 */
export async function provisionOpenSearch(version: string = OPENSEARCH_VERSION): Promise<Distribution> {
  const home = distributionDir(version);
  if (await isUnpacked(home)) return { home, version, fetched: false };

  const mvn = findOnPath('mvn');
  if (!mvn) {
    throw new Error(
      `OpenSearch ${version} is not in the cache (${home}) and Maven is not installed to fetch it ` +
        `(apt-get install maven), or copy an unpacked distribution there.`,
    );
  }
  const parent = path.dirname(home);
  await fs.mkdir(parent, { recursive: true, mode: 0o755 });
  const staging = await fs.mkdtemp(path.join(parent, `.staging-${version}-`));
  try {
    await run(
      mvn,
      [
        '--batch-mode',
        '--quiet',
        '--strict-checksums',
        '-Dstyle.color=never',
        `${DEPENDENCY_PLUGIN}:copy`,
        `-Dartifact=${distributionArtifact(version)}`,
        `-DoutputDirectory=${staging}`,
      ],
      // Outside any project, so no pom.xml in the working directory can change what Maven does.
      { cwd: staging },
    );
    const zip = path.join(staging, `opensearch-${version}.zip`);
    const unpacked = path.join(staging, 'unpacked');
    await fs.mkdir(unpacked);
    await extract(zip, unpacked);
    const tree = path.join(unpacked, `opensearch-${version}`);
    if (!(await isUnpacked(tree)))
      throw new Error(`${zip} does not contain opensearch-${version}/bin/opensearch`);
    // The node runs as an unprivileged user when we are root: it must read everything and run bin/.
    await run('chmod', ['-R', 'a+rX', tree]);
    try {
      await fs.rename(tree, home);
    } catch (error) {
      // Another process finished first; its copy is as good as ours.
      if (!(await isUnpacked(home))) throw error;
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return { home, version, fetched: true };
}

async function isUnpacked(home: string): Promise<boolean> {
  try {
    await fs.access(path.join(home, 'bin', 'opensearch'), constants.X_OK);
    await fs.access(path.join(home, 'lib'));
    return true;
  } catch {
    return false;
  }
}

/** `unzip` keeps the executable bits; the JDK's `jar` does not, so bin/ is made executable after it. */
async function extract(zip: string, into: string): Promise<void> {
  const unzip = findOnPath('unzip');
  if (unzip) {
    await run(unzip, ['-q', zip, '-d', into]);
    return;
  }
  const jar = findOnPath('jar');
  if (!jar) throw new Error(`cannot unpack ${zip}: neither unzip nor the JDK's jar is installed`);
  await run(jar, ['xf', zip], { cwd: into });
  for (const entry of await fs.readdir(into)) {
    const bin = path.join(into, entry, 'bin');
    for (const file of await fs.readdir(bin).catch(() => [])) {
      if (!file.endsWith('.bat') && !file.endsWith('.exe')) await fs.chmod(path.join(bin, file), 0o755);
    }
  }
}
