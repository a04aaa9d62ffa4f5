/**
 * Build the plain JS value of the (comment-free, include-spliced) text in one pass with
 * jsonc-parser's `visit`, noting syntax errors, duplicate keys and excessive nesting on the way.
 *
 * No parse tree is built here: a 20 MB config must load fast, and positions of values are only
 * needed when a diagnostic is printed (see `locate` in load.ts).
 *
 * Fast path first: most configs are plain JSON once comments are blanked, and V8's JSON.parse is
 * several times faster than any visitor. It is used only when it provably gives the same value:
 * it accepted the text (after trailing commas are blanked), no object repeats a key (the keys in
 * the text are counted and compared with the keys in the value), and nothing nests deeper than
 * MAX_NESTING. Anything else (duplicates, syntax errors) takes the visitor, which reports it.
 */
import { visit } from 'jsonc-parser';
import type { JsonPath } from '../diagnostics/diagnostic.js';
import { closingQuote, indexJson, isJsonBlank, type JsonIndex } from './locate-json.js';

/** Deeper nesting than this is refused; Kea configs are about 8 levels deep. */
export const MAX_NESTING = 512;
/** Only the first syntax error is reliable; a few more are kept for context. */
const MAX_SYNTAX_ERRORS = 3;
const MAX_DUPLICATES = 10;

export interface SyntaxProblem {
  problem: string;
  offset: number;
  length: number;
}

export interface DuplicateKey {
  key: string;
  /** Offset and length of the second occurrence's key (with its quotes). */
  offset: number;
  length: number;
  /** Path of the object holding both keys. */
  objectPath: JsonPath;
}

export interface ParsedJson {
  /** undefined when the text has a syntax error or nests too deep. */
  value: unknown;
  syntaxErrors: SyntaxProblem[];
  duplicates: DuplicateKey[];
  /** Offset of the first bracket past MAX_NESTING, when the text nests too deep. */
  tooDeepAt: number | undefined;
  /**
   * True when the text is strict JSON without duplicate keys, but for trailing commas (the
   * JSON.parse fast path took it).
   */
  strictJson?: boolean;
  /** The containers of the text, when `strictJson` (for `jsonLocator`). */
  index?: JsonIndex;
}

/** jsonc-parser's ParseErrorCode (an ambient const enum, unusable under isolatedModules) in words. */
const PROBLEMS: Readonly<Record<number, string>> = {
  1: 'unexpected characters',
  2: 'invalid number',
  3: 'property name expected',
  4: 'value expected',
  5: "expected ':'",
  6: 'expected a comma',
  7: "expected '}'",
  8: "expected ']'",
  9: 'expected end of file',
  10: 'comment not allowed',
  11: 'comment not closed',
  12: 'unterminated string',
  13: 'incomplete number',
  14: 'invalid unicode escape',
  15: 'invalid escape character',
  16: 'invalid control character in string',
};

type Container = Record<string, unknown> | unknown[];
interface Frame {
  readonly container: Container;
  /** The key whose value comes next (objects only). */
  key: string | undefined;
}

/** Thrown from a visitor callback to stop `visit` (which would otherwise recurse on). */
const STOP = Symbol('stop');

/**
 * Own keys of every object in `value`. Recursion is safe: the caller has checked that the text
 * (and so the value) nests no deeper than MAX_NESTING.
 */
function countValueKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let keys = 0;
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) keys += countValueKeys(item);
  } else {
    for (const k in value) {
      keys++;
      const item = (value as Record<string, unknown>)[k];
      if (typeof item === 'object' && item !== null) keys += countValueKeys(item);
    }
  }
  return keys;
}

/**
 * `text` with its trailing commas (a `,` after a value, before `]` or `}`) turned into spaces,
 * which keeps every offset; undefined when it has none. Kea accepts trailing commas, JSON.parse
 * does not: the blanked text lets such a config keep the fast path.
 *
 * Commas are looked for behind each closing bracket. One inside a string is told apart by the
 * quotes from the start of its line (or from the last comma checked, if later): that is exact
 * when no string runs past a line break, and when one does, the blanked text still fails
 * JSON.parse (which rejects a line break in a string), so a wrong guess never yields a value.
 * A comma right after `[`, `{`, `,` or `:` is a syntax error, left for the visitor to report.
 */
function blankTrailingCommas(text: string): string | undefined {
  const candidates: number[] = [];
  for (const close of [']', '}']) {
    for (let at = text.indexOf(close); at !== -1; at = text.indexOf(close, at + 1)) {
      let comma = at - 1;
      while (comma >= 0 && isJsonBlank(text.charCodeAt(comma))) comma--;
      if (text.charCodeAt(comma) !== 44) continue;
      let before = comma - 1;
      while (before >= 0 && isJsonBlank(text.charCodeAt(before))) before--;
      const c = text.charCodeAt(before);
      if (before >= 0 && c !== 91 && c !== 123 && c !== 44 && c !== 58) candidates.push(comma);
    }
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => a - b);

  const pieces: string[] = [];
  let copied = 0;
  let outside = 0; // a point known to be outside strings, at or before the next candidate
  for (const comma of candidates) {
    if (comma < outside) continue; // inside the string found for an earlier candidate
    let from = comma;
    while (from > outside && text.charCodeAt(from - 1) !== 10 && text.charCodeAt(from - 1) !== 13) from--;
    let inString = false;
    for (let quote = text.indexOf('"', from); quote !== -1 && quote < comma; ) {
      const close = closingQuote(text, quote);
      if (close === -1 || close > comma) {
        inString = true;
        outside = close === -1 ? text.length : close + 1;
        break;
      }
      quote = text.indexOf('"', close + 1);
    }
    if (inString) continue;
    pieces.push(text.slice(copied, comma), ' ');
    copied = comma + 1;
    outside = comma + 1;
  }
  if (pieces.length === 0) return undefined;
  pieces.push(text.slice(copied));
  return pieces.join('');
}

/**
 * The value when JSON.parse gives exactly what the visitor would, with the container index the
 * locator uses; undefined otherwise. One pass over the text (`indexJson`) both indexes it and
 * counts its property names: when the value has as many own keys, no object repeated a key.
 * Trailing commas are blanked for JSON.parse only; the index and the locator read the text as
 * it is (they step over a comma before a closing bracket).
 */
function parseStrict(text: string): { value: unknown; index: JsonIndex } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const blanked = blankTrailingCommas(text);
    if (blanked === undefined) return undefined;
    try {
      value = JSON.parse(blanked);
    } catch {
      return undefined;
    }
  }
  const index = indexJson(text, MAX_NESTING);
  return index !== undefined && index.keys === countValueKeys(value) ? { value, index } : undefined;
}

export function parseJson(text: string): ParsedJson {
  const strict = parseStrict(text);
  if (strict) return { value: strict.value, syntaxErrors: [], duplicates: [], tooDeepAt: undefined, strictJson: true, index: strict.index };
  const syntaxErrors: SyntaxProblem[] = [];
  const duplicates: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let root: unknown;
  let tooDeepAt: number | undefined;

  const put = (value: unknown): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = value;
    } else if (Array.isArray(top.container)) {
      top.container.push(value);
    } else if (top.key !== undefined) {
      // defineProperty so that a "__proto__" key becomes an own property, as with JSON.parse.
      if (top.key === '__proto__') {
        Object.defineProperty(top.container, top.key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        top.container[top.key] = value;
      }
      top.key = undefined;
    }
  };
  const open = (container: Container, offset: number): void => {
    // jsonc-parser's visit recurses once per level; stop long before the call stack would.
    if (stack.length >= MAX_NESTING) {
      tooDeepAt = offset;
      throw STOP;
    }
    put(container);
    stack.push({ container, key: undefined });
  };

  try {
    visit(
      text,
      {
        onObjectBegin: (offset) => open({}, offset),
        onArrayBegin: (offset) => open([], offset),
        onObjectEnd: () => void stack.pop(),
        onArrayEnd: () => void stack.pop(),
        onObjectProperty: (key, offset, length, _line, _column, pathSupplier) => {
          const top = stack[stack.length - 1];
          if (top === undefined || Array.isArray(top.container)) return;
          // Kea rejects a map that repeats a key (the grammar's `ctx.unique`).
          if (Object.hasOwn(top.container, key) && duplicates.length < MAX_DUPLICATES) {
            duplicates.push({ key, offset, length, objectPath: pathSupplier() });
          }
          top.key = key;
        },
        onLiteralValue: (value) => put(value),
        onError: (code, offset, length) => {
          const problem = offset >= text.length ? 'unexpected end of file' : (PROBLEMS[code] ?? 'syntax error');
          syntaxErrors.push({ problem, offset, length });
          if (syntaxErrors.length >= MAX_SYNTAX_ERRORS) throw STOP;
        },
      },
      // Kea accepts trailing commas (with a warning, which a converter need not repeat).
      { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false },
    );
  } catch (error) {
    if (error !== STOP) throw error;
  }

  const usable = syntaxErrors.length === 0 && tooDeepAt === undefined;
  return { value: usable ? root : undefined, syntaxErrors, duplicates, tooDeepAt };
}
