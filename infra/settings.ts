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
   * Evidence files hashed at once by verify's map, and cut into chunks at once by plan's (Lambda concurrency
   * of the hash-evidence and plan-file functions): both read each file whole, or may.
   */
  verifyMapMaxConcurrency: number;
  /**
   * Memory of the hash-evidence and plan-file functions, in MB (SHA-256, or the scan for record boundaries,
   * runs on one vCPU; the rest feeds it from S3).
   */
  verifyMemoryMb: number;
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
  /** The cases and the roles cleared for each (one CaseAccess each); none: nobody reads the lake by case. */
  cases: CaseSettings[];
  /**
   * IAM roles or users made Lake Formation data lake administrators, besides the CDK deploy role (which
   * must be one: it creates the filters and grants). The list replaces the account's administrators.
   */
  dataLakeAdminArns: string[];
  /**
   * Whether this stack sets the account's Lake Formation settings (administrators, no IAMAllowedPrincipals
   * defaults). Off when they are managed elsewhere, e.g. by another deployment in the same account and region.
   */
  manageDataLakeSettings: boolean;
  /** IAM roles cleared for every case: they query the whole `messages` table and its views. */
  allCasesRoleArns: string[];
  /** How long the CloudTrail audit log is kept (Object Lock, governance mode), in days. */
  auditRetentionDays: number;
}

/** One case as declared in the context: its id and who may read it. */
export interface CaseSettings {
  /** The case id as manifests give it (`caseId`): a lower-case slug. */
  caseId: string;
  /** IAM roles of the analysts cleared for the case: Athena through the case's filter, OpenSearch through DLS. */
  roleArns: string[];
  /** Further OpenSearch backend roles (IAM role ARNs, e.g. a Dashboards group's) mapped to the case's role. */
  searchBackendRoles: string[];
}

export const defaultSettings: SeizureLakeSettings = {
  stackName: 'SeizureLake',
  objectLockMode: 'GOVERNANCE',
  objectLockRetentionDays: 3650,
  verifyMapMaxConcurrency: 100,
  verifyMemoryMb: 2048,
  mapMaxConcurrency: 1000,
  chunkMb: 64,
  normalizeMemoryMb: 1769,
  finalizeMapMaxConcurrency: 100,
  finalizeMemoryMb: 10_240,
  finalizeSliceMb: DEFAULT_SLICE_BYTES / 1024 ** 2,
  athenaBytesScannedCutoffGb: 100,
  cases: [],
  dataLakeAdminArns: [],
  manageDataLakeSettings: true,
  allCasesRoleArns: [],
  auditRetentionDays: 3650,
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
    verifyMapMaxConcurrency: integer(node, 'verifyMapMaxConcurrency', 1, 10_000),
    verifyMemoryMb: integer(node, 'verifyMemoryMb', 512, 10_240),
    mapMaxConcurrency: integer(node, 'mapMaxConcurrency', 1, 10_000),
    chunkMb: integer(node, 'chunkMb', 1, 1024),
    normalizeMemoryMb: integer(node, 'normalizeMemoryMb', 512, 10_240),
    finalizeMapMaxConcurrency: integer(node, 'finalizeMapMaxConcurrency', 1, 10_000),
    finalizeMemoryMb: integer(node, 'finalizeMemoryMb', 1024, 10_240),
    finalizeSliceMb: integer(node, 'finalizeSliceMb', 1, 1_000_000),
    athenaBytesScannedCutoffGb: integer(node, 'athenaBytesScannedCutoffGb', 1, 1_000_000),
    ...(email === undefined ? {} : { alarmEmail: String(email) }),
    cases: readCases(node),
    dataLakeAdminArns: arnList(json(node, 'dataLakeAdminArns') ?? [], 'dataLakeAdminArns', PRINCIPAL_ARN),
    manageDataLakeSettings: boolean(node, 'manageDataLakeSettings'),
    allCasesRoleArns: arnList(json(node, 'allCasesRoleArns') ?? [], 'allCasesRoleArns', ROLE_ARN),
    auditRetentionDays: integer(node, 'auditRetentionDays', 1, 36_500),
  };
}

/** A case id: a lower-case slug, safe inside a Lake Formation row filter and an OpenSearch role name. */
export const CASE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * A list value: JSON from `-c key='[...]'` (a string) or cdk.json (already parsed). Undefined when unset.
 */
function json(node: Context, key: string): unknown {
  const raw = node.tryGetContext(key);
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new SettingsError(`${key} must be JSON, not ${JSON.stringify(raw)}`);
  }
}

function arnList(value: unknown, key: string, form: RegExp): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !form.test(v)))
    throw new SettingsError(
      `${key} must be a list of IAM ARNs (${form.source}), not ${JSON.stringify(value)}`,
    );
  return [...new Set(value as string[])];
}

/** `cases`: `[{"caseId": "op-x", "roleArns": ["arn:aws:iam::<account>:role/<analyst>"], "searchBackendRoles": [...]}]`. */
function readCases(node: Context): CaseSettings[] {
  const value = json(node, 'cases') ?? [];
  if (!Array.isArray(value)) throw new SettingsError(`cases must be a list, not ${JSON.stringify(value)}`);
  const seen = new Set<string>();
  return value.map((entry: unknown, i) => {
    const c = (entry ?? {}) as Record<string, unknown>;
    const key = `cases[${i}]`;
    if (typeof c.caseId !== 'string' || !CASE_ID.test(c.caseId))
      throw new SettingsError(`${key}.caseId must be a lower-case slug, not ${JSON.stringify(c.caseId)}`);
    if (seen.has(c.caseId)) throw new SettingsError(`${key}: case ${c.caseId} is declared twice`);
    seen.add(c.caseId);
    const roleArns = arnList(c.roleArns, `${key}.roleArns`, ROLE_ARN);
    if (!roleArns.length) throw new SettingsError(`${key}.roleArns must name at least one role`);
    const searchBackendRoles = arnList(c.searchBackendRoles ?? [], `${key}.searchBackendRoles`, ROLE_ARN);
    return { caseId: c.caseId, roleArns, searchBackendRoles };
  });
}

function boolean(node: Context, key: 'manageDataLakeSettings'): boolean {
  const raw = node.tryGetContext(key) ?? defaultSettings[key];
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new SettingsError(`${key} must be true or false, not ${JSON.stringify(raw)}`);
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
