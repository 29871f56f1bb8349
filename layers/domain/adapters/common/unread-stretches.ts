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
    let offset = chunk.start; // of the piece
    let tail = ''; // the last bytes before this piece, for a start cut in two by a piece boundary
    for await (const piece of bytes as AsyncIterable<Buffer>) {
      // Across the boundary: matches that begin in the tail and end in this piece.
      const across = tail + piece.toString('latin1', 0, Math.min(piece.length, MARKER_CARRY));
      for (const match of across.matchAll(marker))
        if (match.index < tail.length && match.index + match[0].length > tail.length)
          found.push(offset - tail.length + match.index);
      for (const match of piece.toString('latin1').matchAll(marker)) found.push(offset + match.index);
      tail = (tail + piece.toString('latin1', Math.max(0, piece.length - MARKER_CARRY))).slice(-MARKER_CARRY);
      offset += piece.length;
      yield piece;
    }
  }

  // Two arrays of numbers, not a pair per record: a chunk holds hundreds of thousands of records.
  const starts: number[] = [];
  const ends: number[] = [];
  for await (const batch of read(watched())) {
    for (const r of batch) {
      const located = 'message' in r ? r.message : r.rejection;
      starts.push(located.source_offset);
      ends.push(located.source_offset + located.source_length);
    }
    yield batch;
  }
  if (!ascending(found)) found.sort((a, b) => a - b);
  const stretches = unreadStretches(chunk, inFileOrder(starts, ends), found);
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

const ascending = (xs: readonly number[]) => xs.every((x, i) => i === 0 || (xs[i - 1] as number) <= x);

/** The records' ranges sorted by start: readers yield them in file order, so sorting is rarely needed. */
function inFileOrder(starts: number[], ends: number[]): { starts: number[]; ends: number[] } {
  if (ascending(starts)) return { starts, ends };
  const order = starts.map((_, i) => i).sort((a, b) => (starts[a] as number) - (starts[b] as number));
  return { starts: order.map((i) => starts[i] as number), ends: order.map((i) => ends[i] as number) };
}

/** The stretches between records (or the chunk's ends) that hold a marker, with how many. */
function unreadStretches(
  chunk: Chunk,
  { starts, ends }: { starts: number[]; ends: number[] },
  markers: number[],
): { start: number; end: number; markers: number }[] {
  const out: { start: number; end: number; markers: number }[] = [];
  let i = 0; // the first record that does not end at or before the marker
  for (const at of markers) {
    while (i < ends.length && (ends[i] as number) <= at) i++;
    if (i < starts.length && (starts[i] as number) <= at) continue; // inside a record
    const start = i > 0 ? (ends[i - 1] as number) : chunk.start;
    const last = out.at(-1);
    if (last && last.start === start) last.markers++;
    else out.push({ start, end: i < starts.length ? (starts[i] as number) : chunk.end, markers: 1 });
  }
  return out;
}
