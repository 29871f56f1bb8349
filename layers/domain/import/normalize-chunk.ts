import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  attachmentKey,
  type NormalizedRecord,
  type Rejection,
  type SecretResolver,
} from '../adapters/adapter.ts';
import { adapterFor } from '../adapters/adapter-registry.ts';
import { type EnrichmentContext, enrichMessage, enrichmentContext } from '../entities/enrich-message.ts';
import { ChunkParquetWriter } from '../lake/chunk-parquet-writer.ts';
import { type DuckDBSession, openDuckDB } from '../lake/duckdb-session.ts';
import type { Manifest } from '../manifest/manifest-schema.ts';
import type { CanonicalMessage } from '../schema/message-schema.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { chunkResultKey, landingFileKey, rejectedKey, stagingKey } from './import-layout.ts';
import type { ChunkResult, ChunkTask } from './import-types.ts';
import { mapChunkInSql, type SqlMappedChunk } from './map-chunk-in-sql.ts';
import { mapChunkNatively, type NativeMappedChunk } from './map-chunk-natively.ts';
import { nativeNormalize } from './native-normalize.ts';
import { readManifest } from './verify-evidence.ts';

/**
 * DuckDB's share of a normalize step: it bounds the step's memory whatever the chunk size (BENCHMARKS.md).
 * 512 MB rather than 256: mapping a chunk in SQL, the partitioned Parquet write was ~20% slower under
 * 256 MB (measured on a 52 MB chunk), and the step still peaks near 1 GB, well inside its Lambda.
 */
const NORMALIZE_DUCKDB_MEMORY = '512MB';

// The native path loads with this module (a Lambda's init phase, as DuckDB's library does), not in a chunk.
nativeNormalize();

export interface NormalizeOptions {
  /** Where the chunk's Parquet files are built before upload (Lambda: /tmp). */
  workDirectory?: string;
  /** Called after each batch with the records and bytes read so far in this chunk. */
  onProgress?: (records: number, bytes: number) => void;
  /** The cloud's secret store, for PGP keys and passphrases the manifest names by secret. */
  resolveSecret?: SecretResolver;
  /** Let DuckDB map what it can (default); false reads every record with the adapter, for comparison. */
  mapInSql?: boolean;
  /** Map NDJSON in the native fast path where it is built (default); false maps in DuckDB, for comparison. */
  mapNatively?: boolean;
}

/**
 * Step "normalize" (one Map item): reads one chunk of one evidence file, writes its messages as staged
 * Parquet and its rejected records to the quarantine, and records the chunk's counts. Every output key is
 * derived from the chunk, so a retried chunk overwrites its own output and never duplicates it.
 */
export async function normalizeChunk(
  store: ObjectStore,
  task: ChunkTask,
  options: NormalizeOptions = {},
): Promise<ChunkResult> {
  const { seizureId, importId, chunk } = task;
  const { manifest } = await readManifest(store, seizureId);
  const adapter = adapterFor(manifest, task, {
    readEvidence: (p) => store.readBuffer('landing', landingFileKey(seizureId, p)),
    resolveSecret: options.resolveSecret,
  });
  const enrichment = enrichmentContext(manifest);
  const work = await fs.mkdtemp(path.join(options.workDirectory ?? os.tmpdir(), `chunk-${chunk.chunkId}-`));
  // DuckDB only where it maps or writes: a chunk the native path takes never opens it.
  let duckdb: DuckDBSession | undefined;
  const connection = async () => {
    duckdb ??= await openDuckDB({
      threads: 1,
      tempDirectory: path.join(work, 'duckdb'),
      memoryLimit: NORMALIZE_DUCKDB_MEMORY,
    });
    return duckdb.connection;
  };
  try {
    const constants = {
      seizure_id: seizureId,
      case_id: manifest.caseId,
      platform: manifest.platform,
      import_id: importId,
      ingested_at: task.ingestedAt,
      source_object: chunk.file.key,
      source_sha256: chunk.file.sha256,
    };
    // The native path maps what it can map exactly (layers/native-normalize), else DuckDB (mapping-sql.ts);
    // otherwise, or for a chunk neither can read line by line exactly, the adapter reads every record.
    let mappedInSql: SqlMappedChunk | undefined;
    let mappedNatively: NativeMappedChunk | undefined;
    const local = path.join(work, 'chunk');
    let source = () => store.read('landing', chunk.file.key, { start: chunk.start, end: chunk.end });
    const native = options.mapNatively === false ? undefined : nativeNormalize();
    if (adapter.sqlMapping && options.mapInSql !== false) {
      const nativeInput = {
        chunk,
        mapping: adapter.sqlMapping,
        constants,
        ...nativeContext(manifest, enrichment),
      };
      // A directory store holds the evidence as a file: the native path maps the chunk's range in place.
      const evidence = store.localPath?.('landing', chunk.file.key);
      if (native && evidence) {
        mappedNatively = await mapChunkNatively(native, { ...nativeInput, file: evidence, fileStart: 0 });
      }
      if (!mappedNatively) {
        await pipeline(await source(), createWriteStream(local));
        // Downloaded once: a chunk the fast paths cannot read is read by the adapter from the same copy.
        source = async () => createReadStream(local);
        if (native && !evidence) {
          mappedNatively = await mapChunkNatively(native, {
            ...nativeInput,
            file: local,
            fileStart: chunk.start,
          });
        }
      }
      if (!mappedNatively) {
        mappedInSql = await mapChunkInSql(
          await connection(),
          chunk,
          local,
          adapter.sqlMapping,
          enrichment.defaultCountry,
          work,
        );
      }
    }
    // The staged rows go to the native path's writer when it mapped the chunk, else to DuckDB's.
    const writer = mappedNatively ? undefined : new ChunkParquetWriter(await connection(), work, constants);
    await writer?.open();
    const sink = mappedNatively ?? (writer as ChunkParquetWriter);
    const rejections: Rejection[] = [];
    let read = 0;
    const take = async (batch: NormalizedRecord[]) => {
      const messages: CanonicalMessage[] = [];
      for (const record of batch) {
        if ('message' in record) {
          // Entities and language, the same for every format: adapters leave them to this one place.
          enrichMessage(record.message, enrichment);
          messages.push(record.message);
          // Attachments are content-addressed: one object per distinct content, whichever chunk wrote it.
          for (const a of record.attachments ?? []) {
            const key = attachmentKey(a.sha256);
            if (await store.head('lake', key)) continue;
            await store.write(
              'lake',
              key,
              Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength),
              {
                contentType: a.mediaType ?? 'application/octet-stream',
              },
            );
          }
        } else rejections.push(record.rejection);
      }
      await sink.append(messages);
      read += batch.length;
      if (options.onProgress && batch.length)
        options.onProgress(read, endOf(batch[batch.length - 1]) - chunk.start);
    };
    const fast = mappedNatively ?? mappedInSql;
    if (fast) {
      await take(fast.others);
      read += fast.rows;
      options.onProgress?.(read, chunk.end - chunk.start);
    } else {
      for await (const batch of adapter.read(chunk, await source())) await take(batch);
    }
    await fs.rm(local, { force: true });
    const parquet = path.join(work, 'parquet');
    const files = mappedNatively
      ? await mappedNatively.finish(parquet)
      : await (writer as ChunkParquetWriter).finish(parquet, { mappedInSql });
    for (const f of files) {
      await store.write('lake', stagingKey(seizureId, importId, f.month, chunk.chunkId), {
        file: f.file,
        consume: true,
      });
    }
    const quarantineKey = rejectedKey(seizureId, importId, chunk.chunkId);
    if (rejections.length) {
      await store.write(
        'quarantine',
        quarantineKey,
        `${rejections.map((r) => JSON.stringify(r)).join('\n')}\n`,
        {
          contentType: 'application/x-ndjson',
        },
      );
    } else {
      await store.delete('quarantine', quarantineKey); // a retry that now rejects nothing leaves no stale file
    }
    const result: ChunkResult = {
      chunkId: chunk.chunkId,
      path: chunk.file.path,
      start: chunk.start,
      end: chunk.end,
      read,
      staged: files.reduce((n, f) => n + f.rows, 0),
      rejected: rejections.length,
      months: files.map((f) => ({ month: f.month, rows: f.rows })),
      ...(mappedInSql ? { mappedInSql: mappedInSql.rows } : {}),
      ...(mappedNatively ? { mappedNatively: mappedNatively.rows } : {}),
    };
    if (result.read !== result.staged + result.rejected) {
      throw new Error(
        `chunk ${chunk.chunkId}: read ${read} records but staged ${result.staged} and rejected ${rejections.length}`,
      );
    }
    await store.write('reports', chunkResultKey(seizureId, importId, chunk.chunkId), JSON.stringify(result), {
      contentType: 'application/json',
    });
    return result;
  } finally {
    duckdb?.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** What the native path needs of the manifest. */
function nativeContext(manifest: Manifest, enrichment: EnrichmentContext) {
  return {
    platform: manifest.platform,
    timezone: manifest.timezone,
    defaultCountry: enrichment.defaultCountry,
  };
}

function endOf(record: NormalizedRecord | undefined): number {
  if (!record) return 0;
  const r = 'message' in record ? record.message : record.rejection;
  return r.source_offset + r.source_length;
}
