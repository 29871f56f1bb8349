import type { Findings } from './findings.ts';

/**
 * E-mail addresses: a local part, @, and a domain of at least two labels whose last is a plausible top-level
 * domain (letters only). Not taken: @mentions, user@localhost, and file names that borrow the form
 * (icon@2x.png). Value: lower case.
 */
const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))(?![\w-])/g;

/** Extensions that follow an @ in file names (retina images, exports), never a top-level domain in use. */
const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'svg',
  'heic',
  'pdf',
  'mp4',
  'mov',
  'txt',
  'csv',
  'json',
  'html',
  'js',
  'ts',
]);

export function findEmails(text: string, found: Findings): void {
  EMAIL.lastIndex = 0;
  for (let m = EMAIL.exec(text); m; m = EMAIL.exec(text)) {
    const tld = (m[2] as string).toLowerCase();
    if (FILE_EXTENSIONS.has(tld)) continue;
    found.add('email', m[0].toLowerCase(), text, m.index, m.index + m[0].length);
  }
}

/**
 * URLs: http(s)://…, www.…, and bare Tor v3 addresses (56 base32 characters + .onion). Punctuation that ends
 * a sentence is not part of the URL; a closing parenthesis is only when the URL opened one. Value: the URL
 * as the WHATWG parser normalizes it (scheme and host in lower case, http:// added to www.).
 */
const URL_CANDIDATE =
  /(?<![\w@.])(?:https?:\/\/|www\.)[^\s<>"'`]+|\b[a-z2-7]{56}\.onion\b(?:\/[^\s<>"'`]*)?/gi;
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '»', '”', ']', '}', '*']);

export function findUrls(text: string, found: Findings): void {
  URL_CANDIDATE.lastIndex = 0;
  for (let m = URL_CANDIDATE.exec(text); m; m = URL_CANDIDATE.exec(text)) {
    let raw = m[0];
    for (;;) {
      const last = raw.at(-1) as string;
      if (TRAILING.has(last)) raw = raw.slice(0, -1);
      else if (last === ')' && count(raw, '(') < count(raw, ')')) raw = raw.slice(0, -1);
      else break;
    }
    const lower = raw.toLowerCase();
    const absolute = lower.startsWith('http://') || lower.startsWith('https://') ? raw : `http://${raw}`;
    let value: string;
    try {
      const url = new URL(absolute);
      if (!url.hostname.includes('.')) continue;
      value = url.href;
    } catch {
      continue;
    }
    found.add('url', value, text, m.index, m.index + raw.length);
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}
