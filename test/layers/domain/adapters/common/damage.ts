import type { Prng } from '#generator/prng.ts';

/** Bytes that mean something in one format or another. */
const SPECIAL = Buffer.from('\n\r"\',;{}[]<>&:/\\@ \t\u0000', 'latin1');

/** A copy of `valid` damaged one to four times, as seized files are: bytes flipped, lost, doubled, cut short. */
export function damaged(valid: Buffer, prng: Prng): Buffer {
  let bytes = Buffer.from(valid);
  for (let n = 1 + prng.int(4); n > 0; n--) {
    const at = prng.int(bytes.length + 1);
    switch (prng.int(6)) {
      case 0: // a byte flipped to anything
        if (at < bytes.length) bytes[at] = prng.int(256);
        break;
      case 1: // a byte that means something to a parser
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          SPECIAL.subarray(prng.int(SPECIAL.length)).subarray(0, 1),
          bytes.subarray(at),
        ]);
        break;
      case 2: // a range lost
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + prng.int(200))]);
        break;
      case 3: // a range doubled
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          bytes.subarray(at, at + 1 + prng.int(200)),
          bytes.subarray(at),
        ]);
        break;
      case 4: // cut short
        bytes = bytes.subarray(0, at);
        break;
      default: // invalid UTF-8
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(at)]);
    }
  }
  return bytes;
}
