import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from '../shared/powertools.ts';
import { InvalidInputError } from '../shared/step.ts';
import { objectCreatedEventSchema, startImport, type TriggerDependencies } from './start-import.ts';

const s3 = tracer.captureAWSv3Client(new S3Client({ maxAttempts: 5, retryMode: 'standard' }));
const sfn = tracer.captureAWSv3Client(new SFNClient({ maxAttempts: 5, retryMode: 'standard' }));

const dependencies: TriggerDependencies = {
  async readObject(bucket, key, versionId) {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ChecksumMode: 'ENABLED' }),
    );
    return Buffer.from(await (response.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
  },
  sfn,
  stateMachineArn: required('STATE_MACHINE_ARN'),
  landingBucket: required('LANDING_BUCKET'),
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** EventBridge "Object Created" on the landing bucket → one import execution per manifest content. */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event) => {
    const parsed = objectCreatedEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidInputError(
        'trigger',
        parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`),
      );
    }
    const result = await startImport(dependencies, parsed.data);
    if (result.status === 'ignored') logger.warn('event ignored', { reason: result.reason });
    else logger.info(`import ${result.status}`, { executionName: result.executionName });
    metrics.addMetric(
      result.status === 'started'
        ? 'ImportsStarted'
        : result.status === 'duplicate'
          ? 'DuplicateTriggers'
          : 'IgnoredTriggers',
      MetricUnit.Count,
      1,
    );
    return result;
  });
