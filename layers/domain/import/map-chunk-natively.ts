import type { CountryCode } from 'libphonenumber-js/max';
import type { Chunk, NormalizedRecord, SqlChunkMapping } from '../adapters/adapter.ts';
import { MAX_RECORD_BYTES } from '../adapters/mapping/mapping-adapter.ts';
import { enrichDistinctBody } from '../entities/enrich-message.ts';
import { type ChunkConstants, type MonthFile, stagedRowSerializer } from '../lake/chunk-parquet-writer.ts';
import type { CanonicalMessage } from '../schema/message-schema.ts';
import { messageFields } from '../schema/message-schema.ts';
import { zoneHourOffsets } from '../time/timestamp-parser.ts';
import { mapRecordsAt } from './map-chunk-in-sql.ts';
import type { NativeNormalize, NdjsonChunkMapper } from './native-normalize.ts';

export interface NativeChunkInput {
  chunk: Chunk;
  /** A file holding the chunk's bytes: the evidence itself (local mode), or the chunk downloaded. */
  file: string;
  /** The evidence offset of the file's first byte: 0 for the evidence itself, the chunk's start for a copy. */
  fileStart: number;
  mapping: SqlChunkMapping;
  platform: string;
  timezone: string;
  constants: ChunkConstants;
  defaultCountry: CountryCode;
}

/** A chunk the native path mapped: its own rows are held natively until `finish` writes them with the others. */
export interface NativeMappedChunk {
  /** Records mapped natively. */
  rows: number;
  /** Every other record of the chunk, mapped or rejected by the adapter itself, in file order. */
  others: NormalizedRecord[];
  /** Collects the adapter's messages (enriched) for the staged files, as ChunkParquetWriter does. */
  append(messages: readonly CanonicalMessage[]): Promise<void>;
  /** Writes every staged row, one zstd Parquet file per month, into `directory`. */
  finish(directory: string): Promise<MonthFile[]>;
}

/**
 * Maps one chunk of NDJSON in the native fast path (layers/native-normalize): every record the mapping
 * certainly maps, exactly as the JavaScript mapping would, in one pass; the others through the adapter's own
 * mapping (the same bytes and offsets); enrichment once per distinct body, here in JavaScript. Undefined when
 * the fast path does not read this mapping or chunk: the caller then maps it in DuckDB.
 */
export async function mapChunkNatively(
  addon: NativeNormalize,
  input: NativeChunkInput,
): Promise<NativeMappedChunk | undefined> {
  const { chunk, mapping } = input;
  let mapper: NdjsonChunkMapper;
  try {
    mapper = new addon.NdjsonChunkMapper(
      JSON.stringify({
        mapping: mapping.mapping,
        platform: input.platform,
        timezone: input.timezone,
        fields: messageFields.map((f) => ({ name: f.name, type: f.type })),
        constants: input.constants,
        chunkStart: chunk.start,
        maxRecordBytes: MAX_RECORD_BYTES,
      }),
    );
  } catch {
    return undefined; // a mapping the fast path does not read (the reason is the DuckDB path's concern)
  }
  const zones = mapper.zones.map((zone) => zoneHourOffsets(zone));
  const from = chunk.start - input.fileStart;
  const mapped = mapper.map(
    input.file,
    from,
    from + chunk.end - chunk.start,
    (zone, year, month, day, hour) =>
      (zones[zone] as ReturnType<typeof zoneHourOffsets>)(year, month, day, hour),
  );
  if (mapped.declined) return undefined;
  const others = await mapRecordsAt(chunk, input, mapping, mapped.routedOffsets, mapped.routedLengths);
  const serialize = stagedRowSerializer(input.constants);
  const routed: string[] = [];
  return {
    rows: mapped.mapped,
    others,
    async append(messages) {
      for (const m of messages) routed.push(serialize(m));
    },
    async finish(directory) {
      const findings = mapped.bodies.map((body) => {
        const found = enrichDistinctBody(body, input.defaultCountry);
        return JSON.stringify({
          language: found.language,
          entities: found.entities,
          mentioned_geo: found.mentioned_geo,
        });
      });
      return mapper.write(directory, joinLines(findings), joinLines(routed), routed.length);
    },
  };
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
