import { describe, expect, it } from 'vitest';
import { isOversized, type SplitRecord, splitRecords } from '#domain/records/record-splitter.ts';

async function split(
  input: string | Buffer,
  pieceSize: number,
  options: { quote?: number; max?: number; start?: number } = {},
) {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  async function* pieces() {
    for (let i = 0; i < bytes.length; i += pieceSize) yield bytes.subarray(i, i + pieceSize);
  }
  const out: SplitRecord[] = [];
  for await (const batch of splitRecords(pieces(), {
    startOffset: options.start ?? 0,
    quote: options.quote,
    maxRecordBytes: options.max ?? 1 << 20,
  }))
    out.push(...batch);
  return out.map((r) =>
    isOversized(r)
      ? { offset: r.offset, length: r.length, oversized: true }
      : { offset: r.offset, text: r.bytes.toString() },
  );
}

describe('splitRecords', () => {
  const csv = 'a;b\r\n1;"x\r\ny"\r\n\r\n2;"q""uote"\r\n3;last';
  const expected = [
    { offset: 0, text: 'a;b' },
    { offset: 5, text: '1;"x\r\ny"' },
    { offset: 17, text: '2;"q""uote"' },
    { offset: 30, text: '3;last' },
  ];

  it.each([1, 2, 3, 7, 64])(
    'keeps quoted newlines inside a record and gives exact offsets (piece size %i)',
    async (size) => {
      expect(await split(csv, size, { quote: 0x22 })).toEqual(expected);
    },
  );

  it('treats every newline as a boundary without a quote byte (NDJSON)', async () => {
    expect(await split('{"a":"\\""}\n\n{"b":1}\n', 3)).toEqual([
      { offset: 0, text: '{"a":"\\""}' },
      { offset: 12, text: '{"b":1}' },
    ]);
  });

  it('adds the start offset of a chunk', async () => {
    expect(await split('x\ny', 2, { start: 1000 })).toEqual([
      { offset: 1000, text: 'x' },
      { offset: 1002, text: 'y' },
    ]);
  });

  it('reports an oversized record by location without buffering it, and resumes after it', async () => {
    const big = 'z'.repeat(100);
    const out = await split(`ok\n${big}\nnext\n`, 8, { max: 16 });
    expect(out).toEqual([
      { offset: 0, text: 'ok' },
      { offset: 3, length: 100, oversized: true },
      { offset: 104, text: 'next' },
    ]);
  });

  it('reports an oversized last record without a newline', async () => {
    expect(await split(`a\n${'y'.repeat(40)}`, 5, { max: 10 })).toEqual([
      { offset: 0, text: 'a' },
      { offset: 2, length: 40, oversized: true },
    ]);
  });

  it('keeps quote parity while skipping an oversized quoted record', async () => {
    const out = await split(`1;"${'n\n'.repeat(20)}"\n2;ok\n`, 4, { quote: 0x22, max: 10 });
    expect(out).toEqual([
      { offset: 0, length: 44, oversized: true },
      { offset: 45, text: '2;ok' },
    ]);
  });
});
