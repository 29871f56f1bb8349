import { createRequire } from 'node:module';
import path from 'node:path';
import { type LanguageTables, languageTables } from '../entities/ngram-language-detector.ts';

/** Where `npm run build:native` puts the native fast path (layers/native-normalize). */
export const nativeAddonPath = path.resolve(
  import.meta.dirname,
  '../../native-normalize/native-normalize.node',
);

export interface NativeMappedChunk {
  declined?: string;
  mapped: number;
  routedOffsets: number[];
  routedLengths: number[];
  bodies: string[];
}

export interface NativeStagedMonthFile {
  month: string;
  file: string;
  rows: number;
}

/** The addon's NDJSON chunk mapper (layers/native-normalize/src/lib.rs documents each call). */
export interface NdjsonChunkMapper {
  readonly zones: string[];
  map(
    file: string,
    from: number,
    to: number,
    offsetAt: (zone: number, year: number, month: number, day: number, hour: number) => number | null,
  ): NativeMappedChunk;
  write(directory: string, enrichment: string, routed: string, routedRows: number): NativeStagedMonthFile[];
}

export interface NativeNormalize {
  NdjsonChunkMapper: new (config: string) => NdjsonChunkMapper;
  setLanguageTables(tables: LanguageTables): void;
  /** Each text's language as the native detector finds it: its code, "" for none, "?" where it leaves it to JavaScript. */
  nativeLanguages(texts: string[]): string[];
  /** Each body's language as native enrichment finds it: its code, "" for none, "?" where JavaScript enriches it. */
  nativeEnrichment(bodies: string[]): string[];
  astralCasedCodePoints(): number[];
}

let loaded: NativeNormalize | null | undefined;

/** The native fast path, or undefined where it is not built (no Rust toolchain): normalize then maps in DuckDB. */
export function nativeNormalize(): NativeNormalize | undefined {
  if (loaded === undefined) {
    try {
      // On Lambda the addon comes in a layer, whose path the function is told (infra/lambda/native-normalize-layer.ts).
      const addon = process.env.NATIVE_NORMALIZE_ADDON ?? nativeAddonPath;
      loaded = createRequire(import.meta.url)(addon) as NativeNormalize;
      // Once per process: the native path detects languages with this module's very tables.
      loaded.setLanguageTables(languageTables());
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
