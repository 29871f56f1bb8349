import { describe, expect, it } from 'vitest';
import { importStates } from '#infra/import-workflow/import-definition.ts';
import { synthesizeImportDefinition } from '#infra/synth-definition.ts';
import { translateForLocal } from '#local/workflow/local-definition.ts';
import { takeTaskTimeouts, withTimeout } from '#local/workflow/task-timeouts.ts';

describe('takeTaskTimeouts', () => {
  const local = () => translateForLocal(synthesizeImportDefinition({}).definition).definition;

  it("takes each Task's TimeoutSeconds, gives a Task without one no limit (not the library's 60 s), and moves the library's timer out of the way", () => {
    const definition = local();
    const limits = takeTaskTimeouts(definition);
    const normalize = (
      definition.States[importStates.normalizeChunks]!.ItemProcessor as {
        States: Record<string, Record<string, unknown>>;
      }
    ).States[importStates.normalize]!;
    expect(limits[importStates.normalize]).toBe(11 * 60 * 1000);
    expect(limits).not.toHaveProperty(importStates.finalize);
    expect(limits).not.toHaveProperty(importStates.verify);
    expect(normalize.TimeoutSeconds).toBeGreaterThan(24 * 24 * 3600);
    expect(definition.States[importStates.finalize]!.TimeoutSeconds).toBe(normalize.TimeoutSeconds);
  });

  it('takes a shorter limit a test gives, and refuses one for a state that is not a Task', () => {
    expect(takeTaskTimeouts(local(), { [importStates.normalize]: 250 })[importStates.normalize]).toBe(250);
    expect(() => takeTaskTimeouts(local(), { 'No such state': 250 })).toThrow(
      /no Task state "No such state"/,
    );
  });
});

describe('withTimeout', () => {
  it('fails a handler that has not finished in time with States.Timeout, naming the state and the ids', async () => {
    const hung = withTimeout(
      'Normalize chunk',
      50,
      () => new Promise<never>(() => {}),
      () => ({ chunkId: 'f0000-c00002' }),
    );
    await expect(hung({})).rejects.toMatchObject({
      name: 'States.Timeout',
      message: 'Normalize chunk timed out: no result within 0.05 s (chunkId f0000-c00002)',
    });
  });

  it("passes a handler's result and error through when it finishes in time", async () => {
    const ids = () => undefined;
    await expect(withTimeout('A', 1000, async (n: number) => n + 1, ids)(1)).resolves.toBe(2);
    const failing = withTimeout(
      'A',
      1000,
      async () => {
        throw new RangeError('bad');
      },
      ids,
    );
    await expect(failing(0)).rejects.toThrow(RangeError);
  });
});
