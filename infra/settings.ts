import type { Node } from 'constructs';
import { DEFAULT_SLICE_BYTES } from '#domain/import/plan-slices.ts';

/**
 * What a deployment can set with `-c key=value` (or in cdk.json's `context`). Every value is checked here,
 * once, so a typo fails the synth with the key's name instead of deploying something unintended.
 */
export interface SeizureLakeSettings {
  /** CloudFormation stack name; also names the Glue database and the Athena workgroup (one per deployment). */
  stackName: string;
  /** Object Lock mode of the evidence bucket: GOVERNANCE (removable with a special permission) or COMPLIANCE. */
  objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Default retention of every evidence object version, in days. */
  objectLockRetentionDays: number;
  /**
   * Chunks normalized at once by the Distributed Map (Lambda concurrency of the normalize function). Every
   * function of the account shares its Lambda concurrency quota (1,000 by default, less in new accounts):
   * keep this below it, or raise the quota; beyond it chunks are throttled and retried, not lost.
   */
  mapMaxConcurrency: number;
  /** Chunk size the plan step cuts evidence files into, in MiB. */
  chunkMb: number;
  /** Memory of the normalize function, in MB: one chunk's peak plus room (BENCHMARKS.md). */
  normalizeMemoryMb: number;
  /** Slices of finalize compacted at once by the compaction map (Lambda concurrency of compact-slice). */
  finalizeMapMaxConcurrency: number;
  /** Memory of the compact-slice function, in MB; 10,240 MB is 6 vCPUs, which DuckDB uses. */
  finalizeMemoryMb: number;
  /** Parquet (staged and already in the partition) one finalize slice compacts at most, in MiB. */
  finalizeSliceMb: number;
  /** Athena refuses a query that would scan more than this, in GB (10^9 bytes). */
  athenaBytesScannedCutoffGb: number;
  /** Where alarms are e-mailed; without it the alarm topic has no subscription. */
  alarmEmail?: string;
}

export const defaultSettings: SeizureLakeSettings = {
  stackName: 'SeizureLake',
  objectLockMode: 'GOVERNANCE',
  objectLockRetentionDays: 3650,
  mapMaxConcurrency: 1000,
  chunkMb: 64,
  normalizeMemoryMb: 2048,
  finalizeMapMaxConcurrency: 100,
  finalizeMemoryMb: 10_240,
  finalizeSliceMb: DEFAULT_SLICE_BYTES / 1024 ** 2,
  athenaBytesScannedCutoffGb: 100,
};

/** Raised for a context value that is missing its form; the message names the key. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

type Context = Pick<Node, 'tryGetContext'>;

/** Reads the settings from CDK context (strings from `-c`, numbers from cdk.json), with the defaults above. */
export function readSettings(node: Context): SeizureLakeSettings {
  const mode = String(node.tryGetContext('objectLockMode') ?? defaultSettings.objectLockMode).toUpperCase();
  if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
    throw new SettingsError(`objectLockMode must be GOVERNANCE or COMPLIANCE, not ${JSON.stringify(mode)}`);
  }
  const email = node.tryGetContext('alarmEmail');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(email))) {
    throw new SettingsError(`alarmEmail must be an e-mail address, not ${JSON.stringify(email)}`);
  }
  const stackName = String(node.tryGetContext('stackName') ?? defaultSettings.stackName);
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new SettingsError(
      `stackName must be a CloudFormation stack name (letters, digits, -), not ${JSON.stringify(stackName)}`,
    );
  }
  return {
    stackName,
    objectLockMode: mode,
    objectLockRetentionDays: integer(node, 'objectLockRetentionDays', 1, 36_500),
    mapMaxConcurrency: integer(node, 'mapMaxConcurrency', 1, 10_000),
    chunkMb: integer(node, 'chunkMb', 1, 1024),
    normalizeMemoryMb: integer(node, 'normalizeMemoryMb', 512, 10_240),
    finalizeMapMaxConcurrency: integer(node, 'finalizeMapMaxConcurrency', 1, 10_000),
    finalizeMemoryMb: integer(node, 'finalizeMemoryMb', 1024, 10_240),
    finalizeSliceMb: integer(node, 'finalizeSliceMb', 1, 1_000_000),
    athenaBytesScannedCutoffGb: integer(node, 'athenaBytesScannedCutoffGb', 1, 1_000_000),
    ...(email === undefined ? {} : { alarmEmail: String(email) }),
  };
}

function integer(
  node: Context,
  key: keyof SeizureLakeSettings & keyof typeof defaultSettings,
  min: number,
  max: number,
): number {
  const raw = node.tryGetContext(key) ?? defaultSettings[key];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingsError(
      `${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
