import { sqlString } from '../../sql/sql-literals.ts';
import { jsTrim, type TimeSql, timeSql } from '../../time/timestamp-sql.ts';
import type { ListSpec, Mapping, TimeSpec, Transform, ValueSpec } from './mapping-schema.ts';

/**
 * A mapping file compiled to SQL over DuckDB's readers: the fast path of the mapping adapter for NDJSON.
 *
 * It is a second implementation of compile-mapping.ts, held to it by a differential test, and it only
 * claims what it can map exactly: a record whose JSON, types or values fall outside what the SQL below
 * reproduces (invalid JSON, JSON.parse's stricter grammar, repeated keys, non-ASCII text under a case
 * transform, a time on a day its zone switches, anything to reject, ...) keeps `fast` false and goes to the
 * JavaScript mapping, which maps or rejects it with the reason. The common record never becomes a
 * JavaScript object: that is what makes the path fast (BENCHMARKS.md).
 *
 * Tables: `records(line, source_offset, source_length)` and `lenient_lines(source_offset)` in, `parse` out
 * (materialized as `parsed`);
 * `zone_offsets_<i>(first_day, offsets)` come from JavaScript (zoneDayOffsets) for the days `zones` lists: one
 * row, the offset of each local day from `first_day` on (NULL on a day the zone switches);
 * `mapped` gives the canonical columns (all but enrichment and the chunk's constants) and `ok`.
 */
export interface MappingSql {
  parse: string;
  /** Zones times are read in, each with the `parsed` columns holding local days (INTEGER) to look up. */
  zones: { zone: string; dayColumns: string[] }[];
  mapped: string;
}

/**
 * What JSON.parse refuses but DuckDB's reader (yyjson) accepts: a trailing comma, or `nan`, `inf` or
 * `infinity` in any case, signed or not, where a value starts. Searched in the chunk's bytes by JavaScript
 * (one regular expression over the whole chunk is far cheaper than one per line in SQL); a line with a
 * match, even inside a text (", info"), goes to the JavaScript mapping: `lenient_lines(source_offset)`.
 */
export const LENIENT_JSON = /,[ \t]*[}\]]|[:,[][ \t]*[-+]?(?:[iI][nN][fF]|[nN][aA][nN])/g;

/** Path segments both sides read alike: JavaScript's `obj[part]` and a struct field. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys JavaScript finds on any object or array (`to.length` of an array), where a struct finds nothing. */
const INHERITED = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Array.prototype),
]);

type Structure = { [key: string]: 'JSON' | Structure };

/** Whether the mapping can be compiled to SQL at all (NDJSON, plain paths); otherwise every record takes the JavaScript path. */
export function compileMappingSql(mapping: Mapping, platform: string, zone: string): MappingSql | undefined {
  if (mapping.input.type !== 'ndjson') return undefined;
  const specs = Object.values(mapping.fields).filter((s) => s !== undefined);
  const paths = [...new Set(specs.flatMap((s) => [s.from, s.when?.from].filter((p) => p !== undefined)))];
  if (paths.some((p) => p.split('.').some((k) => !PLAIN_KEY.test(k) || INHERITED.has(k)))) return undefined;
  const structure = structureOf(paths);
  if (!structure) return undefined;
  const f = mapping.fields;

  // Level 1: one strict parse of the line into the JSON text of every path. It fails on invalid JSON, a
  // repeated key (JSON.parse keeps the last, DuckDB the first), a missing key, or a value on a path that is
  // not an object. Only such lines are parsed again, leniently (a missing key or a path through something
  // else than an object reads as null, as in JavaScript), unless a key the mapping reads appears twice or
  // may hide behind an escape: then the record goes to JavaScript.
  const keys = [...new Set(paths.flatMap((p) => p.split('.')))];
  const repeatedKey = `len(list_distinct(regexp_extract_all(line, ${sqlString(`"(${keys.join('|')})"[ \t]*:`)}, 1)))
    <> len(regexp_extract_all(line, ${sqlString(`"(${keys.join('|')})"[ \t]*:`)}, 1))`;
  const structureSql = sqlString(JSON.stringify(structure));
  const parsedJson = `coalesce(try(json_transform_strict(line, ${structureSql})),
    CASE WHEN starts_with(line, '{') AND NOT regexp_matches(line, ${sqlString(String.raw`\\u00[2-7]`)}) AND NOT (${repeatedKey})
      THEN try(json_transform(line, ${structureSql})) END)`;
  const at = (path: string) => `j${paths.indexOf(path)}`;
  const field = (path: string) =>
    `CAST(parsed_json.${path
      .split('.')
      .map((k) => `"${k}"`)
      .join('.')} AS VARCHAR)`;
  const level1 = `SELECT source_offset, source_length, line, parsed_json, ${paths.map((p) => `${field(p)} AS ${at(p)}`).join(', ')}
    FROM (SELECT *, ${parsedJson} AS parsed_json FROM records)`;

  // Level 2: the text of each path as JavaScript's toText gives it, or NULL where it would differ.
  const text = (path: string) => `t${paths.indexOf(path)}`;
  const level2Columns = paths.map((p) => `${jsonText(at(p))} AS ${text(p)}`);
  if (f.recipients?.from)
    level2Columns.push(`${itemsOf(at(f.recipients.from), f.recipients.split)} AS recipient_items`);
  const level2 = `SELECT *, ${level2Columns.join(', ')} FROM (${level1})`;

  // Level 3: the mapped values; every check that would make the JavaScript mapping differ, in `checks`.
  const checks = new Set<string>([
    'parsed_json IS NOT NULL',
    `starts_with(line, '{')`,
    'source_offset NOT IN (SELECT source_offset FROM lenient_lines)',
  ]);
  const late = new Set<string>();
  const sql: SqlContext = { text, at, checks, late };
  const nullText = 'NULL::VARCHAR';
  const columns: Record<string, string> = {
    native_id: f.native_id ? valueSql(f.native_id, sql) : nullText,
    sender: valueSql(f.sender, sql),
    sender_device: f.sender_device ? valueSql(f.sender_device, sql) : nullText,
    recipients: f.recipients ? listSql(f.recipients, sql) : 'CAST([] AS VARCHAR[])',
    group_id: f.group ? valueSql(f.group, sql) : nullText,
    body: f.body ? valueSql(f.body, sql) : nullText,
    latitude: f.latitude ? numberSql(f.latitude, 'latitude', sql) : 'NULL::DOUBLE',
    longitude: f.longitude ? numberSql(f.longitude, 'longitude', sql) : 'NULL::DOUBLE',
  };
  const times: [string, TimeSpec | undefined][] = [
    ['sent', f.sent_at],
    ['received', f.received_at],
    ['read', f.read_at],
  ];
  const timeParsers: [string, TimeSql, string][] = [];
  for (const [name, spec] of times) {
    if (!spec) continue;
    const parser = timeSql(spec.format, `${name}_raw`);
    timeParsers.push([name, parser, spec.zone ?? zone]);
    columns[`${name}_raw`] = valueSql(spec, sql);
  }
  const level3 = `SELECT *, ${[...checks].join(' AND ')} AS checked,
      ${Object.entries(columns)
        .map(([name, sql]) => `${sql} AS ${name}`)
        .join(', ')}
    FROM (${level2})`;

  // Level 4: times, and the rules of the JavaScript mapping that reject a record (they go there).
  const level4Times = timeParsers.map(([name, parser]) => `${parser.capture} AS ${name}_captured`);
  const level4 = `SELECT *, ${level4Times.join(', ')} FROM (${level3})`;
  const timeColumns = timeParsers.flatMap(([name, parser]) => [
    `${parser.millis(`${name}_captured`)} AS ${name}_ms`,
    `${parser.localDay(`${name}_captured`)} AS ${name}_day`,
  ]);
  const rules = [
    'checked',
    ...late,
    'sender IS NOT NULL',
    'sent_raw IS NOT NULL',
    ...timeParsers.map(([name]) => `(${name}_raw IS NULL OR ${name}_ms IS NOT NULL)`),
    '((latitude IS NULL AND longitude IS NULL) OR (abs(latitude) <= 90 AND abs(longitude) <= 180))',
    // JavaScript sorts recipients and participants by UTF-16 code units, DuckDB by bytes: alike for ASCII.
    `(len(recipients) = 0 OR (${isAscii('sender')} AND ${itemsAscii('recipients', f.recipients?.from && at(f.recipients.from))}))`,
  ];
  const level5 = `SELECT *, ${timeColumns.join(', ')} FROM (${level4})`;
  const outputs = [
    ...Object.keys(columns),
    ...timeParsers.flatMap(([name]) => [`${name}_ms`, `${name}_day`]),
  ];
  const parse = `SELECT source_offset, source_length, ${outputs.join(', ')}, coalesce(${rules.join(' AND ')}, false) AS fast
    FROM (${level5})`;

  // Zones: each time read in a zone takes its day's offset; a day with a switch (NULL) goes to JavaScript.
  // The offsets are a list indexed by day: a lookup per time instead of a join per time column.
  const zones: MappingSql['zones'] = [];
  const utc: Record<string, string> = {};
  const dayChecks: string[] = [];
  for (const [name, , timeZone] of timeParsers) {
    let i = zones.findIndex((z) => z.zone === timeZone);
    if (i === -1) i = zones.push({ zone: timeZone, dayColumns: [] }) - 1;
    zones[i]?.dayColumns.push(`${name}_day`);
    const offset = `zone_${i}.offsets[p.${name}_day - zone_${i}.first_day + 1]`;
    utc[name] = `CASE WHEN p.${name}_day IS NULL THEN p.${name}_ms ELSE p.${name}_ms - ${offset} * 60000 END`;
    dayChecks.push(`(p.${name}_day IS NULL OR ${offset} IS NOT NULL)`);
  }
  const joins = zones.map((_, i) => `CROSS JOIN zone_offsets_${i} AS zone_${i}`);
  const millisToTimestamp = (name: string) =>
    utc[name] ? `make_timestamptz(${name}_utc * 1000)` : 'NULL::TIMESTAMPTZ';
  const sep = 'chr(0)';
  const digest = (parts: string[], chars: number) =>
    `substr(sha256(${parts.join(` || ${sep} || `)}), 1, ${chars})`;
  // Times in UTC, and the participants of a conversation with several recipients (list functions are
  // costly: one recipient, the common case, is compared directly below), once per row.
  const resolved = `SELECT p.*, ${Object.entries(utc)
    .map(([name, sql]) => `${sql} AS ${name}_utc`)
    .join(', ')},
      p.fast AND ${dayChecks.length ? dayChecks.join(' AND ') : 'true'} AS ok,
      CASE WHEN p.group_id IS NULL AND len(p.recipients) > 1
        THEN list_sort(list_distinct(list_prepend(p.sender, p.recipients))) END AS participants
    FROM parsed AS p ${joins.join(' ')}`;
  const mapped = `SELECT source_offset, source_length, body, ok,
      CASE WHEN native_id IS NOT NULL
        THEN ${digest(["'native'", sqlString(platform), 'native_id'], 32)}
        ELSE ${digest(["'content'", sqlString(platform), 'sender', 'CAST(sent_utc AS VARCHAR)', `CASE WHEN len(recipients) <= 1 THEN coalesce(recipients[1], '') ELSE array_to_string(list_sort(recipients), ',') END`, `coalesce(body, '')`], 32)}
      END AS message_id,
      native_id,
      CASE WHEN group_id IS NOT NULL THEN 'group:' || group_id
        WHEN len(recipients) <= 1 THEN 'dm:' || substr(sha256(CASE WHEN coalesce(recipients[1], sender) = sender THEN sender
          ELSE least(sender, recipients[1]) || ${sep} || greatest(sender, recipients[1]) END), 1, 20)
        ELSE CASE WHEN len(participants) <= 2 THEN 'dm:' ELSE 'adhoc:' END
          || substr(sha256(array_to_string(participants, ${sep})), 1, 20)
      END AS conversation_id,
      ${millisToTimestamp('sent')} AS sent_at,
      sent_raw AS sent_at_raw,
      sent_day IS NOT NULL AS timezone_assumed,
      ${millisToTimestamp('received')} AS received_at,
      ${millisToTimestamp('read')} AS read_at,
      sender, sender_device, recipients,
      CASE WHEN latitude IS NOT NULL THEN {'lat': latitude, 'lon': longitude} END AS geo
    FROM (${resolved})`;
  return { parse, zones, mapped };
}

/** The struct json_transform_strict reads: every path's value as JSON text, nested by its dots. */
function structureOf(paths: readonly string[]): Structure | undefined {
  const root: Structure = {};
  for (const path of paths) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      const next = node[key];
      if (next === 'JSON') return undefined; // a path that is both a value and an object
      node = next;
    }
    const last = keys[keys.length - 1] as string;
    if (node[last] !== undefined) return undefined;
    node[last] = 'JSON';
  }
  return root;
}

/** JavaScript's toText of a JSON value given as JSON text: a string unquoted, an integer or boolean as written. */
function jsonText(json: string): string {
  // JSON null first: common (an absent group, no location), and it spares the regular expression.
  return `CASE WHEN starts_with(${json}, '"') THEN ${unquote(json)} WHEN ${json} = 'null' THEN NULL
    WHEN ${json} IN ('true', 'false') OR regexp_full_match(${json}, '-?[0-9]{1,15}') THEN ${json} END`;
}

function unquote(json: string): string {
  return `CASE WHEN contains(${json}, '\\') THEN json_extract_string(${json}, '$') ELSE ${json}[2:-2] END`;
}

/**
 * The items compileList starts from, from a value's JSON text: an array's texts (null items as ''), or a
 * text (split when the mapping says so); NULL where JavaScript would read something else.
 */
function itemsOf(json: string, split: string | undefined): string {
  const items = `CAST(json_extract(${json}, '$[*]') AS VARCHAR[])`;
  // The common array: texts without escapes, written compactly (json_extract's form).
  const plain = `regexp_full_match(${json}, ${sqlString(String.raw`\[("[^"\\]*"(,"[^"\\]*")*)?\]`)})`;
  const general = `CASE WHEN list_bool_and(list_transform(${items}, lambda x: x = 'null' OR starts_with(x, '"')))
    THEN list_transform(${items}, lambda x: CASE WHEN x = 'null' THEN '' ELSE ${unquote('x')} END) END`;
  const text = jsonText(json);
  return `CASE WHEN ${json} IS NULL OR ${json} = 'null' OR ${json} = '""' OR ${json} = '[]' THEN CAST([] AS VARCHAR[])
    WHEN starts_with(${json}, '[') THEN CASE WHEN ${plain} THEN string_split(${json}[3:-3], '","') ELSE ${general} END
    WHEN (${text}) IS NOT NULL THEN ${itemsOfText(text, split)} END`;
}

interface SqlContext {
  /** The toText column of a path. */
  text: (path: string) => string;
  /** The JSON text of a path. */
  at: (path: string) => string;
  checks: Set<string>;
  /** Checks of mapped values (level 3 columns). */
  late: Set<string>;
}

/** A path read as text: JSON null, a missing key or a value toText reproduces. */
function textCheck(path: string, sql: SqlContext): string {
  return `(${sql.at(path)} IS NULL OR ${sql.at(path)} = 'null' OR ${sql.text(path)} IS NOT NULL)`;
}

function gated(spec: ValueSpec, mapped: string, otherwise: string, sql: SqlContext): string {
  if (!spec.when) return mapped;
  sql.checks.add(textCheck(spec.when.from, sql));
  return `CASE WHEN ${sql.text(spec.when.from)} = ${sqlString(spec.when.equals)} THEN ${mapped} ELSE ${otherwise} END`;
}

const caseTransforms = new Set<Transform>(['lowercase', 'uppercase', 'bare-jid']);

function isAscii(expression: string): string {
  return `strlen(${expression}) = length(${expression})`;
}

/**
 * Whether a list's items are all ASCII. Joining a list is costly: when the JSON text the items came from is
 * ASCII, so are they (DuckDB writes that text with non-ASCII characters as they are, escaping only ASCII
 * ones), and the transforms keep ASCII ASCII.
 */
function itemsAscii(items: string, json: string | undefined): string {
  const joined = isAscii(`array_to_string(${items}, '')`);
  return json ? `CASE WHEN ${isAscii(json)} THEN true ELSE ${joined} END` : joined;
}

function transformSql(transform: Transform, x: string): string {
  switch (transform) {
    case 'trim':
      // Most values start and end with a printable ASCII character: nothing to trim, and no set to search.
      return `CASE WHEN ord(${x}[1]) BETWEEN 33 AND 126 AND ord(${x}[-1]) BETWEEN 33 AND 126 THEN ${x} ELSE ${jsTrim(x)} END`;
    case 'lowercase':
      return `lower(${x})`;
    case 'uppercase':
      return `upper(${x})`;
    case 'bare-jid':
      return `lower(split_part(${x}, '/', 1))`;
    case 'jid-resource':
      return `CASE WHEN contains(${x}, '/') THEN substr(${x}, instr(${x}, '/') + 1) ELSE '' END`;
    case 'digits':
      return `regexp_replace(${x}, '[^0-9]+', '', 'g')`;
  }
}

function applyTransforms(transforms: readonly Transform[], x: string): string {
  return transforms.reduce((sql, t) => transformSql(t, sql), x);
}

/** compileValue: the text ('' is none), transformed ('' is none); a constant as given. */
function valueSql(spec: ValueSpec, sql: SqlContext): string {
  const transforms = spec.transform ?? [];
  let raw = sqlString(spec.const ?? '');
  if (spec.from !== undefined) {
    sql.checks.add(textCheck(spec.from, sql));
    raw = `nullif(${sql.text(spec.from)}, '')`;
    // Case mappings agree between JavaScript and DuckDB for ASCII only.
    if (transforms.some((t) => caseTransforms.has(t))) sql.checks.add(`(${raw} IS NULL OR ${isAscii(raw)})`);
  }
  const mapped = transforms.length ? `nullif(${applyTransforms(transforms, raw)}, '')` : raw;
  return gated(spec, mapped, 'NULL', sql);
}

/** compileList: the items transformed, empty ones dropped. */
function listSql(spec: ListSpec, sql: SqlContext): string {
  const transforms = spec.transform ?? [];
  const empty = 'CAST([] AS VARCHAR[])';
  let items = spec.const ? itemsOfText(sqlString(spec.const), spec.split) : empty;
  if (spec.from !== undefined) {
    items = 'recipient_items';
    sql.checks.add('recipient_items IS NOT NULL');
    if (transforms.some((t) => caseTransforms.has(t))) sql.checks.add(itemsAscii(items, sql.at(spec.from)));
  }
  const transformed = transforms.length
    ? `list_transform(${items}, lambda x: ${applyTransforms(transforms, 'x')})`
    : items;
  let list = `list_filter(${transformed}, lambda x: x <> '')`;
  // DuckDB's lambdas are costly: a list of items the transforms leave as they are, none empty, is itself.
  const unchanged = unchangedBy(transforms);
  if (unchanged) {
    const joined = charClass(unchanged);
    let check = `regexp_full_match(array_to_string(${items}, chr(1)), ${sqlString(`${joined}+(\\x01${joined}+)*`)})`;
    // A JSON array of texts without escapes (its quotes are the texts' own) is checked as it is, unjoined.
    const inJson = unchanged.filter((c) => c !== 34 && c !== 92);
    if (spec.from !== undefined && inJson.length) {
      const json = sql.at(spec.from);
      const c = charClass(inJson);
      check = `CASE WHEN starts_with(${json}, '["') THEN regexp_full_match(${json}, ${sqlString(`\\["${c}+"(,"${c}+")*\\]`)}) ELSE ${check} END`;
    }
    list = `CASE WHEN ${check} THEN ${items} ELSE ${list} END`;
  }
  return gated(spec, list, empty, sql);
}

/**
 * The characters every transform leaves as they are, among printable ASCII without the space (so that trim
 * has nothing to remove); undefined when there are none.
 */
function unchangedBy(transforms: readonly Transform[]): number[] | undefined {
  const isLower = (c: number) => c >= 97 && c <= 122;
  const isUpper = (c: number) => c >= 65 && c <= 90;
  const keeps: Record<Transform, ((c: number) => boolean) | undefined> = {
    trim: () => true,
    uppercase: (c) => !isLower(c),
    lowercase: (c) => !isUpper(c),
    'bare-jid': (c) => !isUpper(c) && c !== 47,
    'jid-resource': undefined,
    digits: (c) => c >= 48 && c <= 57,
  };
  let codes = Array.from({ length: 94 }, (_, i) => 33 + i);
  for (const t of transforms) {
    const keep = keeps[t];
    if (!keep) return undefined;
    codes = codes.filter(keep);
  }
  return codes.length ? codes : undefined;
}

/** A regular expression's class of these characters (ascending). */
function charClass(codes: readonly number[]): string {
  const hex = (c: number) => `\\x${c.toString(16).padStart(2, '0')}`;
  const ranges: string[] = [];
  for (let i = 0; i < codes.length; ) {
    let j = i;
    while (codes[j + 1] === (codes[j] as number) + 1) j++;
    ranges.push(i === j ? hex(codes[i] as number) : `${hex(codes[i] as number)}-${hex(codes[j] as number)}`);
    i = j + 1;
  }
  return `[${ranges.join('')}]`;
}

function itemsOfText(text: string, split: string | undefined): string {
  return split ? `string_split(${text}, ${sqlString(split)})` : `[${text}]`;
}

/** parseNumber of the value: a plain decimal (comma or point) in text, a JSON number as it is. */
function numberSql(spec: ValueSpec, column: string, sql: SqlContext): string {
  const decimal = (text: string) => `CASE WHEN regexp_full_match(${jsTrim(text)}, '-?[0-9]+([.,][0-9]+)?')
      THEN CAST(replace(${jsTrim(text)}, ',', '.') AS DOUBLE) + 0.0 END`;
  if (spec.from === undefined || spec.transform?.length || spec.when) {
    const mapped = valueSql(spec, sql);
    const number = decimal(mapped);
    sql.late.add(`(${mapped} IS NULL OR ${column} IS NOT NULL)`);
    return number;
  }
  // JavaScript reads a JSON number as Number(String(n)): n itself (+ 0.0 turns -0 into 0, as the staged JSON does).
  const json = sql.at(spec.from);
  const text = `nullif(${sql.text(spec.from)}, '')`;
  const number = `CASE WHEN ${json} IS NULL OR ${json} = 'null' THEN NULL
    WHEN starts_with(${json}, '"') THEN CASE WHEN ${text} IS NOT NULL THEN ${decimal(text)} END
    WHEN NOT starts_with(${json}, '[') AND NOT starts_with(${json}, '{') AND ${json} NOT IN ('true', 'false')
      THEN TRY_CAST(${json} AS DOUBLE) + 0.0 END`;
  sql.late.add(
    `(${json} IS NULL OR ${json} = 'null' OR (starts_with(${json}, '"') AND ${text} IS NULL) OR ${column} IS NOT NULL)`,
  );
  return number;
}
