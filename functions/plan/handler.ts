import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { planStep } from './plan-step.ts';

/** Lambda entry point of the import step "plan"; the work is in ./plan-step.ts, shared with the local runner. */
export const handler = stepHandler(planStep, storeFromEnvironment(), settingsFromEnvironment());
