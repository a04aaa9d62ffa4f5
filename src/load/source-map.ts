/**
 * Where each character of the include-spliced text came from.
 *
 * The loader builds one string out of several files (the main config plus every `<?include?>`d
 * fragment). Comments are blanked in place, never removed, so within one file a run of the spliced
 * text maps to the file by a constant shift. A new segment starts only where an include begins or
 * ends, so the map stays tiny even for a 20 MB config.
 */
import type { SourcePosition } from '../diagnostics/diagnostic.js';

/** One file as read (decoded text, BOM removed). Line starts are computed on first use. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
  lineStarts?: Int32Array;
}

export const sourceFile = (name: string, text: string): SourceFile => ({ name, text });

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

/** Lines in a file: a last line break ends the last line rather than starting an empty one. */
export function lineCountOf(file: SourceFile): number {
  const { text } = file;
  if (text === '') return 0;
  return lineStartsOf(file).length - (text.charCodeAt(text.length - 1) === 10 ? 1 : 0);
}

/** Index of the last element of a sorted array that is <= `value` (0 when none is). */
function lastAtOrBelow<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (key(items[mid] as T) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 1-based line and column (UTF-16 code units) of an offset in one file. */
export function positionInFile(file: SourceFile, offset: number): SourcePosition {
  const at = Math.max(0, Math.min(offset, file.text.length));
  const starts = lineStartsOf(file);
  // The last line start <= at (starts[0] is 0).
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] as number) <= at) lo = mid;
    else hi = mid - 1;
  }
  return { file: file.name, line: lo + 1, column: at - (starts[lo] as number) + 1, offset: at };
}

/** The text of a 1-based line, without its line break; '' when the line does not exist. */
export function lineTextIn(file: SourceFile, line: number): string {
  const starts = lineStartsOf(file);
  const start = starts[line - 1];
  if (start === undefined) return '';
  const next = starts[line];
  const end = next === undefined ? file.text.length : next - 1;
  const text = file.text.slice(start, end);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

interface Segment {
  /** Offset in the spliced text where this run starts. */
  readonly outStart: number;
  readonly file: SourceFile;
  /** Offset in `file` of the run's first character. */
  readonly fileStart: number;
}

/** Accumulates the spliced text piece by piece and records the segment map as it goes. */
export class SplicedTextBuilder {
  private readonly pieces: string[] = [];
  private readonly segments: Segment[] = [];
  private length = 0;

  /** Append `piece`, which is the text of `file` starting at `fileStart` (possibly blanked). */
  append(file: SourceFile, fileStart: number, piece: string): void {
    if (piece.length === 0) return;
    const last = this.segments[this.segments.length - 1];
    const continues = last !== undefined && last.file === file && last.fileStart + (this.length - last.outStart) === fileStart;
    if (!continues) this.segments.push({ outStart: this.length, file, fileStart });
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /** The spliced text and a function mapping its offsets back to source positions. */
  finish(fallback: SourceFile): { text: string; positionAt: (offset: number) => SourcePosition } {
    const text = this.pieces.length === 1 ? (this.pieces[0] as string) : this.pieces.join('');
    const segments: readonly Segment[] = this.segments.length > 0 ? this.segments : [{ outStart: 0, file: fallback, fileStart: 0 }];
    const positionAt = (offset: number): SourcePosition => {
      const at = Math.max(0, Math.min(offset, text.length));
      const seg = segments[lastAtOrBelow(segments, at, (s) => s.outStart)] as Segment;
      return positionInFile(seg.file, seg.fileStart + (at - seg.outStart));
    };
    return { text, positionAt };
  }
}
