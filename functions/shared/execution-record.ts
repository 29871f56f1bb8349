import { importsPrefix } from '#domain/import/import-layout.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import type { ExecutionInfo } from './import-events.ts';

/** How one state of the import ended, as far as the state data shows it. */
export interface StateOutcome {
  state: string;
  status: 'succeeded' | 'failed';
  detail?: Record<string, unknown>;
}

/** The Step Functions execution that ran an import: its name, id, start and how each state ended. */
export interface ExecutionRecord {
  orchestrator: 'step-functions';
  importId: string;
  name: string;
  id: string;
  startedAt: string;
  states: StateOutcome[];
}

/**
 * Where the execution record is kept: next to the import report, not inside it. The report's SHA-256 is in
 * the chain of custody as finalize wrote it, so rewriting report.json afterwards would break that link.
 */
export const executionKey = (seizureId: string, importId: string) =>
  `${importsPrefix(seizureId)}${importId}/execution.json`;

/** The states that finished before a failure (or all of them), read from the results in the state data. */
export function stateOutcomes(
  data: {
    evidence?: unknown;
    verified?: unknown;
    plan?: unknown;
    mapRun?: unknown;
    slices?: unknown;
    sliceRun?: unknown;
  },
  failure?: { step: string; error: string },
): StateOutcome[] {
  const outcomes: StateOutcome[] = [];
  const done = (state: string, result: unknown) => {
    if (Array.isArray(result))
      outcomes.push({ state, status: 'succeeded', detail: { items: result.length } });
    else if (result && typeof result === 'object') {
      outcomes.push({ state, status: 'succeeded', detail: result as Record<string, unknown> });
    }
  };
  // "Check manifest" is in the state data only when a later step of verify failed: after it, 'verify' stands
  // for the three states that verify (the state data passed on is the one verify always passed on).
  if (!data.verified) done('check-manifest', data.evidence);
  done('verify', data.verified);
  done('plan', data.plan);
  done('normalize', data.mapRun);
  done('plan-slices', data.slices);
  done('compact', data.sliceRun);
  if (failure) outcomes.push({ state: failure.step, status: 'failed', detail: { error: failure.error } });
  else outcomes.push({ state: 'finalize', status: 'succeeded' });
  return outcomes;
}

/** Writes the execution record of an import (reports bucket, next to report.json). */
export async function recordExecution(
  store: ObjectStore,
  ref: { seizureId: string; importId: string },
  execution: ExecutionInfo,
  states: StateOutcome[],
): Promise<ExecutionRecord> {
  const record: ExecutionRecord = {
    orchestrator: 'step-functions',
    importId: ref.importId,
    ...execution,
    states,
  };
  await store.write('reports', executionKey(ref.seizureId, ref.importId), JSON.stringify(record, null, 2), {
    contentType: 'application/json',
  });
  return record;
}
