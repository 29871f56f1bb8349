import { parseArgs } from 'node:util';
import { sqlString } from '#domain/lake/duckdb-session.ts';
import { seizureHome } from '#local/seizure-home.ts';
import { openLocalLake, queryRows, type Row } from '#local/sql/local-lake.ts';
import { caseScope } from '../case-scope.ts';

export const linksUsage = `seizure links [--case <id>] [--seizure <id>] [--kind <kind>] [--json]

Device ids, phone numbers, IBANs, crypto and e-mail addresses that appear in more than one seizure or under
more than one handle (the links view), each with where it was seen: the seizure and handle, whether as the
handle's device, mentioned in its messages, or as the handle itself (WhatsApp numbers, mail addresses).
  --case <id>     only this case's seizures: links among them, never a row of another case
  --seizure <id>  only links that involve this seizure
  --kind <kind>   only this kind: device, phone, iban, bitcoin, ethereum, monero, tron, email
  --json          print the links as JSON, each with its occurrences`;

interface Occurrence {
  seizure_id: string;
  handle: string;
  seen_as: string;
  messages: number;
  first_seen: string;
  last_seen: string;
}

export interface Link {
  kind: string;
  value: string;
  seizure_count: number;
  handle_count: number;
  seizures: string[];
  messages: number;
  first_seen: string;
  last_seen: string;
  occurrences: Occurrence[];
}

export async function linksCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      case: { type: 'string' },
      seizure: { type: 'string' },
      kind: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const where: string[] = [];
  if (values.seizure) where.push(`list_contains(l.seizures, ${sqlString(values.seizure)})`);
  if (values.kind) where.push(`l.kind = ${sqlString(values.kind)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const duckdb = await openLocalLake(seizureHome(), caseScope(values.case));
  let links: Link[];
  try {
    const { rows } = await queryRows(
      duckdb,
      `SELECT l.kind, l.value, l.seizure_count, l.handle_count, l.seizures, l.messages, l.first_seen, l.last_seen,
              i.seizure_id, i.handle, i.seen_as, i.messages AS occurrence_messages,
              i.first_seen AS occurrence_first_seen, i.last_seen AS occurrence_last_seen
       FROM links l JOIN identifiers i ON i.kind = l.kind AND i.value = l.value
       ${filter}
       ORDER BY l.seizure_count DESC, l.handle_count DESC, l.kind, l.value, i.seizure_id, i.handle, i.seen_as`,
    );
    links = group(rows);
  } finally {
    duckdb.close();
  }
  process.stdout.write(
    values.json ? `${JSON.stringify(links, null, 2)}\n` : describe(links, values.seizure, values.case),
  );
  return 0;
}

function group(rows: Row[]): Link[] {
  const links: Link[] = [];
  for (const r of rows) {
    let link = links.at(-1);
    if (!link || link.kind !== r.kind || link.value !== r.value) {
      link = {
        kind: r.kind as string,
        value: r.value as string,
        seizure_count: r.seizure_count as number,
        handle_count: r.handle_count as number,
        seizures: r.seizures as string[],
        messages: r.messages as number,
        first_seen: r.first_seen as string,
        last_seen: r.last_seen as string,
        occurrences: [],
      };
      links.push(link);
    }
    link.occurrences.push({
      seizure_id: r.seizure_id as string,
      handle: r.handle as string,
      seen_as: r.seen_as as string,
      messages: r.occurrence_messages as number,
      first_seen: r.occurrence_first_seen as string,
      last_seen: r.occurrence_last_seen as string,
    });
  }
  return links;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const day = (iso: string) => iso.slice(0, 10);

function describe(links: Link[], seizure: string | undefined, caseId: string | undefined): string {
  if (links.length === 0)
    return `no links${seizure ? ` involving ${seizure}` : ''}${caseId ? ` in case ${caseId}` : ''}\n`;
  const out: string[] = [];
  for (const l of links) {
    out.push(
      `${l.kind} ${l.value}: ${plural(l.seizure_count, 'seizure')}, ${plural(l.handle_count, 'handle')}, ` +
        `${plural(l.messages, 'message')}, ${day(l.first_seen)} to ${day(l.last_seen)}`,
    );
    const width = Math.max(...l.occurrences.map((o) => o.seizure_id.length + o.handle.length + 1));
    for (const o of l.occurrences) {
      out.push(
        `  ${`${o.seizure_id}/${o.handle}`.padEnd(width)}  ${o.seen_as.padEnd(9)}  ${plural(o.messages, 'message').padEnd(12)}  ${day(o.first_seen)} to ${day(o.last_seen)}`,
      );
    }
  }
  out.push(`(${plural(links.length, 'link')})`);
  return `${out.join('\n')}\n`;
}
