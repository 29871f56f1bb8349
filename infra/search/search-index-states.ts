import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Chain,
  type IChainable,
  JsonPath,
  Map as MapState,
  type RetryProps,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { nonRetryableErrors, taskRetries } from '../import-workflow/import-definition.ts';

/** The state names of the index step, as the console and the local runner show them. */
export const searchStates = {
  prepare: 'Prepare search index',
  partitions: 'Index partitions',
  partition: 'Index partition',
  complete: 'Check search index',
} as const;

/** Which handler each of these Task states runs (for the local runner's task map). */
export const searchTaskHandlers: Readonly<Record<string, 'index-seizure'>> = {
  [searchStates.prepare]: 'index-seizure',
  [searchStates.partition]: 'index-seizure',
  [searchStates.complete]: 'index-seizure',
};

/** The index step's own errors that a retry cannot mend (a refused message, a missing template). */
export const searchNonRetryableErrors = ['IndexIncompleteError', 'SearchSetupError'] as const;

const retries: readonly RetryProps[] = [
  { errors: [...nonRetryableErrors, ...searchNonRetryableErrors], maxAttempts: 0 },
  ...taskRetries.slice(1),
];

export interface SearchIndexStatesProps {
  /** The index-seizure function (Search.indexFunction). */
  indexFunction: IFunction;
  /** Month partitions indexed at once: the cluster's write capacity is the limit, not Lambda's. */
  maxConcurrency?: number;
  /** Where a failure of any of these states goes (its error under `$.error`), e.g. the workflow's failure path. */
  onFailure?: IChainable;
}

/**
 * The import's index step, to be chained after "Finalize import": prepare the seizure's index, index each
 * month partition the import wrote (inline Map over the months in the import report), then check that every
 * month's index count equals what was read from the lake. Expects the import reference (seizureId, importId,
 * ingestedAt) at the root of the state data and adds its results under `$.search`.
 */
export function searchIndexStates(scope: Construct, props: SearchIndexStatesProps): Chain {
  const ref = {
    seizureId: JsonPath.stringAt('$.seizureId'),
    importId: JsonPath.stringAt('$.importId'),
    ingestedAt: JsonPath.numberAt('$.ingestedAt'),
  };
  const task = (id: string, payload: Record<string, unknown>, resultPath: string, timeout: Duration) => {
    const t = new LambdaInvoke(scope, id, {
      stateName: id,
      lambdaFunction: props.indexFunction,
      payload: TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      // The retries below cover Lambda's transient errors; the task's own default would come first.
      retryOnServiceExceptions: false,
      resultPath,
      taskTimeout: Timeout.duration(timeout),
    });
    for (const r of retries) t.addRetry(r);
    return t;
  };
  const prepare = task(
    searchStates.prepare,
    { action: 'prepare', ...ref },
    '$.search.prepared',
    Duration.minutes(2),
  );
  const partition = new LambdaInvoke(scope, searchStates.partition, {
    stateName: searchStates.partition,
    lambdaFunction: props.indexFunction,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    // The function's own limit (15 minutes) and a minute more.
    taskTimeout: Timeout.duration(Duration.minutes(16)),
  });
  for (const r of retries) partition.addRetry(r);
  const partitions = new MapState(scope, searchStates.partitions, {
    stateName: searchStates.partitions,
    itemsPath: '$.search.prepared.months',
    itemSelector: {
      action: 'partition',
      seizureId: JsonPath.stringAt('$.seizureId'),
      month: JsonPath.stringAt('$$.Map.Item.Value'),
    },
    maxConcurrency: props.maxConcurrency ?? 4,
    resultPath: '$.search.partitions',
  });
  partitions.itemProcessor(partition);
  const complete = task(
    searchStates.complete,
    {
      action: 'complete',
      ...ref,
      prepared: JsonPath.objectAt('$.search.prepared'),
      partitions: JsonPath.listAt('$.search.partitions'),
    },
    '$.search.result',
    Duration.minutes(5),
  );
  if (props.onFailure) {
    for (const state of [prepare, partitions, complete])
      state.addCatch(props.onFailure, { resultPath: '$.error' });
  }
  return Chain.start(prepare).next(partitions).next(complete);
}
