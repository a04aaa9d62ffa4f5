/**
 * The atomic apply: a failure injected anywhere — while staging, between any two renames, an
 * unwritable target — leaves the output directory exactly as it was (same files, same bytes, no
 * staging left behind); files this tool did not write are never overwritten without --force;
 * symbolic links inside the directory are never followed.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlannedFile } from '../src/emit/dnsmasq.js';
import { ApplyError, applyPlan, MANIFEST, planChanges } from '../src/plan/plan.js';

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) {
    try {
      chmodSync(t, 0o755);
    } catch {
      // already gone
    }
    rmSync(t, { recursive: true, force: true });
  }
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'k2d-apply-'));
  temps.push(d);
  return d;
};

/** Every entry under dir: files with their bytes, directories and links marked, so "as it was" is exact. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    const rel = p.slice(dir.length + 1);
    out[rel] = e.isSymbolicLink() ? `link -> ${readlinkSync(p)}` : e.isDirectory() ? 'dir' : readFileSync(p, 'utf8');
  }
  return out;
}

const V1: PlannedFile[] = [
  { path: 'MIGRATION-REPORT.md', contents: 'report v1\n' },
  { path: 'a/etc/dnsmasq.conf', contents: 'conf-dir=/etc/dnsmasq.d/,*.conf\n' },
  { path: 'a/etc/dnsmasq.d/30-scope.conf', contents: 'scope a v1\n' },
  { path: 'b/etc/dnsmasq.d/30-scope.conf', contents: 'scope b v1\n' },
  { path: 'old/only-in-v1.conf', contents: 'goes away\n' },
];
const V2: PlannedFile[] = [
  { path: 'MIGRATION-REPORT.md', contents: 'report v2\n' },
  { path: 'a/etc/dnsmasq.conf', contents: 'conf-dir=/etc/dnsmasq.d/,*.conf\n' },
  { path: 'a/etc/dnsmasq.d/30-scope.conf', contents: 'scope a v2\n' },
  { path: 'b/etc/dnsmasq.d/30-scope.conf', contents: 'scope b v2\n' },
  { path: 'c/etc/new.conf', contents: 'new in v2\n' },
];

/** A directory holding V1 as written by a previous run (with its manifest) and one foreign file. */
function deployedV1(): string {
  const dir = join(temp(), 'out');
  applyPlan(planChanges(dir, V1), { force: false });
  writeFileSync(join(dir, 'a', 'etc', 'hosts'), 'not ours\n');
  return dir;
}

describe('applyPlan', () => {
  it('writes new files, replaces changed ones, deletes its own old ones, and records them', () => {
    const dir = deployedV1();
    applyPlan(planChanges(dir, V2), { force: false });
    const snap = snapshot(dir);
    for (const f of V2) expect(snap[f.path]).toBe(f.contents);
    expect(snap['old/only-in-v1.conf']).toBeUndefined();
    expect(snap['a/etc/hosts']).toBe('not ours\n');
    expect(Object.keys(JSON.parse(snap[MANIFEST]!).files).sort()).toEqual(V2.map((f) => f.path).sort());
    expect(Object.keys(snap).filter((k) => k.includes('staging'))).toEqual([]);
    expect(planChanges(dir, V2).changes.every((c) => c.kind === 'same')).toBe(true);
  });

  it('applies an up-to-date plan again without error and without changing a file', () => {
    const dir = deployedV1();
    const before = snapshot(dir);
    const again = planChanges(dir, V1);
    expect(again.changes.every((c) => c.kind === 'same')).toBe(true);
    applyPlan(again, { force: false });
    expect(snapshot(dir)).toEqual(before);
  });

  it('leaves the directory as it was when staging fails (beforeRename throws)', () => {
    const dir = deployedV1();
    const before = snapshot(dir);
    const plan = planChanges(dir, V2);
    expect(() =>
      applyPlan(plan, { force: false }, {
        beforeRename: () => {
          throw new Error('disk full');
        },
      }),
    ).toThrow(ApplyError);
    expect(snapshot(dir)).toEqual(before);
  });

  // Every point between two renames: V1 -> V2 swaps 4 files (one is unchanged), deletes 1, then the manifest.
  const steps = 6;
  it(`commits V1 -> V2 in ${steps} renames`, () => {
    const dir = deployedV1();
    const seen: string[] = [];
    applyPlan(planChanges(dir, V2), { force: false }, { beforeCommit: (p) => void seen.push(p) });
    expect(seen).toEqual(['MIGRATION-REPORT.md', 'a/etc/dnsmasq.d/30-scope.conf', 'b/etc/dnsmasq.d/30-scope.conf', 'c/etc/new.conf', 'old/only-in-v1.conf', MANIFEST]);
  });
  for (let n = 0; n < steps; n++) {
    it(`leaves the directory as it was when the apply fails after ${n} rename(s)`, () => {
      const dir = deployedV1();
      const before = snapshot(dir);
      let seen = 0;
      const committed: string[] = [];
      expect(() =>
        applyPlan(planChanges(dir, V2), { force: false }, {
          beforeCommit: (path) => {
            if (seen++ === n) throw new Error(`injected before ${path}`);
            committed.push(path);
          },
        }),
      ).toThrow(/injected before/);
      expect(committed).toHaveLength(n);
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('leaves the directory as it was when a target cannot be written (its parent is a file)', () => {
    const dir = deployedV1();
    // c/etc is a plain file, so c/etc/new.conf cannot be created: this fails in the middle of the renames.
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'etc'), 'a file where a directory is needed\n');
    const before = snapshot(dir);
    const e = (() => {
      try {
        applyPlan(planChanges(dir, V2), { force: true });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ApplyError);
    expect((e as ApplyError).code).toBe('WRITE_FAILED');
    expect(snapshot(dir)).toEqual(before);
  });

  it('leaves the directory as it was when a target is a directory that cannot be replaced', () => {
    const dir = deployedV1();
    mkdirSync(join(dir, 'c', 'etc', 'new.conf', 'inside'), { recursive: true });
    writeFileSync(join(dir, 'c', 'etc', 'new.conf', 'inside', 'x'), 'x\n');
    const before = snapshot(dir);
    // The directory is foreign: refused without --force, and with --force it is moved aside and
    // restored on failure. Fail after the last rename to prove the restore.
    expect(() => applyPlan(planChanges(dir, V2), { force: false })).toThrow(/not written by kea2dnsmasq/);
    expect(() =>
      applyPlan(planChanges(dir, V2), { force: true }, {
        beforeCommit: (p) => {
          if (p === MANIFEST) throw new Error('late failure');
        },
      }),
    ).toThrow(ApplyError);
    expect(snapshot(dir)).toEqual(before);
  });

  it.skipIf(process.getuid?.() === 0)('leaves the directory as it was when a directory is read-only (skipped as root: root writes anyway)', () => {
    const dir = deployedV1();
    const before = snapshot(dir);
    chmodSync(join(dir, 'b', 'etc', 'dnsmasq.d'), 0o555);
    try {
      expect(() => applyPlan(planChanges(dir, V2), { force: false })).toThrow(ApplyError);
    } finally {
      chmodSync(join(dir, 'b', 'etc', 'dnsmasq.d'), 0o755);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it('removes a directory it created when the first apply fails', () => {
    const dir = join(temp(), 'fresh', 'out');
    expect(() =>
      applyPlan(planChanges(dir, V1), { force: false }, {
        beforeCommit: (p) => {
          if (p === 'b/etc/dnsmasq.d/30-scope.conf') throw new Error('boom');
        },
      }),
    ).toThrow(ApplyError);
    expect(existsSync(dir)).toBe(false);
  });

  describe('files it did not write', () => {
    it('refuses to overwrite a file that is not in the manifest, without --force, and changes nothing', () => {
      const dir = join(temp(), 'out');
      mkdirSync(join(dir, 'a', 'etc'), { recursive: true });
      writeFileSync(join(dir, 'a', 'etc', 'dnsmasq.conf'), 'hand-written\n');
      const before = snapshot(dir);
      const plan = planChanges(dir, V1);
      expect(plan.changes.find((c) => c.path === 'a/etc/dnsmasq.conf')?.foreign).toBe(true);
      try {
        applyPlan(plan, { force: false });
        expect.unreachable();
      } catch (e) {
        expect((e as ApplyError).code).toBe('WOULD_OVERWRITE');
        expect((e as ApplyError).paths).toEqual(['a/etc/dnsmasq.conf']);
      }
      expect(snapshot(dir)).toEqual(before);
      applyPlan(plan, { force: true });
      expect(readFileSync(join(dir, 'a', 'etc', 'dnsmasq.conf'), 'utf8')).toBe(V1[1]!.contents);
    });

    it('refuses to overwrite or delete its own file once edited by hand', () => {
      const dir = deployedV1();
      writeFileSync(join(dir, 'a', 'etc', 'dnsmasq.d', '30-scope.conf'), 'scope a, edited\n');
      expect(() => applyPlan(planChanges(dir, V2), { force: false })).toThrow(/1 file\(s\)/);
      const dir2 = deployedV1();
      writeFileSync(join(dir2, 'old', 'only-in-v1.conf'), 'edited, would be deleted\n');
      const plan = planChanges(dir2, V2);
      expect(plan.changes.find((c) => c.path === 'old/only-in-v1.conf')).toMatchObject({ kind: 'delete', foreign: true });
      expect(() => applyPlan(plan, { force: false })).toThrow(ApplyError);
      expect(readFileSync(join(dir2, 'old', 'only-in-v1.conf'), 'utf8')).toBe('edited, would be deleted\n');
    });
  });

  describe('symbolic links inside the directory', () => {
    it('does not write through a linked directory, even with --force', () => {
      const dir = join(temp(), 'out');
      const outside = temp();
      writeFileSync(join(outside, 'keep'), 'outside\n');
      mkdirSync(dir);
      symlinkSync(outside, join(dir, 'a'));
      const before = snapshot(outside);
      const plan = planChanges(dir, V1);
      for (const force of [false, true]) {
        expect(() => applyPlan(plan, { force })).toThrow(ApplyError);
      }
      expect(snapshot(outside)).toEqual(before);
      expect(lstatSync(join(dir, 'a')).isSymbolicLink()).toBe(true);
      expect(readdirSync(dir)).toEqual(['a']);
    });

    it('does not replace or write through a linked file, even with --force', () => {
      const dir = join(temp(), 'out');
      const outside = temp();
      writeFileSync(join(outside, 'real.conf'), 'outside\n');
      mkdirSync(join(dir, 'a', 'etc'), { recursive: true });
      symlinkSync(join(outside, 'real.conf'), join(dir, 'a', 'etc', 'dnsmasq.conf'));
      const plan = planChanges(dir, V1);
      expect(() => applyPlan(plan, { force: true })).toThrow(/symbolic link/);
      expect(readFileSync(join(outside, 'real.conf'), 'utf8')).toBe('outside\n');
      expect(lstatSync(join(dir, 'a', 'etc', 'dnsmasq.conf')).isSymbolicLink()).toBe(true);
    });
  });
});
