import type { Client } from '@opensearch-project/opensearch';
import { domainConnectionFromEnvironment } from '#domain/search/domain-endpoint.ts';
import { redactUrl, sharedSearchClient } from '#domain/search/search-client.ts';
import { installIndexTemplate, installIsmPolicy } from '#domain/search/search-setup.ts';
import { openSearchStatus, startOpenSearch } from '#local/opensearch/stack.ts';
import { seizureHome } from '#local/seizure-home.ts';

/** No OpenSearch to search or index with: the message says which one was looked for and what to do. */
export class SearchUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SearchUnavailableError';
  }
}

export interface LocalSearchOptions {
  /** `$SEIZURE_HOME` (default from the environment). */
  home?: string;
  /**
   * Start this home's node when none answers (provisioning it on first use), as an import does so that its
   * messages become searchable. Off for `seizure search`, which says how to start it instead.
   */
  start?: boolean;
  /** Port of this home's node; default 9200. */
  port?: number;
}

/**
 * The OpenSearch of local mode, ready for indexing: `OPENSEARCH_URL` when set, else this home's node (started
 * when `start` is set), with the index template installed. With `OPENSEARCH_DOMAIN` (a domain's name), that
 * Amazon OpenSearch Service domain instead, signed with SigV4, whose setup is the deployment's business.
 * Returns the process's one client.
 */
export async function localSearchClient(
  options: LocalSearchOptions = {},
): Promise<{ client: Client; url: string }> {
  const home = options.home ?? seizureHome();
  // An Amazon OpenSearch Service domain by name (SigV4), for an operator searching the cloud's index.
  const domain = await domainConnectionFromEnvironment().catch((error) => {
    throw new SearchUnavailableError(`OPENSEARCH_DOMAIN: ${(error as Error).message}`, { cause: error });
  });
  if (domain) return { client: sharedSearchClient(domain), url: domain.url };
  let url: string;
  try {
    if (options.start) {
      url = (await startOpenSearch({ home, port: options.port })).url;
    } else {
      const status = await openSearchStatus({ home, port: options.port });
      if (!status.running || !status.url) {
        throw new SearchUnavailableError(
          process.env.OPENSEARCH_URL
            ? `OpenSearch at OPENSEARCH_URL=${redactUrl(process.env.OPENSEARCH_URL)} does not answer`
            : `OpenSearch is not running for ${home} (seizure stack up starts it)`,
        );
      }
      url = process.env.OPENSEARCH_URL?.trim().replace(/\/+$/, '') || status.url;
    }
  } catch (error) {
    if (error instanceof SearchUnavailableError) throw error;
    throw new SearchUnavailableError(`OpenSearch is not available: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const client = sharedSearchClient({ url });
  await installIndexTemplate(client);
  await installIsmPolicy(client);
  return { client, url };
}
