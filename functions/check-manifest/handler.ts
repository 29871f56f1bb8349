import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { checkManifestStep } from './check-manifest-step.ts';

/** Lambda entry point of the import step "check-manifest"; the work is in ./check-manifest-step.ts, shared with the local runner. */
export const handler = stepHandler(checkManifestStep, storeFromEnvironment(), settingsFromEnvironment());
