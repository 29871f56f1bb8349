import { describe, expect, it } from 'vitest';
import { enrichMessage, enrichmentContext } from '#domain/entities/enrich-message.ts';
import type { CanonicalMessage } from '#domain/schema/message-schema.ts';

const message = (body: string | null, body_status: CanonicalMessage['body_status'] = null) =>
  ({ body, body_status, language: null, entities: null, mentioned_geo: null }) as CanonicalMessage;
const nl = enrichmentContext({ timezone: 'Europe/Amsterdam', options: undefined });

describe('enriching a message', () => {
  it('attaches entities, points and the language of the words around them', () => {
    const m = message('stuur het geld naar NL91 ABNA 0417 1643 00 en kom naar 52.370216, 4.895168 morgen');
    enrichMessage(m, nl);
    expect(m.entities).toEqual([
      { kind: 'iban', value: 'NL91ABNA0417164300', raw: 'NL91 ABNA 0417 1643 00' },
      { kind: 'coordinates', value: '52.370216,4.895168', raw: '52.370216, 4.895168' },
    ]);
    expect(m.mentioned_geo).toEqual([{ lat: 52.370216, lon: 4.895168 }]);
    expect(m.language).toBe('nl');
  });

  it('reads phone numbers without a country code in the seizure default country', () => {
    const fr = enrichmentContext({ timezone: 'Europe/Paris', options: undefined });
    const m = message('appelle-moi au 06 12 34 56 78');
    enrichMessage(m, fr);
    expect(m.entities).toEqual([{ kind: 'phone', value: '+33612345678', raw: '06 12 34 56 78' }]);
    const be = enrichmentContext({ timezone: 'Europe/Paris', options: { defaultCountry: 'BE' } });
    const n = message('bel me op 0470 12 34 56');
    enrichMessage(n, be);
    expect(n.entities).toEqual([{ kind: 'phone', value: '+32470123456', raw: '0470 12 34 56' }]);
  });

  it('gives an empty list when the body holds nothing, and no language below 15 letters', () => {
    const m = message('ok ik bel je');
    enrichMessage(m, nl);
    expect(m).toMatchObject({ entities: [], mentioned_geo: null, language: null });
  });

  it('leaves entities null for a body it could not read: none, or ciphertext no key opened', () => {
    const armored =
      '-----BEGIN PGP MESSAGE-----\nhQEMA0xDE0B295669A9FD93D5F28D9EC85E40F4CB697BAE\n-----END PGP MESSAGE-----';
    for (const m of [message(null), message(armored, 'encrypted'), message(armored, 'decryption-failed')]) {
      enrichMessage(m, nl);
      expect(m).toMatchObject({ entities: null, mentioned_geo: null, language: null });
    }
  });

  it('gives a repeated body the same findings, remembered once per body, and still keeps a known language', () => {
    const context = enrichmentContext({ timezone: 'Europe/Amsterdam', options: undefined });
    const body = 'bel me op 06-12345678 als je bij de wasstraat bent';
    const [a, b] = [message(body), message(body)];
    enrichMessage(a, context);
    enrichMessage(b, context);
    expect(b).toEqual(a);
    expect(a.entities).toEqual([{ kind: 'phone', value: '+31612345678', raw: '06-12345678' }]);
    expect(a.language).toBe('nl');
    expect(context.seen.size).toBe(1);
    const known = { ...message(body), language: 'fr' };
    enrichMessage(known, context);
    expect(known.language).toBe('fr');
  });

  it('keeps a language the adapter already knew', () => {
    const m = { ...message('this text is in English, says the detector'), language: 'nl' };
    enrichMessage(m, nl);
    expect(m.language).toBe('nl');
  });
});
