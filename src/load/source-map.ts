/**
 * Where each character of the include-spliced text came from.
 *
 * The loader builds one string out of several files (the main config plus every `<?include?>`d
 * fragment). Comments are blanked in place, never removed, so within one file a run of the spliced
 * text maps to the file by a constant shift. A new segment starts only where an include begins or
 * ends, so the map stays tiny even for a 20 MB config.
 *
 * Once the spliced text is built, the files' own texts are let go: a file's unchanged lines are
 * read back from the spliced text, and only the few lines that splicing changed (comments,
 * include directives) are kept as they were, for code frames. A 20 MB config is then held once,
 * not twice.
 */
import type { SourcePosition } from '../diagnostics/diagnostic.js';

/** One file as read (decoded text, BOM removed), while it is being spliced. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
  lineStarts?: Int32Array;
}

export const sourceFile = (name: string, text: string): SourceFile => ({ name, text });

/** What the loaded source keeps of a file: enough for positions, line texts and line counts. */
export interface FileLines {
  readonly name: string;
  /** Length of the file's text. */
  readonly length: number;
  readonly lineStarts: Int32Array;
  /** The text of each (0-based) line that is not in the spliced text as it was in the file. */
  readonly changedLines: ReadonlyMap<number, string>;
  /** Where the file's text lies in the spliced text (twice for a file included twice). */
  readonly runs: readonly Run[];
  /** The spliced text, which holds every unchanged line. */
  readonly spliced: string;
}

interface Run {
  readonly fileStart: number;
  readonly outStart: number;
  readonly length: number;
}

/**
 * Offsets at which each line starts. Only `\n` ends a line, as in Kea's lexer (`[\n]+`).
 * 4 bytes per line (a 20 MB config has about half a million lines).
 */
function lineStartsOf(file: SourceFile): Int32Array {
  if (file.lineStarts) return file.lineStarts;
  const { text } = file;
  let starts = new Int32Array(Math.max(16, text.length >> 5));
  let n = 1; // starts[0] = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (n === starts.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(starts);
      starts = bigger;
    }
    starts[n++] = i + 1;
  }
  file.lineStarts = starts.slice(0, n); // a copy, so the unused capacity is freed
  return file.lineStarts;
}

/** 0-based index of the line holding `offset`: the last line start <= offset (starts[0] is 0). */
function lineIndex(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function position(name: string, length: number, starts: Int32Array, offset: number): SourcePosition {
  const at = Math.max(0, Math.min(offset, length));
  const line = lineIndex(starts, at);
  return { file: name, line: line + 1, column: at - (starts[line] as number) + 1, offset: at };
}

/** 1-based line and column (UTF-16 code units) of an offset in one file. */
export const positionInFile = (file: SourceFile, offset: number): SourcePosition =>
  position(file.name, file.text.length, lineStartsOf(file), offset);

/** Lines in a file: a last line break ends the last line rather than starting an empty one. */
export function lineCountOf(file: FileLines): number {
  if (file.length === 0) return 0;
  const starts = file.lineStarts;
  // A line start at the very end means the text ends with a line break.
  return starts.length - (starts[starts.length - 1] === file.length ? 1 : 0);
}

const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** The text of a 1-based line, without its line break; '' when the line does not exist. */
function lineTextIn(file: SourceFile, line: number): string {
  const starts = lineStartsOf(file);
  const start = starts[line - 1];
  if (start === undefined) return '';
  const next = starts[line];
  return withoutCr(file.text.slice(start, next === undefined ? file.text.length : next - 1));
}

/** The text of a 1-based line, without its line break; '' when the line does not exist. */
export function lineTextOf(file: FileLines, line: number): string {
  const starts = file.lineStarts;
  const start = starts[line - 1];
  if (start === undefined) return '';
  const changed = file.changedLines.get(line - 1);
  if (changed !== undefined) return changed;
  const next = starts[line];
  const end = next === undefined ? file.length : next - 1;
  // An unchanged line lies in one run: runs of a file break only at include directives.
  for (const run of file.runs) {
    if (run.fileStart <= start && end <= run.fileStart + run.length) {
      const shift = run.outStart - run.fileStart;
      return withoutCr(file.spliced.slice(start + shift, end + shift));
    }
  }
  return '';
}

/**
 * Copies of `strings` that share no memory with the text they were sliced from (V8 keeps the
 * whole parent of a slice alive): one fresh string made by join, sliced again.
 */
function detached(strings: readonly string[]): string[] {
  const joined = [...strings, ''].join('\n');
  const out: string[] = [];
  let at = 0;
  for (const s of strings) {
    out.push(joined.slice(at, at + s.length));
    at += s.length + 1;
  }
  return out;
}

interface Segment<F> {
  /** Offset in the spliced text where this run starts. */
  readonly outStart: number;
  readonly file: F;
  /** Offset in `file` of the run's first character. */
  readonly fileStart: number;
}

/** Accumulates the spliced text piece by piece and records the segment map as it goes. */
export class SplicedTextBuilder {
  private readonly pieces: string[] = [];
  private readonly segments: Segment<SourceFile>[] = [];
  /** Per file, [start, end) offset pairs of text that is not in the spliced text as it was. */
  private readonly changed = new Map<SourceFile, number[]>();
  private length = 0;

  /**
   * Append `piece`, which is the text of `file` starting at `fileStart`, or when `blanked`, that
   * text with its comments blanked.
   */
  append(file: SourceFile, fileStart: number, piece: string, blanked = false): void {
    if (piece.length === 0) return;
    if (blanked) this.omit(file, fileStart, fileStart + piece.length);
    const last = this.segments[this.segments.length - 1];
    const continues = last !== undefined && last.file === file && last.fileStart + (this.length - last.outStart) === fileStart;
    if (!continues) this.segments.push({ outStart: this.length, file, fileStart });
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /** Note that `file`'s text [start, end) is not in the spliced text (an include directive). */
  omit(file: SourceFile, start: number, end: number): void {
    let ranges = this.changed.get(file);
    if (ranges === undefined) this.changed.set(file, (ranges = []));
    ranges.push(start, end);
  }

  /**
   * The spliced text, a function mapping its offsets back to source positions, and what is kept
   * of each of `files` (every file read, `fallback` among them) by name.
   */
  finish(
    fallback: SourceFile,
    files: Iterable<SourceFile>,
  ): { text: string; positionAt: (offset: number) => SourcePosition; lines: Map<string, FileLines> } {
    const text = this.pieces.length === 1 ? (this.pieces[0] as string) : this.pieces.join('');
    this.pieces.length = 0;
    const read: readonly Segment<SourceFile>[] = this.segments.length > 0 ? this.segments : [{ outStart: 0, file: fallback, fileStart: 0 }];

    const runs = new Map<SourceFile, Run[]>();
    read.forEach((seg, i) => {
      const end = read[i + 1]?.outStart ?? text.length;
      let list = runs.get(seg.file);
      if (list === undefined) runs.set(seg.file, (list = []));
      list.push({ fileStart: seg.fileStart, outStart: seg.outStart, length: end - seg.outStart });
    });

    const kept = new Map<SourceFile, FileLines>();
    const lines = new Map<string, FileLines>();
    for (const file of files) {
      const starts = lineStartsOf(file);
      const changedAt: number[] = [];
      const ranges = this.changed.get(file) ?? [];
      for (let r = 0; r < ranges.length; r += 2) {
        const [start, end] = [ranges[r] as number, ranges[r + 1] as number];
        if (end <= start) continue;
        const last = lineIndex(starts, end - 1);
        for (let l = lineIndex(starts, start); l <= last; l++) changedAt.push(l);
      }
      const unique = [...new Set(changedAt)];
      const texts = detached(unique.map((l) => lineTextIn(file, l + 1)));
      const changedLines = new Map(unique.map((l, i) => [l, texts[i] as string]));
      const entry: FileLines = { name: file.name, length: file.text.length, lineStarts: starts, changedLines, runs: runs.get(file) ?? [], spliced: text };
      kept.set(file, entry);
      lines.set(file.name, entry);
    }

    const segments = read.map((seg): Segment<FileLines> => ({ outStart: seg.outStart, file: kept.get(seg.file) as FileLines, fileStart: seg.fileStart }));
    return { text, positionAt: positionMap(text, segments), lines };
  }
}

/**
 * Offsets in the spliced text -> positions. Made outside `finish` so that the closure holds only
 * what it needs (a closure keeps all the variables its scope shares with other closures, and the
 * SourceFiles there would keep every file's text alive).
 */
function positionMap(text: string, segments: readonly Segment<FileLines>[]): (offset: number) => SourcePosition {
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((segments[mid] as Segment<FileLines>).outStart <= at) lo = mid;
      else hi = mid - 1;
    }
    const seg = segments[lo] as Segment<FileLines>;
    return position(seg.file.name, seg.file.length, seg.file.lineStarts, seg.fileStart + (at - seg.outStart));
  };
}
