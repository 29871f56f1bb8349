import { savedObjectsNdjson } from './dashboards-objects.ts';
import { messagesIndexTemplate, messagesIsmPolicy } from './index-mapping.ts';

/** The generated search assets and where they are checked in (paths from the repository root). */
export function searchAssets(): { path: string; content: string }[] {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return [
    {
      path: 'layers/domain/search/assets/messages-index-template.json',
      content: json(messagesIndexTemplate()),
    },
    { path: 'layers/domain/search/assets/messages-ism-policy.json', content: json(messagesIsmPolicy()) },
    { path: 'dashboards/saved-objects.ndjson', content: savedObjectsNdjson() },
  ];
}
