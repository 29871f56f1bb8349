import { isSupportedCountry } from 'libphonenumber-js/min';
import { z } from 'zod';

/** Platforms with a known shape; anything else is a `generic` source. */
export const platforms = [
  'encrochat',
  'skyecc',
  'anom',
  'ennetcom',
  'pgpsafe',
  'ironchat',
  'exclu',
  'generic',
] as const;

/** Adapters, by the manifest's `format`. */
export const formats = ['mapping', 'xmpp', 'mbox', 'eml', 'whatsapp', 'telegram'] as const;

/**
 * What a listed file is: `data` (the default) is imported; `key` (PGP keys, passphrase files) and `media`
 * (photos, voice notes next to a chat export) are verified and kept as evidence but not read as messages.
 */
export const fileRoles = ['data', 'key', 'media'] as const;

const slug = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const sha256Hex = /^[0-9a-f]{64}$/;

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A relative path inside the seizure: no absolute paths, no `..`, no empty segments. */
const relativePath = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'must be a relative path inside the seizure (no leading /, no "..", no empty segments)',
  );

export const manifestFileSchema = z.strictObject({
  path: relativePath,
  sha256: z.string().regex(sha256Hex, 'must be 64 lower-case hex characters (SHA-256)'),
  bytes: z.number().int('must be a whole number').nonnegative('must not be negative'),
  role: z.enum(fileRoles, { error: `must be one of ${fileRoles.join(', ')}` }).optional(),
});

/** Where a secret comes from: a file of the seizure (role `key`), an environment variable, or the cloud's secret store. */
const secretRef = z.union([
  z.strictObject({ file: relativePath }),
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
  }),
  z.strictObject({ secret: z.string().min(1, 'must name a secret') }),
]);

/** OpenPGP private keys for encrypted mail: each names its key and, when the key is protected, its passphrase. */
const pgpOptions = z.strictObject({
  keys: z
    .array(
      z.strictObject({
        key: secretRef,
        passphrase: secretRef.optional(),
      }),
    )
    .min(1, 'must list at least one key'),
});

export const manifestSchema = z
  .strictObject({
    seizureId: z
      .string()
      .regex(
        slug,
        'must be a lower-case slug: a-z, 0-9 and "-", 1 to 64 characters, not starting or ending with "-"',
      ),
    platform: z.enum(platforms, { error: `must be one of ${platforms.join(', ')}` }),
    format: z.enum(formats, { error: `must be one of ${formats.join(', ')}` }),
    caseId: z.string().regex(slug, 'must be a lower-case slug: a-z, 0-9 and "-"'),
    legalAuthority: z.string().trim().min(1, 'must name the order or warrant'),
    uploadedBy: z.string().trim().min(1, 'must name who uploaded the seizure'),
    timezone: z.string().refine(isIanaZone, 'must be an IANA time zone such as Europe/Amsterdam or UTC'),
    files: z
      .array(manifestFileSchema)
      .min(1, 'must list at least one file')
      .refine(
        (files) => new Set(files.map((f) => f.path)).size === files.length,
        'must not list a path twice',
      ),
    options: z
      .looseObject({
        /** A shipped mapping's name (e.g. `skyecc`) or a whole mapping object (checked when the import plans). */
        mapping: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
        /** `mbox`, `eml`: private keys to decrypt inline PGP and PGP/MIME bodies. */
        pgp: pgpOptions.optional(),
        /** `whatsapp`: the order of day, month and year when the export's dates do not show it (no day above 12). */
        dateOrder: z.enum(['dmy', 'mdy', 'ymd'], { error: 'must be dmy, mdy or ymd' }).optional(),
        /**
         * ISO 3166-1 alpha-2 country of phone numbers written without a country code (06-12345678); default: the
         * country of `timezone` where it names one (Europe/Brussels → BE), otherwise NL.
         */
        defaultCountry: z
          .string()
          .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, such as NL or BE')
          .refine(isSupportedCountry, 'is not a country with a known telephone numbering plan')
          .optional(),
      })
      .optional(),
  })
  .superRefine((manifest, ctx) => {
    // A key or passphrase file must be part of the verified evidence, and must not be imported as messages.
    const roles = new Map(manifest.files.map((f) => [f.path, f.role ?? 'data']));
    manifest.options?.pgp?.keys.forEach((k, i) => {
      for (const field of ['key', 'passphrase'] as const) {
        const ref = k[field];
        if (!ref || !('file' in ref)) continue;
        const role = roles.get(ref.file);
        if (role !== 'key') {
          ctx.addIssue({
            code: 'custom',
            path: ['options', 'pgp', 'keys', i, field, 'file'],
            message:
              role === undefined
                ? `${ref.file} is not listed in files`
                : `${ref.file} must be listed in files with role "key"`,
          });
        }
      }
    });
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof manifestFileSchema>;
