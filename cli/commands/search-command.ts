import { parseArgs } from 'node:util';
import { seizureAlias } from '#domain/search/index-names.ts';
import { closeSharedSearchClient } from '#domain/search/search-client.ts';
import { SearchQueryError, searchMessages } from '#domain/search/search-messages.ts';
import { localSearchClient } from '#local/search/local-search.ts';
import { caseScope } from '../case-scope.ts';
import { UsageError } from '../cli-errors.ts';
import { formatSearchResult, HIGHLIGHT_TAGS } from '../output/search-results.ts';

export const searchUsage = `seizure search "<query>" [--case <id>] [--seizure <id>]... [--sender <handle>] [--handle <handle>]
               [--conversation <id>] [--from <date>] [--to <date>] [--limit <n>] [--offset <n>]
               [--sort relevance|newest|oldest] [--json]

Searches the indexed messages (local OpenSearch, or OPENSEARCH_URL). The query takes the query-string
syntax: words (all must match, in any of Dutch, English, French, Spanish and German forms: "bellen" finds
"belde" and "gebeld"), "exact phrases", AND / OR / NOT, wildcards (koer*), field:value (sender:t3vubm);
"*" matches every message. Handles and ids in the query find the messages that carry them.
  --case <id>           only this case's messages (filtered by OpenSearch, whatever the query says)
  --seizure <id>        only this seizure (repeatable)
  --sender <handle>     sent by this handle          --handle <handle>  sent or received by it
  --conversation <id>   in this conversation
  --from, --to          sent from / until a date (2020-03-01, the whole day) or time (2020-03-01T10:00Z), UTC
  --limit <n>           hits to show (default 20)    --offset <n>  skip the first n
  --sort                relevance (default), newest or oldest
  --json                {total, hits: [{message_id, seizure_id, sent_at, sender, recipients, body, highlight}]}
                        with the exact total and <em>…</em> around matched words`;

export async function searchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      case: { type: 'string' },
      seizure: { type: 'string', multiple: true },
      sender: { type: 'string' },
      handle: { type: 'string' },
      conversation: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string', default: '20' },
      offset: { type: 'string', default: '0' },
      sort: { type: 'string', default: 'relevance' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError('search takes one query (quote it; "*" matches everything)');
  const query = positionals[0] as string;
  const scope = caseScope(values.case);
  const limit = wholeNumber('--limit', values.limit);
  const offset = wholeNumber('--offset', values.offset);
  const sort = values.sort as string;
  if (!['relevance', 'newest', 'oldest'].includes(sort))
    throw new UsageError('--sort is relevance, newest or oldest');

  const { client } = await localSearchClient({ start: false });
  try {
    const json = values.json;
    const result = await searchMessages(client, {
      query,
      ...scope,
      seizureIds: values.seizure,
      sender: values.sender,
      handle: values.handle,
      conversationId: values.conversation,
      from: values.from,
      to: values.to,
      size: limit,
      offset,
      sort: sort as 'relevance' | 'newest' | 'oldest',
      highlightTags: json ? { pre: '<em>', post: '</em>' } : HIGHLIGHT_TAGS,
    });
    if (result.total === 0) {
      // Say which seizures have no index at all: a typo, or one never imported or indexed.
      for (const id of values.seizure ?? []) {
        const exists = (await client.indices.existsAlias({ name: seizureAlias(id) })).body;
        if (!exists)
          process.stderr.write(
            `seizure search: no index for seizure ${id} (import it, or seizure reindex ${id})\n`,
          );
      }
    }
    if (json) {
      const { total, hits } = result;
      process.stdout.write(`${JSON.stringify({ total, hits }, null, 2)}\n`);
    } else {
      process.stdout.write(formatSearchResult(query, result, { offset, seizures: values.seizure }));
    }
    return 0;
  } catch (error) {
    // A query OpenSearch cannot parse is a wrong command line (exit 2, with the usage).
    if (error instanceof SearchQueryError) throw new UsageError(error.message);
    throw error;
  } finally {
    await closeSharedSearchClient();
  }
}

function wholeNumber(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number`);
  return n;
}
