import fs from 'node:fs/promises';
import path from 'node:path';
import { messageFields } from '../schema/message-schema.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { type DuckDBSession, sqlList, sqlString } from './duckdb-session.ts';
import { lakeColumns } from './lake-columns.ts';
import { localCopies } from './local-copies.ts';

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
 * The rows of hash bucket `bucket` of `buckets`, in SQL: a range of message_id. A message_id is 32 hex digits
 * of SHA-256 (ids/message-ids.ts), already a uniform hash, so equal ranges of its first 8 digits are equal
 * buckets; the same in every DuckDB version (a retry after an upgrade cuts the same slices), exact for any
 * string (every id falls in exactly one range), and a plain comparison the Parquet scan applies to the
 * message_id column before it reads the others.
 */
export function bucketSql(column: string, bucket: number, buckets: number): string {
  const bound = (b: number) =>
    sqlString(
      Math.floor((b * 2 ** 32) / buckets)
        .toString(16)
        .padStart(8, '0'),
    );
  const conditions = [
    ...(bucket > 0 ? [`${column} >= ${bound(bucket)}`] : []),
    ...(bucket < buckets - 1 ? [`${column} < ${bound(bucket + 1)}`] : []),
  ];
  return conditions.length ? conditions.join(' AND ') : 'true';
}

/** The provenance columns de-duplication reads: ordering, counting and naming the dropped copies. */
const keyColumns = ['message_id', 'source_object', 'source_offset', 'source_length', 'import_id'];

/**
 * Compacts one slice of a month partition: this import's staged rows of the slice merged with the rows of the
 * slice the partition already holds, one row per message_id (the row already in the lake wins, then the
 * earliest source location), sorted by send time, in few large files named after the slice. A row of this
 * same import already in the partition (a re-run) is replaced. Only the slice's own files are written, never
 * another's, and nothing is deleted: the reconcile step removes the files the import's slices replaced once
 * every slice is done, so a slice can be retried, or run beside its siblings, safely.
 *
 * Memory: de-duplication ranks only the provenance columns (a row's file and row number point back to it);
 * the full rows are read once more, only to be sorted into the new files, a sort DuckDB spills to disk.
 */
export async function compactPartitionSlice(
  store: ObjectStore,
  duckdb: DuckDBSession,
  input: PartitionSliceInput,
): Promise<PartitionSliceResult> {
  const { connection } = duckdb;
  const inBucket = bucketSql('message_id', input.bucket, input.buckets);
  const notThisImport = `import_id <> ${sqlString(input.importId)}`;
  const download = path.join(input.workDirectory, 'in');
  const extracts = path.join(input.workDirectory, 'extracts');

  // A directory store is read in place; from S3 the files come down a group at a time, and the slice's rows
  // of each group are kept as a local Parquet extract (small: only this bucket, compressed).
  const local = { existing: [] as string[], staged: [] as string[] };
  const groups: { key: string; bytes: number; existing: boolean }[][] = [[]];
  let groupBytes = 0;
  for (const o of [
    ...input.existing.map((o) => ({ ...o, existing: true })),
    ...input.staged.map((o) => ({ ...o, existing: false })),
  ]) {
    const limit = input.downloadGroupBytes ?? DOWNLOAD_GROUP_BYTES;
    const current = groups.at(-1) as (typeof groups)[0];
    if (!store.localPath && current.length && groupBytes + o.bytes > limit) {
      groups.push([o]);
      groupBytes = o.bytes;
    } else {
      current.push(o);
      groupBytes += o.bytes;
    }
  }
  /** Local paths of a group's files (in place, or downloaded), existing and staged apart. */
  const localGroup = async (group: (typeof groups)[0]) => {
    await fs.mkdir(download, { recursive: true });
    const paths = await localCopies(
      store,
      'lake',
      group.map((o) => o.key),
      download,
    );
    return {
      existing: paths.filter((_, i) => group[i]?.existing),
      staged: paths.filter((_, i) => !group[i]?.existing),
    };
  };
  if (store.localPath || groups.length === 1) {
    Object.assign(local, await localGroup(groups[0] ?? []));
  } else {
    await fs.mkdir(extracts, { recursive: true });
    for (const [g, group] of groups.entries()) {
      const { existing, staged } = await localGroup(group);
      if (existing.length) {
        const source = readLake(existing);
        const file = path.join(extracts, `existing-${g}.parquet`);
        await connection.run(`COPY (SELECT ${await lakeColumns(connection, source, fileFields)} FROM ${source}
          WHERE ${notThisImport} AND ${inBucket}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
        local.existing.push(file);
      }
      if (staged.length) {
        const file = path.join(extracts, `staged-${g}.parquet`);
        await connection.run(`COPY (SELECT ${fileColumns.join(', ')} FROM ${readLake(staged)}
          WHERE ${inBucket}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
        local.staged.push(file);
      }
      await fs.rm(download, { recursive: true, force: true });
    }
  }

  /** The slice's rows of the sources, with `_new`, `_file` and `_row` naming each: `columns` of them. */
  const slice = async (columns: 'keys' | 'all') => {
    const parts: string[] = [];
    const pick = async (source: string) =>
      columns === 'keys' ? keyColumns.join(', ') : await lakeColumns(connection, source, fileFields);
    if (local.existing.length) {
      // Files written before a field was added lack its column: it is read as NULL.
      const source = readLake(local.existing);
      parts.push(`SELECT ${await pick(source)}, 0 AS _new, file_index::INTEGER AS _file, file_row_number AS _row
        FROM ${source} WHERE ${notThisImport} AND ${inBucket}`);
    }
    if (local.staged.length) {
      const source = readLake(local.staged, false);
      const cols = columns === 'keys' ? keyColumns.join(', ') : fileColumns.join(', ');
      parts.push(`SELECT ${cols}, 1 AS _new, file_index::INTEGER AS _file, file_row_number AS _row
        FROM ${source} WHERE ${inBucket}`);
    }
    return `(${parts.join('\nUNION ALL\n')})`;
  };

  await connection.run(`CREATE OR REPLACE TEMP TABLE ranked AS
    SELECT *, row_number() OVER (PARTITION BY message_id ORDER BY _new, source_object, source_offset, import_id) AS _rank
    FROM ${await slice('keys')}`);
  try {
    const total = await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ranked WHERE _rank = 1`);
    const rows = Number(total.getRowObjects()[0]?.n ?? 0);

    const out = path.join(input.workDirectory, 'out');
    await fs.rm(out, { recursive: true, force: true });
    await fs.mkdir(out, { recursive: true });
    if (rows > 0) {
      // One file per slice, its size bounded by the slice budget: DuckDB's FILE_SIZE_BYTES would hold the
      // sorted rows in memory instead of spilling them (measured: out of memory at 300 MB for 400 k rows).
      await connection.run(`COPY (
          SELECT ${fileColumns.join(', ')} FROM ${await slice('all')} s
          SEMI JOIN (SELECT _new, _file, _row FROM ranked WHERE _rank = 1) k
            ON s._new = k._new AND s._file = k._file AND s._row = k._row
          ORDER BY sent_at, message_id
        ) TO ${sqlString(path.join(out, `${input.fileStem}-0.parquet`))} (FORMAT parquet, COMPRESSION zstd)`);
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
    await fs.rm(download, { recursive: true, force: true });
    await fs.rm(extracts, { recursive: true, force: true });
  }
}

/** read_parquet over local files, each row with its file's index in `files` and its row number. */
function readLake(files: readonly string[], unionByName = true): string {
  return `read_parquet(${sqlList(files)}, hive_partitioning = false, file_row_number = true${unionByName ? ', union_by_name = true' : ''})`;
}
