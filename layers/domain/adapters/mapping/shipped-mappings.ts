import anom from '../../mappings/anom.json' with { type: 'json' };
import encrochat from '../../mappings/encrochat.json' with { type: 'json' };
import skyecc from '../../mappings/skyecc.json' with { type: 'json' };
import { MappingError } from './compile-mapping.ts';
import { type Mapping, mappingSchema } from './mapping-schema.ts';

/** Mappings shipped with seizure-lake, by name. Imported statically so a Lambda bundle carries them. */
const shipped: Record<string, unknown> = { anom, encrochat, skyecc };

export const shippedMappingNames = Object.keys(shipped);

/**
 * The mapping a manifest asks for: `options.mapping` is a shipped mapping's name or a whole mapping object;
 * without it, the mapping named like the platform.
 */
export function resolveMapping(option: unknown, platform: string): Mapping {
  const value = option ?? platform;
  const raw = typeof value === 'string' ? shipped[value] : value;
  if (raw === undefined) {
    throw new MappingError(
      `no mapping named "${String(value)}"; shipped mappings are ${shippedMappingNames.join(', ')}, or give a mapping object in options.mapping`,
    );
  }
  const result = mappingSchema.safeParse(raw);
  if (!result.success) {
    throw new MappingError(
      `invalid mapping: ${result.error.issues.map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}
