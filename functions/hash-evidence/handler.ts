import { storeFromEnvironment } from '../shared/cloud-store.ts';
import { settingsFromEnvironment, stepHandler } from '../shared/step-handler.ts';
import { hashEvidenceStep } from './hash-evidence-step.ts';

/** Lambda entry point of the import step "hash-evidence"; the work is in ./hash-evidence-step.ts, shared with the local runner. */
export const handler = stepHandler(hashEvidenceStep, storeFromEnvironment(), settingsFromEnvironment());
