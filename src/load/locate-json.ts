/**
 * JSON path -> offset and length of that value in the text, without a parse tree.
 *
 * Only for text already known to be valid JSON (JSON.parse accepted it), but for trailing commas,
 * which the walks step over like any comma. `indexJson` makes one quick pass over such a text and
 * records every container (`{...}` or `[...]`): where it starts, where it ends, and which
 * container follows its subtree. The same pass counts the property
 * names, which parse-json.ts compares with the parsed value to rule out duplicate keys.
 *
 * The pass jumps from quote to quote and from bracket to bracket with `indexOf` (which V8 runs
 * over many characters at a time) instead of looking at every character: a 20 MB config is
 * indexed in about the time JSON.parse takes to build a tenth of its value, and the index costs
 * 12 bytes per container.
 *
 * `jsonLocator` then answers a path by walking only the containers on it, skipping each nested
 * container in one step through the index. Children of every container walked are remembered, so
 * the thousands of paths a report cites into one reservations list walk that list once, and a
 * list is walked only as far as the furthest element asked for.
 * Answers match jsonc-parser's `findNodeAtLocation` on `parseTree` (offset of the value's first
 * character, length of its text; for `key`, the property name with its quotes).
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';

/** The containers of a valid JSON text, in text order (a container before its children). */
export interface JsonIndex {
  /** Property names in the text (strings followed by `:`). */
  readonly keys: number;
  /** Number of containers. */
  readonly count: number;
  /** Offset of each container's `{` or `[`. Ascending. */
  readonly starts: Int32Array;
  /** Offset just past each container's matching close. */
  readonly ends: Int32Array;
  /** Index of the first container after each container's subtree (its next sibling, if any). */
  readonly after: Int32Array;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** JSON's four whitespace characters (also what may stand between a trailing comma and its bracket). */
export const isJsonBlank = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/** `open` at an opening quote: its closing quote, skipping escaped quotes; -1 when there is none. */
export function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1) {
    let backslashes = 0;
    for (let b = close - 1; text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
  return -1;
}

/** Like closingQuote, but text.length for an unclosed string (the index reads text JSON.parse accepted). */
function stringClose(text: string, open: number): number {
  const close = closingQuote(text, open);
  return close < 0 ? text.length : close;
}

/**
 * Index the containers of `text`, which must be valid JSON but for trailing commas; undefined
 * when containers nest deeper than `maxNesting`.
 */
export function indexJson(text: string, maxNesting: number): JsonIndex | undefined {
  const len = text.length;
  // Offset of the next occurrence of `ch` at or after `from`, or len when there is none.
  const next = (ch: string, from: number): number => {
    const i = text.indexOf(ch, from);
    return i < 0 ? len : i;
  };

  let capacity = Math.max(64, len >> 7);
  let starts = new Int32Array(capacity);
  let ends = new Int32Array(capacity);
  let after = new Int32Array(capacity);
  const open = new Int32Array(maxNesting + 1); // indices of the containers not yet closed
  let depth = 0;
  let count = 0;
  let keys = 0;

  // The next candidate of each kind. Every one is outside strings once it is the smallest: a
  // string is consumed whole as soon as its opening quote is the smallest, and any bracket
  // candidate that fell inside it is looked up again past its end.
  let quote = next('"', 0);
  let openBrace = next('{', 0);
  let openBracket = next('[', 0);
  let closeBrace = next('}', 0);
  let closeBracket = next(']', 0);
  for (;;) {
    const opening = openBrace < openBracket ? openBrace : openBracket;
    const closing = closeBrace < closeBracket ? closeBrace : closeBracket;
    const bracket = opening < closing ? opening : closing;
    if (quote < bracket) {
      const close = stringClose(text, quote);
      let j = close + 1;
      while (isJsonBlank(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === COLON) keys++;
      if (openBrace < close) openBrace = next('{', close);
      if (openBracket < close) openBracket = next('[', close);
      if (closeBrace < close) closeBrace = next('}', close);
      if (closeBracket < close) closeBracket = next(']', close);
      quote = next('"', j);
    } else if (bracket === len) {
      break;
    } else if (bracket === opening) {
      if (depth === maxNesting) return undefined;
      if (count === capacity) {
        capacity *= 2;
        starts = grow(starts, capacity);
        ends = grow(ends, capacity);
        after = grow(after, capacity);
      }
      starts[count] = bracket;
      open[depth++] = count++;
      if (bracket === openBrace) openBrace = next('{', bracket + 1);
      else openBracket = next('[', bracket + 1);
    } else {
      const closed = open[--depth] as number;
      ends[closed] = bracket + 1;
      after[closed] = count;
      if (bracket === closeBrace) closeBrace = next('}', bracket + 1);
      else closeBracket = next(']', bracket + 1);
    }
  }
  // Give back the unused capacity (the arrays live as long as the loaded source).
  return { keys, count, starts: starts.slice(0, count), ends: ends.slice(0, count), after: after.slice(0, count) };
}

function grow(a: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(capacity);
  bigger.set(a);
  return bigger;
}

/** One member of an object: its name, the offsets of the quoted name, and where its value starts. */
interface Member {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly start: number;
}

/** How far the walk of one array has got. */
interface ArrayWalk {
  /** Start offsets of its first elements, in order. */
  readonly starts: number[];
  /** Index of the first nested container not yet stepped over. */
  inner: number;
  /** True once every element is in `starts`. */
  done: boolean;
}

export type JsonLocator = (path: JsonPath, key: boolean) => { offset: number; length: number } | undefined;

export function jsonLocator(text: string, index: JsonIndex): JsonLocator {
  const { starts, ends, after } = index;
  /** Members of each object walked, by container index. */
  const members = new Map<number, Member[]>();
  /** How far each array has been walked, by container index. */
  const arrays = new Map<number, ArrayWalk>();

  const skipWs = (i: number): number => {
    while (isJsonBlank(text.charCodeAt(i))) i++;
    return i;
  };
  /** Index of the container starting at `offset` (which must start one). */
  const containerAt = (offset: number): number => {
    let lo = 0;
    let hi = index.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** End of a string, number or literal starting at `i`. */
  const scalarEnd = (i: number): number => {
    if (text.charCodeAt(i) === QUOTE) return stringClose(text, i) + 1;
    let j = i;
    for (;;) {
      const d = text.charCodeAt(j);
      if (j >= text.length || isJsonBlank(d) || d === COMMA || d === CLOSE_BRACKET || d === CLOSE_BRACE) return j;
      j++;
    }
  };
  const isContainer = (c: number): boolean => c === OPEN_BRACE || c === OPEN_BRACKET;

  /**
   * Walk the values directly inside container `at`, calling `each` with the offset of each value
   * (for objects also of its quoted name). A nested container is skipped through the index: the
   * k-th container met inside is always the one that follows the previous one's subtree.
   */
  const walk = (at: number, each: (start: number, keyStart: number, keyEnd: number) => void): void => {
    const isObject = text.charCodeAt(starts[at] as number) === OPEN_BRACE;
    const close = (ends[at] as number) - 1;
    let inner = at + 1; // the next nested container
    let i = skipWs((starts[at] as number) + 1);
    while (i < close) {
      let keyStart = -1;
      let keyEnd = -1;
      if (isObject) {
        keyStart = i;
        keyEnd = stringClose(text, i) + 1;
        i = skipWs(skipWs(keyEnd) + 1); // past ':'
      }
      each(i, keyStart, keyEnd);
      let end: number;
      if (isContainer(text.charCodeAt(i))) {
        end = ends[inner] as number;
        inner = after[inner] as number;
      } else {
        end = scalarEnd(i);
      }
      i = skipWs(end);
      if (text.charCodeAt(i) === COMMA) i = skipWs(i + 1);
    }
  };
  const membersOf = (at: number): Member[] => {
    let known = members.get(at);
    if (known === undefined) {
      const found: Member[] = [];
      walk(at, (start, keyStart, keyEnd) => {
        const raw = text.slice(keyStart + 1, keyEnd - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : raw;
        found.push({ key, keyStart, keyEnd, start });
      });
      members.set(at, (known = found));
    }
    return known;
  };
  /**
   * Offset of element `k` of array `at`, walking the array on from where earlier calls stopped.
   * An element that is a container is stepped over through the index; when the next nested
   * container is the next element (the gap between them holds one comma: another element would
   * bring a comma of its own), the step takes two `indexOf`s instead of a look at every blank.
   */
  const elementAt = (at: number, k: number): number | undefined => {
    const close = (ends[at] as number) - 1;
    let state = arrays.get(at);
    if (state === undefined) {
      const first = skipWs((starts[at] as number) + 1);
      state = { starts: first < close ? [first] : [], inner: at + 1, done: first >= close };
      arrays.set(at, state);
    }
    const found = state.starts;
    while (found.length <= k && !state.done) {
      const last = found[found.length - 1] as number;
      let end: number;
      if (isContainer(text.charCodeAt(last))) {
        const nested = state.inner;
        end = ends[nested] as number;
        state.inner = after[nested] as number;
        const nextStart = state.inner < index.count ? (starts[state.inner] as number) : close;
        if (nextStart < close) {
          const comma = text.indexOf(',', end);
          const second = text.indexOf(',', comma + 1);
          if (comma !== -1 && comma < nextStart && (second === -1 || second > nextStart)) {
            found.push(nextStart);
            continue;
          }
        }
      } else {
        end = scalarEnd(last);
      }
      let i = skipWs(end);
      if (text.charCodeAt(i) === COMMA) i = skipWs(i + 1);
      if (i < close) found.push(i);
      else state.done = true;
    }
    return found[k];
  };

  return (path, key) => {
    let start = skipWs(0);
    let member: Member | undefined;
    for (const segment of path) {
      const c = text.charCodeAt(start);
      if (typeof segment === 'string') {
        if (c !== OPEN_BRACE) return undefined;
        member = membersOf(containerAt(start)).find((m) => m.key === segment);
        if (member === undefined) return undefined;
        start = member.start;
      } else {
        if (c !== OPEN_BRACKET || segment < 0) return undefined;
        const found = elementAt(containerAt(start), segment);
        if (found === undefined) return undefined;
        member = undefined;
        start = found;
      }
    }
    if (key && member !== undefined) return { offset: member.keyStart, length: member.keyEnd - member.keyStart };
    const end = isContainer(text.charCodeAt(start)) ? (ends[containerAt(start)] as number) : scalarEnd(start);
    return { offset: start, length: end - start };
  };
}
