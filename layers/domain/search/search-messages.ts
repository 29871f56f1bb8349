import type { Client } from '@opensearch-project/opensearch';
import { bodyLanguages, defaultQueryFields } from './index-mapping.ts';
import { MESSAGES_ALIAS } from './index-names.ts';

/**
 * Searching messages as an analyst does: the query-string syntax (words, "phrases", AND/OR/NOT, wildcards,
 * field:value), `*` for everything, filters by seizure, handle, conversation and time, highlights and an
 * exact total. Shared by `seizure search` and anything else that searches the `messages` alias.
 */
export interface SearchParams {
  /** Query-string syntax; `*` or empty matches every message. Words must all match unless OR is used. */
  query: string;
  /**
   * Only this case's messages: a term filter on `case_id` in the request's filter context, which no query
   * text can widen (it is ANDed with the query, never scored or ORed).
   */
  caseId?: string;
  seizureIds?: readonly string[];
  /** Messages sent by this handle. */
  sender?: string;
  /** Messages sent or received by this handle. */
  handle?: string;
  conversationId?: string;
  /** Sent at or after: `YYYY-MM-DD` (UTC midnight) or an ISO 8601 time (UTC when it has no zone). */
  from?: string;
  /** Sent at or before: `YYYY-MM-DD` (the whole day) or an ISO 8601 time. */
  to?: string;
  /** Hits to return; default 20. */
  size?: number;
  offset?: number;
  /** `relevance` (default; newest first among equals), `newest` or `oldest`. */
  sort?: 'relevance' | 'newest' | 'oldest';
  /** Marks around highlighted words; default `<em>` and `</em>`. */
  highlightTags?: { pre: string; post: string };
  /** Index or alias; default `messages`. */
  index?: string;
}

export interface SearchHit {
  message_id: string;
  seizure_id: string;
  /** ISO 8601 UTC. */
  sent_at: string;
  sender: string;
  recipients: string[];
  body: string | null;
  /** Fragments of the body with the matching words marked; [] when nothing in the body matched. */
  highlight: string[];
}

export interface SearchResult {
  /** Every matching message, counted exactly. */
  total: number;
  hits: SearchHit[];
  tookMs: number;
}

/** The query cannot be parsed, or a filter value is not valid. */
export class SearchQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchQueryError';
  }
}

/** Nothing is indexed yet (no `messages` alias on the cluster). */
export class NothingIndexedError extends Error {
  constructor(index: string) {
    super(
      `nothing is indexed yet (no ${index} index or alias): import a seizure, or run seizure reindex <seizure>`,
    );
    this.name = 'NothingIndexedError';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;
const HIGHLIGHT_FIELDS = ['body', ...bodyLanguages.map(({ code }) => `body.${code}`)];
const SOURCE_FIELDS = ['message_id', 'seizure_id', 'sent_at', 'sender', 'recipients', 'body'];

function checkDate(name: string, value: string): void {
  if ((!DATE.test(value) && !DATE_TIME.test(value)) || Number.isNaN(Date.parse(value))) {
    throw new SearchQueryError(
      `${name} must be a date (2020-03-01) or an ISO time (2020-03-01T10:00:00Z), got ${value}`,
    );
  }
}

export function matchesEverything(query: string): boolean {
  return query.trim() === '' || query.trim() === '*';
}

/** The search request body for `params`. */
export function searchRequestBody(params: SearchParams): Record<string, unknown> {
  const filter: Record<string, unknown>[] = [];
  if (params.caseId !== undefined) {
    if (params.caseId.trim() === '') throw new SearchQueryError('--case needs a case id');
    filter.push({ term: { case_id: params.caseId } });
  }
  if (params.seizureIds?.length) filter.push({ terms: { seizure_id: [...params.seizureIds] } });
  // Handles and ids as typed, whatever their case: platforms differ (Sky ECC upper, EncroChat lower).
  const exact = (field: string, value: string) => ({ term: { [field]: { value, case_insensitive: true } } });
  if (params.sender) filter.push(exact('sender', params.sender));
  if (params.handle) {
    filter.push({
      bool: {
        should: [exact('sender', params.handle), exact('recipients', params.handle)],
        minimum_should_match: 1,
      },
    });
  }
  if (params.conversationId) filter.push(exact('conversation_id', params.conversationId));
  if (params.from || params.to) {
    const range: Record<string, string> = { time_zone: 'UTC' };
    if (params.from) {
      checkDate('--from', params.from);
      range.gte = params.from;
    }
    if (params.to) {
      checkDate('--to', params.to);
      // A bare date means the whole day: rounded up to its last millisecond.
      range.lte = DATE.test(params.to) ? `${params.to}||/d` : params.to;
    }
    filter.push({ range: { sent_at: range } });
  }

  const everything = matchesEverything(params.query);
  const must = everything
    ? { match_all: {} }
    : {
        query_string: {
          query: params.query,
          fields: defaultQueryFields,
          default_operator: 'AND',
          analyze_wildcard: true,
          // A word in a keyword field or a number in a date field is no match, not an error.
          lenient: true,
        },
      };
  const size = params.size ?? 20;
  const offset = params.offset ?? 0;
  if (!(Number.isInteger(size) && size >= 0 && Number.isInteger(offset) && offset >= 0))
    throw new SearchQueryError('size and offset must be whole numbers, 0 or more');
  if (size + offset > 10_000) throw new SearchQueryError('only the first 10,000 hits can be paged through');

  const sort =
    params.sort === 'newest'
      ? [{ sent_at: 'desc' }, { message_id: 'asc' }]
      : params.sort === 'oldest'
        ? [{ sent_at: 'asc' }, { message_id: 'asc' }]
        : ['_score', { sent_at: 'desc' }, { message_id: 'asc' }];
  const tags = params.highlightTags ?? { pre: '<em>', post: '</em>' };
  return {
    track_total_hits: true,
    from: offset,
    size,
    _source: SOURCE_FIELDS,
    query: { bool: { must, filter } },
    sort,
    ...(everything
      ? {}
      : {
          highlight: {
            pre_tags: [tags.pre],
            post_tags: [tags.post],
            fragment_size: 200,
            number_of_fragments: 3,
            // The neutral body shows words matched through `search_text` too; each language field its stems.
            fields: Object.fromEntries(
              HIGHLIGHT_FIELDS.map((f) => [f, f === 'body' ? { require_field_match: false } : {}]),
            ),
          },
        }),
  };
}

interface RawHit {
  _source: Record<string, unknown>;
  highlight?: Record<string, string[]>;
}

/** Of the body's highlights (neutral, then each language), the one that marks the most words. */
export function bestHighlight(highlight: Record<string, string[]> | undefined, pre: string): string[] {
  if (!highlight) return [];
  let best: string[] = [];
  let bestMarks = 0;
  for (const field of HIGHLIGHT_FIELDS) {
    const fragments = highlight[field];
    if (!fragments) continue;
    const marks = fragments.reduce((n, f) => n + f.split(pre).length - 1, 0);
    if (marks > bestMarks) {
      best = fragments;
      bestMarks = marks;
    }
  }
  return best;
}

export function toSearchResult(body: unknown, tags = { pre: '<em>', post: '</em>' }): SearchResult {
  const b = body as { took: number; hits: { total: { value: number }; hits: RawHit[] } };
  return {
    total: b.hits.total.value,
    tookMs: b.took,
    hits: b.hits.hits.map((h) => ({
      message_id: String(h._source.message_id),
      seizure_id: String(h._source.seizure_id),
      sent_at: new Date(h._source.sent_at as string | number).toISOString(),
      sender: String(h._source.sender),
      recipients: (h._source.recipients as string[] | undefined) ?? [],
      body: (h._source.body as string | null | undefined) ?? null,
      highlight: bestHighlight(h.highlight, tags.pre),
    })),
  };
}

export async function searchMessages(client: Client, params: SearchParams): Promise<SearchResult> {
  const index = params.index ?? MESSAGES_ALIAS;
  const body = searchRequestBody(params);
  try {
    const response = await client.search({ index, body: body as Parameters<Client['search']>[0]['body'] });
    return toSearchResult(response.body, params.highlightTags);
  } catch (error) {
    const e = error as { meta?: { statusCode?: number; body?: { error?: Record<string, unknown> } } };
    const err = e.meta?.body?.error;
    if (e.meta?.statusCode === 404 && err?.type === 'index_not_found_exception')
      throw new NothingIndexedError(index);
    if (e.meta?.statusCode === 400) throw new SearchQueryError(`the query cannot be run: ${rootReason(err)}`);
    throw error;
  }
}

function rootReason(error: Record<string, unknown> | undefined): string {
  let reason = String(error?.reason ?? 'unknown reason');
  for (let e = error; e; e = e.caused_by as Record<string, unknown> | undefined) {
    if (typeof e.reason === 'string') reason = e.reason;
  }
  const failed = (error?.root_cause as { reason?: string }[] | undefined)?.[0]?.reason;
  // The query parser lists every token it would have accepted; the position is what helps.
  const short = (text: string) => text.replace(/\s*Was expecting[\s\S]*/, '').trim();
  return failed && failed !== reason ? `${short(failed)}: ${short(reason)}` : short(reason);
}
