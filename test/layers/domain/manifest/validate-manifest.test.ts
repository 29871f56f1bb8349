import { describe, expect, it } from 'vitest';
import { InvalidManifestError, parseManifest } from '#domain/manifest/validate-manifest.ts';

const valid = {
  seizureId: 'sky-2021',
  platform: 'skyecc',
  format: 'mapping',
  caseId: 'case-7',
  legalAuthority: 'RC-2021/0042',
  uploadedBy: 'officer@example.invalid',
  timezone: 'Europe/Amsterdam',
  files: [{ path: 'data/a.ndjson', sha256: 'a'.repeat(64), bytes: 10 }],
  options: { mapping: 'skyecc' },
};

function problems(value: unknown): string[] {
  try {
    parseManifest(value);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidManifestError);
    return (e as InvalidManifestError).problems;
  }
  throw new Error('expected the manifest to be refused');
}

describe('parseManifest', () => {
  it('accepts a valid manifest, as text or as a value', () => {
    expect(parseManifest(valid)).toEqual(valid);
    expect(parseManifest(JSON.stringify(valid)).seizureId).toBe('sky-2021');
  });

  it.each(['seizureId', 'platform', 'format', 'caseId', 'legalAuthority', 'uploadedBy', 'timezone', 'files'])(
    'names a missing %s',
    (field) => {
      const { [field as keyof typeof valid]: _, ...rest } = valid;
      expect(problems(rest)).toEqual([`${field}: is required`]);
    },
  );

  it('says what is wrong with each bad field, all at once', () => {
    expect(
      problems({
        ...valid,
        seizureId: 'Sky 2021',
        platform: 'whatsup',
        timezone: 'CEST+1',
        files: [{ path: '../etc/passwd', sha256: 'XYZ', bytes: -1 }],
      }),
    ).toEqual([
      expect.stringMatching(/^seizureId: must be a lower-case slug/),
      expect.stringMatching(/^platform: must be one of encrochat, skyecc/),
      expect.stringMatching(/^timezone: must be an IANA time zone/),
      expect.stringMatching(/^files\[0\]\.path: must be a relative path inside the seizure/),
      expect.stringMatching(/^files\[0\]\.sha256: must be 64 lower-case hex/),
      'files[0].bytes: must not be negative',
    ]);
  });

  it('refuses an empty file list, a path listed twice, unknown keys and text that is not JSON', () => {
    expect(problems({ ...valid, files: [] })).toEqual(['files: must list at least one file']);
    expect(problems({ ...valid, files: [valid.files[0], valid.files[0]] })).toEqual([
      'files: must not list a path twice',
    ]);
    expect(problems({ ...valid, extra: 1 })).toEqual([expect.stringContaining('"extra"')]);
    expect(problems('{not json')).toEqual([expect.stringMatching(/^manifest.json is not valid JSON/)]);
  });
});
