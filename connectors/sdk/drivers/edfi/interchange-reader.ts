import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { SaxesParser } from 'saxes';

/**
 * One element of an Ed-Fi interchange record: local name (namespace prefixes dropped, since the sample's
 * files mix the 5.2.0 and 6.0.0 namespaces), the line it opens on, its attributes, trimmed text and children.
 */
export interface XmlNode {
  name: string;
  line: number;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/** A top-level element of an interchange file, with its file and line, and any well-formedness errors in it. */
export interface XmlRecord {
  file: string;
  node: XmlNode;
  errors: string[];
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/**
 * Streams the top-level elements of one interchange file whose local name is in `wanted` (all when omitted),
 * holding only the record being read: a 17 MB StudentEnrollment file never sits in memory. A malformed
 * stretch is reported as `file:line:column: message` on the record it falls in (or the next one) and parsing
 * goes on with the next element. `file` is the name errors quote (the path's base name unless given: an upload
 * is checked under its temporary name but reported under the name it was sent with).
 */
export async function* readInterchange(
  path: string,
  wanted?: ReadonlySet<string>,
  file: string = basename(path),
): AsyncGenerator<XmlRecord[], void, undefined> {
  const parser = new SaxesParser({ fileName: file, position: true });
  const ready: XmlRecord[] = [];
  const stack: XmlNode[] = [];
  const state: { depth: number; current: XmlRecord | null; texts: string[][]; orphans: string[] } = {
    depth: 0,
    current: null,
    texts: [],
    orphans: [],
  };
  // An error between records is carried on the next record read, so it is reported with a row.
  parser.on('error', (err) => {
    if (state.current) state.current.errors.push(err.message);
    else state.orphans.push(err.message);
  });
  parser.on('opentag', (tag) => {
    state.depth += 1;
    const name = localName(tag.name);
    if (state.depth === 2 && (!wanted || wanted.has(name))) {
      const node: XmlNode = {
        name,
        line: parser.line,
        attrs: attrsOf(tag.attributes),
        text: '',
        children: [],
      };
      state.current = { file, node, errors: state.orphans.splice(0) };
      stack.push(node);
      state.texts.push([]);
      return;
    }
    if (state.current && state.depth > 2) {
      const node: XmlNode = {
        name,
        line: parser.line,
        attrs: attrsOf(tag.attributes),
        text: '',
        children: [],
      };
      stack[stack.length - 1].children.push(node);
      stack.push(node);
      state.texts.push([]);
    }
  });
  parser.on('text', (t) => {
    if (state.current && state.texts.length) state.texts[state.texts.length - 1].push(t);
  });
  parser.on('cdata', (t) => {
    if (state.current && state.texts.length) state.texts[state.texts.length - 1].push(t);
  });
  parser.on('closetag', () => {
    if (state.current && state.depth >= 2) {
      const node = stack.pop();
      const parts = state.texts.pop();
      if (node && parts) node.text = parts.join('').trim();
      if (state.depth === 2) {
        ready.push(state.current);
        state.current = null;
      }
    }
    state.depth -= 1;
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.write(chunk);
    if (ready.length) yield ready.splice(0);
  }
  parser.close();
  if (state.current) {
    state.current.errors.push(`${file}:${state.current.node.line}: the file ends inside this element`);
    ready.push(state.current);
  }
  const last = ready[ready.length - 1];
  if (state.orphans.length && last) last.errors.push(...state.orphans.splice(0));
  if (ready.length) yield ready.splice(0);
  if (state.orphans.length) {
    throw new InterchangeError(`${file}: ${state.orphans.join('; ')}`);
  }
}

/** A file that cannot be read as an interchange at all (its errors fell outside every record). */
export class InterchangeError extends Error {}

function attrsOf(attrs: Record<string, string | { value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) out[localName(k)] = typeof v === 'string' ? v : v.value;
  return out;
}

/** Root element's local name of an interchange file (reads only until the first start tag). */
export async function interchangeRoot(path: string): Promise<string | null> {
  const parser = new SaxesParser({ position: false });
  const found: { name: string | null; done: boolean } = { name: null, done: false };
  parser.on('opentag', (tag) => {
    if (!found.done) found.name = localName(tag.name);
    found.done = true;
  });
  parser.on('error', () => {
    found.done = true;
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 16 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      parser.write(chunk);
      if (found.done) break;
    }
  } finally {
    stream.destroy();
  }
  return found.name;
}

/** The first descendant reached through a `/`-separated path of local names. */
export function nodeAt(node: XmlNode | undefined, path: string): XmlNode | undefined {
  let cur = node;
  for (const part of path.split('/')) {
    if (!cur) return undefined;
    cur = cur.children.find((c) => c.name === part);
  }
  return cur;
}

/** Trimmed text at a path, or null when the element is absent or empty. */
export function textAt(node: XmlNode | undefined, path: string): string | null {
  const t = nodeAt(node, path)?.text;
  return t ? t : null;
}

/** Every direct child named `name`. */
export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** The first descendant (depth first) with this local name. */
export function findDeep(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) {
    if (c.name === name) return c;
    const hit = findDeep(c, name);
    if (hit) return hit;
  }
  return undefined;
}
