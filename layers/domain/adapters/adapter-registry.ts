import type { Manifest } from '../manifest/manifest-schema.ts';
import type { Adapter, EvidenceReader, ImportContext, SecretResolver } from './adapter.ts';
import { createMailAdapter } from './mail/mail-adapter.ts';
import { createMappingAdapter } from './mapping/mapping-adapter.ts';
import { resolveMapping } from './mapping/shipped-mappings.ts';
import { createTelegramAdapter } from './telegram/telegram-adapter.ts';
import { createWhatsAppAdapter } from './whatsapp/whatsapp-adapter.ts';
import { createXmppAdapter } from './xmpp/xmpp-adapter.ts';

/** What an adapter may need beyond the manifest: other evidence files (keys) and the cloud's secrets. */
export interface AdapterServices {
  readEvidence?: EvidenceReader;
  resolveSecret?: SecretResolver;
}

/** The adapter the manifest's `format` names, set up for one import. */
export function adapterFor(
  manifest: Manifest,
  ref: { importId: string; ingestedAt: number },
  services: AdapterServices = {},
): Adapter {
  const context: ImportContext = {
    manifest,
    importId: ref.importId,
    ingestedAt: ref.ingestedAt,
    ...services,
  };
  switch (manifest.format) {
    case 'mapping':
      return createMappingAdapter(resolveMapping(manifest.options?.mapping, manifest.platform), context);
    case 'xmpp':
      return createXmppAdapter(context);
    case 'mbox':
    case 'eml':
      return createMailAdapter(manifest.format, context);
    case 'whatsapp':
      return createWhatsAppAdapter(context);
    case 'telegram':
      return createTelegramAdapter(context);
  }
}
