import os from 'node:os';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { readJsonObject } from '#domain/storage/json-objects.ts';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import { importSteps } from '#functions/import-steps.ts';
import { parseInput, runStep, type StepSettings } from '#functions/shared/step.ts';
import { executionNameFor } from '#functions/trigger/start-import.ts';
import { synthesizeImportDefinition } from '#infra/synth-definition.ts';
import { READ_ITEMS_RESOURCE, translateForLocal } from './local-definition.ts';
import { takeTaskTimeouts, withTimeout } from './task-timeouts.ts';

export interface ImportStart {
  seizureId: string;
  importId: string;
  ingestedAt: number;
  manifestSha256: string;
}

/** One state's course in the local execution: entered, retried, failed, caught, exited. */
export interface StateEvent {
  type: string;
  state?: string;
  at: string;
  /** Map iteration (chunk index) for states inside the Map */
  index?: number;
  error?: string;
  cause?: string;
}

export interface LocalExecution {
  name: string;
  id: string;
  startedAt: string;
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  output?: unknown;
  events: StateEvent[];
}

export interface LocalRunOptions
  extends Pick<
    StepSettings,
    'workDirectory' | 'chunkBytes' | 'duckdbMemoryLimit' | 'sliceBytes' | 'onProgress'
  > {
  /** Evidence files hashed at once (the hash map's MaxConcurrency); default: the machine's cores. */
  verifyMapMaxConcurrency?: number;
  /** Chunks normalized at once (the Map's MaxConcurrency); default: the machine's cores. */
  mapMaxConcurrency?: number;
  /** Slices compacted at once (the compaction map's MaxConcurrency); default 1, DuckDB uses every core. */
  finalizeMapMaxConcurrency?: number;
  /** Pause between retries, in ms, instead of the definition's back-off (seconds to a minute in the cloud). */
  retryIntervalMs?: number;
  /**
   * Time limits in ms by Task state name, instead of the definition's `TimeoutSeconds` (minutes): tests make
   * a hung step time out in a second or two.
   */
  taskTimeoutMs?: Record<string, number>;
}

/**
 * Runs an import with the state machine that CDK synthesizes, on the local buckets: every Task state calls
 * the same step (`runStep`) its Lambda handler calls. See local-definition.ts for the one translation, and
 * task-timeouts.ts for how a Task's `TimeoutSeconds` applies.
 */
export async function runImportStateMachine(
  store: ObjectStore,
  start: ImportStart,
  options: LocalRunOptions = {},
): Promise<LocalExecution> {
  const synthesized = synthesizeImportDefinition({
    verifyMapMaxConcurrency: options.verifyMapMaxConcurrency ?? os.availableParallelism(),
    mapMaxConcurrency: options.mapMaxConcurrency ?? os.availableParallelism(),
    finalizeMapMaxConcurrency: options.finalizeMapMaxConcurrency ?? 1,
  });
  const { definition } = translateForLocal(synthesized.definition);
  const timeouts = takeTaskTimeouts(definition, options.taskTimeoutMs);
  const settings: StepSettings = {
    workDirectory: options.workDirectory,
    chunkBytes: options.chunkBytes,
    duckdbMemoryLimit: options.duckdbMemoryLimit,
    sliceBytes: options.sliceBytes,
    onProgress: options.onProgress,
  };

  // biome-ignore lint/suspicious/noExplicitAny: task handlers take and return JSON
  type Handler = (input: any) => Promise<any>;
  const handlers: Record<string, Handler> = {};
  // A failed Map in the cloud starts no further item; the interpreter's queue would go on starting them after
  // the Map has failed. So once the failure path is taken no task starts, and "Record failure" waits for the
  // tasks still running, as its cleanup must see everything they wrote.
  let failing = false;
  const running = new Set<Promise<unknown>>();
  for (const [stateName, handler] of Object.entries(synthesized.taskStates)) {
    const step = importSteps[handler];
    if (!step) throw new Error(`no local step for task "${stateName}" (handler ${handler})`);
    const execute = (input: unknown) => runStep(step, store, input, settings);
    const limit = timeouts[stateName];
    // A timeout names the ids the step logs (the chunk, for a normalize step), as the report must say which.
    const ids = (input: unknown) => {
      try {
        return step.logKeys?.(parseInput(step, input));
      } catch {
        return undefined;
      }
    };
    const timed = limit === undefined ? execute : withTimeout(stateName, limit, execute, ids);
    handlers[stateName] = async (input: unknown) => {
      if (handler === 'record-failure') {
        failing = true;
        await Promise.allSettled([...running]);
      } else if (failing) {
        throw new ExecutionStoppedError(stateName);
      }
      const run = timed(input);
      running.add(run);
      try {
        return await run;
      } finally {
        running.delete(run);
      }
    };
  }
  const retryIntervals: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Resource === READ_ITEMS_RESOURCE) {
      handlers[name] = async (input: { bucket: string; key: string }) => {
        const role = synthesized.buckets[input.bucket];
        if (!role) throw new Error(`${name}: unknown bucket ${input.bucket}`);
        return readJsonObject(store, role, input.key);
      };
    }
  }
  for (const stateName of Object.keys(synthesized.taskStates))
    retryIntervals[stateName] = options.retryIntervalMs ?? 200;

  const name = executionNameFor(start.seizureId, start.manifestSha256);
  const id = `arn:aws:states:local:000000000000:execution:import:${name}`;
  const startedAt = new Date().toISOString();
  const input = { seizureId: start.seizureId, importId: start.importId, ingestedAt: start.ingestedAt };
  const machine = new StateMachine(definition as never, {
    validationOptions: { checkPaths: false, checkArn: false },
  });
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryIntervals },
    context: { Execution: { Id: id, Name: name, StartTime: startedAt, Input: input, RoleArn: 'local' } },
  });

  const events: StateEvent[] = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) {
      const event = e as {
        type: string;
        timestamp: number;
        state?: { name: string };
        index?: number;
        Error?: string;
        Cause?: unknown;
      };
      events.push({
        type: event.type,
        ...(event.state ? { state: event.state.name } : {}),
        at: new Date(event.timestamp).toISOString(),
        ...(event.index !== undefined ? { index: event.index } : {}),
        ...(event.Error ? { error: event.Error, cause: causeText(event.Cause) } : {}),
      });
    }
  })();

  try {
    const output = await execution.result;
    await collecting;
    return { name, id, startedAt, status: 'SUCCEEDED', output, events };
  } catch (error) {
    await collecting.catch(() => {});
    if (!(error instanceof ExecutionError)) throw error;
    const failed = events.findLast((e) => e.type === 'ExecutionFailed');
    return {
      name,
      id,
      startedAt,
      status: 'FAILED',
      error: failed?.error ?? error.name,
      cause: failed?.cause ?? error.message,
      events,
    };
  }
}

/** A task the local runner did not start because the execution had taken its failure path. */
class ExecutionStoppedError extends Error {
  constructor(state: string) {
    super(`${state} not started: the execution is failing`);
    this.name = 'States.Aborted';
  }
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}
