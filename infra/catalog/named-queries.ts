/**
 * The saved queries analysts start from, in the Athena console's "Saved queries" of the workgroup. Each `?`
 * is an execution parameter the console asks for (quote strings: '2020-03'). Every query names its
 * seizure: the table projects `seizure_id` as an injected partition, so Athena only reads that seizure's
 * files, and refuses a query that does not say which.
 */
export interface NamedQuery {
  name: string;
  description: string;
  sql: string;
}

export const namedQueries: readonly NamedQuery[] = [
  {
    name: 'Messages of a seizure by month',
    description: 'All messages of one seizure in a range of months (sent_month, yyyy-MM), oldest first.',
    sql: `-- parameters: seizure id, first month, last month (e.g. 'encro-2020', '2020-03', '2020-06')
SELECT sent_at, sender, recipients, conversation_id, body, platform, message_id
FROM messages
WHERE seizure_id = ?
  AND sent_month BETWEEN ? AND ?
ORDER BY sent_at, message_id
LIMIT 10000`,
  },
  {
    name: 'Conversation thread',
    description: 'One conversation (chat, group or one-to-one pair) in order, with devices and locations.',
    sql: `-- parameters: seizure id, conversation id
SELECT sent_at, sender, sender_device, recipients, body, geo.lat AS latitude, geo.lon AS longitude, message_id
FROM messages
WHERE seizure_id = ?
  AND conversation_id = ?
ORDER BY sent_at, message_id`,
  },
  {
    name: 'Contacts of a handle',
    description: 'Everyone a handle exchanged messages with, busiest first (view contacts).',
    sql: `-- parameters: seizure id, handle, the same handle again
SELECT handle_a, handle_b, messages, first_contact, last_contact
FROM contacts
WHERE seizure_id = ?
  AND (handle_a = ? OR handle_b = ?)
ORDER BY messages DESC`,
  },
  {
    name: 'Most active handles',
    description:
      'The handles that sent and received most, with their devices and activity span (view handles).',
    sql: `-- parameters: seizure id
SELECT handle, messages_sent, messages_received, first_seen, last_seen, devices
FROM handles
WHERE seizure_id = ?
ORDER BY messages_sent + messages_received DESC
LIMIT 100`,
  },
  {
    name: 'Messages mentioning a term',
    description:
      'Case-insensitive text search in message bodies of one seizure (use OpenSearch for ranked search).',
    sql: `-- parameters: seizure id, search term
SELECT sent_at, sender, recipients, conversation_id, body, message_id
FROM messages
WHERE seizure_id = ?
  AND strpos(lower(body), lower(?)) > 0
ORDER BY sent_at
LIMIT 1000`,
  },
  {
    name: 'Activity per month',
    description: 'Messages, senders and conversations per month of one seizure: where the traffic is.',
    sql: `-- parameters: seizure id
SELECT sent_month, count(*) AS messages, count(DISTINCT sender) AS senders,
       count(DISTINCT conversation_id) AS conversations
FROM messages
WHERE seizure_id = ?
GROUP BY sent_month
ORDER BY sent_month`,
  },
  {
    name: 'Evidence location of a message',
    description:
      'Chain of custody: the evidence object, its SHA-256 and the byte range a message was read from, and the import that wrote it.',
    sql: `-- parameters: seizure id, message id
SELECT message_id, source_object, source_sha256, source_offset, source_length, import_id, ingested_at,
       sent_at_raw, timezone_assumed
FROM messages
WHERE seizure_id = ?
  AND message_id = ?`,
  },
];
