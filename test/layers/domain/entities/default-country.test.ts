import { describe, expect, it } from 'vitest';
import { defaultCountryOf } from '#domain/entities/default-country.ts';
import { parseManifest } from '#domain/manifest/validate-manifest.ts';

const manifest = (options: Record<string, unknown> | undefined, timezone = 'Europe/Amsterdam') => ({
  seizureId: 'case-one',
  platform: 'generic',
  format: 'mapping',
  caseId: 'case-one',
  legalAuthority: 'SYNTHETIC-1',
  uploadedBy: 'tester',
  timezone,
  files: [{ path: 'data/a.ndjson', sha256: 'a'.repeat(64), bytes: 1 }],
  ...(options ? { options } : {}),
});

describe('the default country of phone numbers', () => {
  it('is the manifest option when given', () => {
    expect(
      defaultCountryOf(parseManifest(JSON.stringify(manifest({ defaultCountry: 'BE' }, 'Europe/Paris')))),
    ).toBe('BE');
  });

  it("is otherwise the country of the manifest's time zone, or NL", () => {
    expect(defaultCountryOf(parseManifest(JSON.stringify(manifest(undefined, 'Europe/Paris'))))).toBe('FR');
    expect(defaultCountryOf(parseManifest(JSON.stringify(manifest(undefined, 'Europe/Brussels'))))).toBe(
      'BE',
    );
    expect(defaultCountryOf(parseManifest(JSON.stringify(manifest(undefined, 'UTC'))))).toBe('NL');
  });

  it('must be a country code with a numbering plan, in capitals', () => {
    expect(() => parseManifest(JSON.stringify(manifest({ defaultCountry: 'nl' })))).toThrow(
      /options\.defaultCountry.*ISO 3166-1 alpha-2/s,
    );
    expect(() => parseManifest(JSON.stringify(manifest({ defaultCountry: 'QQ' })))).toThrow(
      /options\.defaultCountry.*numbering plan/s,
    );
  });
});
