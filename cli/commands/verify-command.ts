import { parseArgs } from 'node:util';
import { appendCustody } from '#domain/custody/custody-log.ts';
import { verifySeizure } from '#domain/custody/verify-seizure.ts';
import { pipelineActor } from '#domain/version.ts';
import { localStore } from '#local/seizure-home.ts';
import { UsageError } from '../cli-errors.ts';

export const verifyUsage = `seizure verify <seizureId> [--json] [--sample <n>]

Re-checks a seizure for court: re-hashes every evidence file against the manifest, checks the custody log's
chain and the hashes it recorded, and re-reads the source bytes of <n> sampled lake rows (default 100),
which must normalize to the same messages. Records the outcome in the custody log. Exits 1 on any
discrepancy.`;

export async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, sample: { type: 'string', default: '100' } },
  });
  if (positionals.length !== 1) throw new UsageError('verify takes one seizure id');
  const sample = Number(values.sample);
  if (!Number.isSafeInteger(sample) || sample < 0) throw new UsageError('--sample must be a whole number');
  const store = localStore();
  const seizureId = positionals[0] as string;
  const result = await verifySeizure(store, seizureId, { sample });
  await appendCustody(store, {
    action: 'verified',
    seizureId,
    actor: process.env.USER ? `${process.env.USER} via ${pipelineActor}` : pipelineActor,
    details: { ok: result.ok, checks: result.checks },
  });
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = result.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.check}: ${c.detail}`);
    lines.push(
      result.ok ? `${seizureId}: verified` : `${seizureId}: ${result.problems.length} check(s) failed`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.ok ? 0 : 1;
}
