import { type Manifest, manifestSchema } from './manifest-schema.ts';

/** A manifest that is not valid; `problems` name each field and what is wrong with it. */
export class InvalidManifestError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid manifest:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidManifestError';
    this.problems = problems;
  }
}

/** Parses manifest JSON text (or an already parsed value) and returns it typed, or throws naming every problem. */
export function parseManifest(input: string | unknown): Manifest {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new InvalidManifestError([`manifest.json is not valid JSON: ${(e as Error).message}`]);
    }
  }
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidManifestError(
    result.error.issues.map((issue) => {
      const field = issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .slice(1);
      const missing = issue.path.length > 0 && valueAt(value, issue.path) === undefined;
      return `${field || 'manifest'}: ${missing ? 'is required' : issue.message}`;
    }),
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
