import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { AthenaClient } from '@aws-sdk/client-athena';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../shared/powertools.ts';
import { applyViews, type ViewsEvent } from './athena-views.ts';

const athena = new AthenaClient({ maxAttempts: 5, retryMode: 'standard' });

/**
 * The catalog's views as a deploy-time custom resource (Provider framework onEvent handler): Athena itself
 * creates them from lakeViews' SQL, so their column types are Athena's own and never drift from the table.
 */
export const handler = middy<ViewsEvent, { PhysicalResourceId: string }, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    logger.info('applying views', {
      requestType: event.RequestType,
      database: event.ResourceProperties.Database,
      views: event.ResourceProperties.Views.map((v) => v.name),
    });
    return applyViews(athena, event);
  });
