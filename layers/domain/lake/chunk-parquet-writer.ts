import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { DuckDBDataChunk } from '@duckdb/node-api';
import { duckdbColumns } from '../schema/duckdb-types.ts';
import { type CanonicalMessage, messageFields } from '../schema/message-schema.ts';
import { sqlString } from './duckdb-session.ts';
import { duckdbConverter, duckdbNodeType } from './duckdb-values.ts';

const types = messageFields.map((f) => duckdbNodeType(f.type));
const converters = messageFields.map((f) => duckdbConverter(f.type));
const names = messageFields.map((f) => f.name);
const BATCH = 2048;

export interface MonthFile {
  month: string;
  file: string;
  rows: number;
}

let tableCounter = 0;

/**
 * Collects one chunk's messages in a DuckDB table and writes them as zstd Parquet, one file per month,
 * sorted by send time. Memory grows with the chunk, never with the file or the seizure.
 */
export class ChunkParquetWriter {
  readonly #connection: DuckDBConnection;
  readonly #table = `chunk_${process.pid}_${++tableCounter}`;
  #appender: DuckDBAppender | undefined;
  #pending: CanonicalMessage[] = [];
  rows = 0;

  constructor(connection: DuckDBConnection) {
    this.#connection = connection;
  }

  async open(): Promise<void> {
    await this.#connection.run(`CREATE TABLE ${this.#table} (\n  ${duckdbColumns()}\n)`);
    this.#appender = await this.#connection.createAppender(this.#table);
  }

  append(messages: readonly CanonicalMessage[]): void {
    for (const m of messages) {
      this.#pending.push(m);
      if (this.#pending.length === BATCH) this.#flush();
    }
  }

  #flush(): void {
    const batch = this.#pending;
    if (!batch.length) return;
    const chunk = DuckDBDataChunk.create(types, batch.length);
    for (let c = 0; c < names.length; c++) {
      const name = names[c] as keyof CanonicalMessage;
      const convert = converters[c] as (v: unknown) => never;
      chunk.setColumnValues(
        c,
        batch.map((m) => convert(m[name])),
      );
    }
    (this.#appender as DuckDBAppender).appendDataChunk(chunk);
    this.rows += batch.length;
    this.#pending = [];
  }

  /** Writes the Parquet files into `directory` (one sub-directory per month) and drops the table. */
  async finish(directory: string): Promise<MonthFile[]> {
    this.#flush();
    const appender = this.#appender as DuckDBAppender;
    appender.closeSync();
    try {
      if (this.rows === 0) return [];
      await this.#connection.run(
        `COPY (SELECT *, strftime(sent_at, '%Y-%m') AS sent_month FROM ${this.#table} ORDER BY sent_at, message_id)
         TO ${sqlString(directory)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (sent_month), OVERWRITE_OR_IGNORE)`,
      );
      const counts = await this.#connection.runAndReadAll(
        `SELECT strftime(sent_at, '%Y-%m') AS month, count(*)::INTEGER AS n FROM ${this.#table} GROUP BY 1 ORDER BY 1`,
      );
      const files: MonthFile[] = [];
      for (const row of counts.getRowObjects()) {
        const month = String(row.month);
        const dir = path.join(directory, `sent_month=${month}`);
        const written = (await fs.readdir(dir)).filter((f) => f.endsWith('.parquet'));
        if (written.length !== 1)
          throw new Error(`expected one Parquet file for ${month}, found ${written.length}`);
        files.push({ month, file: path.join(dir, written[0] as string), rows: Number(row.n) });
      }
      return files;
    } finally {
      await this.#connection.run(`DROP TABLE IF EXISTS ${this.#table}`);
    }
  }
}
