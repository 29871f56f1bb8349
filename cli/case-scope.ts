import { UsageError } from './cli-errors.ts';

/**
 * The `--case <id>` of the local commands, as the option that scopes a lake session (`openLocalLake`) or a
 * search to that case: nothing without it, and a usage error for an empty id rather than an unscoped run.
 */
export function caseScope(caseId: string | undefined): { caseId?: string } {
  if (caseId === undefined) return {};
  if (caseId.trim() === '') throw new UsageError('--case needs a case id');
  return { caseId };
}
