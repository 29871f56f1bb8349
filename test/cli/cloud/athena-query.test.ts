import { describe, expect, it } from 'vitest';
import { athenaTarget, runAthenaQuery } from '#cli/cloud/athena-query.ts';
import { caseWorkGroupName } from '#infra/access/case-names.ts';

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/** A fake Athena: a query that runs for two polls, then two pages of results. */
function fakeAthena(final: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED') {
  const calls: Command[] = [];
  let polls = 0;
  const columns = [
    { Name: 'sender', Type: 'varchar' },
    { Name: 'messages', Type: 'bigint' },
    { Name: 'share', Type: 'double' },
    { Name: 'flagged', Type: 'boolean' },
  ];
  const row = (...v: (string | undefined)[]) => ({
    Data: v.map((x) => (x === undefined ? {} : { VarCharValue: x })),
  });
  return {
    calls,
    async send(command: Command) {
      calls.push(command);
      switch (command.constructor.name) {
        case 'StartQueryExecutionCommand':
          return { QueryExecutionId: 'q-1' };
        case 'GetQueryExecutionCommand':
          polls++;
          return {
            QueryExecution: {
              Status:
                polls < 3
                  ? { State: 'RUNNING' }
                  : { State: final, StateChangeReason: 'Query exhausted resources at this scale factor' },
            },
          };
        case 'GetQueryResultsCommand':
          return command.input.NextToken
            ? { ResultSet: { Rows: [row('C9M4SZ', '9007199254740993', '0.5', 'false')] } }
            : {
                ResultSet: {
                  ResultSetMetadata: { ColumnInfo: columns },
                  Rows: [
                    row('sender', 'messages', 'share', 'flagged'),
                    row('A7K2QX', '12', '0.25', 'true'),
                    row(undefined, '3', undefined, undefined),
                  ],
                },
                NextToken: 'page-2',
              };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  };
}

describe('runAthenaQuery (mocked AWS: Athena)', () => {
  it('runs in the workgroup and database, waits for the query, and reads every page as typed rows', async () => {
    const athena = fakeAthena();
    const { columns, rows } = await runAthenaQuery(athena, 'SELECT 1', {
      workGroup: 'wg',
      database: 'db',
      pollMs: 1,
    });
    expect(athena.calls[0]!.input).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'wg',
      QueryExecutionContext: { Database: 'db' },
    });
    expect(athena.calls.filter((c) => c.constructor.name === 'GetQueryExecutionCommand')).toHaveLength(3);
    expect(columns).toEqual(['sender', 'messages', 'share', 'flagged']);
    expect(rows).toEqual([
      { sender: 'A7K2QX', messages: 12, share: 0.25, flagged: true },
      { sender: null, messages: 3, share: null, flagged: null },
      { sender: 'C9M4SZ', messages: '9007199254740993', share: 0.5, flagged: false },
    ]);
  });

  it("reports a failed query with Athena's reason", async () => {
    await expect(
      runAthenaQuery(fakeAthena('FAILED'), 'SELECT 1', { workGroup: 'wg', database: 'db', pollMs: 1 }),
    ).rejects.toThrow(/Athena query q-1 failed: Query exhausted resources/);
  });
});

describe('athenaTarget', () => {
  const outputs = {
    AthenaWorkGroupName: 'seizure-lake',
    GlueDatabaseName: 'lake',
    CaseDatabaseName: 'lake_cases',
  };

  it('queries the main workgroup and database without a case', () => {
    expect(athenaTarget(outputs)).toEqual({ workGroup: 'seizure-lake', database: 'lake' });
  });

  it("queries a case through the case's own workgroup, named as the stack names it, over the case database", () => {
    expect(athenaTarget(outputs, 'case-a')).toEqual({
      workGroup: caseWorkGroupName('seizure-lake', 'case-a'),
      database: 'lake_cases',
    });
    expect(caseWorkGroupName('seizure-lake', 'case-a')).toBe('seizure-lake-case-case-a');
  });

  it('refuses a case query against a stack deployed before case databases existed', () => {
    expect(() => athenaTarget({ ...outputs, CaseDatabaseName: undefined }, 'case-a')).toThrow(
      /no case database/,
    );
  });
});
