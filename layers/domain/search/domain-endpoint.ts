import { DescribeDomainCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import type { SearchConnection } from './search-client.ts';

/** What of the OpenSearch control-plane client this needs (a test passes a stand-in). */
export type DomainDescriber = Pick<OpenSearchClient, 'send'>;

/**
 * The HTTPS endpoint of an Amazon OpenSearch Service domain, looked up by name (DescribeDomain): the VPC
 * endpoint for a domain in a VPC, else the public one. For tools that know the domain's name, not its
 * endpoint; the functions get the endpoint from their construct (OPENSEARCH_ENDPOINT) and look up nothing.
 */
export async function resolveDomainEndpoint(
  domainName: string,
  client: DomainDescriber = new OpenSearchClient({}),
): Promise<string> {
  const { DomainStatus: status } = await client.send(new DescribeDomainCommand({ DomainName: domainName }));
  const endpoint = status?.Endpoints?.vpc ?? status?.EndpointV2 ?? status?.Endpoint;
  if (!endpoint) {
    throw new Error(
      `OpenSearch domain ${domainName} has no endpoint yet` +
        (status?.Processing || status?.Created === false ? ' (it is still being created)' : ''),
    );
  }
  return `https://${endpoint}`;
}

/**
 * The connection for `OPENSEARCH_DOMAIN` (a domain name, signed with SigV4 for AWS_REGION), or undefined
 * when it is not set.
 */
export async function domainConnectionFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  client?: DomainDescriber,
): Promise<SearchConnection | undefined> {
  const domainName = env.OPENSEARCH_DOMAIN?.trim();
  if (!domainName) return undefined;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('OPENSEARCH_DOMAIN is set but AWS_REGION is not: SigV4 needs a region');
  const url = await resolveDomainEndpoint(domainName, client ?? new OpenSearchClient({ region }));
  return { url, region };
}
