import fs from 'node:fs/promises';
import path from 'node:path';
import { messageFields } from '../schema/message-schema.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { type DuckDBSession, sqlList, sqlString } from './duckdb-session.ts';
import { lakeColumns } from './lake-columns.ts';
import { localCopies } from './local-copies.ts';

/** Target size of a lake file: large enough for Athena to read efficiently, small enough to write in one go. */
export const LAKE_FILE_BYTES = '512MB';

/** Parquet downloaded at once from S3 before it is filtered into the slice: bounds the scratch it takes. */
const DOWNLOAD_GROUP_BYTES = 1024 ** 3;

export interface SizedObject {
  key: string;
  bytes: number;
}

export interface PartitionSliceInput {
  importId: string;
  /** where the partition's files live */
  partitionPrefix: string;
  /** the partition's files as they were when finalize was planned (earlier imports, an earlier attempt) */
  existing: SizedObject[];
  /** this import's staged files of the month */
  staged: SizedObject[];
  /** the slice: rows whose message_id is in hash bucket `bucket` of `buckets` (1: the whole month) */
  bucket: number;
  buckets: number;
  /** lake file names before `-<i>.parquet` */
  fileStem: string;
  /** quarantine key for the provenance of the duplicates this import brought */
  duplicatesKey: string;
  workDirectory: string;
  /** Parquet downloaded at once from a store that is not a directory (default 1 GiB). */
  downloadGroupBytes?: number;
}

export interface PartitionSliceResult {
  /** rows of the slice in the partition after compaction, all imports */
  rows: number;
  files: { key: string; bytes: number; rows: number }[];
  /** per evidence object: rows of this import kept, and rows dropped as duplicates */
  bySource: Map<string, { written: number; duplicates: number }>;
  staged: number;
  duplicates: number;
}

// Columns stored in a lake file: every field but seizure_id, which the partition path carries.
const fileFields = messageFields.filter((f) => f.name !== 'seizure_id');
const fileColumns = fileFields.map((f) => f.name);

/**
 * The hash bucket of a message, in SQL. A message_id is 32 hex digits of SHA-256 (ids/message-ids.ts), so its
 * first 8 digits are already a uniform hash, the same in every DuckDB version: a retry after an upgrade puts
 * every row in the same slice as before.
 */
export function bucketSql(column: string, buckets: number): string {
  return `(('0x' || left(${column}, 8))::UBIGINT % ${buckets})`;
}

/**
 * Compacts one slice of a month partition: this import's staged rows of the slice merged with the rows of the
 * slice the partition already holds, one row per message_id (the row already in the lake wins, then the
 * earliest source location), sorted by send time, in few large files named after the slice. A row of this
 * same import already in the partition (a re-run) is replaced. Only the slice's own files are written, never
 * another's, and nothing is deleted: the reconcile step removes the files the import's slices replaced once
 * every slice is done, so a slice can be retried, or run beside its siblings, safely.
 */
export async function compactPartitionSlice(
  store: ObjectStore,
  duckdb: DuckDBSession,
  input: PartitionSliceInput,
): Promise<PartitionSliceResult> {
  const { connection } = duckdb;
  const inBucket =
    input.buckets === 1 ? 'true' : `${bucketSql('message_id', input.buckets)} = ${input.bucket}`;
  const download = path.join(input.workDirectory, 'in');

  /** The SELECTs that read one group of local files into the slice. */
  const selects = async (existing: string[], staged: string[]) => {
    const parts: string[] = [];
    if (existing.length) {
      // Files written before a field was added lack its column: it is read as NULL.
      const source = `read_parquet(${sqlList(existing)}, hive_partitioning = false, union_by_name = true)`;
      parts.push(`SELECT ${await lakeColumns(connection, source, fileFields)}, 0 AS _new FROM ${source}
        WHERE import_id <> ${sqlString(input.importId)} AND ${inBucket}`);
    }
    if (staged.length) {
      parts.push(`SELECT ${fileColumns.join(', ')}, 1 AS _new
        FROM read_parquet(${sqlList(staged)}, hive_partitioning = false) WHERE ${inBucket}`);
    }
    return parts;
  };

  const inputs = [
    ...input.existing.map((o) => ({ ...o, existing: true })),
    ...input.staged.map((o) => ({ ...o, existing: false })),
  ];
  // A directory store is read in place, all at once; from S3 the files come down a group at a time, and only
  // the slice's rows of each group stay (in DuckDB, which spills to its temp directory beyond its memory).
  const groups: (typeof inputs)[] = [[]];
  let groupBytes = 0;
  for (const o of inputs) {
    const current = groups.at(-1) as typeof inputs;
    const limit = input.downloadGroupBytes ?? DOWNLOAD_GROUP_BYTES;
    if (!store.localPath && current.length && groupBytes + o.bytes > limit) {
      groups.push([o]);
      groupBytes = o.bytes;
    } else {
      current.push(o);
      groupBytes += o.bytes;
    }
  }
  const selectsOf = async (group: typeof inputs) => {
    await fs.mkdir(download, { recursive: true });
    const local = await localCopies(
      store,
      'lake',
      group.map((o) => o.key),
      download,
    );
    return selects(
      local.filter((_, i) => group[i]?.existing),
      local.filter((_, i) => !group[i]?.existing),
    );
  };

  let source = 'temp.slice_rows';
  if (groups.length === 1) source = `(${(await selectsOf(groups[0] ?? [])).join('\nUNION ALL\n')})`;
  else {
    await connection.run('DROP TABLE IF EXISTS temp.slice_rows');
    let created = false;
    for (const group of groups) {
      for (const part of await selectsOf(group)) {
        await connection.run(
          created ? `INSERT INTO temp.slice_rows ${part}` : `CREATE TEMP TABLE slice_rows AS ${part}`,
        );
        created = true;
      }
      await fs.rm(download, { recursive: true, force: true });
    }
  }

  await connection.run(`CREATE OR REPLACE TEMP TABLE ranked AS
    SELECT *, row_number() OVER (PARTITION BY message_id ORDER BY _new, source_object, source_offset, import_id) AS _rank
    FROM ${source}`);
  await connection.run('DROP TABLE IF EXISTS temp.slice_rows');
  await fs.rm(download, { recursive: true, force: true });
  try {
    const total = await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ranked WHERE _rank = 1`);
    const rows = Number(total.getRowObjects()[0]?.n ?? 0);

    const out = path.join(input.workDirectory, 'out');
    await fs.rm(out, { recursive: true, force: true });
    await fs.mkdir(out, { recursive: true });
    if (rows > 0) {
      await connection.run(`COPY (SELECT ${fileColumns.join(', ')} FROM ranked WHERE _rank = 1 ORDER BY sent_at, message_id)
        TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${sqlString(LAKE_FILE_BYTES)},
        FILENAME_PATTERN ${sqlString(`${input.fileStem}-{i}`)}, OVERWRITE_OR_IGNORE)`);
    }

    const duplicatesFile = path.join(input.workDirectory, 'duplicates.ndjson');
    await connection.run(`COPY (
        SELECT d.message_id, d.source_object, d.source_offset, d.source_length,
               k.source_object AS kept_source_object, k.source_offset AS kept_source_offset, k.import_id AS kept_import_id
        FROM ranked d JOIN ranked k ON k.message_id = d.message_id AND k._rank = 1
        WHERE d._rank > 1 AND d._new = 1
        ORDER BY d.source_object, d.source_offset
      ) TO ${sqlString(duplicatesFile)} (FORMAT json)`);

    const sourceRows = await connection.runAndReadAll(`SELECT source_object,
        count(*) FILTER (WHERE _rank = 1)::BIGINT AS written, count(*) FILTER (WHERE _rank > 1)::BIGINT AS duplicates
      FROM ranked WHERE _new = 1 GROUP BY source_object`);
    const bySource = new Map<string, { written: number; duplicates: number }>();
    let stagedRows = 0;
    let duplicates = 0;
    for (const r of sourceRows.getRowObjects()) {
      const entry = { written: Number(r.written), duplicates: Number(r.duplicates) };
      bySource.set(String(r.source_object), entry);
      stagedRows += entry.written + entry.duplicates;
      duplicates += entry.duplicates;
    }

    // The slice's files overwrite those of an earlier attempt of the same slice; nothing else is touched.
    const written = (await fs.readdir(out)).filter((f) => f.endsWith('.parquet')).sort();
    const files: PartitionSliceResult['files'] = [];
    for (const f of written) {
      const file = path.join(out, f);
      const meta = await connection.runAndReadAll(
        `SELECT num_rows::BIGINT AS n FROM parquet_file_metadata(${sqlString(file)})`,
      );
      const key = `${input.partitionPrefix}${f}`;
      await store.write('lake', key, { file });
      files.push({ key, bytes: (await fs.stat(file)).size, rows: Number(meta.getRowObjects()[0]?.n ?? 0) });
    }

    const duplicatesNdjson = await fs.readFile(duplicatesFile);
    if (duplicatesNdjson.length)
      await store.write('quarantine', input.duplicatesKey, duplicatesNdjson, {
        contentType: 'application/x-ndjson',
      });
    else await store.delete('quarantine', input.duplicatesKey);

    return { rows, files, bySource, staged: stagedRows, duplicates };
  } finally {
    await connection.run('DROP TABLE IF EXISTS temp.ranked');
  }
}
