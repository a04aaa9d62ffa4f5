/**
 * Unified diffs of generated files that stay fast at any size.
 *
 * The `diff` package's Myers diff costs O((N+M)·D): on a 100,000-line reservations file with 1% of
 * the lines changed that is seconds per file. Small inputs (every test and golden case) still go
 * through the package unchanged. Large ones are cut first at lines that occur exactly once in
 * each version and keep their order (the patience-diff anchors: the longest increasing run of such
 * lines); only the short stretches between anchors are diffed with the package, and the hunks are
 * built and printed exactly as `createTwoFilesPatch` builds and prints them. The result is a
 * correct unified diff of the same two texts; where several minimal diffs exist it may pair
 * changed lines differently from one whole-file Myers run.
 */
import { createTwoFilesPatch, diffLines, formatPatch, type StructuredPatchHunk } from 'diff';

/** Lines in both versions together above which the anchored diff is used. */
export const LARGE_DIFF_LINES = 20_000;

interface Component {
  value: string;
  count: number;
  added: boolean;
  removed: boolean;
}

/** The package's line tokens (diff/line.js tokenize): each line with its line break. */
function tokenize(value: string): string[] {
  const out: string[] = [];
  const parts = value.split(/(\n|\r\n)/);
  if (!parts[parts.length - 1]) parts.pop();
  for (let i = 0; i < parts.length; i++) {
    if (i % 2) out[out.length - 1] += parts[i]!;
    else out.push(parts[i]!);
  }
  return out.filter((t) => t !== '');
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

/** The change list of `a` -> `b`, diffed between unique common lines. */
function anchoredChanges(a: string[], b: string[]): Component[] {
  const seen = new Map<string, { ca: number; cb: number; ib: number }>();
  for (const line of a) {
    const e = seen.get(line);
    if (e) e.ca++;
    else seen.set(line, { ca: 1, cb: 0, ib: -1 });
  }
  b.forEach((line, i) => {
    const e = seen.get(line);
    if (e) {
      e.cb++;
      e.ib = i;
    }
  });
  const candA: number[] = [];
  const candB: number[] = [];
  a.forEach((line, i) => {
    const e = seen.get(line)!;
    if (e.ca === 1 && e.cb === 1) {
      candA.push(i);
      candB.push(e.ib);
    }
  });
  const anchors = longestIncreasing(candB).map((k) => [candA[k]!, candB[k]!] as const);

  const out: Component[] = [];
  const push = (value: string, count: number, added: boolean, removed: boolean) => {
    if (count === 0) return;
    const last = out[out.length - 1];
    if (last && last.added === added && last.removed === removed) {
      last.value += value;
      last.count += count;
    } else {
      out.push({ value, count, added, removed });
    }
  };
  let pa = 0;
  let pb = 0;
  const stretch = (ea: number, eb: number) => {
    if (ea > pa && eb > pb) {
      for (const c of diffLines(a.slice(pa, ea).join(''), b.slice(pb, eb).join(''))) push(c.value, c.count, c.added, c.removed);
    } else if (ea > pa) {
      push(a.slice(pa, ea).join(''), ea - pa, false, true);
    } else if (eb > pb) {
      push(b.slice(pb, eb).join(''), eb - pb, true, false);
    }
  };
  for (const [ia, ib] of anchors) {
    stretch(ia, ib);
    push(a[ia]!, 1, false, false);
    pa = ia + 1;
    pb = ib + 1;
  }
  stretch(a.length, b.length);
  return out;
}

/** The package's splitLines (patch/create.js). */
function splitLines(text: string): string[] {
  const hasTrailingNl = text.endsWith('\n');
  const result = text.split('\n').map((line) => `${line}\n`);
  if (hasTrailingNl) result.pop();
  else result.push(result.pop()!.slice(0, -1));
  return result;
}

/** Hunks from a change list, as the package's structuredPatch builds them (diffLinesResultToPatch). */
function hunksOf(diff: Component[], context: number): StructuredPatchHunk[] {
  const all: { lines: string[]; added: boolean; removed: boolean }[] = diff.map((c) => ({ lines: splitLines(c.value), added: c.added, removed: c.removed }));
  all.push({ lines: [], added: false, removed: false });
  const contextLines = (lines: string[]) => lines.map((l) => ` ${l}`);
  const hunks: StructuredPatchHunk[] = [];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let curRange: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < all.length; i++) {
    const current = all[i]!;
    const lines = current.lines;
    if (current.added || current.removed) {
      if (!oldRangeStart) {
        const prev = all[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (prev) {
          curRange = context > 0 ? contextLines(prev.lines.slice(-context)) : [];
          oldRangeStart -= curRange.length;
          newRangeStart -= curRange.length;
        }
      }
      for (const line of lines) curRange.push((current.added ? '+' : '-') + line);
      if (current.added) newLine += lines.length;
      else oldLine += lines.length;
    } else {
      if (oldRangeStart) {
        if (lines.length <= context * 2 && i < all.length - 2) {
          for (const line of contextLines(lines)) curRange.push(line);
        } else {
          const contextSize = Math.min(lines.length, context);
          for (const line of contextLines(lines.slice(0, contextSize))) curRange.push(line);
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
      oldLine += lines.length;
      newLine += lines.length;
    }
  }
  for (const hunk of hunks) {
    for (let i = 0; i < hunk.lines.length; i++) {
      if (hunk.lines[i]!.endsWith('\n')) {
        hunk.lines[i] = hunk.lines[i]!.slice(0, -1);
      } else {
        hunk.lines.splice(i + 1, 0, '\\ No newline at end of file');
        i++;
      }
    }
  }
  return hunks;
}

/** `createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, { context })`, fast on large files. */
export function unifiedDiff(oldName: string, newName: string, before: string, after: string, context: number): string {
  const a = tokenize(before);
  const b = tokenize(after);
  if (a.length + b.length <= LARGE_DIFF_LINES) {
    return createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, { context });
  }
  const hunks = hunksOf(anchoredChanges(a, b), context);
  return formatPatch({ oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks });
}
