import { parseArgs } from 'node:util';
import { DateTime, IANAZone } from 'luxon';
import { sqlString } from '#domain/lake/duckdb-session.ts';
import { seizureHome } from '#local/seizure-home.ts';
import { openLocalLake, queryRows, type Row } from '#local/sql/local-lake.ts';
import { caseScope } from '../case-scope.ts';
import { UsageError } from '../cli-errors.ts';

export const threadUsage = `seizure thread <conversationId> [--case <id>] [--seizure <id>] [--zone <IANA zone>] [--json]

Prints a conversation in order, with times in the zone asked for (default UTC), who wrote to whom, the text,
attachments, locations and the entities found in it. A silence of more than a day is marked, so that a gap
in the evidence is not read as a pause.
  --case <id>     only this case's rows: a conversation of another case is not found
  --seizure <id>  the seizure, when the conversation id occurs in more than one
  --zone <zone>   e.g. Europe/Amsterdam; default UTC
  --json          print the conversation as JSON`;

/** A silence longer than this between two messages is shown. */
const GAP_MS = 24 * 3600 * 1000;

export async function threadCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      case: { type: 'string' },
      seizure: { type: 'string' },
      zone: { type: 'string', default: 'UTC' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('thread takes one conversation id');
  const zone = values.zone;
  if (!IANAZone.isValidZone(zone))
    throw new UsageError(`--zone ${zone} is not an IANA time zone (e.g. Europe/Amsterdam)`);
  const conversation = positionals[0] as string;
  const scope = caseScope(values.case);

  const duckdb = await openLocalLake(seizureHome(), scope);
  let rows: Row[];
  try {
    const seizureFilter = values.seizure ? `AND seizure_id = ${sqlString(values.seizure)}` : '';
    ({ rows } = await queryRows(
      duckdb,
      `SELECT seizure_id, message_id, sent_at, sender, sender_device, recipients, body, body_status, language,
              attachments, geo, entities, reply_to, edited_at, source_object, source_offset
       FROM messages WHERE conversation_id = ${sqlString(conversation)} ${seizureFilter}
       ORDER BY sent_at, message_id`,
    ));
  } finally {
    duckdb.close();
  }
  if (rows.length === 0)
    throw new Error(
      `no conversation ${conversation}${values.seizure ? ` in ${values.seizure}` : ''}${scope.caseId ? ` in case ${scope.caseId}` : ''}`,
    );
  const seizures = [...new Set(rows.map((r) => r.seizure_id as string))];
  if (seizures.length > 1)
    throw new UsageError(
      `conversation ${conversation} occurs in ${seizures.join(', ')}: choose one with --seizure`,
    );

  const local = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  if (values.json) {
    const messages = rows.map((r) => ({ ...r, sent_at_local: local(r.sent_at as string).toISO() }));
    process.stdout.write(
      `${JSON.stringify({ conversation_id: conversation, seizure_id: seizures[0], zone, messages }, null, 2)}\n`,
    );
    return 0;
  }
  process.stdout.write(describe(conversation, seizures[0] as string, zone, rows, local));
  return 0;
}

function describe(
  conversation: string,
  seizure: string,
  zone: string,
  rows: Row[],
  local: (iso: string) => DateTime,
): string {
  const time = (iso: string) => local(iso).toFormat('yyyy-MM-dd HH:mm:ss ZZ');
  const people = new Set<string>();
  for (const r of rows) {
    people.add(r.sender as string);
    for (const h of (r.recipients as string[]) ?? []) people.add(h);
  }
  const first = rows[0]?.sent_at as string;
  const last = rows.at(-1)?.sent_at as string;
  const out = [
    `conversation ${conversation} in ${seizure}: ${rows.length} message${rows.length === 1 ? '' : 's'} between ${[...people].sort().join(', ')}`,
    `from ${time(first)} to ${time(last)} (times in ${zone})`,
    '',
  ];
  let previous: number | undefined;
  for (const r of rows) {
    const at = Date.parse(r.sent_at as string);
    if (previous !== undefined && at - previous > GAP_MS) {
      out.push(`  ··· ${silence(at - previous)} without messages ···`);
    }
    previous = at;
    const device = r.sender_device ? ` (${r.sender_device})` : '';
    out.push(
      `${time(r.sent_at as string)}  ${r.sender}${device} → ${((r.recipients as string[]) ?? []).join(', ')}`,
    );
    const status = r.body_status as string | null;
    if (status === 'encrypted') out.push('  [encrypted: no key supplied opened it]');
    else if (status === 'decryption-failed') out.push('  [encrypted: decryption failed]');
    if (r.body !== null && status !== 'encrypted' && status !== 'decryption-failed') {
      for (const line of String(r.body).split(/\r?\n/)) out.push(`  ${line}`);
    } else if (r.body === null) out.push('  [no text]');
    for (const a of (r.attachments as {
      name: string | null;
      media_type: string | null;
      size: number | null;
    }[]) ?? []) {
      out.push(
        `  attachment: ${a.name ?? '(no name)'}${a.media_type ? ` (${a.media_type}${a.size != null ? `, ${a.size} bytes` : ''})` : ''}`,
      );
    }
    const geo = r.geo as { lat: number; lon: number } | null;
    if (geo) out.push(`  location: ${geo.lat},${geo.lon}`);
    const entities = (r.entities as { kind: string; value: string }[] | null) ?? [];
    if (entities.length) out.push(`  found: ${entities.map((e) => `${e.kind} ${e.value}`).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}

function silence(ms: number): string {
  const hours = Math.floor(ms / 3600_000);
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} hours`;
}
