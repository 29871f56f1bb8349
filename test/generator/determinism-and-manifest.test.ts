import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest } from '#domain/manifest/validate-manifest.ts';
import { generateTemp, readData, removeTempSeizures } from './temp-seizure.ts';

afterAll(removeTempSeizures);

const platforms = ['encrochat', 'skyecc', 'anom'] as const;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(platforms)('%s', (platform) => {
  it('writes the same bytes for the same seed, and different bytes for another seed', async () => {
    const options = { platform, messages: 3000, malformedRate: 0.02, recordsPerFile: 2000 };
    const first = await generateTemp({ ...options, seed: 'same' });
    const second = await generateTemp({ ...options, seed: 'same' });
    const other = await generateTemp({ ...options, seed: 'other' });

    const hashesOf = (r: typeof first) => r.files.map((f) => sha256(readData(r.out, f.path)));
    expect(first.files.length).toBeGreaterThan(1);
    expect(hashesOf(second)).toEqual(hashesOf(first));
    expect(readFileSync(second.manifestPath, 'utf8')).toBe(readFileSync(first.manifestPath, 'utf8'));
    expect(second.malformed).toBe(first.malformed);
    expect(second.duplicates).toBe(first.duplicates);
    expect(hashesOf(other)[0]).not.toBe(hashesOf(first)[0]);
  });

  it('writes a manifest that validates, in the documented key order, with true hashes and sizes', async () => {
    const result = await generateTemp({ platform, messages: 2500, seed: 42, recordsPerFile: 1500 });
    const text = readFileSync(result.manifestPath, 'utf8');
    const manifest = parseManifest(text);

    expect(Object.keys(JSON.parse(text))).toEqual([
      'seizureId',
      'platform',
      'format',
      'caseId',
      'legalAuthority',
      'uploadedBy',
      'timezone',
      'files',
      'options',
    ]);
    expect(text).toContain('\n  "seizureId"');
    expect(manifest).toMatchObject({
      seizureId: `${platform}-42`,
      platform,
      format: 'mapping',
      caseId: 'case-synthetic-42',
      legalAuthority: `SYNTHETIC-${platform.toUpperCase()}-42 (generated test data, no real persons)`,
      uploadedBy: 'generator@seizure-lake.invalid',
      timezone: { encrochat: 'Europe/Paris', skyecc: 'Europe/Amsterdam', anom: 'UTC' }[platform],
      options: { mapping: platform },
    });
    expect(manifest.files.map((f) => f.path)).toEqual(result.files.map((f) => f.path));
    for (const file of manifest.files) {
      const bytes = readData(result.out, file.path);
      expect(file.sha256).toBe(sha256(bytes));
      expect(file.bytes).toBe(bytes.length);
      expect(statSync(join(result.out, file.path)).size).toBe(file.bytes);
    }
  });
});

describe('files and names', () => {
  it('splits records into numbered files of at most the limit, each CSV file with its header', async () => {
    const result = await generateTemp({
      platform: 'anom',
      messages: 5000,
      seed: 'split',
      recordsPerFile: 1200,
    });
    const total = result.files.reduce((n, f) => n + f.records, 0);
    expect(total).toBe(result.messages + result.duplicates);
    expect(result.files.length).toBe(Math.ceil(total / 1200));
    result.files.forEach((file, i) => {
      expect(file.path).toBe(`data/anom-messages-${String(i + 1).padStart(4, '0')}.csv`);
      const lines = readData(result.out, file.path).toString('utf8');
      expect(lines.startsWith('id,timestamp,from_jid,to_jid,type,body,lat,lon\n')).toBe(true);
      expect(file.records).toBeLessThanOrEqual(1200);
    });
    expect(result.files.slice(0, -1).every((f) => f.records === 1200)).toBe(true);
  });

  it("names the platforms' data files after what they hold", async () => {
    const encro = await generateTemp({ platform: 'encrochat', messages: 100, seed: 1 });
    const sky = await generateTemp({ platform: 'skyecc', messages: 100, seed: 1 });
    expect(encro.files.map((f) => f.path)).toEqual(['data/handsets-0001.csv']);
    expect(sky.files.map((f) => f.path)).toEqual(['data/sky-messages-0001.ndjson']);
  });

  it('turns any seed into a slug-safe seizure id, keeping seeds that differ only in case apart', async () => {
    const a = await generateTemp({ platform: 'skyecc', messages: 50, seed: 'Run #7/B' });
    const b = await generateTemp({ platform: 'skyecc', messages: 50, seed: 'run-7-b' });
    const ma = parseManifest(readFileSync(a.manifestPath, 'utf8'));
    const mb = parseManifest(readFileSync(b.manifestPath, 'utf8'));
    expect(ma.seizureId).toMatch(/^skyecc-run-7-b-[0-9a-f]{8}$/);
    expect(mb.seizureId).toBe('skyecc-run-7-b');
    expect(ma.legalAuthority).toBe('SYNTHETIC-SKYECC-Run #7/B (generated test data, no real persons)');
  });

  it('uses a given seizure id and refuses one that is not a slug', async () => {
    const given = await generateTemp({
      platform: 'anom',
      messages: 50,
      seed: 1,
      seizureId: 'op-trojan-shield',
    });
    expect(parseManifest(readFileSync(given.manifestPath, 'utf8')).seizureId).toBe('op-trojan-shield');
    await expect(
      generateTemp({ platform: 'anom', messages: 50, seed: 1, seizureId: 'Op Trojan' }),
    ).rejects.toThrow(/lower-case slug/);
  });

  it('refuses nonsense options with a clear error', async () => {
    await expect(generateTemp({ platform: 'anom', messages: 0, seed: 1 })).rejects.toThrow(/messages/);
    await expect(
      generateTemp({ platform: 'anom', messages: 10, seed: 1, malformedRate: 1.5 }),
    ).rejects.toThrow(/malformedRate/);
    await expect(generateTemp({ platform: 'ennetcom' as 'anom', messages: 10, seed: 1 })).rejects.toThrow(
      /platform/,
    );
  });
});
