import { parse } from 'csv-parse/sync';
import type { CsvInput } from './mapping-schema.ts';

/**
 * Splits already-delimited CSV records into fields with csv-parse. Records are parsed a batch at a time;
 * when a batch fails (a malformed quote), each of its records is parsed alone so only the bad one is lost
 * to quarantine.
 */
export type FieldsOrError = string[] | { error: string };

export function csvFieldParser(input: CsvInput): (records: string[]) => FieldsOrError[] {
  const options = {
    delimiter: input.delimiter,
    quote: input.quote,
    escape: input.quote,
    record_delimiter: '\n',
    relax_column_count: true,
    skip_empty_lines: false,
    bom: false,
  } as const;

  const parseOne = (record: string): FieldsOrError => {
    try {
      const rows = parse(record, options) as string[][];
      return rows.length === 1
        ? (rows[0] as string[])
        : { error: `malformed CSV: one record parsed as ${rows.length}` };
    } catch (e) {
      return { error: `malformed CSV: ${(e as Error).message.split('\n')[0]}` };
    }
  };

  return (records) => {
    if (records.length === 0) return [];
    try {
      const rows = parse(records.join('\n'), options) as string[][];
      if (rows.length === records.length) return rows;
    } catch {
      // fall through to per-record parsing to find the malformed one
    }
    return records.map(parseOne);
  };
}

/**
 * A header is one line. A line break inside its record (a quoted field running over lines) means its quoting
 * is damaged, or the file has no header: the records it swallowed would be read as column names, and lost.
 */
export const HEADER_OVER_LINES =
  'the header record runs over several lines: its quoting is damaged, or the file has no header';

export function headerRunsOverLines(header: string): boolean {
  return /[\r\n]/.test(header.replace(/\r$/, ''));
}
