import os from 'node:os';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ObjectStore } from '#domain/storage/object-store.ts';
import { logger, metrics, tracer } from './powertools.ts';
import { parseInput, type Step, type StepSettings } from './step.ts';

/** The settings a step reads from its function's environment (set by the construct). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): StepSettings {
  const chunkBytes = env.CHUNK_BYTES ? Number(env.CHUNK_BYTES) : undefined;
  const sliceBytes = env.SLICE_BYTES ? Number(env.SLICE_BYTES) : undefined;
  return {
    workDirectory: os.tmpdir(),
    ...(chunkBytes ? { chunkBytes } : {}),
    ...(sliceBytes ? { sliceBytes } : {}),
    ...(env.DUCKDB_MEMORY_LIMIT ? { duckdbMemoryLimit: env.DUCKDB_MEMORY_LIMIT } : {}),
  };
}

/** Validates the event against the step's schema (before the handler runs) and tags the logs with its ids. */
function validateEvent<I, O>(step: Step<I, O>): MiddlewareObj<unknown, O> {
  return {
    before: (request) => {
      const input = parseInput(step, request.event);
      request.event = input;
      if (step.logKeys) logger.appendKeys(step.logKeys(input));
    },
    onError: (request) => {
      // The error's name and message (ids, paths, counts), never the event: it may hold evidence paths.
      logger.error(`step ${step.name} failed`, request.error as Error);
    },
  };
}

/**
 * A Lambda handler for one import step: Powertools tracing, structured logs and metrics around input
 * validation and the step's own work. Errors are rethrown unchanged, so Step Functions sees their names
 * (EvidenceVerificationError, ...) and its Retry and Catch rules apply by name.
 */
export function stepHandler<I, O>(step: Step<I, O>, store: ObjectStore, settings: StepSettings) {
  return middy<unknown, O, Error, Context>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(validateEvent(step))
    .handler(async (event) => {
      const output = await step.run(store, event as I, settings);
      for (const m of step.metrics?.(output) ?? []) metrics.addMetric(m.name, MetricUnit.Count, m.value);
      return output;
    });
}
