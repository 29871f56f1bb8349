import { describe, expect, it } from 'vitest';
import { secretsManagerResolver } from '#functions/shared/secret-resolver.ts';

describe('secretsManagerResolver (mocked AWS: Secrets Manager)', () => {
  const asked: string[] = [];
  const client = {
    async send(command: { input: { SecretId: string } }) {
      asked.push(command.input.SecretId);
      if (command.input.SecretId === 'seizure-lake/ennetcom/device-17')
        return { SecretString: 'synthetic passphrase' };
      if (command.input.SecretId === 'seizure-lake/binary') return { SecretBinary: Buffer.from('bytes') };
      throw Object.assign(new Error('Secrets Manager cannot find the specified secret.'), {
        name: 'ResourceNotFoundException',
      });
    },
  };
  const resolve = secretsManagerResolver(client as never);

  it('reads a named secret under the seizure-lake/ prefix only', async () => {
    expect(await resolve('ennetcom/device-17')).toBe('synthetic passphrase');
    expect(await resolve('binary')).toBe('bytes');
    expect(asked).toEqual(['seizure-lake/ennetcom/device-17', 'seizure-lake/binary']);
  });

  it('refuses names that would leave the prefix', async () => {
    await expect(resolve('../other-app/db')).rejects.toThrow(/invalid secret name/);
    await expect(resolve('a b')).rejects.toThrow(/invalid secret name/);
  });
});
