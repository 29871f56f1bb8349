import { SaxesParser } from 'saxes';

/** An element of a parsed stanza: local name, namespace, attributes by qualified name, children, direct text. */
export interface XmlElement {
  name: string;
  uri: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface ParsedRecord {
  /** The elements open above the record (their attributes only), outermost first. */
  ancestors: XmlElement[];
  record: XmlElement;
}

/**
 * Parses one record with saxes, behind the start tags of the elements open above it (so its namespace
 * prefixes resolve as in the file) and followed by their end tags. Returns the reason when the bytes are not
 * well-formed XML. saxes knows only XML's five predefined entities and character references: a DOCTYPE is
 * never expanded, an undefined entity is an error, nothing is ever fetched.
 */
export function parseRecord(record: string, openTags: string[], closeNames: string[]): ParsedRecord | string {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlElement[] = [];
  const ancestors: XmlElement[] = [];
  let root: XmlElement | undefined;
  let error: string | undefined;
  let extraRoots = 0;
  parser.on('error', (e) => {
    error ??= e.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
  });
  parser.on('doctype', () => {
    error ??= 'a DOCTYPE declaration is not allowed';
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [name, a] of Object.entries(tag.attributes)) attrs[name] = typeof a === 'string' ? a : a.value;
    const el: XmlElement = { name: tag.local ?? tag.name, uri: tag.uri ?? '', attrs, children: [], text: '' };
    if (ancestors.length < openTags.length && stack.length === ancestors.length && !root) {
      ancestors.push(el);
    } else if (stack.length === ancestors.length) {
      if (root) extraRoots++;
      else root = el;
    } else {
      stack[stack.length - 1]?.children.push(el);
    }
    if (!tag.isSelfClosing) stack.push(el);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top && stack.length > ancestors.length) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(openTags.join(''));
    parser.write(record);
    parser.write(closeNames.map((n) => `</${n}>`).join(''));
    parser.close();
  } catch (e) {
    error ??= (e as Error).message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
  }
  if (error) return `malformed XML: ${error}`;
  if (!root) return 'malformed XML: no element';
  if (extraRoots) return 'malformed XML: more than one element in the record';
  return { ancestors, record: root };
}

/** The first child with this local name (and namespace, when given). */
export function child(el: XmlElement | undefined, name: string, uri?: string | ((u: string) => boolean)) {
  return el?.children.find((c) => c.name === name && matches(c.uri, uri));
}

export function children(el: XmlElement | undefined, name: string, uri?: string | ((u: string) => boolean)) {
  return el ? el.children.filter((c) => c.name === name && matches(c.uri, uri)) : [];
}

function matches(actual: string, uri: string | ((u: string) => boolean) | undefined): boolean {
  if (uri === undefined) return true;
  return typeof uri === 'string' ? actual === uri : uri(actual);
}
