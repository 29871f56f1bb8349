import type { Readable } from 'node:stream';
import type { Chunk, NormalizedRecord } from '../adapter.ts';
import { rejected } from './canonical-message.ts';

/** Longest text a marker may match: a match cut by a piece boundary is found in the next piece's carry. */
const MARKER_CARRY = 256;

/**
 * The safety net under a reader that walks a nested format (XML, a JSON export): in damaged bytes (a lost
 * bracket or quote, a start tag cut short) such a reader can lose its place and step over messages without
 * a record for them. This watches the chunk's bytes for where a message of the format begins (`marker`,
 * global, matched against the bytes as Latin-1, at most 256 bytes long) and, once the chunk is read,
 * quarantines every stretch between the records read that holds such a beginning: whatever looks like a
 * message ends up as a message or in the quarantine, never silently left out.
 */
export async function* withUnreadStretchesQuarantined(
  chunk: Chunk,
  bytes: Readable,
  marker: RegExp,
  read: (bytes: AsyncIterable<Buffer>) => AsyncIterable<NormalizedRecord[]>,
): AsyncIterable<NormalizedRecord[]> {
  const found: number[] = [];
  async function* watched(): AsyncIterable<Buffer> {
    let carry = Buffer.alloc(0);
    let carryOffset = chunk.start;
    for await (const piece of bytes as AsyncIterable<Buffer>) {
      const text = Buffer.concat([carry, piece]).toString('latin1');
      for (const match of text.matchAll(marker)) {
        // A match that ended inside the carry was found with the piece before.
        if (match.index + match[0].length > carry.length) found.push(carryOffset + match.index);
      }
      const keep = Math.min(MARKER_CARRY, text.length);
      carry = Buffer.from(text.slice(text.length - keep), 'latin1');
      carryOffset += text.length - keep;
      yield piece;
    }
  }

  const ranges: [number, number][] = [];
  for await (const batch of read(watched())) {
    for (const r of batch) {
      const located = 'message' in r ? r.message : r.rejection;
      ranges.push([located.source_offset, located.source_offset + located.source_length]);
    }
    yield batch;
  }
  const stretches = unreadStretches(chunk, ranges, found);
  if (stretches.length)
    yield stretches.map(({ start, end, markers }) =>
      rejected(
        chunk.file,
        start,
        end - start,
        `no record was read from these bytes, yet ${markers} message${markers === 1 ? '' : 's'} seem${markers === 1 ? 's' : ''} to begin in them: the file's structure is damaged here`,
      ),
    );
}

/** The stretches between records (or the chunk's ends) that hold a marker, with how many. */
function unreadStretches(
  chunk: Chunk,
  ranges: [number, number][],
  markers: number[],
): { start: number; end: number; markers: number }[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: { start: number; end: number; markers: number }[] = [];
  let i = 0; // the first range that does not end at or before the marker
  for (const at of markers) {
    while (i < ranges.length && (ranges[i] as [number, number])[1] <= at) i++;
    const next = ranges[i];
    if (next && next[0] <= at) continue; // inside a record
    const start = i > 0 ? (ranges[i - 1] as [number, number])[1] : chunk.start;
    const last = out.at(-1);
    if (last && last.start === start) last.markers++;
    else out.push({ start, end: next ? next[0] : chunk.end, markers: 1 });
  }
  return out;
}
