import type { GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { describe, expect, it, vi } from 'vitest';
import { lakeViews } from '#domain/sql/lake-views.ts';
import { type AthenaLike, applyViews, type ViewsEvent } from '#functions/athena-views/athena-views.ts';

type Command = StartQueryExecutionCommand | GetQueryExecutionCommand;

/** An Athena client double: each statement succeeds after one RUNNING poll, unless `fail` matches it. */
function mockedAthena(fail?: RegExp) {
  const statements: { sql: string; workGroup?: string; database?: string }[] = [];
  let polls = 0;
  const send = vi.fn(async (command: Command) => {
    const input = command.input as unknown as Record<string, unknown>;
    if ('QueryString' in input) {
      statements.push({
        sql: String(input.QueryString),
        workGroup: input.WorkGroup as string,
        database: (input.QueryExecutionContext as { Database?: string }).Database,
      });
      return { QueryExecutionId: `q${statements.length}` };
    }
    polls++;
    const sql = statements.at(-1)?.sql ?? '';
    if (polls % 2 === 1) return { QueryExecution: { Status: { State: 'RUNNING' } } };
    if (fail?.test(sql)) {
      return {
        QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'COLUMN_NOT_FOUND: line 1' } },
      };
    }
    return { QueryExecution: { Status: { State: 'SUCCEEDED' } } };
  });
  return { athena: { send } as unknown as AthenaLike, statements };
}

const props = {
  Database: 'seizure_lake',
  WorkGroup: 'seizure-lake',
  Views: lakeViews.map((v) => ({ name: v.name, sql: v.sql })),
};

describe('Athena views custom resource (mocked AWS)', () => {
  it('creates every view in the workgroup and database, waiting for each', async () => {
    const { athena, statements } = mockedAthena();
    const result = await applyViews(
      athena,
      { RequestType: 'Create', ResourceProperties: props },
      { pollMs: 1 },
    );
    expect(result).toEqual({ PhysicalResourceId: 'seizure_lake/views' });
    expect(statements.map((s) => s.sql)).toEqual(
      lakeViews.map((v) => `CREATE OR REPLACE VIEW "${v.name}" AS\n${v.sql}`),
    );
    for (const s of statements)
      expect(s).toMatchObject({ workGroup: 'seizure-lake', database: 'seizure_lake' });
  });

  it('fails the deployment with the reason Athena gives', async () => {
    const { athena } = mockedAthena(/VIEW "handles"/);
    await expect(
      applyViews(athena, { RequestType: 'Create', ResourceProperties: props }, { pollMs: 1 }),
    ).rejects.toThrow(/COLUMN_NOT_FOUND/);
  });

  it('drops a view an update removed, and every view on delete', async () => {
    const { athena, statements } = mockedAthena();
    const update: ViewsEvent = {
      RequestType: 'Update',
      PhysicalResourceId: 'seizure_lake/views',
      ResourceProperties: { ...props, Views: props.Views.slice(0, 1) },
      OldResourceProperties: props,
    };
    await applyViews(athena, update, { pollMs: 1 });
    expect(statements.map((s) => s.sql.split('\n')[0])).toEqual([
      `CREATE OR REPLACE VIEW "${lakeViews[0]?.name}" AS`,
      ...lakeViews.slice(1).map((v) => `DROP VIEW IF EXISTS "${v.name}"`),
    ]);
    statements.length = 0;
    await applyViews(athena, { ...update, RequestType: 'Delete', ResourceProperties: props }, { pollMs: 1 });
    expect(statements.map((s) => s.sql)).toEqual(lakeViews.map((v) => `DROP VIEW IF EXISTS "${v.name}"`));
  });

  it('refuses a view name that is not a plain identifier', async () => {
    const { athena } = mockedAthena();
    const event: ViewsEvent = {
      RequestType: 'Create',
      ResourceProperties: { ...props, Views: [{ name: 'x"; DROP TABLE messages; --', sql: 'SELECT 1' }] },
    };
    await expect(applyViews(athena, event, { pollMs: 1 })).rejects.toThrow(/invalid view name/);
  });
});
