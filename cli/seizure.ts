#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { UsageError } from './cli-errors.ts';

interface CommandModule {
  run: (args: string[]) => Promise<number>;
  usage: string;
}

// Loaded on use: `seizure query` need not load the generator, nor `seizure generate` DuckDB.
const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  generate: {
    summary: 'generate --platform <name> --messages <n> --seed <s> --out <dir>   write a synthetic seizure',
    load: async () => {
      const m = await import('./commands/generate-command.ts');
      return { run: m.generateCommand, usage: m.generateUsage };
    },
  },
  import: {
    summary:
      'import <dir> [--json]                                              import a seizure into the local lake',
    load: async () => {
      const m = await import('./commands/import-command.ts');
      return { run: m.importCommand, usage: m.importUsage };
    },
  },
  query: {
    summary: 'query "<SQL>" [--json]                                             SQL over the lake (DuckDB)',
    load: async () => {
      const m = await import('./commands/query-command.ts');
      return { run: m.queryCommand, usage: m.queryUsage };
    },
  },
  search: {
    summary:
      'search "<query>" [--seizure <id>] [--sender <h>] [--json]          search the messages, with highlights',
    load: async () => {
      const m = await import('./commands/search-command.ts');
      return { run: m.searchCommand, usage: m.searchUsage };
    },
  },
  reindex: {
    summary:
      'reindex <seizureId> [--json]                                       rebuild a seizure search index from the lake',
    load: async () => {
      const m = await import('./commands/reindex-command.ts');
      return { run: m.reindexCommand, usage: m.reindexUsage };
    },
  },
  links: {
    summary:
      'links [--seizure <id>] [--json]                                    identifiers shared by seizures or handles',
    load: async () => {
      const m = await import('./commands/links-command.ts');
      return { run: m.linksCommand, usage: m.linksUsage };
    },
  },
  graph: {
    summary:
      'graph --seizure <id> [--handle <h> --depth <n>] --format graphml|csv   contact network for Gephi, i2',
    load: async () => {
      const m = await import('./commands/graph-command.ts');
      return { run: m.graphCommand, usage: m.graphUsage };
    },
  },
  thread: {
    summary: 'thread <conversationId> [--zone <IANA>] [--json]                   a conversation in order',
    load: async () => {
      const m = await import('./commands/thread-command.ts');
      return { run: m.threadCommand, usage: m.threadUsage };
    },
  },
  verify: {
    summary:
      'verify <seizureId> [--json]                                        re-check evidence, custody and provenance',
    load: async () => {
      const m = await import('./commands/verify-command.ts');
      return { run: m.verifyCommand, usage: m.verifyUsage };
    },
  },
  stack: {
    summary: 'stack up|down|status                                               the local OpenSearch node',
    load: async () => {
      const m = await import('./commands/stack-command.ts');
      return { run: m.stackCommand, usage: m.stackUsage };
    },
  },
  demo: {
    summary:
      'demo                                                               generate, import and query two seizures',
    load: async () => {
      const m = await import('./commands/demo-command.ts');
      return { run: m.demoCommand, usage: m.demoUsage };
    },
  },
};

const overview = `seizure: seized communications as evidence analysts can search

Commands:
${Object.values(commands)
  .map((c) => `  seizure ${c.summary}`)
  .join('\n')}

State lives under $SEIZURE_HOME (default ./.seizure). "seizure <command> --help" tells more.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${overview}\n`);
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`seizure: unknown command "${name}"\n\n${overview}\n`);
    return 2;
  }
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (error instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`seizure ${name}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    // Messages name the file and field at fault; stack traces are for developers (SEIZURE_DEBUG=1).
    process.stderr.write(`seizure ${name}: ${process.env.SEIZURE_DEBUG ? e.stack : e.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
