import { afterAll, describe, expect, it } from 'vitest';
import { readStrict, splitRecords } from './strict-reader.ts';
import { generateTemp, readData, removeTempSeizures } from './temp-seizure.ts';

afterAll(removeTempSeizures);

const platforms = ['encrochat', 'skyecc', 'anom'] as const;

/** The malformed kinds each platform's format can hold (the cut-off last record comes on top). */
const expectedKinds = {
  encrochat: ['bad-timestamp', 'missing-sender', 'wrong-field-count'],
  skyecc: ['bad-timestamp', 'broken-json', 'invalid-bytes', 'missing-sender'],
  anom: ['bad-timestamp', 'invalid-bytes', 'missing-sender', 'wrong-field-count'],
};

async function readSeizure(platform: (typeof platforms)[number], malformedRate: number) {
  const result = await generateTemp({
    platform,
    messages: 6000,
    seed: 'faults',
    malformedRate,
    recordsPerFile: 2500,
  });
  const reads = result.files.map((f) => readStrict(readData(result.out, f.path), platform));
  return {
    result,
    valid: reads.flatMap((r) => r.valid),
    rejected: reads.flatMap((r) => r.rejected),
    lastFile: readData(result.out, result.files.at(-1)?.path as string),
  };
}

describe.each(platforms)('%s', (platform) => {
  it('writes as many malformed records as a strict reader rejects, of every kind the format allows', async () => {
    const { result, valid, rejected } = await readSeizure(platform, 0.05);
    expect(result.malformed).toBeGreaterThan(150);
    expect(result.malformed).toBeLessThan(500);
    expect(rejected).toHaveLength(result.malformed);
    const total = result.files.reduce((n, f) => n + f.records, 0);
    expect(valid.length + rejected.length).toBe(total);
    expect(new Set(valid.map((r) => r.id)).size).toBe(result.messages - result.malformed);
    expect(valid.length - new Set(valid.map((r) => r.id)).size).toBe(result.duplicates);
    const kinds = new Set(
      rejected.map((r) => (r.reason.startsWith('csv:') ? 'wrong-field-count' : r.reason)),
    );
    expect([...kinds].sort()).toEqual(expectedKinds[platform]);
  });

  it('cuts the last record of the last file short when the rate is above zero', async () => {
    const { lastFile, rejected } = await readSeizure(platform, 0.001);
    expect(lastFile.at(-1)).not.toBe(0x0a);
    const lastRecord = splitRecords(lastFile, platform !== 'skyecc').at(-1) as Buffer;
    const decoded = platform === 'encrochat' ? lastRecord.toString('latin1') : lastRecord.toString('utf8');
    expect(rejected.at(-1)?.raw.length).toBe(decoded.length);
    expect(rejected.at(-1)?.raw.slice(0, 8)).toBe(decoded.slice(0, 8));
  });

  it('writes nothing malformed at rate 0, and ends with a complete line', async () => {
    const { result, rejected, lastFile } = await readSeizure(platform, 0);
    expect(result.malformed).toBe(0);
    expect(rejected).toEqual([]);
    expect(lastFile.at(-1)).toBe(0x0a);
  });

  it('repeats some records exactly, later in the dump', async () => {
    const { result, valid } = await readSeizure(platform, 0);
    const seen = new Map<string, number>();
    let exactRepeats = 0;
    valid.forEach((r, i) => {
      if (seen.has(r.raw)) {
        exactRepeats++;
        expect(i).toBeGreaterThan(seen.get(r.raw) as number);
      } else seen.set(r.raw, i);
    });
    expect(exactRepeats / result.messages).toBeGreaterThan(0.005);
    expect(exactRepeats / result.messages).toBeLessThan(0.025);
    if (platform !== 'encrochat') expect(result.duplicates).toBe(exactRepeats);
    else expect(result.duplicates).toBeGreaterThan(result.messages / 2); // the recipients' handset copies
  });
});
