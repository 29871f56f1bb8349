import type { ByteRange } from './object-store.ts';

/** 8 MiB ranges, 4 at once: one S3 stream runs at ~90 MB/s, a hash at over 1 GB/s (BENCHMARKS.md). */
export const READ_AHEAD_RANGE_BYTES = 8 * 1024 * 1024;
export const READ_AHEAD_PARALLEL = 4;

export interface ReadAheadOptions {
  rangeBytes?: number;
  /** ranges requested at once, the one being consumed included */
  parallel?: number;
}

/**
 * The bytes `[0, size)` of an object in order, each range of `rangeBytes` fetched by `readRange` while the
 * ranges before it are consumed, `parallel` at a time: a consumer such as SHA-256, which must see the bytes
 * in order, runs at its own speed instead of one stream's. Holds at most `parallel` ranges in memory.
 */
export async function* readAhead(
  readRange: (range: ByteRange) => Promise<Buffer>,
  size: number,
  options: ReadAheadOptions = {},
): AsyncGenerator<Buffer> {
  const rangeBytes = options.rangeBytes ?? READ_AHEAD_RANGE_BYTES;
  const parallel = Math.max(1, options.parallel ?? READ_AHEAD_PARALLEL);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid object size: ${size}`);
  if (!Number.isSafeInteger(rangeBytes) || rangeBytes < 1)
    throw new RangeError(`invalid range size: ${rangeBytes}`);
  const ranges = Math.ceil(size / rangeBytes);
  const pending: Promise<Buffer>[] = [];
  let next = 0;
  const request = () => {
    const start = next * rangeBytes;
    const end = Math.min(size, start + rangeBytes);
    const fetched = readRange({ start, end }).then((bytes) => {
      if (bytes.length !== end - start)
        throw new Error(`range [${start}, ${end}) returned ${bytes.length} bytes: the object changed`);
      return bytes;
    });
    // A range that fails while an earlier one is consumed is reported when its turn comes, not as unhandled.
    fetched.catch(() => {});
    pending.push(fetched);
    next++;
  };
  try {
    for (let i = 0; i < ranges; i++) {
      while (next < ranges && pending.length < parallel) request();
      yield await pending.shift()!;
    }
  } finally {
    pending.length = 0;
  }
}
