/**
 * Kea's lexical layer: comments and `<?include "path"?>` (Kea ARM "Comments and User Context",
 * "Include Files"; grammar in src/bin/dhcp4/dhcp4_lexer.ll).
 *
 * Comments (`#...`, `//...`, `/* ... *\/`) are blanked with spaces, keeping line breaks, so every
 * offset of the remaining text still matches the file. An include is a textual splice: the
 * included file (itself processed the same way) replaces the directive, so it may hold a fragment
 * such as `"subnet4": [ ... ]` and may sit anywhere a token can, including inside a list.
 *
 * Strings are respected by walking jsonc-parser's tokens: `"http://x"` and `"a#b"` stay intact.
 */
import { createScanner } from 'jsonc-parser';
import { isAbsolute, join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { closingQuote } from './locate-json.js';
import { readSource, type LoadHost } from './read-source.js';
import { positionInFile, sourceFile, type SourceFile, type SplicedTextBuilder } from './source-map.js';

// jsonc-parser's SyntaxKind / ScanError are ambient const enums, which isolatedModules cannot use.
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const UNKNOWN = 16;
const EOF = 17;
const SCAN_ERROR_END_OF_COMMENT = 1;

export interface SpliceContext {
  readonly host: LoadHost;
  /**
   * Relative include paths resolve against this directory: the directory of the top-level config.
   * Kea itself opens include paths relative to its process's working directory, which in practice
   * (systemd units, the packaged init scripts) is the configuration directory; resolving against
   * the top-level file gives that answer no matter where kea2dnsmasq is run from.
   */
  readonly baseDir: string;
  readonly maxIncludeDepth: number;
  readonly maxBytes: number;
  readonly out: SplicedTextBuilder;
  readonly diagnostics: Diagnostic[];
  /** Files read so far, by display name, in reading order. */
  readonly files: Map<string, SourceFile>;
  bytesRead: number;
}

/** One level of the include chain, for cycle detection and the error message. */
interface ChainLink {
  readonly absolute: string;
  readonly name: string;
}

/** Cheap test: without any of these, the file can hold neither a comment nor a directive. */
const mayHoldCommentOrInclude = (text: string): boolean => /[#<]|\/[/*]/.test(text);

const blank = (text: string): string => text.replace(/[^\r\n]/g, ' ');

function endOfLine(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

type Directive = { ok: true; path: string; end: number } | { ok: false; end: number };

/**
 * Read `<? include "path" ?>` starting at `start` (which points at `<?`). Blanks and line breaks
 * may separate the parts; the path is the raw text between the quotes (no escapes, no line break,
 * not empty), as in Kea's `<DIR_INCLUDE>\"([^\"\n])+\"`.
 */
function readDirective(text: string, start: number): Directive {
  let i = start + 2;
  const skipBlanks = (): void => {
    while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  };
  skipBlanks();
  if (!text.startsWith('include', i)) return { ok: false, end: i };
  i += 'include'.length;
  skipBlanks();
  if (text[i] !== '"') return { ok: false, end: i };
  const close = text.indexOf('"', i + 1);
  const newline = text.indexOf('\n', i + 1);
  if (close === -1 || close === i + 1 || (newline !== -1 && newline < close)) return { ok: false, end: i + 1 };
  const path = text.slice(i + 1, close);
  i = close + 1;
  skipBlanks();
  if (!text.startsWith('?>', i)) return { ok: false, end: i };
  return { ok: true, path, end: i + 2 };
}

interface LexicalEvent {
  start: number;
  /** End of the comment; for a directive, where its word ends (the malformed case blanks to it). */
  end: number;
  directive: boolean;
}

/** Result of `stringAround` when it cannot tell (a line break escaped by a backslash). */
const UNSURE = -2;

/**
 * Whether `at` lies inside a string, for a scan that knows `from` (<= at) is outside any string
 * or comment and that no comment or directive starts in [from, at). Returns -1 when `at` is
 * outside strings, else the offset where the string holding it ends.
 *
 * jsonc-parser's scanner ends a string at a line break (as an error), so every line starts outside
 * strings, and only the quotes between the later of `from` and the start of `at`'s line need to be
 * walked. The one exception, a backslash right before the line break (the scanner takes it as an
 * escape and the string goes on), is UNSURE.
 */
function stringAround(text: string, from: number, at: number): number {
  let lineStart = at;
  while (lineStart > from) {
    const c = text.charCodeAt(lineStart - 1);
    if (c === 10 || c === 13) break;
    lineStart--;
  }
  if (lineStart > from) {
    let before = lineStart - 2; // the character before the line break
    if (text.charCodeAt(lineStart - 1) === 10 && text.charCodeAt(before) === 13) before--;
    if (text.charCodeAt(before) === 92) return UNSURE;
  }
  for (let quote = text.indexOf('"', lineStart); quote !== -1 && quote < at; ) {
    const close = closingQuote(text, quote);
    if (close === -1 || close > at) {
      // `at` is inside; the string ends at its closing quote or at the next line break.
      const end = close === -1 ? text.length : close + 1;
      for (let i = at + 1; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || c === 13) return i;
      }
      return end;
    }
    quote = text.indexOf('"', close + 1);
  }
  return -1;
}

/**
 * The comments and directives of a well-formed file in one quick pass, or undefined when anything
 * is unusual: a lone `/`, an unclosed block comment, a malformed directive, a line break escaped
 * inside a string. Those take jsonc-parser's token walk, which reports them exactly; on
 * well-formed text both find the same comments and directives.
 *
 * The pass jumps between the only characters that can start a comment or directive (`#`, `/`,
 * `<`) with `indexOf`, which V8 runs over many characters at a time, and keeps the next one of
 * each ahead of the scan. Strings are not walked one by one: only when a candidate turns up is
 * its own line (from where the scan stands) checked for a string around it, since in a config
 * these characters are rare outside comments (a subnet's `/24`, a URL). A 20 MB config costs a
 * few `indexOf` runs plus the candidates' lines.
 */
function findCommentsAndDirectives(text: string): LexicalEvent[] | undefined {
  const len = text.length;
  /** The first `ch` at or after `from`; len when there is none. */
  const next = (ch: string, from: number): number => {
    const found = text.indexOf(ch, from);
    return found < 0 ? len : found;
  };
  let lf = -1;
  let cr = -1;
  /** The first line break at or after `from`, which never decreases from call to call. */
  const lineBreakFrom = (from: number): number => {
    if (lf < from) lf = next('\n', from);
    if (cr < from) cr = next('\r', from);
    return lf < cr ? lf : cr;
  };

  const events: LexicalEvent[] = [];
  let hash = -1;
  let slash = -1;
  let angle = -1;
  let i = 0; // text before i has been scanned; i is outside strings and comments
  for (;;) {
    if (hash < i) hash = next('#', i);
    if (slash < i) slash = next('/', i);
    if (angle < i) angle = next('<', i);
    const at = Math.min(hash, slash, angle);
    if (at === len) return events;
    const stringEnd = stringAround(text, i, at);
    if (stringEnd === UNSURE) return undefined;
    if (stringEnd !== -1) {
      i = stringEnd;
    } else if (at === hash) {
      const eol = lineBreakFrom(at);
      events.push({ start: at, end: eol, directive: false });
      i = eol;
    } else if (at === slash) {
      const after = text.charCodeAt(at + 1);
      if (after === 47) {
        const eol = lineBreakFrom(at);
        events.push({ start: at, end: eol, directive: false });
        i = eol;
      } else if (after === 42) {
        const close = text.indexOf('*/', at + 2);
        if (close < 0) return undefined;
        events.push({ start: at, end: close + 2, directive: false });
        i = close + 2;
      } else {
        return undefined;
      }
    } else if (text.charCodeAt(at + 1) !== 63) {
      i = at + 1; // a `<` that starts no directive
    } else {
      const parsed = readDirective(text, at);
      if (!parsed.ok) return undefined;
      events.push({ start: at, end: parsed.end, directive: true });
      i = parsed.end;
    }
  }
}

/** Blank comments in `file`, splice its includes, and append the result to `ctx.out`. */
export function spliceFile(ctx: SpliceContext, file: SourceFile, chain: readonly ChainLink[]): void {
  const { text } = file;
  if (!mayHoldCommentOrInclude(text)) {
    ctx.out.append(file, 0, text);
    return;
  }
  let copied = 0; // text[0, copied) has been appended already
  const flushTo = (offset: number): void => {
    ctx.out.append(file, copied, text.slice(copied, offset));
    copied = offset;
  };
  const blankTo = (end: number): void => {
    ctx.out.append(file, copied, blank(text.slice(copied, end)), true);
    copied = end;
  };
  const report = (code: string, offset: number, length: number, args: Record<string, string | number>): void => {
    ctx.diagnostics.push({ code, severity: 'error', args, at: positionInFile(file, offset), length });
  };

  // Handle a directive at `at` (a `<?`); returns where scanning goes on.
  const directiveAt = (at: number, wordEnd: number): number => {
    const parsed = readDirective(text, at);
    flushTo(at);
    if (!parsed.ok) {
      report('INCLUDE_MALFORMED', at, parsed.end - at, { path: file.name });
      blankTo(Math.max(parsed.end, wordEnd));
    } else if (includeFile(ctx, file, at, parsed.end - at, parsed.path, chain)) {
      ctx.out.omit(file, at, parsed.end);
      copied = parsed.end; // the included text took the directive's place
    } else {
      blankTo(parsed.end);
    }
    return copied;
  };

  const events = findCommentsAndDirectives(text);
  if (events) {
    for (const e of events) {
      if (e.directive) {
        directiveAt(e.start, e.end);
      } else {
        flushTo(e.start);
        blankTo(e.end);
      }
    }
    flushTo(text.length);
    return;
  }

  const scanner = createScanner(text, false);
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    const start = scanner.getTokenOffset();
    const end = start + scanner.getTokenLength();
    if (kind === LINE_COMMENT || kind === BLOCK_COMMENT) {
      // Kea: `"/*"` without `"*/"` fails with "Comment not closed".
      if (kind === BLOCK_COMMENT && scanner.getTokenError() === SCAN_ERROR_END_OF_COMMENT) {
        report('COMMENT_NOT_CLOSED', start, 2, { path: file.name });
      }
      flushTo(start);
      blankTo(end);
      continue;
    }
    if (kind !== UNKNOWN) continue;

    // jsonc-parser has no notion of `#` or `<?`: they arrive inside an "unknown" word.
    const word = text.slice(start, end);
    const hash = word.indexOf('#');
    const directive = word.indexOf('<?');
    if (hash !== -1 && (directive === -1 || hash < directive)) {
      const eol = endOfLine(text, start + hash);
      flushTo(start + hash);
      blankTo(eol);
      scanner.setPosition(eol);
      continue;
    }
    if (directive === -1) continue; // a plain bad token: the JSON parser reports it

    scanner.setPosition(directiveAt(start + directive, end));
  }
  flushTo(text.length);
}

/**
 * Splice the file named by a directive at `at` in `parent`. Returns false (after reporting) when
 * the file cannot be included; the caller then blanks the directive.
 */
function includeFile(
  ctx: SpliceContext,
  parent: SourceFile,
  at: number,
  length: number,
  path: string,
  chain: readonly ChainLink[],
): boolean {
  const name = isAbsolute(path) ? path : join(ctx.baseDir, path);
  const absolute = resolve(name);
  const report = (code: string, args: Record<string, string | number>): false => {
    ctx.diagnostics.push({ code, severity: 'error', args, at: positionInFile(parent, at), length });
    return false;
  };

  const cycleStart = chain.findIndex((link) => link.absolute === absolute);
  if (cycleStart !== -1) {
    const names = [...chain.slice(cycleStart).map((link) => link.name), name];
    return report('INCLUDE_CYCLE', { path: name, chain: names.join(' -> ') });
  }
  // `chain` holds the main file too, so its length - 1 is the nesting depth of `parent`.
  // Kea (Parser4Context::includeFile) fails with "Too many nested include." past 10 levels.
  if (chain.length > ctx.maxIncludeDepth) {
    return report('INCLUDE_TOO_DEEP', { path: name, limit: ctx.maxIncludeDepth });
  }

  const read = readSource(ctx.host, name, 'include', ctx.maxBytes - ctx.bytesRead, ctx.maxBytes);
  if (!read.ok) return report(read.code, read.args);
  ctx.bytesRead += read.bytes;

  // A file included twice (not nested) is one SourceFile: same name, same line table.
  let file = ctx.files.get(name);
  if (file === undefined) {
    file = sourceFile(name, read.text);
    ctx.files.set(name, file);
  }
  spliceFile(ctx, file, [...chain, { absolute, name }]);
  return true;
}

export const chainStart = (name: string): ChainLink[] => [{ absolute: resolve(name), name }];
