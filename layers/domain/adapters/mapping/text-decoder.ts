import iconv from 'iconv-lite';

/** Decodes a record's bytes, or returns undefined when they are not valid in the encoding. */
export type RecordDecoder = (bytes: Buffer) => string | undefined;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Records are cut on the newline byte, so only encodings that write ASCII as single bytes can be split
 * safely; UTF-16 and UTF-32 exports must be converted first.
 */
export function recordDecoder(encoding: string): RecordDecoder {
  const name = encoding.toLowerCase().replace(/_/g, '-');
  if (name === 'utf-8' || name === 'utf8') {
    const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return (bytes) => {
      try {
        return utf8.decode(bytes);
      } catch {
        return undefined;
      }
    };
  }
  if (/^(utf-?16|utf-?32|ucs-?2)/.test(name)) {
    throw new Error(
      `encoding "${encoding}" is not supported for line-based files: convert it to UTF-8 first`,
    );
  }
  if (!iconv.encodingExists(name)) throw new Error(`unknown encoding "${encoding}"`);
  return (bytes) => iconv.decode(bytes, name);
}

export function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && UTF8_BOM.every((b, i) => bytes[i] === b);
}
