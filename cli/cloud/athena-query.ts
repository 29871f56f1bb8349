import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { caseWorkGroupName } from '#infra/access/case-names.ts';
import type { Row } from '#local/sql/local-lake.ts';
import type { SeizureLakeOutputs } from './stack-outputs.ts';

/**
 * Where a query runs: the main workgroup and database, or, for `--case`, the case's own workgroup over the
 * case database, whose table Lake Formation filters to the case (an analyst's role is granted nothing else).
 */
export function athenaTarget(
  outputs: Pick<SeizureLakeOutputs, 'AthenaWorkGroupName' | 'GlueDatabaseName' | 'CaseDatabaseName'>,
  caseId?: string,
): { workGroup: string; database: string } {
  if (caseId === undefined)
    return { workGroup: outputs.AthenaWorkGroupName, database: outputs.GlueDatabaseName };
  if (!outputs.CaseDatabaseName)
    throw new Error('the deployed stack has no case database: deploy this version to query by case');
  return {
    workGroup: caseWorkGroupName(outputs.AthenaWorkGroupName, caseId),
    database: outputs.CaseDatabaseName,
  };
}

export interface AthenaQueryOptions {
  workGroup: string;
  database: string;
  /** First pause between status checks; doubles up to two seconds. */
  pollMs?: number;
}

const numeric = new Set(['tinyint', 'smallint', 'integer', 'bigint', 'double', 'float', 'real', 'decimal']);

function value(text: string | undefined, column: ColumnInfo): Row[string] {
  if (text === undefined) return null;
  const type = (column.Type ?? 'varchar').toLowerCase();
  if (numeric.has(type)) {
    const n = Number(text);
    return Number.isSafeInteger(n) || !Number.isInteger(n) ? n : text;
  }
  if (type === 'boolean') return text === 'true';
  return text;
}

/**
 * Runs SQL in the deployed Athena workgroup (which enforces encryption and a bytes-scanned limit) and returns
 * its rows as JSON values, like `seizure query` does over the local lake.
 */
export async function runAthenaQuery(
  client: Pick<AthenaClient, 'send'>,
  sql: string,
  options: AthenaQueryOptions,
): Promise<{ columns: string[]; rows: Row[] }> {
  const { QueryExecutionId: id } = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: options.workGroup,
      QueryExecutionContext: { Database: options.database },
    }),
  );
  if (!id) throw new Error('Athena did not return a query execution id');
  let pause = options.pollMs ?? 250;
  for (;;) {
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') {
      throw new Error(
        `Athena query ${id} ${state.toLowerCase()}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
      );
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 2000);
  }
  let columns: ColumnInfo[] = [];
  const rows: Row[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
    if (first) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    const data = page.ResultSet?.Rows ?? [];
    // The first row of a SELECT's first page repeats the column names.
    const start = first && data[0]?.Data?.every((d, i) => d.VarCharValue === columns[i]?.Name) ? 1 : 0;
    for (const r of data.slice(start)) {
      const row: Row = {};
      columns.forEach((c, i) => {
        row[c.Name ?? `_${i}`] = value(r.Data?.[i]?.VarCharValue, c);
      });
      rows.push(row);
    }
    token = page.NextToken;
    first = false;
  } while (token);
  return { columns: columns.map((c, i) => c.Name ?? `_${i}`), rows };
}
