import {
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandOutput,
} from '@aws-sdk/client-athena';

/** A view as the catalog construct passes it to the custom resource. */
export interface ViewDefinition {
  name: string;
  sql: string;
}

/** The custom resource's properties (CloudFormation passes them as strings and arrays). */
export interface ViewsProperties {
  Database: string;
  WorkGroup: string;
  Views: ViewDefinition[];
}

export interface AthenaLike {
  send(command: StartQueryExecutionCommand): Promise<StartQueryExecutionCommandOutput>;
  send(command: GetQueryExecutionCommand): Promise<GetQueryExecutionCommandOutput>;
}

/** The subset of a CloudFormation custom resource event the handler reads. */
export interface ViewsEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: ViewsProperties;
  OldResourceProperties?: ViewsProperties;
}

const VIEW_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Runs one DDL statement in the workgroup and waits for it: a view that Athena cannot create fails the
 * deployment with Athena's own reason, instead of leaving a stale view behind.
 */
export async function runStatement(
  athena: AthenaLike,
  props: Pick<ViewsProperties, 'Database' | 'WorkGroup'>,
  sql: string,
  options: { pollMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: props.WorkGroup,
      QueryExecutionContext: { Database: props.Database },
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new Error('Athena returned no query execution id');
  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  for (;;) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') return;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = QueryExecution?.Status?.StateChangeReason ?? state;
      throw new Error(`Athena ${state.toLowerCase()} "${sql.split('\n')[0]}": ${reason}`);
    }
    if (Date.now() > deadline) throw new Error(`Athena did not finish "${sql.split('\n')[0]}" in time`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

const quoted = (name: string) => {
  if (!VIEW_NAME.test(name)) throw new Error(`invalid view name: ${JSON.stringify(name)}`);
  return `"${name}"`;
};

export const createViewSql = (view: ViewDefinition) =>
  `CREATE OR REPLACE VIEW ${quoted(view.name)} AS\n${view.sql}`;
export const dropViewSql = (name: string) => `DROP VIEW IF EXISTS ${quoted(name)}`;

/**
 * Create and Update: (re)create every view, then drop the views an update removed. Delete: drop them all.
 * The physical id names the database, so moving to another database replaces the resource (and CloudFormation
 * then deletes the old views with the old properties).
 */
export async function applyViews(
  athena: AthenaLike,
  event: ViewsEvent,
  options: { pollMs?: number } = {},
): Promise<{ PhysicalResourceId: string }> {
  const props = event.ResourceProperties;
  const physicalId = `${props.Database}/views`;
  if (event.RequestType === 'Delete') {
    for (const view of props.Views) await runStatement(athena, props, dropViewSql(view.name), options);
    return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId };
  }
  for (const view of props.Views) await runStatement(athena, props, createViewSql(view), options);
  const kept = new Set(props.Views.map((v) => v.name));
  const old = event.OldResourceProperties;
  if (event.RequestType === 'Update' && old?.Database === props.Database) {
    for (const view of old.Views) {
      if (!kept.has(view.name)) await runStatement(athena, props, dropViewSql(view.name), options);
    }
  }
  return { PhysicalResourceId: physicalId };
}
