import { parseArgs } from 'node:util';
import { seizureHome } from '#local/seizure-home.ts';
import { openLocalLake, queryRows, type Row } from '#local/sql/local-lake.ts';
import { caseScope } from '../case-scope.ts';
import { UsageError } from '../cli-errors.ts';
import { formatTable } from '../output/table.ts';

export const queryUsage = `seizure query "<SQL>" [--case <id>] [--json]
seizure query --athena "<SQL>" [--case <id>] [--stack <name>] [--json]

Runs SQL with DuckDB over the local lake. Tables and views: messages, contacts, handles, entities,
identifiers, links, coverage.
  --case <id>     only this case's rows, in every table and view; no other file can be read
  --json          print an array of row objects
  --athena        run the SQL in the deployed Athena workgroup instead (AWS credentials from the
                  environment); the workgroup enforces encrypted results and a bytes-scanned limit.
                  With --case, in the case's own workgroup over the case database, where Lake
                  Formation gives your role that case's rows only
  --stack <name>  the deployed stack (default SeizureLake)`;

export async function queryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      case: { type: 'string' },
      athena: { type: 'boolean', default: false },
      stack: { type: 'string', default: 'SeizureLake' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('query takes one SQL text (quote it)');
  const scope = caseScope(values.case);
  const sql = positionals[0] as string;
  const print = (columns: string[], rows: Row[]) =>
    process.stdout.write(
      values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTable(columns, rows)}\n`,
    );

  if (values.athena) {
    const [{ AthenaClient }, { readStackOutputs }, { athenaTarget, runAthenaQuery }] = await Promise.all([
      import('@aws-sdk/client-athena'),
      import('../cloud/stack-outputs.ts'),
      import('../cloud/athena-query.ts'),
    ]);
    const outputs = await readStackOutputs(values.stack);
    const { columns, rows } = await runAthenaQuery(
      new AthenaClient({}),
      sql,
      athenaTarget(outputs, scope.caseId),
    );
    print(columns, rows);
    return 0;
  }

  const duckdb = await openLocalLake(seizureHome(), scope);
  try {
    const { columns, rows } = await queryRows(duckdb, sql);
    print(columns, rows);
    return 0;
  } finally {
    duckdb.close();
  }
}
