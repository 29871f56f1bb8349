import { z } from 'zod';
import { importsPrefix } from '#domain/import/import-layout.ts';
import { readImportReport } from '#domain/import/record-failure.ts';
import { messagesSettings } from '#domain/search/index-mapping.ts';
import { IndexIncompleteError, indexSeizure } from '#domain/search/index-seizure.ts';
import { sharedSearchClient } from '#domain/search/search-client.ts';
import {
  countDocuments,
  ensureSeizureIndex,
  refreshInterval,
  setRefreshInterval,
  shardsFor,
} from '#domain/search/seizure-indices.ts';
import { importRefSchema, seizureIdSchema } from '../shared/import-events.ts';
import type { Step } from '../shared/step.ts';

/**
 * The workflow's index step, after finalize, in three actions the state machine calls in turn:
 *
 *   prepare    the seizure's index (created from the template on first use), refreshes off for the load;
 *              returns the months the import wrote, from its report
 *   partition  (one Map item per month) the month's lake Parquet into the index, `_id = message_id`
 *   complete   refreshes restored, then per month: documents in the index = messages read from the lake;
 *              writes search-index.json next to the import report and fails on any refused message or gap
 *
 * The cluster and its credentials come from the environment (OPENSEARCH_ENDPOINT + AWS_REGION: SigV4),
 * through the one client of the process.
 */
const month = z.string().regex(/^\d{4}-\d{2}$/, 'must be a month, YYYY-MM');

const partitionResultSchema = z.object({
  month,
  read: z.number().int().nonnegative(),
  indexed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});

export const indexInputSchema = z.discriminatedUnion('action', [
  importRefSchema.extend({ action: z.literal('prepare') }),
  z.object({ action: z.literal('partition'), seizureId: seizureIdSchema, month }),
  importRefSchema.extend({
    action: z.literal('complete'),
    /** What prepare returned: the refresh interval it found is restored (absent: the template's). */
    prepared: z.object({ refreshInterval: z.string().optional() }).optional(),
    partitions: z.array(partitionResultSchema),
  }),
]);
export type IndexInput = z.infer<typeof indexInputSchema>;

export interface PrepareOutput {
  seizureId: string;
  index: string;
  months: string[];
  refreshInterval?: string;
}

export type PartitionOutput = z.infer<typeof partitionResultSchema> & {
  /** The first refused messages (id, status, type, reason without values). */
  failures: { id: string; status: number; type: string; reason: string }[];
  retried: number;
  durationMs: number;
};

export interface CompleteOutput {
  seizureId: string;
  importId: string;
  read: number;
  indexed: number;
  failed: number;
  /** Months whose index count differs from what was read from the lake. */
  gaps: { month: string; read: number; inIndex: number }[];
  reportKey: string;
}

export type IndexOutput = PrepareOutput | PartitionOutput | CompleteOutput;

export const searchIndexReportKey = (seizureId: string, importId: string) =>
  `${importsPrefix(seizureId)}${importId}/search-index.json`;

/** The first and last millisecond of a month, UTC, as a range for sent_at. */
function monthRange(m: string): { from: string; to: string } {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return {
    from: new Date(Date.UTC(y, mo - 1, 1)).toISOString(),
    to: new Date(Date.UTC(y, mo, 1)).toISOString(),
  };
}

export const indexStep: Step<IndexInput, IndexOutput> = {
  name: 'index-seizure',
  input: indexInputSchema,
  async run(store, input, settings) {
    const client = sharedSearchClient();
    if (input.action === 'prepare') {
      const report = await readImportReport(store, input.seizureId, input.importId);
      if (!report)
        throw new Error(`no report for import ${input.importId} of ${input.seizureId}: finalize first`);
      const rows = report.partitions.reduce((n, p) => n + p.rows, 0);
      const index = await ensureSeizureIndex(client, input.seizureId, { shards: shardsFor(rows) });
      const before = await refreshInterval(client, index);
      await setRefreshInterval(client, index, '-1');
      return {
        seizureId: input.seizureId,
        index,
        months: report.partitions.map((p) => p.month),
        ...(before ? { refreshInterval: before } : {}),
      };
    }
    if (input.action === 'partition') {
      const r = await indexSeizure(store, client, input.seizureId, {
        months: [input.month],
        manageRefresh: false,
        ...(settings.workDirectory ? { workDirectory: settings.workDirectory } : {}),
      });
      return {
        month: input.month,
        read: r.read,
        indexed: r.indexed,
        failed: r.failed,
        failures: r.failures.slice(0, 10),
        retried: r.retried,
        durationMs: r.durationMs,
      };
    }
    const index = await ensureSeizureIndex(client, input.seizureId);
    await setRefreshInterval(
      client,
      index,
      input.prepared?.refreshInterval ?? messagesSettings().index.refresh_interval,
    );
    const gaps: CompleteOutput['gaps'] = [];
    for (const p of input.partitions) {
      const inIndex = await countDocuments(client, index, monthRange(p.month));
      if (inIndex !== p.read) gaps.push({ month: p.month, read: p.read, inIndex });
    }
    const sum = (k: 'read' | 'indexed' | 'failed') => input.partitions.reduce((n, p) => n + p[k], 0);
    const output: CompleteOutput = {
      seizureId: input.seizureId,
      importId: input.importId,
      read: sum('read'),
      indexed: sum('indexed'),
      failed: sum('failed'),
      gaps,
      reportKey: searchIndexReportKey(input.seizureId, input.importId),
    };
    await store.write(
      'reports',
      output.reportKey,
      JSON.stringify(
        { ...output, index, partitions: input.partitions, checkedAt: new Date().toISOString() },
        null,
        2,
      ),
      { contentType: 'application/json' },
    );
    if (output.failed > 0 || gaps.length > 0) {
      throw new IndexIncompleteError(
        `search index of ${input.seizureId} incomplete after import ${input.importId}: ${output.failed} messages ` +
          `refused, ${gaps.length} month(s) whose index count differs from the lake (${output.reportKey}); ` +
          `the lake is complete: seizure reindex rebuilds the index from it`,
      );
    }
    return output;
  },
  logKeys: (input) => ({
    seizureId: input.seizureId,
    action: input.action,
    ...('month' in input ? { month: input.month } : {}),
  }),
  metrics: (output) =>
    'failures' in output
      ? [
          { name: 'MessagesIndexed', value: output.indexed },
          { name: 'MessagesRefusedByIndex', value: output.failed },
          { name: 'IndexRetries', value: output.retried },
        ]
      : [],
};
