#!/usr/bin/env node
/**
 * `npm run bench:plan [-- --messages 1000000]`: how fast one plan item cuts a quoted CSV file into chunks on
 * this machine, beside reading the same bytes. Generates an EncroChat-style seizure (';'-separated, quoted,
 * Windows-1252) and, on one core, reads its files as one plain stream each (the ceiling), then plans each
 * file as the plan map does (layers/domain/import/plan-evidence-file.ts: the whole file scanned record by
 * record for quote parity, in ranges read ahead), and scans them alone from one plain stream each. The figure goes into the scale model (PLAN in
 * bench/scale-model.ts) by hand, with the date: a quoted CSV file is the one a plan item reads whole.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { adapterFor } from '#domain/adapters/adapter-registry.ts';
import { fileIdOf } from '#domain/import/import-layout.ts';
import type { ImportRef } from '#domain/import/import-types.ts';
import { planEvidenceFile } from '#domain/import/plan-evidence-file.ts';
import { DEFAULT_CHUNK_BYTES } from '#domain/import/plan-import.ts';
import { evidenceFiles, importIdFor } from '#domain/import/verify-evidence.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { uploadSeizure } from '#local/import/upload-seizure.ts';

const i = process.argv.indexOf('--messages');
const messages = i === -1 ? 1_000_000 : Number(process.argv[i + 1]);
const MB = 1024 * 1024;

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'seizure-plan-bench-'));
try {
  const generated = await generateSeizure({
    platform: 'encrochat',
    messages,
    seed: 'plan',
    out: path.join(work, 'dir'),
  });
  const store = new DirectoryStore(path.join(work, 'store'));
  const { manifest, manifestSha256 } = await uploadSeizure(store, path.join(work, 'dir'));
  const ref: ImportRef = {
    seizureId: manifest.seizureId,
    importId: importIdFor(manifestSha256),
    ingestedAt: 0,
  };
  const bytes = generated.files.reduce((n, f) => n + f.bytes, 0);
  process.stdout.write(
    `${generated.files.length} files, ${(bytes / MB).toFixed(0)} MiB of quoted CSV (${messages.toLocaleString('en')} messages); one core\n`,
  );

  const best = async (label: string, run: () => Promise<number>) => {
    const seconds: number[] = [];
    let chunks = 0;
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      chunks = await run();
      seconds.push((performance.now() - start) / 1000);
    }
    const fastest = Math.min(...seconds);
    process.stdout.write(
      `${label.padEnd(52)} ${(bytes / MB / fastest).toFixed(0).padStart(5)} MiB/s${chunks ? `, ${chunks} chunks` : ''} (best of 3: ${seconds.map((s) => s.toFixed(2)).join(', ')} s)\n`,
    );
  };
  await best('read every file as one stream (the ceiling)', async () => {
    for (const f of generated.files)
      for await (const _ of createReadStream(path.join(work, 'dir', f.path), { highWaterMark: 4 * MB })) {
        // only the bytes
      }
    return 0;
  });
  // The scan alone: the adapter's plan over one plain local stream per file, no ranges.
  const adapter = adapterFor(manifest, ref);
  await best('scan every file for record boundaries, one stream', async () => {
    let chunks = 0;
    for (const f of evidenceFiles(manifest)) {
      const local = path.join(work, 'dir', f.path);
      const open = async (start: number, end: number) =>
        createReadStream(local, { start, end: end - 1, highWaterMark: 4 * MB });
      chunks += (await adapter.plan(f, open, DEFAULT_CHUNK_BYTES)).length;
    }
    return chunks;
  });
  await best('plan every file, as the plan map does (ranges read ahead)', async () => {
    let chunks = 0;
    for (const [index, f] of manifest.files.entries())
      chunks += (
        await planEvidenceFile(store, ref, { fileId: fileIdOf(index), path: f.path }, DEFAULT_CHUNK_BYTES)
      ).chunkCount;
    return chunks;
  });
} finally {
  await fs.rm(work, { recursive: true, force: true });
}
