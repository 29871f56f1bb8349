import { checkManifestStep } from './check-manifest/check-manifest-step.ts';
import { compactSliceStep } from './compact-slice/compact-slice-step.ts';
import { finalizeStep } from './finalize/finalize-step.ts';
import { hashEvidenceStep } from './hash-evidence/hash-evidence-step.ts';
import { indexStep } from './index-seizure/index-step.ts';
import { normalizeStep } from './normalize/normalize-step.ts';
import { planStep } from './plan/plan-step.ts';
import { planFileStep } from './plan-file/plan-file-step.ts';
import { planSlicesStep } from './plan-slices/plan-slices-step.ts';
import { recordFailureStep } from './record-failure/record-failure-step.ts';
import type { Step } from './shared/step.ts';
import { verifyStep } from './verify/verify-step.ts';

/**
 * The import steps by handler name: what a local state-machine runner calls for each Task state
 * (`synthesizeImportDefinition().taskStates[stateName]` names the handler), with `runStep(step, store, input)`.
 * The Lambda handlers wrap the very same objects.
 */
// biome-ignore lint/suspicious/noExplicitAny: each step has its own input and output types
export const importSteps: Readonly<Record<string, Step<any, any>>> = {
  'check-manifest': checkManifestStep,
  'hash-evidence': hashEvidenceStep,
  verify: verifyStep,
  'plan-file': planFileStep,
  plan: planStep,
  normalize: normalizeStep,
  'plan-slices': planSlicesStep,
  'compact-slice': compactSliceStep,
  finalize: finalizeStep,
  'record-failure': recordFailureStep,
  'index-seizure': indexStep,
};
