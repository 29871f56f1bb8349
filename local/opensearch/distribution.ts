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
 * Modules of the full distribution that local mode needs and the minimal one lacks, each published to Maven
 * Central as `org.opensearch.plugin:<name>:<version>` (a jar). `analysis-common` brings the language
 * analyzers and stemmers the `messages` index is built with (Dutch, English, French, Spanish, German).
 */
export const LOCAL_MODULES: readonly ModuleSpec[] = [
  {
    name: 'analysis-common',
    classname: 'org.opensearch.analysis.common.CommonAnalysisPlugin',
    description: 'Adds "built in" analyzers to OpenSearch.',
  },
];

export interface ModuleSpec {
  name: string;
  classname: string;
  description: string;
}

/**
 * Makes the minimal distribution and the modules of LOCAL_MODULES available in the cache: downloaded with
 * Maven (checksums enforced) and unpacked on the first call, returned from the cache without any network on
 * later calls. Each tree is moved into place with one rename, so a crash or a concurrent caller never leaves
 * half of it.
 */
export async function provisionOpenSearch(version: string = OPENSEARCH_VERSION): Promise<Distribution> {
  const home = distributionDir(version);
  let fetched = false;
  if (!(await isUnpacked(home))) {
    await fetchDistribution(home, version);
    fetched = true;
  }
  for (const module of LOCAL_MODULES) {
    if (await hasModule(home, module.name)) continue;
    await fetchModule(home, version, module);
    fetched = true;
  }
  return { home, version, fetched };
}

function maven(home: string, version: string): string {
  const mvn = findOnPath('mvn');
  if (!mvn) {
    throw new Error(
      `OpenSearch ${version} is not complete in the cache (${home}) and Maven is not installed to fetch it ` +
        `(apt-get install maven), or copy an unpacked distribution there.`,
    );
  }
  return mvn;
}

/** Downloads one artifact into `directory` (a fresh one: Maven runs outside any project). */
async function mavenCopy(mvn: string, artifact: string, directory: string): Promise<void> {
  await run(
    mvn,
    [
      '--batch-mode',
      '--quiet',
      '--strict-checksums',
      '-Dstyle.color=never',
      `${DEPENDENCY_PLUGIN}:copy`,
      `-Dartifact=${artifact}`,
      `-DoutputDirectory=${directory}`,
    ],
    // Outside any project, so no pom.xml in the working directory can change what Maven does.
    { cwd: directory },
  );
}

async function fetchDistribution(home: string, version: string): Promise<void> {
  const mvn = maven(home, version);
  const parent = path.dirname(home);
  await fs.mkdir(parent, { recursive: true, mode: 0o755 });
  const staging = await fs.mkdtemp(path.join(parent, `.staging-${version}-`));
  try {
    await mavenCopy(mvn, distributionArtifact(version), staging);
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
}

/**
 * A module directory as the full distribution has it: the module's jar and its plugin descriptor. The
 * modules needed here depend on nothing beyond the jars in `lib/`.
 */
async function fetchModule(home: string, version: string, module: ModuleSpec): Promise<void> {
  const mvn = maven(home, version);
  const modules = path.join(home, 'modules');
  const staging = await fs.mkdtemp(path.join(modules, `.staging-${module.name}-`));
  try {
    const tree = path.join(staging, module.name);
    await fs.mkdir(tree);
    await mavenCopy(mvn, `org.opensearch.plugin:${module.name}:${version}:jar`, tree);
    await fs.writeFile(path.join(tree, 'plugin-descriptor.properties'), moduleDescriptor(module, version));
    await run('chmod', ['-R', 'a+rX', tree]);
    try {
      await fs.rename(tree, path.join(modules, module.name));
    } catch (error) {
      if (!(await hasModule(home, module.name))) throw error;
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

export function moduleDescriptor(module: ModuleSpec, version: string): string {
  return `${[
    '# Written by seizure-lake (local/opensearch/distribution.ts), as the full distribution ships it.',
    `description=${module.description}`,
    `version=${version}`,
    `name=${module.name}`,
    `classname=${module.classname}`,
    'java.version=11',
    `opensearch.version=${version}`,
    'custom.foldername=',
    // The full distribution extends lang-painless here, for scripts; local mode runs no scripts.
    'extended.plugins=',
    'has.native.controller=false',
  ].join('\n')}\n`;
}

async function hasModule(home: string, name: string): Promise<boolean> {
  try {
    await fs.access(path.join(home, 'modules', name, 'plugin-descriptor.properties'));
    return true;
  } catch {
    return false;
  }
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
