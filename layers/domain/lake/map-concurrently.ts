/**
 * `fn` over `items`, at most `concurrency` at a time, results in the order of `items`. For S3 requests a
 * step makes by the thousand (reading chunk results, downloading or deleting staged files): one at a time,
 * their latency alone would take minutes at a billion messages.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  return results;
}
