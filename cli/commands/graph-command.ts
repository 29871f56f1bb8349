import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { sqlString } from '#domain/lake/duckdb-session.ts';
import {
  type ContactRow,
  contactGraph,
  edgesCsv,
  type HandleRow,
  type IdentifierRow,
  nodesCsv,
  toGraphml,
} from '#domain/network/contact-graph.ts';
import { seizureHome } from '#local/seizure-home.ts';
import { openLocalLake, queryRows } from '#local/sql/local-lake.ts';
import { caseScope } from '../case-scope.ts';
import { UsageError } from '../cli-errors.ts';

export const graphUsage = `seizure graph --seizure <id> [--case <id>] [--handle <h> [--depth <n>]] [--entities] --format graphml|csv [--out <file>]

Exports the contact network of a seizure: handles as nodes (with messages sent and received, first and last
seen, devices), contacts as undirected edges weighted by the messages exchanged.
  --seizure <id>     the seizure
  --case <id>        only this case's rows: a seizure of another case has no messages here
  --handle <h>       only the handles within --depth contacts of this one
  --depth <n>        how many contacts away from --handle (default 1)
  --entities         add the devices each handle used and the phone numbers, IBANs, crypto and e-mail
                     addresses it mentioned, as nodes linked to it
  --format graphml   GraphML, for Gephi (File > Open), yEd, Cytoscape
  --format csv       CSV for i2 Analyst's Notebook and Gephi's spreadsheet import: to stdout, the edges table
                     (one row per link, both ends with their type and label: enough for i2 alone); with
                     --out <file>, <file>-edges.csv and <file>-nodes.csv (".csv" taken off <file>)
  --out <file>       write to a file instead of stdout`;

export async function graphCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seizure: { type: 'string' },
      case: { type: 'string' },
      handle: { type: 'string' },
      depth: { type: 'string' },
      entities: { type: 'boolean', default: false },
      format: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const seizure = values.seizure;
  if (!seizure) throw new UsageError('graph needs --seizure <id>');
  const scope = caseScope(values.case);
  if (values.format !== 'graphml' && values.format !== 'csv')
    throw new UsageError('graph needs --format graphml or --format csv');
  if (values.depth !== undefined && !values.handle) throw new UsageError('--depth goes with --handle');
  const depth = values.depth === undefined ? 1 : Number(values.depth);
  if (!Number.isSafeInteger(depth) || depth < 1)
    throw new UsageError('--depth must be a whole number of at least 1');

  const duckdb = await openLocalLake(seizureHome(), scope);
  let graph: ReturnType<typeof contactGraph>;
  try {
    const s = sqlString(seizure);
    const handles = await queryRows(
      duckdb,
      `SELECT handle, messages_sent, messages_received, first_seen, last_seen, list_sort(devices) AS devices
       FROM handles WHERE seizure_id = ${s} ORDER BY handle`,
    );
    if (handles.rows.length === 0)
      throw new Error(
        `no messages of seizure ${seizure} ${scope.caseId ? `in case ${scope.caseId}` : 'in the lake'} (${seizureHome()})`,
      );
    const contacts = await queryRows(
      duckdb,
      `SELECT handle_a, handle_b, messages, first_contact, last_contact
       FROM contacts WHERE seizure_id = ${s} ORDER BY handle_a, handle_b`,
    );
    const identifiers = values.entities
      ? await queryRows(
          duckdb,
          `SELECT handle, kind, value, sum(messages) AS messages, min(first_seen) AS first_seen, max(last_seen) AS last_seen
           FROM identifiers WHERE seizure_id = ${s} AND seen_as IN ('device', 'mentioned')
           GROUP BY handle, kind, value ORDER BY handle, kind, value`,
        )
      : undefined;
    graph = contactGraph({
      seizure,
      handles: handles.rows as unknown as HandleRow[],
      contacts: contacts.rows as unknown as ContactRow[],
      identifiers: identifiers?.rows as unknown as IdentifierRow[] | undefined,
      around: values.handle ? { handle: values.handle, depth } : undefined,
    });
  } finally {
    duckdb.close();
  }

  const handleCount = graph.nodes.filter((n) => n.type === 'handle').length;
  const summary = `${seizure}: ${handleCount} handles, ${graph.edges.filter((e) => e.type === 'contact').length} contacts${
    values.entities ? `, ${graph.nodes.length - handleCount} devices and identifiers` : ''
  }`;
  if (values.format === 'graphml') {
    if (values.out) {
      await fs.writeFile(values.out, toGraphml(graph));
      process.stderr.write(`${summary}: wrote ${values.out}\n`);
    } else process.stdout.write(toGraphml(graph));
  } else if (values.out) {
    const stem = values.out.replace(/\.csv$/i, '');
    await fs.writeFile(`${stem}-nodes.csv`, nodesCsv(graph));
    await fs.writeFile(`${stem}-edges.csv`, edgesCsv(graph));
    process.stderr.write(`${summary}: wrote ${stem}-nodes.csv and ${stem}-edges.csv\n`);
  } else process.stdout.write(edgesCsv(graph));
  return 0;
}
