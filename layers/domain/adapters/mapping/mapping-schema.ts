import { z } from 'zod';

/**
 * A mapping file: how one CSV or NDJSON export becomes canonical messages, without code. See the README's
 * "Mapping files" section for an example. Column names (CSV) or dotted paths (NDJSON) go in `from`.
 */
export const transforms = ['trim', 'lowercase', 'uppercase', 'bare-jid', 'jid-resource', 'digits'] as const;
export type Transform = (typeof transforms)[number];

const condition = z.strictObject({
  from: z.string().min(1),
  equals: z.string(),
});

const valueShape = {
  /** Column name (CSV) or dotted path (NDJSON). */
  from: z.string().min(1).optional(),
  /** A constant instead of a column. */
  const: z.string().optional(),
  transform: z.array(z.enum(transforms)).optional(),
  /** Only take the value when another column equals a given text. */
  when: condition.optional(),
};
const needsSource = (v: { from?: string; const?: string }) => v.from !== undefined || v.const !== undefined;
const sourceMessage = 'needs "from" (a column) or "const" (a constant)';

export const valueSpec = z.strictObject(valueShape).refine(needsSource, sourceMessage);
export const listSpec = z
  .strictObject({
    ...valueShape,
    /** Separator of a list held in one text column, e.g. ",". NDJSON arrays are taken as they are. */
    split: z.string().min(1).optional(),
  })
  .refine(needsSource, sourceMessage);
export const timeSpec = z
  .strictObject({
    ...valueShape,
    /** `iso8601`, `epoch-seconds`, `epoch-millis`, or a pattern such as `dd/MM/yyyy HH:mm:ss`. */
    format: z.string().min(1),
    /** IANA zone for times without one; defaults to the manifest's `timezone`. */
    zone: z.string().optional(),
  })
  .refine(needsSource, sourceMessage);

export const csvInput = z.strictObject({
  type: z.literal('csv'),
  delimiter: z.string().min(1).default(','),
  quote: z.string().length(1).default('"'),
  /** Any encoding iconv-lite knows: utf-8, windows-1252, iso-8859-15, utf-16le, ... */
  encoding: z.string().default('utf-8'),
  /** Whether the first record names the columns. */
  header: z.boolean().default(true),
  /** Column names when the file has no header. */
  columns: z.array(z.string().min(1)).optional(),
});
export const ndjsonInput = z.strictObject({ type: z.literal('ndjson') });

export const mappingSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input: z.discriminatedUnion('type', [csvInput, ndjsonInput]),
  fields: z.strictObject({
    native_id: valueSpec.optional(),
    sender: valueSpec,
    sender_device: valueSpec.optional(),
    recipients: listSpec.optional(),
    /** The platform's group or room id; messages without one are one-to-one (or ad-hoc groups). */
    group: valueSpec.optional(),
    sent_at: timeSpec,
    received_at: timeSpec.optional(),
    read_at: timeSpec.optional(),
    body: valueSpec.optional(),
    latitude: valueSpec.optional(),
    longitude: valueSpec.optional(),
  }),
});

export type Mapping = z.infer<typeof mappingSchema>;
export type ValueSpec = z.infer<typeof valueSpec>;
export type ListSpec = z.infer<typeof listSpec>;
export type TimeSpec = z.infer<typeof timeSpec>;
export type CsvInput = z.infer<typeof csvInput>;
