import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { indexStep } from './index-step.ts';

/** Lambda entry point of the import's index step (prepare, partition, complete); the work is in ./index-step.ts. */
export const handler = stepHandler(indexStep, storeFromEnvironment(), settingsFromEnvironment());
