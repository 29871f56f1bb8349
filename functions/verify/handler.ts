import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { verifyStep } from './verify-step.ts';

/** Lambda entry point of the import step "verify"; the work is in ./verify-step.ts, shared with the local runner. */
export const handler = stepHandler(verifyStep, storeFromEnvironment(), settingsFromEnvironment());
