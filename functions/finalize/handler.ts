import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { finalizeStep } from './finalize-step.ts';

/** Lambda entry point of the import step "finalize"; the work is in ./finalize-step.ts, shared with the local runner. */
export const handler = stepHandler(finalizeStep, storeFromEnvironment(), settingsFromEnvironment());
