import { linkKinds } from '../entities/findings.ts';

/**
 * Views over `messages`, in SQL that both Athena (Trino) and DuckDB run unchanged, so analysts get the
 * same answers in the cloud and on one machine. Views are created in this order; later ones read earlier ones.
 */
export interface LakeView {
  name: string;
  description: string;
  /** The view as Athena runs it (and DuckDB too, unless `duckdbSql` says otherwise). */
  sql: string;
  /**
   * Only where the two engines cannot share one text: unnesting an array of rows gives one column per field
   * in Trino (`UNNEST(entities) AS e(kind, value, raw)`) but one struct column in DuckDB. The `entities` view
   * is the one place this happens; every other view reads entities from it.
   */
  duckdbSql?: string;
}

/** Seizure links and handle identifiers are about these kinds of entity, and device ids. */
const linkKindList = linkKinds.map((k) => `'${k}'`).join(', ');

/** The `entities` view, with the one clause where Trino and DuckDB differ given by the caller. */
function entitiesSql(unnest: string, field: (name: string) => string): string {
  return `SELECT m.seizure_id,
       m.message_id,
       m.conversation_id,
       m.sender,
       m.sender_device,
       m.sent_at,
       ${field('kind')} AS kind,
       ${field('value')} AS entity,
       ${field('raw')} AS raw
FROM messages m ${unnest}`;
}

/** A new window of a device's activity starts after a silence longer than this. */
export const COVERAGE_GAP = "INTERVAL '1' DAY";

export const lakeViews: readonly LakeView[] = [
  {
    name: 'contacts',
    description:
      'Pairs of handles that exchanged messages (either direction), with counts and first and last contact.',
    sql: `SELECT seizure_id,
       least(sender, recipient) AS handle_a,
       greatest(sender, recipient) AS handle_b,
       count(*) AS messages,
       min(sent_at) AS first_contact,
       max(sent_at) AS last_contact
FROM messages CROSS JOIN UNNEST(recipients) AS r(recipient)
WHERE recipient <> sender
GROUP BY seizure_id, least(sender, recipient), greatest(sender, recipient)`,
  },
  {
    name: 'entities',
    description:
      'Every entity found in a body (phone number, IBAN, crypto address, e-mail address, URL, coordinates, licence plate): one row per entity and message, with who sent it and when.',
    sql: entitiesSql('CROSS JOIN UNNEST(m.entities) AS e(kind, value, raw)', (f) => `e.${f}`),
    duckdbSql: entitiesSql('CROSS JOIN UNNEST(m.entities) AS e(entity)', (f) => `e.entity.${f}`),
  },
  {
    name: 'handles',
    description:
      'Every handle seen sending or receiving, with its devices, activity span and volume, and the entities it mentioned ("kind value").',
    sql: `WITH activity AS (
  SELECT seizure_id, sender AS handle, sender_device AS device, sent_at, 1 AS sent, 0 AS received FROM messages
  UNION ALL
  SELECT seizure_id, recipient AS handle, CAST(NULL AS VARCHAR) AS device, sent_at, 0 AS sent, 1 AS received
  FROM messages CROSS JOIN UNNEST(recipients) AS r(recipient)
),
volume AS (
  SELECT seizure_id,
         handle,
         sum(sent) AS messages_sent,
         sum(received) AS messages_received,
         min(sent_at) AS first_seen,
         max(sent_at) AS last_seen,
         array_agg(DISTINCT device) FILTER (WHERE device IS NOT NULL) AS devices
  FROM activity
  GROUP BY seizure_id, handle
),
mentioned AS (
  SELECT seizure_id, sender AS handle, array_sort(array_agg(DISTINCT concat(kind, ' ', entity))) AS entities
  FROM entities
  GROUP BY seizure_id, sender
)
SELECT v.seizure_id,
       v.handle,
       v.messages_sent,
       v.messages_received,
       v.first_seen,
       v.last_seen,
       v.devices,
       n.entities
FROM volume v LEFT JOIN mentioned n ON n.seizure_id = v.seizure_id AND n.handle = v.handle`,
  },
  {
    name: 'identifiers',
    description:
      'What identifies a person behind a handle, per seizure and handle: device ids it sent from, phone numbers, IBANs, crypto and e-mail addresses it mentioned, and handles that are themselves a phone number or an address (WhatsApp, Telegram, mail, XMPP). seen_as: device, mentioned or handle.',
    sql: `WITH handle_uses AS (
  SELECT seizure_id, sender AS handle, sent_at FROM messages
  UNION ALL
  SELECT seizure_id, recipient AS handle, sent_at FROM messages CROSS JOIN UNNEST(recipients) AS r(recipient)
),
occurrences AS (
  SELECT seizure_id, sender AS handle, 'device' AS kind, sender_device AS value, 'device' AS seen_as, sent_at
  FROM messages
  WHERE sender_device IS NOT NULL
  UNION ALL
  SELECT seizure_id, sender AS handle, kind, entity AS value, 'mentioned' AS seen_as, sent_at
  FROM entities
  WHERE kind IN (${linkKindList})
  UNION ALL
  SELECT seizure_id, handle, CASE WHEN strpos(handle, '@') > 0 THEN 'email' ELSE 'phone' END AS kind, handle AS value,
         'handle' AS seen_as, sent_at
  FROM handle_uses
  WHERE (handle LIKE '+%' AND length(handle) BETWEEN 8 AND 16 AND try_cast(substr(handle, 2) AS BIGINT) IS NOT NULL)
     OR handle LIKE '_%@_%._%'
)
SELECT seizure_id,
       handle,
       kind,
       value,
       seen_as,
       count(*) AS messages,
       min(sent_at) AS first_seen,
       max(sent_at) AS last_seen
FROM occurrences
GROUP BY seizure_id, handle, kind, value, seen_as`,
  },
  {
    name: 'links',
    description:
      'Device ids, phone numbers, IBANs, crypto and e-mail addresses that appear in more than one seizure or under more than one handle: the leads between platforms and identities. handles lists "seizure/handle".',
    sql: `SELECT kind,
       value,
       count(DISTINCT seizure_id) AS seizure_count,
       count(DISTINCT concat(seizure_id, '/', handle)) AS handle_count,
       array_sort(array_agg(DISTINCT seizure_id)) AS seizures,
       array_sort(array_agg(DISTINCT concat(seizure_id, '/', handle))) AS handles,
       array_sort(array_agg(DISTINCT seen_as)) AS seen_as,
       sum(messages) AS messages,
       min(first_seen) AS first_seen,
       max(last_seen) AS last_seen
FROM identifiers
GROUP BY kind, value
HAVING count(DISTINCT seizure_id) > 1 OR count(DISTINCT concat(seizure_id, '/', handle)) > 1`,
  },
  {
    name: 'coverage',
    description:
      'Interception coverage: per device (per handle where the records name no device), the windows in which it sent messages, split where it was silent for more than a day, so that a gap in the evidence is not read as a pause in activity. previous_window_end is where the silence before the window began.',
    sql: `WITH ordered AS (
  SELECT seizure_id,
         sender_device AS device,
         CASE WHEN sender_device IS NULL THEN sender END AS lone_handle,
         sender,
         sent_at,
         lag(sent_at) OVER (
           PARTITION BY seizure_id, sender_device, CASE WHEN sender_device IS NULL THEN sender END ORDER BY sent_at
         ) AS previous_at
  FROM messages
),
numbered AS (
  SELECT seizure_id,
         device,
         lone_handle,
         sender,
         sent_at,
         previous_at,
         sum(CASE WHEN previous_at IS NULL OR sent_at > previous_at + ${COVERAGE_GAP} THEN 1 ELSE 0 END) OVER (
           PARTITION BY seizure_id, device, lone_handle ORDER BY sent_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
         ) AS window_number
  FROM ordered
)
SELECT seizure_id,
       device,
       array_sort(array_agg(DISTINCT sender)) AS handles,
       window_number,
       min(sent_at) AS window_start,
       max(sent_at) AS window_end,
       count(*) AS messages,
       min(previous_at) FILTER (WHERE window_number > 1) AS previous_window_end
FROM numbered
GROUP BY seizure_id, device, lone_handle, window_number`,
  },
];
