import { hash } from 'node:crypto';

/**
 * Deterministic ids. A message with a platform id is identified by (platform, native id); one without
 * by its content: (platform, sender, send time, sorted recipients, body). Either way the same message found
 * twice, in overlapping dumps or a re-export, gets the same id. 128 bits of SHA-256 keep a billion
 * messages far from any collision.
 */
const SEP = '\u0000';

function digest(parts: readonly string[], hexChars: number): string {
  // One-shot hash: no Hash object per message (a few per record, hundreds of thousands a second).
  return hash('sha256', parts.join(SEP), 'hex').slice(0, hexChars);
}

export function messageIdFromNative(platform: string, nativeId: string): string {
  return digest(['native', platform, nativeId], 32);
}

export function messageIdFromContent(
  platform: string,
  sender: string,
  sentAtMillis: number,
  recipients: readonly string[],
  body: string | null,
): string {
  return digest(
    ['content', platform, sender, String(sentAtMillis), [...recipients].sort().join(','), body ?? ''],
    32,
  );
}

/**
 * A group chat keeps the platform's group id. A chat between exactly two handles is identified by the sorted
 * pair, so both directions land in one conversation; more handles without a group id form an ad-hoc group.
 */
export function conversationId(
  groupId: string | null,
  sender: string,
  recipients: readonly string[],
): string {
  if (groupId) return `group:${groupId}`;
  const participants = [...new Set([sender, ...recipients])].sort();
  return `${participants.length <= 2 ? 'dm' : 'adhoc'}:${digest(participants, 20)}`;
}
