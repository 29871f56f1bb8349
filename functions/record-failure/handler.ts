import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { recordFailureStep } from './record-failure-step.ts';

/** Lambda entry point of the import step "record-failure"; the work is in ./record-failure-step.ts, shared with the local runner. */
export const handler = stepHandler(recordFailureStep, storeFromEnvironment(), settingsFromEnvironment());
