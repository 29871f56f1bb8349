/**
 * Views over `messages`, in SQL that both Athena (Trino) and DuckDB run unchanged, so analysts get the
 * same answers in the cloud and on one machine.
 */
export interface LakeView {
  name: string;
  description: string;
  sql: string;
}

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
    name: 'handles',
    description: 'Every handle seen sending or receiving, with its devices, activity span and volume.',
    sql: `WITH activity AS (
  SELECT seizure_id, sender AS handle, sender_device AS device, sent_at, 1 AS sent, 0 AS received FROM messages
  UNION ALL
  SELECT seizure_id, recipient AS handle, CAST(NULL AS VARCHAR) AS device, sent_at, 0 AS sent, 1 AS received
  FROM messages CROSS JOIN UNNEST(recipients) AS r(recipient)
)
SELECT seizure_id,
       handle,
       sum(sent) AS messages_sent,
       sum(received) AS messages_received,
       min(sent_at) AS first_seen,
       max(sent_at) AS last_seen,
       array_agg(DISTINCT device) FILTER (WHERE device IS NOT NULL) AS devices
FROM activity
GROUP BY seizure_id, handle`,
  },
];
