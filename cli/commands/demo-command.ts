import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateSeizure } from '#generator/generate-seizure.ts';
import { plantedStory } from '#generator/planted-story.ts';
import { runLocalImport } from '#local/import/run-local-import.ts';
import { runDemoSearches } from '#local/search/demo-search.ts';
import { localStore, seizureHome } from '#local/seizure-home.ts';
import { openLocalLake, queryRows } from '#local/sql/local-lake.ts';
import { UsageError } from '../cli-errors.ts';
import { progressLine } from '../output/progress.ts';
import { formatSearchResult, HIGHLIGHT_TAGS } from '../output/search-results.ts';
import { formatTable } from '../output/table.ts';

export const demoUsage = `seizure demo [--messages <n>]

Generates two synthetic seizures (Sky ECC-style and EncroChat-style, 20,000 messages each by default, with
the README's planted story among them) under $SEIZURE_HOME/demo, imports them through the import state machine into the local lake and the local
OpenSearch (started on first use), and shows what SQL and search find. Run it again: the imports are not
repeated.`;

const demoQueries: { title: string; sql: string }[] = [
  {
    title: 'Messages per seizure and month',
    sql: `SELECT seizure_id, sent_month, count(*) AS messages, count(DISTINCT sender) AS senders
          FROM messages GROUP BY ALL ORDER BY ALL`,
  },
  {
    title: 'Who talks to whom most (the contacts view)',
    sql: `SELECT seizure_id, handle_a, handle_b, messages, first_contact, last_contact
          FROM contacts ORDER BY messages DESC, handle_a LIMIT 5`,
  },
  {
    title: 'Most active handles and their devices (the handles view)',
    sql: `SELECT seizure_id, handle, messages_sent, messages_received, devices
          FROM handles ORDER BY messages_sent DESC, handle LIMIT 5`,
  },
  {
    title:
      'Bodies that mention an IBAN (checksum-valid, found at import), with where they came from in the evidence',
    sql: `SELECT e.sender, e.sent_at, e.entity AS iban, m.source_object, m.source_offset, m.source_length
          FROM entities e JOIN messages m USING (message_id) WHERE e.kind = 'iban' ORDER BY e.sent_at LIMIT 3`,
  },
  {
    title: 'What the bodies mention (the entities view)',
    sql: `SELECT kind, count(*) AS mentions, count(DISTINCT entity) AS distinct_values, count(DISTINCT sender) AS handles
          FROM entities GROUP BY kind ORDER BY mentions DESC`,
  },
  {
    title:
      'Leads: identifiers under more than one handle or in both seizures (the links view; also: npx seizure links)',
    sql: `SELECT kind, value, seizure_count, handle_count, handles FROM links ORDER BY seizure_count DESC, kind, value`,
  },
];

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { messages: { type: 'string', default: '20000' } } });
  const messages = Number(values.messages);
  if (!Number.isSafeInteger(messages) || messages < 100)
    throw new UsageError('--messages must be a whole number of at least 100');
  const home = seizureHome();
  const store = localStore(home);
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`seizure-lake demo (synthetic data only) in ${home}\n`);

  const seizureIds: string[] = [];
  for (const platform of ['skyecc', 'encrochat'] as const) {
    const out = path.join(home, 'demo', platform);
    if (!(await exists(path.join(out, 'manifest.json')))) {
      const generated = await generateSeizure({
        platform,
        messages,
        seed: 'demo',
        out,
        malformedRate: 0.002,
        // A few known messages among the generated ones: a number used on both platforms, a shared account.
        plant: plantedStory[platform],
      });
      say(
        `generated ${generated.messages} ${platform} messages in ${generated.files.length} file(s) under ${out}`,
      );
    }
    const progress = progressLine();
    const { report, alreadyImported, execution } = await runLocalImport(store, out, {
      onProgress: (p) => progress.update(p),
    }).finally(() => progress.stop());
    seizureIds.push(report.seizureId);
    const c = report.counts;
    say(
      `${alreadyImported ? 'already imported' : 'imported'} ${report.seizureId}: read ${c.read}, written ${c.written}, ` +
        `rejected ${c.rejected} (quarantined with reasons), duplicates ${c.duplicates}`,
    );
    if (execution) {
      const chunks = execution.states.find((st) => st.iterations)?.iterations?.succeeded ?? 0;
      say(
        `  ran the import state machine synthesized from infra/ (execution ${execution.name}, ${chunks} chunk(s))`,
      );
    }
  }

  const duckdb = await openLocalLake(home);
  try {
    for (const q of demoQueries) {
      const { columns, rows } = await queryRows(duckdb, q.sql);
      say(
        `\n== ${q.title}\n$ npx seizure query "${q.sql.replace(/\s+/g, ' ')}"\n${formatTable(columns, rows)}`,
      );
    }
  } finally {
    duckdb.close();
  }
  await runDemoSearches(
    store,
    seizureIds,
    (search, result, indexed) => {
      for (const i of indexed.splice(0)) say(`indexed ${i.seizureId}: ${i.indexCount} messages`);
      say(
        `\n== ${search.title}\n$ npx seizure search ${search.args}\n` +
          formatSearchResult(search.params.query, result, { seizures: search.params.seizureIds }),
      );
    },
    { home, highlightTags: HIGHLIGHT_TAGS },
  );
  say(`\nTry your own: npx seizure query "SELECT * FROM handles LIMIT 10"`);
  say(`             npx seizure search "levering AND morgen" --json   (SEIZURE_HOME=${home})`);
  return 0;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
