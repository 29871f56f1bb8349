import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { compactSliceStep } from './compact-slice-step.ts';

/** Lambda entry point of the finalize step "compact slice"; the work is in ./compact-slice-step.ts. */
export const handler = stepHandler(compactSliceStep, storeFromEnvironment(), settingsFromEnvironment());
