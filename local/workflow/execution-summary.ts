import type { LocalExecution, StateEvent } from './run-import-state-machine.ts';

/** How one state of the execution went: its attempts, and for a Map's inner state, its iterations. */
export interface StateSummary {
  state: string;
  status: 'succeeded' | 'failed' | 'caught';
  attempts: number;
  iterations?: { succeeded: number; failed: number };
  errors?: string[];
}

export interface ExecutionSummary {
  orchestrator: 'aws-local-stepfunctions';
  name: string;
  id: string;
  startedAt: string;
  status: LocalExecution['status'];
  error?: string;
  cause?: string;
  states: StateSummary[];
}

/** Folds the event log into one line per state, in the order the states were first entered. */
export function summarizeExecution(execution: LocalExecution): ExecutionSummary {
  const states = new Map<string, StateSummary>();
  const iterations = new Map<string, Set<number>>();
  const get = (e: StateEvent) => {
    const name = e.state as string;
    let s = states.get(name);
    if (!s) {
      s = { state: name, status: 'succeeded', attempts: 0 };
      states.set(name, s);
    }
    return s;
  };
  for (const e of execution.events) {
    if (!e.state) continue;
    const s = get(e);
    if (e.type === 'StateEntered') {
      if (e.index === undefined) s.attempts++;
      else {
        const seen = iterations.get(s.state) ?? new Set<number>();
        seen.add(e.index);
        iterations.set(s.state, seen);
      }
    }
    if (e.type === 'StateRetried') s.attempts++;
    if (e.type === 'StateFailed' || e.type === 'StateCaught') {
      s.status = e.type === 'StateCaught' ? 'caught' : 'failed';
      if (e.error) s.errors = [...(s.errors ?? []), `${e.error}: ${e.cause ?? ''}`.trim()];
    }
    if (e.type === 'StateExited' && s.status !== 'caught') s.status = 'succeeded';
  }
  for (const [name, seen] of iterations) {
    const s = states.get(name) as StateSummary;
    const failed = execution.events.filter(
      (e) => e.state === name && e.type === 'StateFailed' && e.index !== undefined,
    ).length;
    s.iterations = {
      succeeded: seen.size - Math.min(failed, seen.size),
      failed: Math.min(failed, seen.size),
    };
    s.attempts = Math.max(s.attempts, seen.size);
  }
  return {
    orchestrator: 'aws-local-stepfunctions',
    name: execution.name,
    id: execution.id,
    startedAt: execution.startedAt,
    status: execution.status,
    ...(execution.error ? { error: execution.error, cause: execution.cause } : {}),
    states: [...states.values()],
  };
}
