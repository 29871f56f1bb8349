import { createHash } from 'node:crypto';
import { ExecutionAlreadyExists, type StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it, vi } from 'vitest';
import {
  executionNameFor,
  type ObjectCreatedEvent,
  objectCreatedEventSchema,
  startImport,
  type TriggerDependencies,
} from '#functions/trigger/start-import.ts';

const manifest = Buffer.from(JSON.stringify({ seizureId: 'encro-2020', files: [] }));
const sha256 = createHash('sha256').update(manifest).digest('hex');
const machine = 'arn:aws:states:eu-west-1:000000000000:stateMachine:import';

function event(key = 'seizures/encro-2020/manifest.json', bucket = 'landing'): ObjectCreatedEvent {
  return objectCreatedEventSchema.parse({
    'detail-type': 'Object Created',
    source: 'aws.s3',
    time: '2024-05-01T10:00:00Z',
    detail: { bucket: { name: bucket }, object: { key, size: manifest.length, 'version-id': 'v1' } },
  });
}

function mockedAws(send: (command: StartExecutionCommand) => Promise<unknown>) {
  const readObject = vi.fn(async () => manifest);
  const sfn = { send: vi.fn(send) };
  const deps = {
    readObject,
    sfn,
    stateMachineArn: machine,
    landingBucket: 'landing',
  } as unknown as TriggerDependencies;
  return { deps, readObject, sfn };
}

describe('trigger (mocked AWS)', () => {
  it('hashes the manifest version that landed and starts the execution named after the hash', async () => {
    const { deps, readObject, sfn } = mockedAws(async () => ({ executionArn: `${machine}:run` }));
    const result = await startImport(deps, event());
    expect(readObject).toHaveBeenCalledWith('landing', 'seizures/encro-2020/manifest.json', 'v1');
    const name = `encro-2020-${sha256.slice(0, 20)}`;
    expect(result).toEqual({ status: 'started', executionName: name, executionArn: `${machine}:run` });
    const command = sfn.send.mock.calls[0]?.[0] as StartExecutionCommand;
    expect(command.input.stateMachineArn).toBe(machine);
    expect(command.input.name).toBe(name);
    expect(JSON.parse(command.input.input ?? '')).toEqual({
      seizureId: 'encro-2020',
      importId: `imp-${sha256.slice(0, 20)}`,
      ingestedAt: Date.parse('2024-05-01T10:00:00Z'),
      manifestSha256: sha256,
      manifestVersionId: 'v1',
    });
  });

  it('treats ExecutionAlreadyExists as a duplicate event: success, nothing started', async () => {
    const { deps } = mockedAws(async () => {
      throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
    });
    await expect(startImport(deps, event())).resolves.toEqual({
      status: 'duplicate',
      executionName: `encro-2020-${sha256.slice(0, 20)}`,
    });
  });

  it('gives a redelivered event the very same execution name and input', async () => {
    const { deps, sfn } = mockedAws(async () => ({ executionArn: 'x' }));
    await startImport(deps, event());
    await startImport(deps, event());
    const [first, second] = sfn.send.mock.calls.map((c) => (c[0] as StartExecutionCommand).input);
    expect(second).toEqual(first);
  });

  it('rethrows any other Step Functions error, so Lambda retries and then dead-letters the event', async () => {
    const { deps } = mockedAws(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    await expect(startImport(deps, event())).rejects.toThrow('Rate exceeded');
  });

  it('ignores objects that are not a seizure manifest, and other buckets', async () => {
    const { deps, sfn, readObject } = mockedAws(async () => ({}));
    for (const e of [
      event('seizures/encro-2020/data/manifest.json'),
      event('seizures/Not_A_Slug/manifest.json'),
      event('other/manifest.json'),
      event('seizures/encro-2020/manifest.json', 'someone-elses-bucket'),
    ]) {
      expect((await startImport(deps, e)).status).toBe('ignored');
    }
    expect(readObject).not.toHaveBeenCalled();
    expect(sfn.send).not.toHaveBeenCalled();
  });

  it('keeps execution names within the 80 characters Step Functions allows', () => {
    const longId = `s${'x'.repeat(62)}z`;
    const name = executionNameFor(longId, sha256);
    expect(name).toHaveLength(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name.endsWith(`-${sha256.slice(0, 20)}`)).toBe(true);
  });
});
