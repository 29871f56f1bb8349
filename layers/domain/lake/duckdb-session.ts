import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface DuckDBOptions {
  /** Worker threads; 1 keeps a normalize step on one core as a Lambda would. */
  threads?: number;
  /** e.g. '1GB'; DuckDB spills to `tempDirectory` beyond it. */
  memoryLimit?: string;
  tempDirectory?: string;
}

export interface DuckDBSession {
  connection: DuckDBConnection;
  close(): void;
}

/**
 * An in-memory DuckDB with times shown in UTC. One per use: instances are cheap, and a connection shared
 * by concurrent steps would serialize them.
 */
export async function openDuckDB(options: DuckDBOptions = {}): Promise<DuckDBSession> {
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(':memory:', config);
  const connection = await instance.connect();
  // Set once ICU has loaded (it cannot be set in the instance config); Parquet times are UTC instants.
  await connection.run("SET TimeZone = 'UTC'");
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

// SQL text for paths and ids; kept apart so that code without DuckDB (the plan step) can quote too.
export { sqlList, sqlString } from '../sql/sql-literals.ts';
