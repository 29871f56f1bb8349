import fs from 'node:fs/promises';
import path from 'node:path';
import { messageFields } from '../schema/message-schema.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { type DuckDBSession, sqlList, sqlString } from './duckdb-session.ts';
import { lakeColumns } from './lake-columns.ts';
import { listKeys, localCopies } from './local-copies.ts';

/** Target size of a lake file: large enough for Athena to read efficiently, small enough to write in one go. */
export const LAKE_FILE_BYTES = '512MB';

export interface PartitionInput {
  seizureId: string;
  importId: string;
  month: string;
  /** lake keys of the partition's current files */
  partitionPrefix: string;
  /** lake keys of this import's staged files for the month */
  stagedKeys: string[];
  /** quarantine key for the provenance of the duplicates this import brought */
  duplicatesKey: string;
  workDirectory: string;
}

export interface PartitionResult {
  month: string;
  /** rows in the partition after compaction, all imports */
  rows: number;
  files: string[];
  /** per evidence object: rows of this import kept, and rows dropped as duplicates */
  bySource: Map<string, { written: number; duplicates: number }>;
  staged: number;
}

// Columns stored in a lake file: every field but seizure_id, which the partition path carries.
const fileFields = messageFields.filter((f) => f.name !== 'seizure_id');
const fileColumns = fileFields.map((f) => f.name);

/**
 * Merges this import's staged rows into a month partition: one row per message_id (the row already in the
 * lake wins, then the earliest source location), sorted by send time, in few large files. A row of this
 * same import already in the partition (a re-run) is replaced, so compaction can be repeated safely.
 */
export async function compactPartition(
  store: ObjectStore,
  duckdb: DuckDBSession,
  input: PartitionInput,
): Promise<PartitionResult> {
  const { connection } = duckdb;
  const existingKeys = await listKeys(store, 'lake', input.partitionPrefix, '.parquet');
  const download = path.join(input.workDirectory, 'in');
  await fs.mkdir(download, { recursive: true });
  const existing = await localCopies(store, 'lake', existingKeys, download);
  const staged = await localCopies(store, 'lake', input.stagedKeys, download);

  const parts: string[] = [];
  if (existing.length) {
    // Files written before a field was added lack its column: it is read as NULL.
    const source = `read_parquet(${sqlList(existing)}, hive_partitioning = false, union_by_name = true)`;
    parts.push(`SELECT ${await lakeColumns(connection, source, fileFields)}, 0 AS _new FROM ${source}
      WHERE import_id <> ${sqlString(input.importId)}`);
  }
  parts.push(
    `SELECT ${fileColumns.join(', ')}, 1 AS _new FROM read_parquet(${sqlList(staged)}, hive_partitioning = false)`,
  );
  await connection.run(`CREATE OR REPLACE TEMP TABLE ranked AS
    SELECT *, row_number() OVER (PARTITION BY message_id ORDER BY _new, source_object, source_offset, import_id) AS _rank
    FROM (${parts.join('\nUNION ALL\n')})`);
  try {
    const out = path.join(input.workDirectory, 'out');
    await fs.rm(out, { recursive: true, force: true });
    await connection.run(`COPY (SELECT ${fileColumns.join(', ')} FROM ranked WHERE _rank = 1 ORDER BY sent_at, message_id)
      TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${sqlString(LAKE_FILE_BYTES)},
      FILENAME_PATTERN ${sqlString(`part-${input.importId}-{i}`)})`);

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
    for (const r of sourceRows.getRowObjects()) {
      const entry = { written: Number(r.written), duplicates: Number(r.duplicates) };
      bySource.set(String(r.source_object), entry);
      stagedRows += entry.written + entry.duplicates;
    }
    const total = await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ranked WHERE _rank = 1`);
    const rows = Number(total.getRowObjects()[0]?.n ?? 0);

    // Write the new files first, then remove the ones they replace: a crash in between leaves rows twice,
    // which the next run of this step folds back into one.
    const written = (await fs.readdir(out)).filter((f) => f.endsWith('.parquet')).sort();
    const newKeys = written.map((f) => `${input.partitionPrefix}${f}`);
    for (const [i, f] of written.entries())
      await store.write('lake', newKeys[i] as string, { file: path.join(out, f) });
    for (const key of existingKeys) if (!newKeys.includes(key)) await store.delete('lake', key);

    const duplicates = await fs.readFile(duplicatesFile);
    if (duplicates.length)
      await store.write('quarantine', input.duplicatesKey, duplicates, {
        contentType: 'application/x-ndjson',
      });
    else await store.delete('quarantine', input.duplicatesKey);

    return { month: input.month, rows, files: newKeys, bySource, staged: stagedRows };
  } finally {
    await connection.run('DROP TABLE IF EXISTS temp.ranked');
  }
}
