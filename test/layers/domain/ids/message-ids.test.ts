import { describe, expect, it } from 'vitest';
import { conversationId, messageIdFromContent, messageIdFromNative } from '#domain/ids/message-ids.ts';

describe('message ids', () => {
  it('are stable for the same platform id and differ across platforms and ids', () => {
    expect(messageIdFromNative('skyecc', 'a1')).toBe(messageIdFromNative('skyecc', 'a1'));
    expect(messageIdFromNative('skyecc', 'a1')).not.toBe(messageIdFromNative('anom', 'a1'));
    expect(messageIdFromNative('skyecc', 'a1')).not.toBe(messageIdFromNative('skyecc', 'a2'));
    expect(messageIdFromNative('skyecc', 'a1')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('without a platform id, follow the content, whatever the order of recipients', () => {
    const a = messageIdFromContent('generic', 'x', 1000, ['b', 'c'], 'hi');
    expect(messageIdFromContent('generic', 'x', 1000, ['c', 'b'], 'hi')).toBe(a);
    expect(messageIdFromContent('generic', 'x', 1001, ['b', 'c'], 'hi')).not.toBe(a);
    expect(messageIdFromContent('generic', 'x', 1000, ['b', 'c'], 'hi!')).not.toBe(a);
  });

  it('put both directions of a chat in one conversation and keep group ids', () => {
    expect(conversationId(null, 'alice', ['bob'])).toBe(conversationId(null, 'bob', ['alice']));
    expect(conversationId(null, 'alice', ['bob'])).toMatch(/^dm:/);
    expect(conversationId(null, 'alice', ['bob', 'carol'])).toMatch(/^adhoc:/);
    expect(conversationId('G123456', 'alice', ['bob'])).toBe('group:G123456');
  });
});
