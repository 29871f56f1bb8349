import { describe, expect, it } from 'vitest';
import { entitiesIn, valuesIn } from './entity-harness.ts';

describe('e-mail addresses', () => {
  it.each([
    ['mail Jan.Jansen@Example.NL graag', 'jan.jansen@example.nl', 'Jan.Jansen@Example.NL'],
    ['<piet+deals@mail.example.com>', 'piet+deals@mail.example.com', 'piet+deals@mail.example.com'],
    [
      'contact: ops_1@sub-domain.example.org.',
      'ops_1@sub-domain.example.org',
      'ops_1@sub-domain.example.org',
    ],
  ])('finds %j', (text, value, raw) => {
    expect(entitiesIn(text)).toEqual([['email', value, raw]]);
  });

  it.each([
    ['a mention', 'vraag het @piet'],
    ['a host without a domain', 'root@localhost'],
    ['a retina image name', 'logo@2x.png'],
    ['an address without a top-level domain', 'jan@example'],
    ['a numeric top-level domain', 'jan@10.0.0.1'],
  ])('does not take %s for an e-mail address', (_, text) => {
    expect(valuesIn(text, 'email')).toEqual([]);
  });
});

describe('URLs', () => {
  it.each([
    ['kijk https://Example.com/a?b=1 nu', 'https://example.com/a?b=1', 'https://Example.com/a?b=1'],
    ['(zie https://example.com/x).', 'https://example.com/x', 'https://example.com/x'],
    [
      'wiki https://en.example.org/wiki/A_(b) ok',
      'https://en.example.org/wiki/A_(b)',
      'https://en.example.org/wiki/A_(b)',
    ],
    ['ga naar www.Example.org, snel', 'http://www.example.org/', 'www.Example.org'],
    [
      'tor: abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion/shop',
      'http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion/shop',
      'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion/shop',
    ],
  ])('finds %j', (text, value, raw) => {
    expect(entitiesIn(text)).toEqual([['url', value, raw]]);
  });

  it('keeps an e-mail address whole rather than finding a URL in its domain', () => {
    expect(entitiesIn('info@www.example.com')).toEqual([
      ['email', 'info@www.example.com', 'info@www.example.com'],
    ]);
  });

  it('keeps an address inside a URL part of the URL', () => {
    expect(entitiesIn('https://example.com/to/a@b.com')).toEqual([
      ['url', 'https://example.com/to/a@b.com', 'https://example.com/to/a@b.com'],
    ]);
  });

  it.each([
    ['a bare word with a dot', 'ok.thanks'],
    ['a scheme without a host name', 'http://localhost:8080'],
    ['a short .onion name', 'abc.onion'],
  ])('does not take %s for a URL', (_, text) => {
    expect(valuesIn(text, 'url')).toEqual([]);
  });
});
