import { sharedSearchClient } from '#domain/search/search-client.ts';
import { logger } from '../shared/powertools.ts';
import { type CustomResourceEvent, handleSetupEvent } from './search-setup-step.ts';

/**
 * Lambda entry point of the search setup custom resource (onEvent of a CDK Provider). Runs as the domain's
 * master user (its role is the fine-grained access control master), signed with SigV4.
 */
export async function handler(event: CustomResourceEvent) {
  logger.info('search setup', { requestType: event.RequestType });
  const response = await handleSetupEvent(event, sharedSearchClient());
  logger.info('search setup done', { ...response.Data });
  return response;
}
