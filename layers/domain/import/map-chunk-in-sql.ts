import { closeSync, openSync, readSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Chunk, NormalizedRecord, SqlChunkMapping } from '../adapters/adapter.ts';
import { LENIENT_JSON } from '../adapters/mapping/mapping-sql.ts';
import { enrichDistinctBody } from '../entities/enrich-message.ts';
import { sqlString } from '../lake/duckdb-session.ts';
import type { RawRecord } from '../records/record-splitter.ts';
import { duckdbType } from '../schema/duckdb-types.ts';
import { messageFields } from '../schema/message-schema.ts';
import { zoneDayOffsets } from '../time/timestamp-parser.ts';

/** What DuckDB mapped of a chunk, and what it handed back to the adapter. */
export interface SqlMappedChunk {
  /** Records mapped in SQL: the rows `select` yields. */
  rows: number;
  /** Every other record of the chunk, mapped or rejected by the adapter itself, in file order. */
  others: NormalizedRecord[];
  /** The canonical columns (all but the chunk's constants) of the rows mapped in SQL, enriched. */
  select: string;
}

/** A byte DuckDB's line reader treats differently from the record splitter: such chunks take the adapter's path. */
const CARRIAGE_RETURN = 0x0d;
const LINE_READER_DELIMITER = 0x01;
/** DuckDB's line reader refuses longer lines (max_line_size); such chunks take the adapter's path. */
const LONGEST_LINE = 2_000_000;
const ROUTED_BATCH = 5_000;
const SCAN_BLOCK = 4 * 1024 * 1024;

/**
 * Maps one chunk of NDJSON in DuckDB (mapping-sql.ts): lines with their exact byte offsets, the mapping in
 * SQL, times by their day's offset in the zone, enrichment once per distinct body. Returns undefined when
 * DuckDB cannot read the chunk's lines exactly as the record splitter cuts them (carriage returns, very
 * long lines, invalid UTF-8, a byte-order mark): the caller then reads the chunk with the adapter.
 */
export async function mapChunkInSql(
  connection: DuckDBConnection,
  chunk: Chunk,
  file: string,
  mapping: SqlChunkMapping,
  defaultCountry: CountryCode,
  work: string,
): Promise<SqlMappedChunk | undefined> {
  const size = (await fs.stat(file)).size;
  const scan = await scanChunk(file, chunk.start);
  if (!scan) return undefined;
  const { sql } = mapping;
  await connection.run('CREATE OR REPLACE TEMP TABLE lenient_lines (source_offset BIGINT)');
  for (let i = 0; i < scan.lenientLines.length; i += 10_000) {
    const values = scan.lenientLines.slice(i, i + 10_000).map((o) => `(${o})`);
    await connection.run(`INSERT INTO lenient_lines VALUES ${values.join(', ')}`);
  }
  // Lines with their offsets (a running sum of their lengths, newlines included), read once as the mapping
  // reads them: the chunk's text is never a table of its own.
  await connection.run(
    `CREATE OR REPLACE TEMP VIEW records AS
     SELECT line, ${chunk.start} + line_end - strlen(line) - 1 AS source_offset, strlen(line) AS source_length
     FROM (SELECT line, sum(coalesce(strlen(line), 0) + 1) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS line_end
           FROM read_csv(${sqlString(file)}, columns = {'line': 'VARCHAR'}, header = false, delim = '\x01', quote = '',
             escape = '', auto_detect = false, new_line = '\\n', strict_mode = false, max_line_size = ${LONGEST_LINE}))
     WHERE line IS NOT NULL`,
  );
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE parsed AS ${sql.parse}`);
  } catch (e) {
    // Invalid UTF-8 or a line beyond the reader's limit: the adapter reads such a chunk. Anything else is a fault.
    const message = (e as Error).message;
    if (/CSV Error|line size/i.test(message)) return undefined;
    // DuckDB's messages quote the values they stumbled on; only the kind of error leaves this step.
    throw new Error(`chunk ${chunk.chunkId}: DuckDB could not map the chunk (${message.split(':')[0]})`);
  }
  // Every byte accounted for up to the last record's end (its newline optional): the offsets are exact.
  const [counted] = (
    await connection.runAndReadAll(
      `SELECT coalesce(max(source_offset + source_length), ${chunk.start}) - ${chunk.start} AS end, count(*) AS records FROM parsed`,
    )
  ).getRowObjects();
  const end = Number(counted?.end);
  if (end !== size && end + 1 !== size) return undefined;
  for (const [i, zone] of sql.zones.entries()) await loadZoneDays(connection, i, zone);
  await connection.run(`CREATE OR REPLACE TEMP VIEW mapped AS ${sql.mapped}`);

  const { routed, others } = await mapRouted(connection, chunk, file, mapping);
  await loadEnrichment(connection, defaultCountry, path.join(work, 'enrichment.ndjson'));
  // Every record is either mapped in SQL (ok) or routed: no second pass over the view to count.
  return { rows: Number(counted?.records) - routed, others, select: await canonicalSelect(connection) };
}

/** The offset of each local day the chunk's times fall on, from the same function the JavaScript parser uses. */
async function loadZoneDays(
  connection: DuckDBConnection,
  index: number,
  zone: { zone: string; dayColumns: string[] },
): Promise<void> {
  const days = await connection.runAndReadAll(
    `SELECT DISTINCT day FROM (${zone.dayColumns.map((c) => `SELECT ${c} AS day FROM parsed`).join(' UNION ALL ')}) WHERE day IS NOT NULL`,
  );
  const offsetOn = zoneDayOffsets(zone.zone);
  const values = days.getRowObjects().map(({ day }) => {
    const date = new Date(Number(day) * 86_400_000);
    const offset = offsetOn(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
    // null: the zone switches that day (or the date cannot be placed): its times go to JavaScript.
    return `(${Number(day)}, ${typeof offset === 'number' ? offset : 'NULL'})`;
  });
  // One row: the offsets of every day from the first to the last, as the list the mapping indexes by day.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE zone_days (day INTEGER, offset_minutes INTEGER);
     ${values.length ? `INSERT INTO zone_days VALUES ${values.join(', ')};` : ''}
     CREATE OR REPLACE TEMP TABLE zone_offsets_${index} AS
       SELECT min(d.day) AS first_day, list(z.offset_minutes ORDER BY d.day) AS offsets
       FROM (SELECT range::INTEGER AS day FROM range((SELECT min(day) FROM zone_days), (SELECT max(day) + 1 FROM zone_days))) AS d
       LEFT JOIN zone_days AS z ON z.day = d.day;`,
  );
}

/** The records SQL did not map exactly, through the adapter's own mapping (the same bytes and offsets). */
async function mapRouted(
  connection: DuckDBConnection,
  chunk: Chunk,
  file: string,
  mapping: SqlChunkMapping,
): Promise<{ routed: number; others: NormalizedRecord[] }> {
  const routed = await connection.runAndReadAll(
    'SELECT source_offset, source_length FROM mapped WHERE NOT ok ORDER BY source_offset',
  );
  // Column by column: the Node API converts a column far faster than it builds rows.
  const [offsets = [], lengths = []] = routed.getColumns();
  const others = await mapRecordsAt(chunk, { file, fileStart: chunk.start }, mapping, offsets, lengths);
  return { routed: offsets.length, others };
}

/**
 * The chunk's records at these evidence offsets and lengths, through the adapter's own mapping, read from
 * `file`, whose first byte is the evidence's byte `fileStart`.
 */
export async function mapRecordsAt(
  chunk: Chunk,
  { file, fileStart }: { file: string; fileStart: number },
  mapping: SqlChunkMapping,
  offsets: readonly unknown[],
  lengths: readonly unknown[],
): Promise<NormalizedRecord[]> {
  const out: NormalizedRecord[] = [];
  // Read synchronously: small reads, each of which a round trip through the thread pool would dwarf.
  const fd = openSync(file, 'r');
  try {
    for (let i = 0; i < offsets.length; i += ROUTED_BATCH) {
      const records: RawRecord[] = [];
      for (let j = i; j < Math.min(offsets.length, i + ROUTED_BATCH); j++) {
        const bytes = Buffer.alloc(Number(lengths[j]));
        readSync(fd, bytes, 0, bytes.length, Number(offsets[j]) - fileStart);
        records.push({ offset: Number(offsets[j]), bytes });
      }
      out.push(...mapping.mapRecords(chunk, records));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/**
 * One pass over the chunk, a block at a time (the chunk is never held whole): undefined when it has a byte
 * DuckDB's line reader treats differently from the record splitter, or a line too long for it; otherwise
 * the offsets of the lines JSON.parse would refuse where DuckDB accepts them.
 */
async function scanChunk(file: string, start: number): Promise<{ lenientLines: number[] } | undefined> {
  const lenientLines: number[] = [];
  const handle = await fs.open(file);
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = start; // file offset of carry[0]
    const block = Buffer.alloc(SCAN_BLOCK);
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, block.length);
      const piece = Buffer.concat([carry, block.subarray(0, bytesRead)]);
      if (piece.includes(CARRIAGE_RETURN) || piece.includes(LINE_READER_DELIMITER)) return undefined;
      // Whole lines only (all of it at the end), so that a match and its line are in one piece.
      const end = bytesRead ? piece.lastIndexOf(0x0a) + 1 : piece.length;
      // Latin-1 keeps every byte one character: UTF-8 sequences never hold ASCII bytes, offsets stay bytes.
      const text = piece.toString('latin1', 0, end);
      for (const match of text.matchAll(LENIENT_JSON)) {
        const lineStart = text.lastIndexOf('\n', match.index) + 1;
        if (lenientLines.at(-1) !== carryOffset + lineStart) lenientLines.push(carryOffset + lineStart);
      }
      carry = Buffer.from(piece.subarray(end));
      carryOffset += end;
      if (carry.length > LONGEST_LINE) return undefined;
      if (!bytesRead) return { lenientLines };
    }
  } finally {
    await handle.close();
  }
}

const enrichmentFields = messageFields.filter((f) =>
  ['language', 'entities', 'mentioned_geo'].includes(f.name),
);

/** Entities and language of each distinct body, found in JavaScript once, joined back in SQL. */
async function loadEnrichment(
  connection: DuckDBConnection,
  defaultCountry: CountryCode,
  file: string,
): Promise<void> {
  const bodies = await connection.runAndReadAll(
    'SELECT DISTINCT body FROM mapped WHERE ok AND body IS NOT NULL',
  );
  const lines: string[] = [];
  for (const body of bodies.getColumns()[0] ?? []) {
    const found = enrichDistinctBody(body as string, defaultCountry);
    lines.push(
      JSON.stringify({
        body,
        language: found.language,
        entities: found.entities,
        mentioned_geo: found.mentioned_geo,
      }),
    );
  }
  await fs.writeFile(file, lines.length ? `${lines.join('\n')}\n` : '');
  const columns = [
    `"body": 'VARCHAR'`,
    ...enrichmentFields.map((f) => `"${f.name}": '${duckdbType(f.type)}'`),
  ].join(', ');
  await connection.run(
    lines.length
      ? `CREATE OR REPLACE TEMP TABLE enrichment AS SELECT * FROM read_json(${sqlString(file)},
           format = 'newline_delimited', columns = {${columns}}, maximum_object_size = 67108864)`
      : `CREATE OR REPLACE TEMP TABLE enrichment (body VARCHAR, ${enrichmentFields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(', ')})`,
  );
  await fs.rm(file, { force: true });
}

/** The mapped rows in the canonical columns' types; the ones the mapping does not set are NULL. */
async function canonicalSelect(connection: DuckDBConnection): Promise<string> {
  // The columns the mapping produced, as the view has them; the others of the schema are enrichment or NULL.
  const described = await connection.runAndReadAll('SELECT column_name FROM (DESCRIBE mapped)');
  const fromMapping = new Set((described.getColumns()[0] ?? []).map(String));
  const enriched = new Set(enrichmentFields.map((f) => f.name));
  const columns = messageFields.map((f) => {
    const source = fromMapping.has(f.name)
      ? `m."${f.name}"`
      : enriched.has(f.name)
        ? `e."${f.name}"`
        : 'NULL';
    return `CAST(${source} AS ${duckdbType(f.type)}) AS "${f.name}"`;
  });
  return `SELECT ${columns.join(', ')} FROM mapped AS m LEFT JOIN enrichment AS e ON e.body = m.body WHERE m.ok`;
}
