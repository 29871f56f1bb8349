import { describe, expect, it } from 'vitest';
import { importStates, taskHandlers } from '#infra/import-workflow/import-definition.ts';
import { searchTaskHandlers } from '#infra/search/search-index-states.ts';
import { localBucketName, localFunctionArn, synthesizeImportDefinition } from '#infra/synth-definition.ts';

type State = { Type: string; Resource?: string; ItemProcessor?: { States: Record<string, State> } };

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, State],
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
  ]);
}

describe('synthesizeImportDefinition', () => {
  const result = synthesizeImportDefinition();

  it('returns the synthesized definition with no CloudFormation reference left in it', () => {
    const text = JSON.stringify(result.definition);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    expect(result.definition.StartAt).toBe(importStates.checkManifest);
  });

  it('names every Task by a placeholder ARN that maps back to its handler', () => {
    const tasks = allStates(result.definition.States as Record<string, State>).filter(
      ([, s]) => s.Type === 'Task',
    );
    expect(tasks).toHaveLength(Object.keys({ ...taskHandlers, ...searchTaskHandlers }).length);
    for (const [name, task] of tasks) {
      const handler = result.taskStates[name];
      expect(handler, name).toBeDefined();
      expect(task.Resource).toBe(localFunctionArn(handler!));
      expect(result.taskResources[task.Resource!]).toBe(handler);
    }
  });

  it('names the buckets by placeholders that map back to their storage roles', () => {
    expect(result.buckets).toEqual({
      [localBucketName('landing')]: 'landing',
      [localBucketName('lake')]: 'lake',
      [localBucketName('quarantine')]: 'quarantine',
      [localBucketName('reports')]: 'reports',
    });
  });

  it('applies context overrides and returns a copy the caller may change', () => {
    const two = synthesizeImportDefinition({ mapMaxConcurrency: 2 });
    expect(two.definition.States[importStates.normalizeChunks]?.MaxConcurrency).toBe(2);
    two.definition.States = {};
    expect(
      Object.keys(synthesizeImportDefinition({ mapMaxConcurrency: 2 }).definition.States).length,
    ).toBeGreaterThan(5);
  });
});

describe('the local runner can map every Task to its step', () => {
  it('has a step for each handler the definition names', async () => {
    const { importSteps } = await import('#functions/import-steps.ts');
    const handlers = new Set(Object.values(synthesizeImportDefinition().taskStates));
    expect(new Set(Object.keys(importSteps))).toEqual(handlers);
    for (const [name, step] of Object.entries(importSteps)) expect(step.name).toBe(name);
  });
});
