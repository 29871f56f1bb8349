import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DescribeDomainCommand } from '@aws-sdk/client-opensearch';
import { afterEach, describe, expect, it } from 'vitest';
import { redactReason } from '#domain/search/bulk-indexer.ts';
import { domainConnectionFromEnvironment, resolveDomainEndpoint } from '#domain/search/domain-endpoint.ts';
import {
  closeSharedSearchClient,
  createSearchClient,
  searchConnectionFromEnvironment,
  sharedSearchClient,
} from '#domain/search/search-client.ts';

const saved = { ...process.env };
afterEach(async () => {
  for (const key of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_REGION',
    'AWS_PROFILE',
  ]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await closeSharedSearchClient();
});

/** A plain HTTP endpoint that records the headers it is sent (standing in for a domain's endpoint). */
async function recordingServer() {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({ cluster_name: 'x', version: { number: '2.19.6', distribution: 'opensearch' } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

describe('the search client', () => {
  it('signs every request with SigV4 for the es service when a region is set', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLESEIZURE';
    process.env.AWS_SECRET_ACCESS_KEY = 'synthetic-secret-for-a-test';
    delete process.env.AWS_PROFILE;
    const server = await recordingServer();
    try {
      const client = createSearchClient({ url: server.url, region: 'eu-west-1' });
      await client.info();
      await client.close();
      const auth = String(server.seen[0]?.authorization);
      expect(auth).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLESEIZURE\/\d{8}\/eu-west-1\/es\/aws4_request, /,
      );
      expect(server.seen[0]?.['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      server.close();
    }
  });

  it('sends basic auth from a URL and nothing for a plain local node', async () => {
    const server = await recordingServer();
    try {
      const plain = createSearchClient({ url: server.url });
      await plain.info();
      await plain.close();
      const withUser = createSearchClient({ url: server.url.replace('http://', 'http://analyst:s3cret@') });
      await withUser.info();
      await withUser.close();
      expect(server.seen[0]?.authorization).toBeUndefined();
      expect(server.seen[1]?.authorization).toBe(`Basic ${Buffer.from('analyst:s3cret').toString('base64')}`);
    } finally {
      server.close();
    }
  });

  it('is one client per process for one connection', () => {
    const a = sharedSearchClient({ url: 'http://127.0.0.1:9' });
    expect(sharedSearchClient({ url: 'http://127.0.0.1:9' })).toBe(a);
    expect(sharedSearchClient({ url: 'http://127.0.0.1:10' })).not.toBe(a);
  });

  it('reads its connection from the environment: the domain endpoint signed for the region, or a URL', () => {
    expect(
      searchConnectionFromEnvironment({
        OPENSEARCH_ENDPOINT: 'search-x.eu-west-1.es.amazonaws.com',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({
      url: 'https://search-x.eu-west-1.es.amazonaws.com',
      region: 'eu-west-1',
    });
    expect(searchConnectionFromEnvironment({ OPENSEARCH_URL: 'http://127.0.0.1:9200/' })).toEqual({
      url: 'http://127.0.0.1:9200',
    });
    expect(() => searchConnectionFromEnvironment({ OPENSEARCH_ENDPOINT: 'x' })).toThrow(/AWS_REGION/);
    expect(() => searchConnectionFromEnvironment({})).toThrow(/OPENSEARCH_URL/);
  });
});

describe('the domain endpoint lookup (mocked AWS control plane)', () => {
  const describer = (status: object) => ({
    sent: [] as unknown[],
    async send(command: DescribeDomainCommand) {
      this.sent.push(command.input);
      return { DomainStatus: status };
    },
  });

  it('asks DescribeDomain and prefers the VPC endpoint (mocked AWS)', async () => {
    const vpc = describer({
      Endpoints: { vpc: 'vpc-search-x.eu-west-1.es.amazonaws.com' },
      Endpoint: 'ignored',
    });
    expect(await resolveDomainEndpoint('seizure-search', vpc as never)).toBe(
      'https://vpc-search-x.eu-west-1.es.amazonaws.com',
    );
    expect(vpc.sent).toEqual([{ DomainName: 'seizure-search' }]);
    const open = describer({ Endpoint: 'search-x.eu-west-1.es.amazonaws.com' });
    expect(await resolveDomainEndpoint('seizure-search', open as never)).toBe(
      'https://search-x.eu-west-1.es.amazonaws.com',
    );
  });

  it('says when a domain has no endpoint yet, and signs for OPENSEARCH_DOMAIN (mocked AWS)', async () => {
    await expect(resolveDomainEndpoint('new', describer({ Processing: true }) as never)).rejects.toThrow(
      /still being created/,
    );
    const connection = await domainConnectionFromEnvironment(
      { OPENSEARCH_DOMAIN: 'seizure-search', AWS_REGION: 'eu-central-1' },
      describer({ Endpoint: 'search-y.eu-central-1.es.amazonaws.com' }) as never,
    );
    expect(connection).toEqual({
      url: 'https://search-y.eu-central-1.es.amazonaws.com',
      region: 'eu-central-1',
    });
    expect(await domainConnectionFromEnvironment({})).toBeUndefined();
  });
});

describe('item error reasons', () => {
  it('lose the values OpenSearch quotes from a document', () => {
    const reason = redactReason(
      "failed to parse field [sent_at] of type [date] in document with id 'm1'. Preview of field's value: 'meet at the docks'",
    );
    expect(reason).toContain('failed to parse field [sent_at] of type [date]');
    expect(reason).not.toContain('docks');
    expect(redactReason('failed to parse value [meet me] as a number')).not.toContain('meet me');
  });
});
