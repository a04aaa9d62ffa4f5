/**
 * Unified diffs of generated files that stay fast at any size.
 *
 * The `diff` package's Myers diff costs O((N+M)·D): on a 100,000-line reservations file with 1% of
 * the lines changed that is seconds per file. Small inputs (every test and golden case) still go
 * through the package unchanged. Larger ones are cut first at lines that occur exactly once in
 * each version and keep their order (the patience-diff anchors: the longest increasing run of such
 * lines); only the short stretches between anchors are diffed with the package, a stretch with
 * more than MAX_STRETCH_EDITS edits is shown removed and added whole, and the hunks are built and
 * printed exactly as `createTwoFilesPatch` builds and prints them. The result is a correct unified
 * diff of the same two texts; where several diffs exist it may pair changed lines differently from
 * one whole-file Myers run.
 */
import { createTwoFilesPatch, diffLines, formatPatch, type StructuredPatchHunk } from 'diff';


/** Lines in both versions together above which the anchored diff is used. */
export const LARGE_DIFF_LINES = 2_000;

/**
 * Edits (added plus removed lines) above which a stretch between anchors is shown as removed and
 * added whole instead of paired line by line. Myers' diff costs O((N+M)·D) for D edits; a stretch
 * where thousands of lines all changed (e.g. Kea line numbers cited in the report, all shifted by
 * a line inserted above them) has nothing to pair, and pairing it took most of a dry run's time.
 */
export const MAX_STRETCH_EDITS = 200;

/**
 * A text as the package's line tokens (diff/line.js `tokenize`: each line with its line break), held
 * as the lines without their `\n` plus whether the last one has one. "x\r\n" is the line "x\r",
 * and printing it back gives the same bytes as the package.
 */
interface Lines {
  lines: string[];
  /** The last line ends with a line break (or there are no lines). */
  terminated: boolean;
}

function splitText(text: string): Lines {
  const lines = text.split('\n');
  const terminated = lines[lines.length - 1] === '';
  if (terminated) lines.pop();
  return { lines, terminated };
}

/**
 * The key two tokens share exactly when they are equal: the line itself, or for a last line
 * without a line break the line plus "\n" (which no other line contains), so that "x" at the end
 * of one file never matches "x\n" in the other, as in the package.
 */
function tokenKey(t: Lines, i: number): string {
  const line = t.lines[i]!;
  return !t.terminated && i === t.lines.length - 1 ? `${line}\n` : line;
}

/** Lines `from` to `to` (exclusive) back as text, with their line breaks. */
function textOf(t: Lines, from: number, to: number): string {
  if (from >= to) return '';
  const body = t.lines.slice(from, to).join('\n');
  return to === t.lines.length && !t.terminated ? body : `${body}\n`;
}

/** Indexes (into `seq`) of a longest strictly increasing subsequence of `seq`. */
function longestIncreasing(seq: number[]): number[] {
  const tails: number[] = []; // index into seq of the smallest tail of each length
  const prev = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out: number[] = [];
  for (let k = tails.length > 0 ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.push(k);
  return out.reverse();
}

/**
 * One run of the change list: lines `from`..`to` (exclusive) of the old text (removed or
 * unchanged) or of the new text (added). Ranges instead of the package's joined `value` strings:
 * an unchanged run can be most of a 100,000-line file.
 */
interface Run {
  from: number;
  to: number;
  added: boolean;
  removed: boolean;
}

/** The change list of `a` -> `b`, diffed between unique common lines. */
function anchoredChanges(a: Lines, b: Lines, maxStretchEdits: number): Run[] {
  // Per distinct line: how often it occurs in a and in b, and where in b (the last place).
  const slot = new Map<string, number>();
  const slotOfA = new Int32Array(a.lines.length);
  const inA: number[] = [];
  const inB: number[] = [];
  const atB: number[] = [];
  for (let i = 0; i < a.lines.length; i++) {
    const key = tokenKey(a, i);
    let s = slot.get(key);
    if (s === undefined) {
      s = inA.length;
      slot.set(key, s);
      inA.push(1);
      inB.push(0);
      atB.push(-1);
    } else inA[s]!++;
    slotOfA[i] = s;
  }
  for (let i = 0; i < b.lines.length; i++) {
    const s = slot.get(tokenKey(b, i));
    if (s !== undefined) {
      inB[s]!++;
      atB[s] = i;
    }
  }
  const candA: number[] = [];
  const candB: number[] = [];
  for (let i = 0; i < a.lines.length; i++) {
    const s = slotOfA[i]!;
    if (inA[s] === 1 && inB[s] === 1) {
      candA.push(i);
      candB.push(atB[s]!);
    }
  }
  const anchors = longestIncreasing(candB);

  const out: Run[] = [];
  // Consecutive runs of one kind are merged, as the package's change list has them merged.
  const push = (from: number, count: number, added: boolean, removed: boolean) => {
    if (count === 0) return;
    const last = out[out.length - 1];
    if (last && last.added === added && last.removed === removed && last.to === from) last.to += count;
    else out.push({ from, to: from + count, added, removed });
  };
  let pa = 0;
  let pb = 0;
  const stretch = (ea: number, eb: number) => {
    // Equal lines at the start are what the package's Myers diff takes first too (extractCommon);
    // most stretches between anchors are equal throughout and need no diff call at all.
    let same = 0;
    while (pa + same < ea && pb + same < eb && tokenKey(a, pa + same) === tokenKey(b, pb + same)) same++;
    if (same > 0) {
      push(pa, same, false, false);
      pa += same;
      pb += same;
    }
    const changes = ea > pa && eb > pb ? diffLines(textOf(a, pa, ea), textOf(b, pb, eb), { maxEditLength: maxStretchEdits }) : undefined;
    if (ea > pa && eb > pb && changes === undefined) {
      // More edits than maxStretchEdits: no pairing worth its quadratic cost; replace the stretch.
      push(pa, ea - pa, false, true);
      push(pb, eb - pb, true, false);
    } else if (changes !== undefined) {
      for (const c of changes) {
        const count = c.count;
        if (c.added) {
          push(pb, count, true, false);
          pb += count;
        } else if (c.removed) {
          push(pa, count, false, true);
          pa += count;
        } else {
          push(pa, count, false, false);
          pa += count;
          pb += count;
        }
      }
    } else if (ea > pa) {
      push(pa, ea - pa, false, true);
    } else if (eb > pb) {
      push(pb, eb - pb, true, false);
    }
    pa = ea;
    pb = eb;
  };
  for (const k of anchors) {
    const ia = candA[k]!;
    const ib = candB[k]!;
    stretch(ia, ib);
    push(ia, 1, false, false);
    pa = ia + 1;
    pb = ib + 1;
  }
  stretch(a.lines.length, b.lines.length);
  return out;
}

/**
 * Hunks from a change list, as the package's structuredPatch builds them (diffLinesResultToPatch),
 * including "\\ No newline at end of file" after a last line without a line break.
 */
function hunksOf(runs: Run[], a: Lines, b: Lines, context: number): StructuredPatchHunk[] {
  const all = [...runs, { from: 0, to: 0, added: false, removed: false }];
  const sideOf = (r: Run) => (r.added ? b : a);
  // The printed lines of run r from its line `from` to `to`, each with `prefix`.
  const emit = (out: string[], r: Run, from: number, to: number, prefix: string) => {
    const t = sideOf(r);
    for (let i = from; i < to; i++) {
      out.push(prefix + t.lines[i]!);
      if (i === t.lines.length - 1 && !t.terminated) out.push('\\ No newline at end of file');
    }
  };
  const hunks: StructuredPatchHunk[] = [];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let curRange: string[] = [];
  let contextCount = 0; // lines of curRange that are line-numbered context or change lines
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < all.length; i++) {
    const current = all[i]!;
    const count = current.to - current.from;
    if (current.added || current.removed) {
      if (!oldRangeStart) {
        const prev = all[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        curRange = [];
        contextCount = 0;
        if (prev && context > 0) {
          const from = Math.max(prev.from, prev.to - context);
          emit(curRange, prev, from, prev.to, ' ');
          contextCount = prev.to - from;
        }
        oldRangeStart -= contextCount;
        newRangeStart -= contextCount;
      }
      emit(curRange, current, current.from, current.to, current.added ? '+' : '-');
      if (current.added) newLine += count;
      else oldLine += count;
    } else {
      if (oldRangeStart) {
        if (count <= context * 2 && i < all.length - 2) {
          emit(curRange, current, current.from, current.to, ' ');
        } else {
          const contextSize = Math.min(count, context);
          emit(curRange, current, current.from, current.from + contextSize, ' ');
          hunks.push({
            oldStart: oldRangeStart,
            oldLines: oldLine - oldRangeStart + contextSize,
            newStart: newRangeStart,
            newLines: newLine - newRangeStart + contextSize,
            lines: curRange,
          });
          oldRangeStart = 0;
          newRangeStart = 0;
          curRange = [];
        }
      }
      oldLine += count;
      newLine += count;
    }
  }
  return hunks;
}

/**
 * Remembers the hunks of large diffs by their texts, so that files two servers share (the same
 * before and after) are diffed once however many copies there are.
 */
export class DiffMemo {
  private readonly seen: { before: string; after: string; hunks: StructuredPatchHunk[] }[] = [];

  hunks(before: string, after: string, compute: () => StructuredPatchHunk[]): StructuredPatchHunk[] {
    const hit = this.seen.find((e) => e.before === before && e.after === after);
    if (hit) return hit.hunks;
    const hunks = compute();
    this.seen.push({ before, after, hunks });
    return hunks;
  }
}

export interface UnifiedDiffOptions {
  /** Lines in both versions together from which the anchored diff is used (tests lower it). */
  largeLines?: number;
  /** Edits in one stretch between anchors above which it is replaced whole (tests lower it). */
  maxStretchEdits?: number;
  memo?: DiffMemo;
}

/** `createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, { context })`, fast on large files. */
export function unifiedDiff(oldName: string, newName: string, before: string, after: string, context: number, opts: UnifiedDiffOptions = {}): string {
  const a = splitText(before);
  const b = splitText(after);
  if (a.lines.length + b.lines.length <= (opts.largeLines ?? LARGE_DIFF_LINES)) {
    return createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, { context });
  }
  const compute = () => hunksOf(anchoredChanges(a, b, opts.maxStretchEdits ?? MAX_STRETCH_EDITS), a, b, context);
  const hunks = opts.memo ? opts.memo.hunks(before, after, compute) : compute();
  return formatPatch({ oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks });
}
