/**
 * JSON path -> offset and length of that value in the text, without a parse tree.
 *
 * Only for text already known to be valid JSON (JSON.parse accepted it, no duplicate keys): then
 * a value can be skipped by counting brackets outside strings, and each container's children are
 * found by one scan of that container. Answers match jsonc-parser's `findNodeAtLocation` on
 * `parseTree` (offset of the value's first character, length of its text; for `key`, the
 * property name with its quotes). A 20 MB config is located in a few scans of the containers on
 * the path instead of a tree of millions of nodes: faster, and far less memory.
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';

interface Child {
  /** Property name (objects only) and the offsets of its quoted text. */
  key: string | undefined;
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
}

/** Containers longer than this remember where they end, so the big ones are scanned once. */
const REMEMBER_END_ABOVE = 2048;

export type JsonLocator = (path: JsonPath, key: boolean) => { offset: number; length: number } | undefined;

export function jsonLocator(text: string): JsonLocator {
  const ends = new Map<number, number>();
  const children = new Map<number, Child[]>();

  const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
  const skipWs = (i: number) => {
    while (isWs(text.charCodeAt(i))) i++;
    return i;
  };
  /** `i` at an opening quote: the offset just past the closing one. */
  const stringEnd = (i: number) => {
    let from = i + 1;
    for (;;) {
      const q = text.indexOf('"', from);
      if (q < 0) return text.length;
      let backslashes = 0;
      for (let b = q - 1; text.charCodeAt(b) === 92; b--) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      from = q + 1;
    }
  };
  /** `i` at `{` or `[`: the offset just past its matching close. */
  const containerEnd = (i: number) => {
    const known = ends.get(i);
    if (known !== undefined) return known;
    const open: number[] = [];
    let j = i;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 34) {
        j = stringEnd(j);
        continue;
      }
      if (c === 123 || c === 91) {
        const remembered = open.length > 0 ? ends.get(j) : undefined;
        if (remembered !== undefined) {
          j = remembered;
          continue;
        }
        open.push(j);
      } else if (c === 125 || c === 93) {
        const from = open.pop()!;
        if (j + 1 - from > REMEMBER_END_ABOVE) ends.set(from, j + 1);
        if (open.length === 0) {
          ends.set(i, j + 1);
          return j + 1;
        }
      }
      j++;
    }
    return text.length;
  };
  const valueEnd = (i: number) => {
    const c = text.charCodeAt(i);
    if (c === 34) return stringEnd(i);
    if (c === 123 || c === 91) return containerEnd(i);
    let j = i;
    for (;;) {
      const d = text.charCodeAt(j);
      if (j >= text.length || isWs(d) || d === 44 || d === 93 || d === 125) return j;
      j++;
    }
  };
  const childrenOf = (start: number): Child[] => {
    const known = children.get(start);
    if (known) return known;
    const isObject = text.charCodeAt(start) === 123;
    const close = isObject ? 125 : 93;
    const out: Child[] = [];
    let i = skipWs(start + 1);
    while (i < text.length && text.charCodeAt(i) !== close) {
      let key: string | undefined;
      let keyStart = -1;
      let keyEnd = -1;
      if (isObject) {
        keyStart = i;
        keyEnd = stringEnd(i);
        const raw = text.slice(keyStart + 1, keyEnd - 1);
        key = raw.includes('\\') ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : raw;
        i = skipWs(skipWs(keyEnd) + 1); // past ':'
      }
      const end = valueEnd(i);
      out.push({ key, keyStart, keyEnd, start: i, end });
      i = skipWs(end);
      if (text.charCodeAt(i) === 44) i = skipWs(i + 1);
    }
    children.set(start, out);
    return out;
  };

  return (path, key) => {
    let node: Child = { key: undefined, keyStart: -1, keyEnd: -1, start: skipWs(0), end: -1 };
    for (const segment of path) {
      const c = text.charCodeAt(node.start);
      if (typeof segment === 'string') {
        if (c !== 123) return undefined;
        const found = childrenOf(node.start).find((ch) => ch.key === segment);
        if (!found) return undefined;
        node = found;
      } else {
        if (c !== 91 || segment < 0) return undefined;
        const found = childrenOf(node.start)[segment];
        if (!found) return undefined;
        node = found;
      }
    }
    if (key && node.key !== undefined) return { offset: node.keyStart, length: node.keyEnd - node.keyStart };
    const end = node.end >= 0 ? node.end : valueEnd(node.start);
    return { offset: node.start, length: end - node.start };
  };
}
