import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRET_PREFIX, type SecretResolver } from '#domain/adapters/adapter.ts';

/** A manifest's secret name (PGP keys and passphrases) → its value, read under SECRET_PREFIX from Secrets Manager; the value is never logged or returned in errors. */
export function secretsManagerResolver(
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): SecretResolver {
  return async (name) => {
    if (!/^[A-Za-z0-9/_+=.@-]{1,400}$/.test(name) || name.split('/').includes('..')) {
      throw new Error(`invalid secret name ${JSON.stringify(name)}`);
    }
    const id = `${SECRET_PREFIX}${name}`;
    const { SecretString, SecretBinary } = await client.send(new GetSecretValueCommand({ SecretId: id }));
    if (SecretString !== undefined) return SecretString;
    if (SecretBinary) return Buffer.from(SecretBinary).toString('utf8');
    throw new Error(`secret ${id} has no value`);
  };
}
