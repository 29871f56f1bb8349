/**
 * Installs what local mode and the integration tests run on, once, into `.cache/` (or $SEIZURE_CACHE):
 * the OpenSearch distribution from Maven Central and moto (the S3-compatible test server) from PyPI.
 * Idempotent: a second run downloads nothing. CI runs it before the tests so no test waits on a download.
 */
import { provisionOpenSearch } from '#local/opensearch/stack.ts';
import { provisionMoto } from '#local/s3-server/provision.ts';

const started = Date.now();
const opensearch = await provisionOpenSearch();
process.stdout.write(
  `opensearch ${opensearch.version} in ${opensearch.home}${opensearch.fetched ? ' (downloaded)' : ''}\n`,
);
const moto = await provisionMoto();
process.stdout.write(`moto in ${moto}\n`);
process.stdout.write(`local services provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
