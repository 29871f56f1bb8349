import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { planFileStep } from './plan-file-step.ts';

/** Lambda entry point of the import step "plan-file"; the work is in ./plan-file-step.ts, shared with the local runner. */
export const handler = stepHandler(planFileStep, storeFromEnvironment(), settingsFromEnvironment());
