import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Chunk, NormalizedRecord } from '#domain/adapters/adapter.ts';
import { rejected } from '#domain/adapters/common/canonical-message.ts';
import { withUnreadStretchesQuarantined } from '#domain/adapters/common/unread-stretches.ts';
import { testFile } from './adapter-harness.ts';

/**
 * The safety net under nested readers: every stretch between the records read that holds the start of a
 * message is quarantined. A stand-in reader here "reads" records at given places (as rejections, which
 * carry a location the same way messages do).
 */
const MARKER = /<msg>/g;

async function run(
  text: string,
  records: [number, number][],
  options: { start?: number; piece?: number } = {},
) {
  const start = options.start ?? 0;
  const bytes = Buffer.from(text, 'latin1');
  const file = testFile(bytes);
  const chunk: Chunk = { chunkId: 'c', index: 0, file, start, end: start + bytes.length };
  const piece = options.piece ?? bytes.length;
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += piece) pieces.push(bytes.subarray(at, at + piece));
  const reader = async function* (watched: AsyncIterable<Buffer>): AsyncIterable<NormalizedRecord[]> {
    for await (const _ of watched); // a reader consumes its bytes before it yields what it found
    yield records.map(([offset, length]) => rejected(file, start + offset, length, 'read'));
  };
  const out: NormalizedRecord[] = [];
  for await (const batch of withUnreadStretchesQuarantined(chunk, Readable.from(pieces), MARKER, reader))
    out.push(...batch);
  return out
    .flatMap((r) => ('rejection' in r && r.rejection.reason !== 'read' ? [r.rejection] : []))
    .map((r) => ({ offset: r.source_offset - start, length: r.source_length, reason: r.reason }));
}

describe('unread stretches are quarantined', () => {
  it('adds nothing when every message start lies inside a record read', async () => {
    const text = 'head <msg>one</msg> <msg>two</msg> tail';
    expect(
      await run(text, [
        [5, 14],
        [20, 14],
      ]),
    ).toEqual([]);
  });

  it('quarantines the stretch between two records that holds a message start, with how many', async () => {
    const text = '<msg>a</msg> <msg>b</msg> <msg>c</msg> <msg>d</msg>';
    //            0           13           26           39
    const found = await run(text, [
      [0, 12],
      [39, 12],
    ]);
    expect(found).toEqual([
      {
        offset: 12,
        length: 27,
        reason: expect.stringMatching(/^no record was read from these bytes, yet 2 messages seem/),
      },
    ]);
  });

  it('quarantines a stretch before the first record and after the last, in a chunk that starts mid-file', async () => {
    const text = '<msg>lost <msg>read</msg> tail <msg>cut sho';
    const found = await run(text, [[10, 15]], { start: 1000 });
    expect(found.map(({ offset, length }) => [offset, length])).toEqual([
      [0, 10],
      [25, 18],
    ]);
    expect(found[1]?.reason).toContain('1 message seems to begin');
  });

  it('finds a message start cut in two by the pieces the bytes arrive in, once', async () => {
    const text = 'xx<msg>yy';
    for (const piece of [1, 2, 3, 4, 9]) {
      expect(await run(text, [], { piece })).toEqual([
        { offset: 0, length: 9, reason: expect.stringContaining('1 message seems') },
      ]);
    }
  });
});
