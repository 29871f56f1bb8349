#!/usr/bin/env node
/**
 * `npm run bench:hash [-- --mb 1024]`: how fast verify's hash loop runs on this machine, beside SHA-256 alone.
 * Writes a file of random bytes to a temporary store and hashes it three ways: SHA-256 over buffers in memory
 * (the ceiling), the file read as one stream, and the file read as verify reads it (parallel ranged reads
 * ahead of the hash, layers/domain/storage/read-ahead.ts). On x86 it also hashes in memory with OpenSSL's
 * SHA extensions masked (OPENSSL_ia32cap), as on a CPU without them: Lambda does not say which it has. The figure goes into the scale model (HASH in
 * bench/scale-model.ts) by hand, with the date: it is a property of the CPU, not of a seizure.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256OfStream } from '#domain/import/verify-evidence.ts';
import { DirectoryStore } from '#domain/storage/directory-store.ts';
import { READ_AHEAD_PARALLEL, READ_AHEAD_RANGE_BYTES, readAhead } from '#domain/storage/read-ahead.ts';

const MiB = 1024 * 1024;
const i = process.argv.indexOf('--mb');
const sizeMiB = i === -1 ? 1024 : Number(process.argv[i + 1]);
const size = sizeMiB * MiB;

async function timed(label: string, run: () => Promise<string> | string): Promise<string> {
  const runs: number[] = [];
  let digest = '';
  for (let r = 0; r < 3; r++) {
    const start = process.hrtime.bigint();
    digest = await run();
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const best = Math.min(...runs);
  process.stdout.write(
    `${label.padEnd(48)} ${(sizeMiB / best).toFixed(0).padStart(6)} MiB/s (best of 3: ${runs.map((s) => s.toFixed(2)).join(', ')} s)\n`,
  );
  return digest;
}

if (process.argv.includes('--in-memory-only')) {
  const block = randomBytes(READ_AHEAD_RANGE_BYTES);
  await timed('SHA-256 of 8 MiB buffers in memory', () => {
    const hash = createHash('sha256');
    for (let b = 0; b < size / block.length; b++) hash.update(block);
    return hash.digest('hex');
  });
  process.exit(0);
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hash-bench-'));
try {
  const store = new DirectoryStore(root);
  const key = 'seizures/bench/data/big.bin';
  const block = randomBytes(READ_AHEAD_RANGE_BYTES);
  const blocks = Math.ceil(size / block.length);
  await store.write('landing', key, { file: await writeFile(path.join(root, 'src.bin'), block, blocks) });
  process.stdout.write(
    `hash loop on ${os.cpus()[0]?.model} (${os.availableParallelism()} cpus, load ${os.loadavg()[0]?.toFixed(1)}), ${sizeMiB} MiB, Node ${process.version}\n`,
  );
  const inMemory = await timed('SHA-256 of 8 MiB buffers in memory', () => {
    const hash = createHash('sha256');
    for (let b = 0; b < blocks; b++) hash.update(block);
    return hash.digest('hex');
  });
  const stream = await timed('one stream of the file', async () =>
    sha256OfStream(await store.read('landing', key)),
  );
  const ranged = await timed(
    `parallel ranges (${READ_AHEAD_PARALLEL} x ${READ_AHEAD_RANGE_BYTES / MiB} MiB), as verify reads`,
    () => sha256OfStream(readAhead((range) => store.readBuffer('landing', key, range), size)),
  );
  if (new Set([inMemory, stream, ranged]).size !== 1) throw new Error('the three hashes differ');
  if (process.arch === 'x64' && !process.env.OPENSSL_ia32cap) {
    // CPUID.7:EBX bit 29 is SHA: the child hashes with the AVX2 code instead of the SHA instructions.
    const child = execFileSync(
      process.execPath,
      [process.argv[1]!, '--in-memory-only', '--mb', String(sizeMiB)],
      {
        env: { ...process.env, OPENSSL_ia32cap: ':~0x20000000' },
        encoding: 'utf8',
      },
    );
    process.stdout.write(child.replace('SHA-256 of', 'SHA-256 (no SHA extensions) of'));
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}

async function writeFile(file: string, block: Buffer, blocks: number): Promise<string> {
  const handle = await fs.open(file, 'w');
  for (let b = 0; b < blocks; b++) await handle.write(block);
  await handle.close();
  return file;
}
