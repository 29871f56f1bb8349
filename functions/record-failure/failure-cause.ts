import { readJsonObject } from '#domain/storage/json-objects.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import {
  hashRunResultsPrefix,
  mapResultsPrefix,
  planRunResultsPrefix,
  type StateError,
  sliceRunResultsPrefix,
} from '../shared/import-events.ts';

/** How many failed items the message names; the map run's FAILED_*.json files list them all. */
const MAX_CHUNKS_NAMED = 5;
const MAX_MESSAGE = 8_000;

/**
 * The readable cause of a Catch's error: a Lambda error's Cause is JSON (errorType, errorMessage, trace) of
 * which only the type and message matter; the stack trace is not a cause. Other causes are plain text.
 */
export function describeError(error: StateError): string {
  const cause = error.Cause?.trim();
  if (!cause) return error.Error;
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (parsed && typeof parsed === 'object' && typeof parsed.errorMessage === 'string') {
      const type = typeof parsed.errorType === 'string' ? parsed.errorType : error.Error;
      return `${type}: ${parsed.errorMessage}`;
    }
  } catch {
    // plain text
  }
  return `${error.Error}: ${cause}`;
}

interface MapRunFailure {
  Input?: string;
  Error?: string;
  Cause?: string;
}

/** The Distributed Maps of an import, by the step they fail as: where each exports its run results, and what its items are. */
const maps = {
  'hash-evidence': { prefix: hashRunResultsPrefix, item: 'file' },
  plan: { prefix: planRunResultsPrefix, item: 'file' },
  normalize: { prefix: mapResultsPrefix, item: 'chunk' },
  compact: { prefix: sliceRunResultsPrefix, item: 'slice' },
} as const;
type MapStep = keyof typeof maps;

/**
 * A Distributed Map fails as a whole (States.ExceededToleratedFailureThreshold) and its Cause does not say
 * which chunk (or slice) failed or why. The map run's results, which the ResultWriter exports next to the
 * import's report, do: this reads the FAILED_*.json files there and names the items with their errors.
 * Returns undefined when there are none (a local run, or a failure before any item ran).
 */
export async function describeFailedChunks(
  store: ObjectStore,
  seizureId: string,
  importId: string,
  map: MapStep = 'normalize',
): Promise<string | undefined> {
  const { prefix, item } = maps[map];
  const failures: MapRunFailure[] = [];
  for await (const object of store.list('reports', `${prefix(seizureId, importId)}/`)) {
    if (!/\/FAILED_\d+\.json$/.test(object.key)) continue;
    const parsed = await readJsonObject<unknown>(store, 'reports', object.key);
    if (Array.isArray(parsed)) failures.push(...(parsed as MapRunFailure[]));
  }
  if (!failures.length) return undefined;
  const lines = failures.slice(0, MAX_CHUNKS_NAMED).map((f) => {
    const why = describeError({ Error: f.Error ?? 'unknown error', Cause: f.Cause });
    return `${item} ${itemIdOf(f.Input)}: ${why}`;
  });
  const more =
    failures.length > MAX_CHUNKS_NAMED ? [`... and ${failures.length - MAX_CHUNKS_NAMED} more`] : [];
  return [`${failures.length} ${item}(s) failed:`, ...lines, ...more].join('\n  ');
}

function itemIdOf(input: string | undefined): string {
  try {
    const parsed = JSON.parse(input ?? '') as {
      chunk?: { chunkId?: unknown };
      slice?: { sliceId?: unknown };
      file?: { path?: unknown };
    };
    const id = parsed.chunk?.chunkId ?? parsed.slice?.sliceId ?? parsed.file?.path;
    return typeof id === 'string' ? id : '(unknown)';
  } catch {
    return '(unknown)';
  }
}

/** The message the failure report records: the error, and for a failed map run the failed chunks. */
export async function failureMessage(
  store: ObjectStore,
  input: { seizureId: string; importId: string; step?: string; error: StateError },
): Promise<string> {
  let message = describeError(input.error);
  if (input.error.Error === 'States.ExceededToleratedFailureThreshold') {
    const map: MapStep =
      input.step && Object.hasOwn(maps, input.step) ? (input.step as MapStep) : 'normalize';
    const items = await describeFailedChunks(store, input.seizureId, input.importId, map);
    if (items) message = `${message}\n  ${items}`;
  }
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)} [cut]` : message;
}
