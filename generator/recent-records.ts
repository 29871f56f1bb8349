import type { Prng } from './prng.ts';

/**
 * The last records written, from which exact repeats are drawn: a re-exported page, a record the tool
 * wrote twice. A fixed-size ring, so memory does not grow with the dump.
 */
export class RecentRecords {
  private readonly ring: string[] = [];
  private readonly capacity: number;
  private next = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  add(record: string): void {
    if (this.ring.length < this.capacity) this.ring.push(record);
    else this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.ring.length;
  }

  pick(rng: Prng): string {
    return this.ring[rng.int(this.ring.length)] as string;
  }
}
