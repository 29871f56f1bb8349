import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { secretsManagerResolver } from '../shared/secret-resolver.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { normalizeStep } from './normalize-step.ts';

/** Lambda entry point of the import step "normalize"; the work is in ./normalize-step.ts, shared with the local runner. */
export const handler = stepHandler(normalizeStep, storeFromEnvironment(), {
  ...settingsFromEnvironment(),
  resolveSecret: secretsManagerResolver(),
});
