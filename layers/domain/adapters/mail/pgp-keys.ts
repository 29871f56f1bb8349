import * as openpgp from 'openpgp';
import type { BodyStatus } from '../../schema/message-schema.ts';
import type { ImportContext } from '../adapter.ts';

/**
 * The OpenPGP private keys of an import (manifest `options.pgp.keys`), loaded once per adapter and unlocked
 * with their passphrases. Keys and passphrases live only in memory here: nothing about them but the
 * manifest's reference (a file path, a variable's or a secret's name) ever goes into an error.
 */
export interface KeyRing {
  keys: openpgp.PrivateKey[];
  /** Why a listed key is not usable (by its reference only): unreadable, or its passphrase does not unlock it. */
  problems: string[];
}

type SecretRef = { file: string } | { env: string } | { secret: string };

function describe(ref: SecretRef): string {
  if ('file' in ref) return `file ${ref.file}`;
  if ('env' in ref) return `environment variable ${ref.env}`;
  return `secret ${ref.secret}`;
}

async function readSecret(ref: SecretRef, context: ImportContext): Promise<Uint8Array> {
  if ('file' in ref) {
    if (!context.readEvidence) throw new Error(`cannot read ${describe(ref)} here`);
    return context.readEvidence(ref.file);
  }
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined) throw new Error(`${describe(ref)} is not set`);
    return Buffer.from(value);
  }
  if (!context.resolveSecret) {
    throw new Error(
      `${describe(ref)} needs the cloud's secret store; locally, use a key file or an environment variable`,
    );
  }
  return Buffer.from(await context.resolveSecret(ref.secret));
}

export async function loadKeyRing(context: ImportContext): Promise<KeyRing> {
  const ring: KeyRing = { keys: [], problems: [] };
  for (const [i, entry] of (context.manifest.options?.pgp?.keys ?? []).entries()) {
    const where = `options.pgp.keys[${i}] (${describe(entry.key)})`;
    let keys: openpgp.PrivateKey[];
    try {
      const bytes = await readSecret(entry.key, context);
      const text = Buffer.from(bytes).toString('latin1');
      keys = text.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----')
        ? await openpgp.readPrivateKeys({ armoredKeys: text })
        : await openpgp.readPrivateKeys({ binaryKeys: bytes });
    } catch (e) {
      // the library's message can quote input; only ours is kept
      ring.problems.push(`${where}: not readable as an OpenPGP private key${errorHint(e)}`);
      continue;
    }
    let passphrase: string | undefined;
    if (entry.passphrase) {
      try {
        passphrase = Buffer.from(await readSecret(entry.passphrase, context))
          .toString('utf8')
          .replace(/\r?\n$/, '');
      } catch (e) {
        ring.problems.push(`${where}: its passphrase cannot be read${errorHint(e)}`);
        continue;
      }
    }
    for (const key of keys) {
      if (key.isDecrypted()) {
        ring.keys.push(key);
        continue;
      }
      if (passphrase === undefined) {
        ring.problems.push(`${where}: the key is protected and no passphrase is given`);
        continue;
      }
      try {
        ring.keys.push(await openpgp.decryptKey({ privateKey: key, passphrase }));
      } catch {
        ring.problems.push(`${where}: the passphrase does not unlock the key`);
      }
    }
  }
  return ring;
}

/** Only our own errors (which name references, never values) are passed on. */
function errorHint(e: unknown): string {
  const message = (e as Error).message ?? '';
  return /^(cannot read|environment variable|secret |file )/.test(message) ? `: ${message}` : '';
}

export type Decrypted = { data: Uint8Array } | { status: Exclude<BodyStatus, 'decrypted'> };

/**
 * Decrypts one OpenPGP message (armored or binary). `encrypted` when none of the keys is one it was encrypted
 * to (or there are no keys); `decryption-failed` when a key fits but the message is damaged, fails its
 * integrity check, or decompresses beyond `maxBytes` (a compression bomb).
 */
export async function decryptMessage(
  input: string | Uint8Array,
  ring: KeyRing,
  maxBytes: number,
): Promise<Decrypted> {
  let message: openpgp.Message<string | Uint8Array>;
  try {
    message =
      typeof input === 'string'
        ? await openpgp.readMessage({ armoredMessage: input })
        : await openpgp.readMessage({ binaryMessage: input });
  } catch {
    return { status: 'decryption-failed' };
  }
  if (!ring.keys.length) return { status: 'encrypted' };
  const ids = message.getEncryptionKeyIDs();
  const anonymous = ids.some((id) => id.toHex() === '0000000000000000');
  const fits = ring.keys.some((k) => k.getKeyIDs().some((kid) => ids.some((id) => id.equals(kid))));
  if (!fits && !anonymous) return { status: 'encrypted' };
  try {
    const { data } = await openpgp.decrypt({
      message,
      decryptionKeys: ring.keys,
      format: 'binary',
      config: { maxDecompressedMessageSize: maxBytes },
    });
    if (data.length > maxBytes) return { status: 'decryption-failed' };
    return { data };
  } catch {
    return { status: fits ? 'decryption-failed' : 'encrypted' };
  }
}
