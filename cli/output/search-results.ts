import { matchesEverything, type SearchResult } from '#domain/search/search-messages.ts';

/**
 * Marks around highlighted words as the search asks for them (from Unicode's private use area: OpenSearch
 * trims control characters at the edges of a fragment), replaced by what the output can show.
 */
export const HIGHLIGHT_TAGS = { pre: '\ue000', post: '\ue001' } as const;

/** Reverse video on a terminal; **word** where colours cannot show (files, pipes, NO_COLOR). */
export function highlightMarks(stream: NodeJS.WriteStream = process.stdout): { pre: string; post: string } {
  const color = stream.isTTY && !process.env.NO_COLOR;
  return color ? { pre: '\u001b[1;7m', post: '\u001b[0m' } : { pre: '**', post: '**' };
}

/** A search result for people: the exact total, then each message with its time, seizure, handles and highlights. */
export function formatSearchResult(
  query: string,
  result: Pick<SearchResult, 'total' | 'hits'>,
  options: { offset?: number; seizures?: readonly string[]; marks?: { pre: string; post: string } } = {},
): string {
  const { pre, post } = options.marks ?? highlightMarks();
  const offset = options.offset ?? 0;
  const scope = options.seizures?.length ? ` in ${options.seizures.join(', ')}` : '';
  const what = matchesEverything(query) ? 'messages' : `messages match ${JSON.stringify(query)}`;
  const lines = [
    `${result.total.toLocaleString('en')} ${what}${scope}` +
      (result.hits.length ? `; ${offset + 1}–${offset + result.hits.length} shown` : ''),
  ];
  for (const hit of result.hits) {
    const to =
      hit.recipients.length > 3
        ? `${hit.recipients.slice(0, 3).join(', ')} +${hit.recipients.length - 3}`
        : hit.recipients.join(', ');
    lines.push(
      '',
      `${hit.sent_at.replace('T', ' ').replace('.000Z', 'Z')}  ${hit.seizure_id}  ${hit.sender} → ${to}`,
    );
    const text = hit.highlight.length
      ? hit.highlight.join(' … ')
      : hit.body === null
        ? '(no text)'
        : hit.body.length > 200
          ? `${hit.body.slice(0, 199)}…`
          : hit.body;
    for (const line of text.split('\n')) {
      lines.push(`  ${line.replaceAll(HIGHLIGHT_TAGS.pre, pre).replaceAll(HIGHLIGHT_TAGS.post, post)}`);
    }
    lines.push(`  id ${hit.message_id}`);
  }
  return `${lines.join('\n')}\n`;
}
