/**
 * src/plan/line-diff.ts: the anchored diff used for large files must be a correct unified diff of
 * the two texts, and print exactly as the `diff` package prints where both find the same changes.
 * The size threshold is lowered so that small random texts take the anchored path.
 */
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiffMemo, unifiedDiff } from '../src/plan/line-diff.js';

const ANCHORED = { largeLines: 0 }; // every input takes the anchored path

/** Lines drawn from a small alphabet (many repeats, few unique lines), with CRLF and missing final newlines. */
const text = fc
  .tuple(
    fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', '', 'x\r'), fc.integer({ min: 0, max: 400 }).map((n) => `host-${n}`)), { maxLength: 60 }),
    fc.boolean(),
  )
  .map(([lines, eol]) => (lines.length === 0 ? '' : lines.join('\n') + (eol ? '\n' : '')));

/** A text and an edit of it: some lines changed, inserted or removed, as in a 1% change of a config. */
const edited = text.chain((before) =>
  fc
    .array(fc.tuple(fc.nat(80), fc.constantFrom('change', 'insert', 'remove'), fc.integer({ min: 0, max: 400 })), { maxLength: 6 })
    .map((edits) => {
      const lines = before.split('\n');
      for (const [at, kind, n] of edits) {
        const i = at % (lines.length + 1);
        if (kind === 'insert') lines.splice(i, 0, `new-${n}`);
        else if (kind === 'remove') lines.splice(i, 1);
        else if (i < lines.length) lines[i] = `changed-${n}`;
      }
      return [before, lines.join('\n')] as const;
    }),
);

describe('unifiedDiff (anchored, for large files)', () => {
  it('applies: patching the old text gives the new text', () => {
    let cases = 0;
    fc.assert(
      fc.property(fc.oneof(edited, fc.tuple(text, text)), ([before, after]) => {
        cases++;
        for (const opts of [ANCHORED, { ...ANCHORED, maxStretchEdits: 2 }]) {
          const patch = unifiedDiff('a/f', 'b/f', before, after, 3, opts);
          if (before === after) expect(parsePatch(patch)[0]!.hunks).toEqual([]);
          expect(applyPatch(before, patch)).toBe(after);
        }
      }),
      { numRuns: 500, seed: 8 },
    );
    console.log(`line-diff: ${cases} random text pairs patched back exactly`);
  });

  it('prints exactly what the package prints for changes between unique lines', () => {
    const before = Array.from({ length: 200 }, (_, i) => `dhcp-host=02:00:00:00:00:${i.toString(16)},host-${i}`);
    const after = [...before];
    after[10] = 'dhcp-host=02:00:00:00:00:aa,renamed';
    after.splice(100, 1);
    after.splice(150, 0, 'dhcp-host=02:00:00:00:01:00,new');
    for (const [b, a] of [
      [`${before.join('\n')}\n`, `${after.join('\n')}\n`],
      [before.join('\n'), after.join('\n')], // no final newline: "\ No newline at end of file"
      [`${before.join('\r\n')}\r\n`, `${after.join('\r\n')}\r\n`],
      ['', `${after.join('\n')}\n`],
      [`${before.join('\n')}\n`, before.join('\n')],
    ] as const) {
      expect(unifiedDiff('a/f', 'b/f', b, a, 3, ANCHORED)).toBe(createTwoFilesPatch('a/f', 'b/f', b, a, undefined, undefined, { context: 3 }));
    }
  });

  it('shows a stretch with more edits than maxStretchEdits as removed and added whole', () => {
    // "same" occurs twice, so it is no anchor: the stretch runs from anchor 1 to anchor 2.
    const before = 'anchor 1\nx1\nsame\nx3\nsame\nanchor 2\n';
    const after = 'anchor 1\ny1\nsame\ny3\nsame\nanchor 2\n';
    const paired = unifiedDiff('a/f', 'b/f', before, after, 3, ANCHORED);
    expect(paired).toContain('\n-x1\n+y1\n same\n-x3\n+y3\n same\n');
    const whole = unifiedDiff('a/f', 'b/f', before, after, 3, { ...ANCHORED, maxStretchEdits: 2 });
    expect(whole).toContain('\n-x1\n-same\n-x3\n-same\n+y1\n+same\n+y3\n+same\n');
    expect(applyPatch(before, whole)).toBe(after);
  });

  it('diffs the same pair of texts once with a memo, and prints each copy under its own name', () => {
    const before = `${Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n')}\n`;
    const after = before.replace('line 7\n', 'line seven\n');
    const memo = new DiffMemo();
    const opts = { ...ANCHORED, memo };
    const first = unifiedDiff('a/primary/f', 'b/primary/f', before, after, 3, opts);
    const second = unifiedDiff('a/secondary/f', 'b/secondary/f', before, after, 3, opts);
    expect(first).toBe(unifiedDiff('a/primary/f', 'b/primary/f', before, after, 3, ANCHORED));
    expect(second).toBe(first.replaceAll('primary', 'secondary'));
    expect(second).toContain('+line seven');
  });

  it('leaves small files to the package', () => {
    expect(unifiedDiff('a/f', 'b/f', 'a\nb\n', 'a\nc\n', 3)).toBe(createTwoFilesPatch('a/f', 'b/f', 'a\nb\n', 'a\nc\n', undefined, undefined, { context: 3 }));
  });
});
