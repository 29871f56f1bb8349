import type { AslDefinition } from '#infra/synth-definition.ts';
import { UnsupportedDefinitionError } from './local-definition.ts';

/**
 * Task timeouts, applied by the local runner rather than by aws-local-stepfunctions, which differs from Step
 * Functions twice: it gives a Task without `TimeoutSeconds` 60 s (Step Functions gives it none; the Lambda
 * function's own timeout bounds it), and its `States.Timeout` has no cause, so a failure report could not say
 * which chunk ran out of time. Here a Task times out after its `TimeoutSeconds` (or a test's shorter limit)
 * with the same error name, `States.Timeout`, which the definition's Retry and Catch match by name.
 */

/** The library's own timer, pushed out of the way: the longest delay setTimeout accepts (2^31 - 1 ms). */
const LIBRARY_TIMEOUT_SECONDS = 2_147_483;

/** A Task state that did not finish in time; what Step Functions reports when TimeoutSeconds elapses. */
export class TaskTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    // Matched by name, like every error of the definition's Retry and Catch. (aws-local-stepfunctions would
    // let `States.TaskFailed` match it too, unlike Step Functions; the definition does not use that name.)
    this.name = 'States.Timeout';
  }
}

type State = Record<string, unknown>;

/**
 * The time limit of every Task state, in ms by state name (none when it has no `TimeoutSeconds`), with
 * `overridesMs` in place of the definition's where given. Sets the library's timer of each Task in
 * `definition` (changed in place) beyond reach, so that only these limits apply.
 */
export function takeTaskTimeouts(
  definition: AslDefinition,
  overridesMs: Record<string, number> = {},
): Record<string, number> {
  const limits: Record<string, number> = {};
  const visit = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      for (const nested of [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[]) ?? [])])
        if (nested) visit((nested as { States: Record<string, State> }).States);
      if (state.Type !== 'Task') continue;
      if (state.TimeoutSecondsPath !== undefined)
        throw new UnsupportedDefinitionError(`${name}: TimeoutSecondsPath cannot run locally`);
      const override = overridesMs[name];
      if (override !== undefined) limits[name] = override;
      else if (typeof state.TimeoutSeconds === 'number') limits[name] = state.TimeoutSeconds * 1000;
      state.TimeoutSeconds = LIBRARY_TIMEOUT_SECONDS;
    }
  };
  visit(definition.States);
  for (const name of Object.keys(overridesMs))
    if (limits[name] === undefined) throw new Error(`no Task state "${name}" to set a timeout on`);
  return limits;
}

/**
 * The handler, failing with `States.Timeout` when it has not finished within `ms`. The attempt that ran out
 * of time is abandoned, not killed (a Lambda's sandbox would be): a step's outputs are named after its
 * input, so an abandoned attempt that still finishes writes what the retry writes.
 */
export function withTimeout<I, O>(
  state: string,
  ms: number,
  handler: (input: I) => Promise<O>,
  ids: (input: I) => Record<string, string | number> | undefined,
): (input: I) => Promise<O> {
  return (input) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const named = Object.entries(ids(input) ?? {})
          .map(([key, value]) => `${key} ${value}`)
          .join(', ');
        reject(
          new TaskTimeoutError(
            `${state} timed out: no result within ${ms / 1000} s${named ? ` (${named})` : ''}`,
          ),
        );
      }, ms);
    });
    return Promise.race([handler(input), expired]).finally(() => clearTimeout(timer));
  };
}
