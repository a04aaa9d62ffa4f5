/**
 * The load stage: the only stage that reads disk. It turns a Kea DHCPv4 config file (Kea's
 * "extended JSON": comments, `<?include?>`, trailing commas) into a plain JSON value plus what
 * later stages need to point back into the source: a map from the spliced text to
 * file:line:col, and a lazy JSON-path locator.
 *
 * It never throws for bad input; every failure is a Diagnostic with `at` set.
 * Kea semantics are not interpreted here.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { dirname } from 'node:path';
import type { Diagnostic, JsonPath, SourcePosition } from '../diagnostics/diagnostic.js';
import { jsonLocator, type JsonIndex, type JsonLocator } from './locate-json.js';
import { parseJson, MAX_NESTING } from './parse-json.js';
import { nodeHost, readSource, type LoadHost } from './read-source.js';
import { lineCountOf, lineTextOf, sourceFile, SplicedTextBuilder, type SourceFile } from './source-map.js';
import { chainStart, spliceFile, type SpliceContext } from './splice.js';

export type { LoadHost } from './read-source.js';

export interface LoadedSource {
  /** The include-spliced text that is parsed (comments replaced by spaces so offsets stay put). */
  text: string;
  /** The parsed JSON value (undefined when a syntax error made it unusable; compile() drops it once normalized). */
  value: unknown;
  /** Every file read, in order, as given / resolved (for the report). A file read twice is listed once. */
  files: string[];
  /** Map an offset in `text` to a position in the original file (inside included files too). */
  positionAt(offset: number): SourcePosition;
  /**
   * Resolve a JSON path to the position of that value (or of the property key when `key` is true),
   * lazily (parse tree built on first call and cached). Returns undefined if the path does not
   * exist. Also returns the length of the value text.
   */
  locate(path: JsonPath, key?: boolean): { at: SourcePosition; length: number } | undefined;
  /** The source line text for a position (for code frames). */
  lineText(file: string, line: number): string;
  /** Lines in one of the files read (for the report's line counts). */
  lineCount(file: string): number;
}

export interface LoadResult {
  source?: LoadedSource;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Nested include levels allowed below the main file; Kea allows 10. */
  maxIncludeDepth?: number;
  /** Bytes that may be read in all (main file plus includes); default 256 MiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_INCLUDE_DEPTH = 10;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

const startOf = (file: string): SourcePosition => ({ file, line: 1, column: 1, offset: 0 });

/** Load a Kea config from disk (through `host`), following its includes. */
export function loadKeaConfig(path: string, host: LoadHost = nodeHost, opts: LoadOptions = {}): LoadResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const read = readSource(host, path, 'main', maxBytes, maxBytes);
  if (!read.ok) {
    return { diagnostics: [{ code: read.code, severity: 'error', args: read.args, at: startOf(path) }] };
  }
  return loadFile(sourceFile(path, read.text), read.bytes, host, opts);
}

/**
 * Load a Kea config given as text (stdin, tests). `fileName` names it in positions, and its
 * directory is where relative includes are looked up.
 */
export function loadKeaText(text: string, fileName: string, host: LoadHost = nodeHost, opts: LoadOptions = {}): LoadResult {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return loadFile(sourceFile(fileName, clean), clean.length, host, opts);
}

const hasContent = (text: string): boolean => /\S/.test(text);

function loadFile(main: SourceFile, mainBytes: number, host: LoadHost, opts: LoadOptions): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const ctx: SpliceContext = {
    host,
    baseDir: dirname(main.name),
    maxIncludeDepth: opts.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    out: new SplicedTextBuilder(),
    diagnostics,
    files: new Map([[main.name, main]]),
    bytesRead: mainBytes,
  };

  if (!hasContent(main.text)) {
    diagnostics.push({ code: 'FILE_EMPTY', severity: 'error', args: { path: main.name }, at: startOf(main.name) });
    ctx.out.append(main, 0, main.text);
    return { source: makeSource(main, ctx), diagnostics };
  }

  spliceFile(ctx, main, chainStart(main.name));
  // A lexical failure (missing include, unclosed comment, ...) is fatal in Kea; parsing the
  // remains would only add confusing follow-on errors.
  if (diagnostics.length > 0) return { source: makeSource(main, ctx), diagnostics };

  const source = makeSource(main, ctx);
  if (!hasContent(source.text)) {
    // Nothing but comments (and empty includes).
    diagnostics.push({ code: 'FILE_EMPTY', severity: 'error', args: { path: main.name }, at: startOf(main.name) });
    return { source, diagnostics };
  }

  const parsed = parseJson(source.text);
  source.value = parsed.value;
  if (parsed.tooDeepAt !== undefined) source.markTooDeep();
  if (parsed.index) source.markStrictJson(parsed.index);

  // Diagnostics in text order: duplicates found before a syntax error, then the errors.
  for (const dup of parsed.duplicates) {
    const path = [...dup.objectPath, dup.key];
    const first = parsed.tooDeepAt === undefined ? source.locate(path, true) : undefined;
    diagnostics.push({
      code: 'DUPLICATE_KEY',
      severity: 'error',
      args: { key: dup.key },
      at: source.positionAt(dup.offset),
      length: dup.length,
      related: [{ path, ...(first ? { at: first.at } : {}), label: 'first defined here' }],
    });
  }
  for (const err of parsed.syntaxErrors) {
    diagnostics.push({
      code: 'JSON_SYNTAX',
      severity: 'error',
      args: { problem: err.problem },
      at: source.positionAt(err.offset),
      length: err.length,
    });
  }
  if (parsed.tooDeepAt !== undefined) {
    diagnostics.push({
      code: 'JSON_TOO_DEEP',
      severity: 'error',
      args: { limit: MAX_NESTING },
      at: source.positionAt(parsed.tooDeepAt),
      length: 1,
    });
  }
  return { source, diagnostics };
}

/** A LoadedSource whose value is filled in after parsing. */
interface MutableSource extends LoadedSource {
  value: unknown;
  markTooDeep(): void;
  /** The text is strict JSON without duplicate keys: locate through its index, without a parse tree. */
  markStrictJson(index: JsonIndex): void;
}

function makeSource(main: SourceFile, ctx: SpliceContext): MutableSource {
  // From here on only `lines` is kept of the files: their texts can be collected.
  const { text, positionAt, lines } = ctx.out.finish(main, ctx.files.values());
  let refuseTree = false;
  let tree: Node | undefined | null = null; // null: not built yet
  let strict: JsonLocator | undefined;

  const getTree = (): Node | undefined => {
    // parseTree recurses per nesting level: never run it on text that nests too deep.
    if (refuseTree) return undefined;
    if (tree === null) {
      try {
        tree = parseTree(text, [], { allowTrailingComma: true });
      } catch {
        // A stack overflow on deep nesting that the value pass did not reach (it stops after a
        // few syntax errors): no positions then, but no crash either.
        tree = undefined;
      }
    }
    return tree;
  };

  return {
    text,
    value: undefined,
    files: [...lines.keys()],
    positionAt,
    markTooDeep: () => {
      refuseTree = true;
    },
    markStrictJson: (index) => {
      strict = jsonLocator(text, index);
    },
    locate(path, key = false) {
      if (strict) {
        const found = strict(path, key);
        return found ? { at: positionAt(found.offset), length: found.length } : undefined;
      }
      const root = getTree();
      if (root === undefined) return undefined;
      const node = findNodeAtLocation(root, [...path]);
      if (node === undefined) return undefined;
      const parent = node.parent;
      const target = key && parent?.type === 'property' ? (parent.children?.[0] ?? node) : node;
      return { at: positionAt(target.offset), length: target.length };
    },
    lineText(file, line) {
      const source = lines.get(file);
      return source === undefined ? '' : lineTextOf(source, line);
    },
    lineCount(file) {
      const source = lines.get(file);
      return source === undefined ? 0 : lineCountOf(source);
    },
  };
}
