import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EvidenceFile, NormalizedRecord } from '#domain/adapters/adapter.ts';
import { createMappingAdapter, MAX_RECORD_BYTES } from '#domain/adapters/mapping/mapping-adapter.ts';
import { resolveMapping } from '#domain/adapters/mapping/shipped-mappings.ts';
import type { ImportReport } from '#domain/import/import-types.ts';
import type { Manifest } from '#domain/manifest/manifest-schema.ts';
import { ImportFailedError } from '#local/import/run-local-import.ts';
import {
  expectReconciled,
  importSeizure,
  testContext,
  testManifest,
} from '../layers/domain/adapters/common/adapter-harness.ts';

/**
 * The rows of the bad-input matrix that the adapter, manifest and CLI tests do not prove already
 * (docs/reliability.md lists every row with the test that proves it). Each runs the real local pipeline
 * (upload, verify, plan, normalize, finalize) unless it says otherwise, and asserts a clear error or a
 * quarantined record with its reason, and that the counts reconcile.
 */

// Each import its own seizure id: the run's OpenSearch is shared, and a seizure's index is checked against
// its lake after every import.
const run = Date.now().toString(36);
let imports = 0;
const seizure = (format: Manifest['format'], extra: Partial<Manifest> = {}): Omit<Manifest, 'files'> => ({
  seizureId: `bad-input-${run}-${++imports}`,
  platform: format === 'mapping' ? 'skyecc' : 'generic',
  format,
  caseId: 'case-bad-input',
  legalAuthority: 'TEST-ORDER-BAD (synthetic)',
  uploadedBy: 'bad-input tests',
  timezone: 'Europe/Amsterdam',
  ...extra,
});

const skyLine = (id: string) =>
  JSON.stringify({ id, from: 'a7k2qx', to: ['b8l3ry'], sent: '2020-04-01 10:00:00', text: `msg ${id}` });

/** An import expected to fail: its error, and the report the failed execution left. */
async function failedImport(
  manifest: Omit<Manifest, 'files'>,
  files: Parameters<typeof importSeizure>[1],
): Promise<{ error: ImportFailedError; report: ImportReport | undefined }> {
  try {
    const run = await importSeizure(manifest, files);
    await run.close();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportFailedError);
    return { error: e as ImportFailedError, report: (e as ImportFailedError).report };
  }
  throw new Error('expected the import to fail');
}

const encroHeader =
  'msg_id;owner_imei;owner_handle;thread;from_handle;from_imei;to_handles;local_time;message;lat;lon';
const encroRow =
  '00000000000000a1;356938035643809;pinkpanther;;pinkpanther;356938035643809;icecold;25/03/2020 14:03:22;hallo;;';

describe('bad input', () => {
  it('an empty file: an empty NDJSON file is read as zero records, and the import succeeds and reconciles', async () => {
    const run = await importSeizure(seizure('mapping', { options: { mapping: 'skyecc' } }), [
      { path: 'data/empty.ndjson', bytes: Buffer.alloc(0) },
      { path: 'data/one.ndjson', bytes: `${skyLine('1')}\n` },
    ]);
    try {
      expect(run.report.status).toBe('succeeded');
      expectReconciled(run.report, expect);
      expect(run.report.counts).toEqual({ read: 1, written: 1, rejected: 0, duplicates: 0 });
      expect(run.report.files.find((f) => f.path === 'data/empty.ndjson')).toMatchObject({
        read: 0,
        written: 0,
        rejected: 0,
      });
      expect(await run.query('SELECT count(*)::INT AS n FROM messages')).toEqual([{ n: 1 }]);
    } finally {
      await run.close();
    }
  });

  it('an empty file: an empty CSV (not even its header) is read as zero records, listed in the report', async () => {
    const run = await importSeizure(
      seizure('mapping', {
        platform: 'encrochat',
        timezone: 'Europe/Paris',
        options: { mapping: 'encrochat' },
      }),
      [
        { path: 'data/empty.csv', bytes: Buffer.alloc(0) },
        { path: 'data/one.csv', bytes: `${encroHeader}\r\n${encroRow}\r\n` },
      ],
    );
    try {
      expect(run.report.status).toBe('succeeded');
      expectReconciled(run.report, expect);
      expect(run.report.counts).toEqual({ read: 1, written: 1, rejected: 0, duplicates: 0 });
      expect(run.report.files.find((f) => f.path === 'data/empty.csv')).toMatchObject({
        read: 0,
        written: 0,
      });
    } finally {
      await run.close();
    }
  });

  it('a wrong delimiter: a comma CSV under a semicolon mapping fails before any record, listing the columns it found', async () => {
    const commas = `${encroHeader.replaceAll(';', ',')}\r\n${encroRow.replaceAll(';', ',')}\r\n`;
    const { error, report } = await failedImport(
      seizure('mapping', {
        platform: 'encrochat',
        timezone: 'Europe/Paris',
        options: { mapping: 'encrochat' },
      }),
      [{ path: 'data/commas.csv', bytes: commas }],
    );
    expect(error.message).toMatch(
      /mapping "encrochat" reads "msg_id", .*which data\/commas\.csv does not have/,
    );
    expect(error.message).toMatch(/its columns are: msg_id,owner_imei,owner_handle/);
    expect(report?.status).toBe('failed');
    expect(report?.counts?.written ?? 0).toBe(0);
  });

  it('a 1 GB line: streamed past without buffering, quarantined by location, the records around it kept', async () => {
    // A 1 GiB line between two good records, never on disk: the file is a stream of one reused zero-copy
    // piece, as the evidence bucket's ranged reads would deliver it.
    const GiB = 1 << 30;
    const before = Buffer.from(`${skyLine('1')}\n`);
    const after = Buffer.from(`\n${skyLine('2')}\n`);
    const size = before.length + GiB + after.length;
    const piece = Buffer.alloc(1 << 20, 0x61);
    const byteAt = (at: number) =>
      at < before.length ? before[at]! : at < before.length + GiB ? 0x61 : after[at - before.length - GiB]!;
    function* bytes(start: number, end: number) {
      let at = start;
      while (at < end) {
        if (at >= before.length && at < before.length + GiB) {
          const n = Math.min(end, before.length + GiB) - at;
          const within = at - before.length;
          // pieces aligned to the virtual line, so one reused buffer serves them all
          const len = Math.min(n, piece.length - (within % piece.length));
          yield piece.subarray(0, len);
          at += len;
        } else {
          const stop = at < before.length ? Math.min(end, before.length) : end;
          const out = Buffer.alloc(stop - at);
          for (let i = 0; i < out.length; i++) out[i] = byteAt(at + i);
          yield out;
          at = stop;
        }
      }
    }
    const open = async (start: number, end: number) => Readable.from(bytes(start, end));
    const manifest = testManifest('mapping', { platform: 'skyecc', options: { mapping: 'skyecc' } });
    const adapter = createMappingAdapter(resolveMapping('skyecc', 'skyecc'), testContext(manifest));
    const file: EvidenceFile = { path: 'data/huge.ndjson', key: 'k', sha256: 'f'.repeat(64), bytes: size };
    const heapBefore = process.memoryUsage().arrayBuffers;
    const chunks = await adapter.plan(file, open, 64 << 20);
    const records: NormalizedRecord[] = [];
    for (const chunk of chunks)
      for await (const batch of adapter.read(chunk, await open(chunk.start, chunk.end)))
        records.push(...batch);
    const messages = records.flatMap((r) => ('message' in r ? [r.message] : []));
    const rejections = records.flatMap((r) => ('rejection' in r ? [r.rejection] : []));
    expect(messages.map((m) => m.native_id)).toEqual(['1', '2']);
    expect(rejections).toEqual([
      expect.objectContaining({
        source_offset: before.length,
        source_length: GiB,
        reason: expect.stringMatching(/exceeds/),
      }),
    ]);
    // read = written + rejected: every record is accounted for
    expect(records).toHaveLength(3);
    // nothing like the line was held in memory
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(256 << 20);
  }, 120_000);

  it('a line over the record limit, through the whole import: quarantined with its reason and location, counts reconcile', async () => {
    const huge = Buffer.alloc(MAX_RECORD_BYTES + 1, 0x61);
    const first = Buffer.from(`${skyLine('1')}\n`);
    const run = await importSeizure(seizure('mapping', { options: { mapping: 'skyecc' } }), [
      { path: 'data/huge.ndjson', bytes: Buffer.concat([first, huge, Buffer.from(`\n${skyLine('2')}\n`)]) },
    ]);
    try {
      expect(run.report.status).toBe('succeeded');
      expectReconciled(run.report, expect);
      expect(run.report.counts).toEqual({ read: 3, written: 2, rejected: 1, duplicates: 0 });
      const quarantined = await run.quarantine();
      expect(quarantined).toEqual([
        expect.objectContaining({
          source_offset: first.length,
          source_length: huge.length,
          reason: expect.stringMatching(/exceeds/),
        }),
      ]);
    } finally {
      await run.close();
    }
  }, 60_000);

  it('a media link with ../ in a WhatsApp export: the message is kept, nothing outside the export is linked', async () => {
    const secret = Buffer.from('synthetic bytes outside the export');
    const chat = [
      '1/13/20, 12:00 AM - Alice: hello',
      '1/13/20, 12:01 AM - Bob: ../secret.jpg (file attached)',
      '1/13/20, 12:02 AM - Alice: phone1/../secret.jpg (file attached)',
    ].join('\n');
    const run = await importSeizure(seizure('whatsapp'), [
      { path: 'phone1/WhatsApp Chat with Bob.txt', bytes: `${chat}\n` },
      { path: 'secret.jpg', bytes: secret, role: 'media' },
    ]);
    try {
      expect(run.report.status).toBe('succeeded');
      expectReconciled(run.report, expect);
      expect(run.report.counts).toMatchObject({ read: 3, written: 3, rejected: 0 });
      const rows = await run.query(
        `SELECT sender, attachments FROM messages WHERE len(attachments) > 0 ORDER BY sent_at`,
      );
      expect(rows).toHaveLength(2);
      for (const row of rows)
        for (const a of row.attachments as Record<string, unknown>[])
          expect(a).toMatchObject({ size: null, sha256: null, object_key: null });
    } finally {
      await run.close();
    }
  });
});
