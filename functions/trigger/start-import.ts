import {
  ExecutionAlreadyExists,
  StartExecutionCommand,
  type StartExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { importIdFor, sha256Hex } from '#domain/import/verify-evidence.ts';
import type { ImportStart } from '../shared/import-events.ts';

/** The EventBridge event S3 sends for a new object (only the fields the trigger reads). */
export const objectCreatedEventSchema = z.object({
  'detail-type': z.literal('Object Created'),
  time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO time'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      'version-id': z.string().optional(),
    }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof objectCreatedEventSchema>;

/** What the trigger needs from AWS; the handler passes real clients, tests pass fakes. */
export interface TriggerDependencies {
  /** The bytes of one version of an object in the landing bucket. */
  readObject(bucket: string, key: string, versionId: string | undefined): Promise<Buffer>;
  /** An SFN client (or anything with its `send` for StartExecution). */
  sfn: { send(command: StartExecutionCommand): Promise<StartExecutionCommandOutput> };
  stateMachineArn: string;
  landingBucket: string;
}

export type TriggerResult =
  | { status: 'started'; executionName: string; executionArn: string }
  | { status: 'duplicate'; executionName: string }
  | { status: 'ignored'; reason: string };

const MANIFEST_KEY = /^seizures\/([^/]+)\/manifest\.json$/;
const SEIZURE_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** Step Functions execution names: at most 80 characters of A-Z a-z 0-9 - _. */
const MAX_EXECUTION_NAME = 80;
const HASH_DIGITS = 20;

/**
 * The execution name of an import: the seizure and the first 20 hex digits of the manifest's SHA-256, the
 * same digits as the import id. The same manifest bytes always give the same name, so a duplicate event
 * (or the same manifest uploaded again) cannot start a second execution: Step Functions refuses the name.
 * A seizure id longer than 59 characters is cut; the hash still tells imports apart, since the manifest
 * holds the whole seizure id.
 */
export function executionNameFor(seizureId: string, manifestSha256: string): string {
  const hash = manifestSha256.slice(0, HASH_DIGITS);
  return `${seizureId.slice(0, MAX_EXECUTION_NAME - HASH_DIGITS - 1)}-${hash}`;
}

/**
 * One manifest landed: hash the exact version that landed and start the import's execution under a name
 * derived from that hash. ExecutionAlreadyExists means this manifest started an import before: nothing to do.
 */
export async function startImport(
  deps: TriggerDependencies,
  event: ObjectCreatedEvent,
): Promise<TriggerResult> {
  const { bucket, object } = event.detail;
  if (bucket.name !== deps.landingBucket) {
    return { status: 'ignored', reason: `event from bucket ${bucket.name}, not the landing bucket` };
  }
  const match = MANIFEST_KEY.exec(object.key);
  const seizureId = match?.[1];
  if (!seizureId || !SEIZURE_ID.test(seizureId)) {
    return { status: 'ignored', reason: 'not a manifest at seizures/<seizure-id>/manifest.json' };
  }
  const bytes = await deps.readObject(bucket.name, object.key, object['version-id']);
  const manifestSha256 = sha256Hex(bytes);
  const executionName = executionNameFor(seizureId, manifestSha256);
  const input: ImportStart = {
    seizureId,
    importId: importIdFor(manifestSha256),
    // The event's time, not the clock: a redelivered event gives the very same input.
    ingestedAt: Date.parse(event.time),
    manifestSha256,
    ...(object['version-id'] ? { manifestVersionId: object['version-id'] } : {}),
  };
  try {
    const started = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: executionName,
        input: JSON.stringify(input),
      }),
    );
    return { status: 'started', executionName, executionArn: started.executionArn ?? '' };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      return { status: 'duplicate', executionName };
    }
    throw error;
  }
}
