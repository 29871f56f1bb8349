import { parseArgs } from 'node:util';
import { seizureHome } from '#local/seizure-home.ts';
import { openLocalLake, queryRows } from '#local/sql/local-lake.ts';
import { UsageError } from '../cli-errors.ts';
import { formatTable } from '../output/table.ts';

export const queryUsage = `seizure query "<SQL>" [--case <id>] [--json]

Runs SQL with DuckDB over the local lake. Tables and views: messages, contacts, handles.
  --case <id>  only this case's rows, in every table and view; no other file can be read
  --json       print an array of row objects`;

export async function queryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, case: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('query takes one SQL text (quote it)');
  if (values.case !== undefined && values.case.trim() === '') throw new UsageError('--case needs a case id');
  const duckdb = await openLocalLake(seizureHome(), values.case === undefined ? {} : { caseId: values.case });
  try {
    const { columns, rows } = await queryRows(duckdb, positionals[0] as string);
    process.stdout.write(
      values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTable(columns, rows)}\n`,
    );
    return 0;
  } finally {
    duckdb.close();
  }
}
