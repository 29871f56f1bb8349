import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCustodyLog } from '#domain/custody/custody-log.ts';
import { landingFileKey, landingManifestKey, reportKey } from '#domain/import/import-layout.ts';
import type { ChunkResult, ImportReport } from '#domain/import/import-types.ts';
import { importIdFor } from '#domain/import/verify-evidence.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { checkManifestStep } from '#functions/check-manifest/check-manifest-step.ts';
import { compactSliceStep } from '#functions/compact-slice/compact-slice-step.ts';
import { finalizeStep } from '#functions/finalize/finalize-step.ts';
import { hashEvidenceStep } from '#functions/hash-evidence/hash-evidence-step.ts';
import { normalizeStep } from '#functions/normalize/normalize-step.ts';
import { planStep } from '#functions/plan/plan-step.ts';
import { planFileStep } from '#functions/plan-file/plan-file-step.ts';
import { planSlicesStep } from '#functions/plan-slices/plan-slices-step.ts';
import { recordFailureStep } from '#functions/record-failure/record-failure-step.ts';
import { executionKey } from '#functions/shared/execution-record.ts';
import {
  hashRunResultsPrefix,
  mapResultsPrefix,
  planRunResultsPrefix,
  sliceRunResultsPrefix,
} from '#functions/shared/import-events.ts';
import { InvalidInputError, runStep } from '#functions/shared/step.ts';
import { verifyStep } from '#functions/verify/verify-step.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const header =
  'msg_id;owner_imei;owner_handle;thread;from_handle;from_imei;to_handles;local_time;message;lat;lon';
const rows = [
  '00000000000000a1;356938035643809;pinkpanther;;PinkPanther;356938035643809;icecold;25/03/2020 14:03:22;Café om 3u;;',
  '00000000000000a2;356938035643809;pinkpanther;;icecold;490154203237518;pinkpanther;25/03/2020 14:05:00;ok;48.8566;2.3522',
  '00000000000000a3;356938035643809;pinkpanther;;icecold;490154203237518;pinkpanther;not a time;broken;;',
  '00000000000000a4;356938035643809;pinkpanther;;PinkPanther;356938035643809;icecold;02/04/2020 09:00:00;april;;',
];
const data = iconv.encode(`${[header, ...rows].join('\r\n')}\r\n`, 'windows-1252');

/** Verify as the state machine runs it: "Check manifest", "Hash evidence" (each listed file), "Verify evidence". */
async function verifyAll(store: DirectoryStore, event: Record<string, unknown>) {
  const listed = await runStep(checkManifestStep, store, event);
  const files = JSON.parse(
    (await store.readBuffer('reports', listed.itemsKey)).toString('utf8'),
  ) as unknown[];
  const hashed = [];
  for (const file of files) hashed.push(await runStep(hashEvidenceStep, store, { ...event, file }));
  return { listed, hashed, verified: await runStep(verifyStep, store, event) };
}

describe('import steps, as the handlers and the local runner call them (directory store)', () => {
  let root: string;
  let store: DirectoryStore;
  let start: { seizureId: string; importId: string; ingestedAt: number; manifestSha256: string };
  const execution = {
    name: 'synthetic-1-abc',
    id: 'arn:aws:states:local:0:execution:x:synthetic-1-abc',
    startedAt: '2024-05-01T10:00:00Z',
  };

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'seizure-steps-'));
    store = new DirectoryStore(root);
    const manifest = JSON.stringify({
      seizureId: 'synthetic-1',
      platform: 'encrochat',
      format: 'mapping',
      caseId: 'case-1',
      legalAuthority: 'TEST-ORDER-1',
      uploadedBy: 'tester',
      timezone: 'Europe/Paris',
      files: [{ path: 'data/handset.csv', sha256: sha(data), bytes: data.length }],
    });
    await store.write('landing', landingFileKey('synthetic-1', 'data/handset.csv'), data);
    await store.write('landing', landingManifestKey('synthetic-1'), manifest);
    start = {
      seizureId: 'synthetic-1',
      importId: importIdFor(sha(manifest)),
      ingestedAt: Date.parse('2024-05-01T10:00:00Z'),
      manifestSha256: sha(manifest),
    };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const readJson = async (key: string) =>
    JSON.parse((await store.readBuffer('reports', key)).toString('utf8'));

  it('verify, plan, normalize every chunk, plan slices, compact every slice and finalize: a report with counts and the execution that ran it', async () => {
    const { listed, hashed, verified } = await verifyAll(store, { ...start, extra: 'state data is ignored' });
    expect(listed).toMatchObject({ manifestSha256: start.manifestSha256, files: 1, bytes: data.length });
    expect(hashed).toEqual([{ fileId: 'f0000', matches: true, bytes: data.length }]);
    expect(verified).toEqual({
      manifestSha256: start.manifestSha256,
      files: 1,
      bytes: data.length,
      itemsKey: listed.itemsKey,
      resultPrefix: planRunResultsPrefix(start.seizureId, start.importId),
    });

    const ref = { seizureId: start.seizureId, importId: start.importId, ingestedAt: start.ingestedAt };
    // The plan map: each verified file cut into chunks by an item of its own; then "Plan chunks" joins them.
    const files = JSON.parse((await store.readBuffer('reports', verified.itemsKey)).toString('utf8')) as {
      fileId: string;
    }[];
    for (const file of files)
      expect(await runStep(planFileStep, store, { ...ref, file }, { chunkBytes: 200 })).toMatchObject({
        fileId: file.fileId,
        chunkCount: expect.any(Number),
      });
    const plan = await runStep(planStep, store, ref);
    expect(plan.chunkCount).toBeGreaterThan(1);
    expect(plan.resultPrefix).toBe(mapResultsPrefix(ref.seizureId, ref.importId));
    // The plan itself stays in the reports bucket, where the Distributed Map's ItemReader reads it.
    const chunks = JSON.parse(
      (await store.readBuffer('reports', plan.planKey)).toString('utf8'),
    ) as unknown[];
    expect(chunks).toHaveLength(plan.chunkCount);

    const results: ChunkResult[] = [];
    for (const chunk of chunks) {
      results.push(await runStep(normalizeStep, store, { ...ref, chunk }, { workDirectory: root }));
    }
    expect(results.reduce((n, r) => n + r.read, 0)).toBe(4);
    expect(results.reduce((n, r) => n + r.rejected, 0)).toBe(1);

    const slices = await runStep(planSlicesStep, store, ref);
    expect(slices).toMatchObject({ sliceCount: 2, months: 2 });
    expect(slices.resultPrefix).toBe(sliceRunResultsPrefix(ref.seizureId, ref.importId));
    const sliceList = (await readJson(slices.slicesKey)) as unknown[];
    expect(sliceList).toHaveLength(2);
    for (const slice of sliceList)
      await runStep(compactSliceStep, store, { ...ref, slice }, { workDirectory: root });

    const summary = await runStep(
      finalizeStep,
      store,
      {
        ...ref,
        execution,
        verified,
        plan,
        mapRun: { mapRunArn: 'arn:local' },
        slices,
        sliceRun: { mapRunArn: 'arn:local:slices' },
      },
      { workDirectory: root },
    );
    expect(summary).toMatchObject({
      status: 'succeeded',
      counts: { read: 4, written: 3, rejected: 1, duplicates: 0 },
      partitions: 2,
      reportKey: reportKey(ref.seizureId, ref.importId),
    });
    const report = JSON.parse(
      (await store.readBuffer('reports', summary.reportKey)).toString('utf8'),
    ) as ImportReport;
    expect(report.status).toBe('succeeded');
    expect(report.execution).toBeUndefined();
    const finished = (await readCustodyLog(store, ref.seizureId)).find(
      (e) => e.entry.action === 'import-finished',
    );
    expect(finished?.entry.details.reportSha256).toBe(
      sha(await store.readBuffer('reports', summary.reportKey)),
    );
    // The execution is recorded next to the report, which stays byte for byte what the custody log hashed.
    expect(await readJson(executionKey(ref.seizureId, ref.importId))).toMatchObject({
      orchestrator: 'step-functions',
      importId: ref.importId,
      name: execution.name,
      states: [
        { state: 'verify', status: 'succeeded' },
        { state: 'plan', status: 'succeeded' },
        { state: 'normalize', status: 'succeeded' },
        { state: 'plan-slices', status: 'succeeded', detail: { sliceCount: 2 } },
        { state: 'compact', status: 'succeeded' },
        { state: 'finalize', status: 'succeeded' },
      ],
    });
  });

  it('writes the verified evidence to the custody log once, even when "Verify evidence" is retried', async () => {
    await verifyAll(store, start);
    await runStep(verifyStep, store, start); // a retry after both entries were written
    const actions = (await readCustodyLog(store, start.seizureId)).map((e) => e.entry.action);
    expect(actions).toEqual(['evidence-verified', 'import-started']);
  });

  it('names the files a failed plan map run could not cut, with the MappingError that stopped each', async () => {
    const failed = [
      {
        Input: JSON.stringify({ ...start, file: { fileId: 'f0001', path: 'data/handsets-2.csv' } }),
        Error: 'MappingError',
        Cause: JSON.stringify({
          errorType: 'MappingError',
          errorMessage: 'mapping "encrochat" reads "local_time", which data/handsets-2.csv does not have',
        }),
        Status: 'FAILED',
      },
    ];
    // A failed hash run of the same import is not the plan's.
    await store.write(
      'reports',
      `${hashRunResultsPrefix(start.seizureId, start.importId)}/run-0/FAILED_0.json`,
      JSON.stringify([{ Input: JSON.stringify({ ...start, file: { path: 'data/other.csv' } }) }]),
    );
    await store.write(
      'reports',
      `${planRunResultsPrefix(start.seizureId, start.importId)}/run-1/FAILED_0.json`,
      JSON.stringify(failed),
    );
    const summary = await runStep(recordFailureStep, store, {
      ...start,
      step: 'plan',
      error: { Error: 'States.ExceededToleratedFailureThreshold', Cause: 'threshold exceeded' },
      execution,
      verified: { files: 2 },
    });
    expect(summary.message).toContain('1 file(s) failed');
    expect(summary.message).toContain(
      'file data/handsets-2.csv: MappingError: mapping "encrochat" reads "local_time", which data/handsets-2.csv does not have',
    );
    expect(summary.message).not.toContain('data/other.csv');
  });

  it('names the failed files of a failed hash map run, from its own results', async () => {
    const failed = [
      {
        Input: JSON.stringify({ ...start, file: { fileId: 'f0003', path: 'data/big.ndjson' } }),
        Error: 'Sandbox.Timedout',
        Cause: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out' }),
        Status: 'FAILED',
      },
    ];
    await store.write(
      'reports',
      `${hashRunResultsPrefix(start.seizureId, start.importId)}/run-0/FAILED_0.json`,
      JSON.stringify(failed),
    );
    const summary = await runStep(recordFailureStep, store, {
      ...start,
      step: 'hash-evidence',
      error: { Error: 'States.ExceededToleratedFailureThreshold', Cause: 'threshold exceeded' },
      execution,
      evidence: { files: 4 },
    });
    expect(summary.message).toContain('1 file(s) failed');
    expect(summary.message).toContain('file data/big.ndjson: Sandbox.Timedout: Task timed out');
    expect(await readJson(executionKey(start.seizureId, start.importId))).toMatchObject({
      states: [
        { state: 'check-manifest', status: 'succeeded', detail: { files: 4 } },
        {
          state: 'hash-evidence',
          status: 'failed',
          detail: { error: 'States.ExceededToleratedFailureThreshold' },
        },
      ],
    });
  });

  it('refuses an event that does not match the step schema, naming the field and not its value', async () => {
    const error = await runStep(planStep, store, { seizureId: 'Bad Id!', importId: start.importId }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toMatch(/seizureId/);
    expect(error.message).toMatch(/ingestedAt/);
    expect(error.message).not.toContain('Bad Id!');
  });

  it('stops an execution started for another version of the manifest', async () => {
    const stale = { ...start, importId: 'imp-00000000000000000000' };
    await expect(runStep(checkManifestStep, store, stale)).rejects.toMatchObject({
      name: 'ManifestChangedError',
    });
    await expect(runStep(verifyStep, store, stale)).rejects.toMatchObject({ name: 'ManifestChangedError' });
  });

  it('reports a wrong file hash by name: EvidenceVerificationError, which the state machine never retries', async () => {
    const other = Buffer.from('tampered');
    const manifest = JSON.stringify({
      seizureId: 'synthetic-2',
      platform: 'encrochat',
      format: 'mapping',
      caseId: 'case-1',
      legalAuthority: 'TEST-ORDER-1',
      uploadedBy: 'tester',
      timezone: 'UTC',
      files: [{ path: 'data/x.csv', sha256: sha('original'), bytes: other.length }],
    });
    await store.write('landing', landingFileKey('synthetic-2', 'data/x.csv'), other);
    await store.write('landing', landingManifestKey('synthetic-2'), manifest);
    const event = { seizureId: 'synthetic-2', importId: importIdFor(sha(manifest)), ingestedAt: 0 };
    await expect(verifyAll(store, event)).rejects.toMatchObject({
      name: 'EvidenceVerificationError',
      message: expect.stringContaining(
        `data/x.csv: SHA-256 is ${sha(other)}, the manifest says ${sha('original')}`,
      ),
    });
  });

  it('records a failed step with the Lambda error message, not its stack trace', async () => {
    const cause = JSON.stringify({
      errorType: 'MappingError',
      errorMessage: 'column "local_time" is missing',
      trace: ['MappingError: column ...', '    at compile (/var/task/index.mjs:1:2)'],
    });
    const summary = await runStep(recordFailureStep, store, {
      ...start,
      step: 'plan',
      error: { Error: 'MappingError', Cause: cause },
      execution,
      verified: { files: 1 },
    });
    expect(summary).toMatchObject({ recorded: true, step: 'plan' });
    const report = JSON.parse(
      (await store.readBuffer('reports', reportKey(start.seizureId, start.importId))).toString('utf8'),
    ) as ImportReport;
    expect(report.status).toBe('failed');
    expect(report.error).toEqual({ step: 'plan', message: 'MappingError: column "local_time" is missing' });
    expect(JSON.stringify(report)).not.toContain('/var/task');
    expect(await readJson(executionKey(start.seizureId, start.importId))).toMatchObject({
      states: [
        { state: 'verify', status: 'succeeded' },
        { state: 'plan', status: 'failed', detail: { error: 'MappingError' } },
      ],
    });
  });

  it('names the failed chunks of a failed map run, from the results the ResultWriter exported', async () => {
    const failed = [
      {
        Input: JSON.stringify({ ...start, chunk: { chunkId: 'f0000-c00003' } }),
        Error: 'Sandbox.Timedout',
        Cause: JSON.stringify({
          errorType: 'Sandbox.Timedout',
          errorMessage: 'Task timed out after 600.00 seconds',
        }),
        Status: 'FAILED',
      },
    ];
    const prefix = mapResultsPrefix(start.seizureId, start.importId);
    await store.write('reports', `${prefix}/0f1e2d3c-run/FAILED_0.json`, JSON.stringify(failed));
    await store.write('reports', `${prefix}/0f1e2d3c-run/SUCCEEDED_0.json`, '[]');
    const summary = await runStep(recordFailureStep, store, {
      ...start,
      step: 'normalize',
      error: {
        Error: 'States.ExceededToleratedFailureThreshold',
        Cause: 'The specified tolerated failure threshold was exceeded',
      },
    });
    expect(summary.message).toContain('1 chunk(s) failed');
    expect(summary.message).toContain(
      'chunk f0000-c00003: Sandbox.Timedout: Task timed out after 600.00 seconds',
    );
  });

  it('names the failed slices of a failed compaction map run, from its own results, not the chunks', async () => {
    const failed = [
      {
        Input: JSON.stringify({ ...start, slice: { sliceId: '2020-03-1of4' } }),
        Error: 'Sandbox.Timedout',
        Cause: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out' }),
        Status: 'FAILED',
      },
    ];
    const chunkFailure = [{ Input: JSON.stringify({ ...start, chunk: { chunkId: 'f0000-c00009' } }) }];
    await store.write(
      'reports',
      `${mapResultsPrefix(start.seizureId, start.importId)}/run-1/FAILED_0.json`,
      JSON.stringify(chunkFailure),
    );
    await store.write(
      'reports',
      `${sliceRunResultsPrefix(start.seizureId, start.importId)}/run-2/FAILED_0.json`,
      JSON.stringify(failed),
    );
    const summary = await runStep(recordFailureStep, store, {
      ...start,
      step: 'compact',
      error: { Error: 'States.ExceededToleratedFailureThreshold', Cause: 'threshold exceeded' },
    });
    expect(summary.message).toContain('1 slice(s) failed');
    expect(summary.message).toContain('slice 2020-03-1of4: Sandbox.Timedout: Task timed out');
    expect(summary.message).not.toContain('f0000-c00009');
  });

  it('still ends normally when no report can be written because the manifest itself is invalid', async () => {
    await store.write('landing', landingManifestKey('broken-1'), '{"seizureId": "broken-1"}');
    const summary = await runStep(recordFailureStep, store, {
      seizureId: 'broken-1',
      importId: 'imp-11111111111111111111',
      ingestedAt: 0,
      step: 'verify',
      error: {
        Error: 'InvalidManifestError',
        Cause: '{"errorType":"InvalidManifestError","errorMessage":"invalid"}',
      },
    });
    expect(summary).toMatchObject({ recorded: false, message: 'InvalidManifestError: invalid' });
  });
});

describe('the execution record of a report', () => {
  it('summarizes an inline Map result (an array, as a local runner returns it) by its length', async () => {
    const { stateOutcomes } = await import('#functions/shared/execution-record.ts');
    expect(
      stateOutcomes({
        verified: { files: 1 },
        plan: { chunkCount: 2 },
        mapRun: [{}, {}],
        slices: { sliceCount: 3 },
        sliceRun: [{}, {}, {}],
      }),
    ).toEqual([
      { state: 'verify', status: 'succeeded', detail: { files: 1 } },
      { state: 'plan', status: 'succeeded', detail: { chunkCount: 2 } },
      { state: 'normalize', status: 'succeeded', detail: { items: 2 } },
      { state: 'plan-slices', status: 'succeeded', detail: { sliceCount: 3 } },
      { state: 'compact', status: 'succeeded', detail: { items: 3 } },
      { state: 'finalize', status: 'succeeded' },
    ]);
  });
});
