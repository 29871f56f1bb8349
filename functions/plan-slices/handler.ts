import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { planSlicesStep } from './plan-slices-step.ts';

/** Lambda entry point of the finalize step "plan slices"; the work is in ./plan-slices-step.ts. */
export const handler = stepHandler(planSlicesStep, storeFromEnvironment(), settingsFromEnvironment());
