/**
 * Planned files vs what is on disk: a plan of changes (for --dry-run, diff and check), and an
 * atomic apply. Files this tool wrote before are recorded, with a hash of their contents, in a
 * manifest, so a later run can tell its own files (replace freely) from files someone else put
 * there or edited by hand (refuse without --force).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { PlannedFile } from '../emit/dnsmasq.js';

export const MANIFEST = '.kea2dnsmasq-manifest.json';

export type ChangeKind = 'add' | 'change' | 'delete' | 'same';

export interface Change {
  path: string;
  kind: ChangeKind;
  before: string | undefined;
  after: string | undefined;
  /** True when the existing file was not written by this tool (or was edited since). */
  foreign: boolean;
  /** Permission bits the file gets (PlannedFile.mode); a file whose bits differ is a 'change'. */
  mode?: number | undefined;
}

export interface Plan {
  dir: string;
  changes: Change[];
}

interface Manifest {
  tool: 'kea2dnsmasq';
  files: Record<string, string>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * sha256 that hashes each large text once: the two servers' copies of a file are equal, and at
 * 100k reservations they are 15 MB of the 23 MB written.
 */
function hasher(): (s: string) => string {
  const large: { text: string; hash: string }[] = [];
  return (s) => {
    if (s.length < 65536) return sha256(s);
    const hit = large.find((e) => e.text === s);
    if (hit) return hit.hash;
    const hash = sha256(s);
    large.push({ text: s, hash });
    return hash;
  };
}

/**
 * Create `path` (it must not exist) holding `text`. fs.writeSync encodes a string into a
 * temporary buffer it frees at once, where writeFileSync makes a Buffer that lives until the next
 * full garbage collection: 23 MB at 100k reservations, all of it on top of the peak RSS.
 */
function writeNewFile(path: string, text: string): void {
  const fd = fs.openSync(path, 'wx');
  try {
    const written = fs.writeSync(fd, text);
    if (written !== Buffer.byteLength(text)) {
      // A short write (rare: a signal, a full disk that then recovered): finish from the bytes.
      const bytes = Buffer.from(text);
      for (let at = written; at < bytes.length; ) at += fs.writeSync(fd, bytes, at);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readManifest(dir: string): Manifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
    return m && m.tool === 'kea2dnsmasq' && typeof m.files === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

function readIfFile(path: string): string | undefined {
  try {
    const st = fs.lstatSync(path);
    if (!st.isFile()) return undefined;
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * One server's files, with DIR as that server's root: `<server>/etc/x` becomes `etc/x`; the
 * report files and the other server's tree are left out.
 */
export function filesForServer(files: readonly PlannedFile[], server: string): PlannedFile[] {
  const prefix = `${server}/`;
  return files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
}

/**
 * Compare the planned files with `dir`. Only planned files are compared, plus deletions of files
 * the manifest in `dir` records as written by kea2dnsmasq and no longer planned; every other file
 * in `dir` is none of this tool's business.
 */
export function planChanges(dir: string, files: readonly PlannedFile[], opts: { trackDeletions?: boolean } = {}): Plan {
  const manifest = opts.trackDeletions === false ? undefined : readManifest(dir);
  const changes: Change[] = [];
  const hash = hasher();
  const planned = new Set(files.map((f) => f.path));
  for (const f of files) {
    const before = readIfFile(join(dir, f.path));
    const exists = before !== undefined || fs.existsSync(join(dir, f.path));
    const foreign = exists && (before === undefined || manifest?.files[f.path] !== hash(before));
    const kind: ChangeKind = !exists ? 'add' : before === f.contents && modeMatches(join(dir, f.path), f.mode) ? 'same' : 'change';
    changes.push({ path: f.path, kind, before, after: f.contents, foreign: foreign && kind !== 'same', mode: f.mode });
  }
  for (const path of Object.keys(manifest?.files ?? {}).sort()) {
    if (planned.has(path)) continue;
    const before = readIfFile(join(dir, path));
    if (before === undefined) continue;
    changes.push({ path, kind: 'delete', before, after: undefined, foreign: manifest?.files[path] !== hash(before) });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dir, changes };
}

/** Does the file at `path` have permission bits `mode` (always true when no mode is planned)? */
function modeMatches(path: string, mode: number | undefined): boolean {
  if (mode === undefined) return true;
  try {
    return (fs.statSync(path).mode & 0o7777) === mode;
  } catch {
    return false;
  }
}

export const isClean = (p: Plan) => p.changes.every((c) => c.kind === 'same');

/**
 * A unified diff of every change (the `diff` package; line-diff.ts for large files), paths relative
 * to the output dir. The diff code is loaded here, when a diff is asked for, not at every start.
 */
export async function renderDiff(p: Plan): Promise<string> {
  const { DiffMemo, unifiedDiff } = await import('./line-diff.js');
  const memo = new DiffMemo(); // the two servers' identical files are diffed once
  return p.changes
    .filter((c) => c.kind !== 'same')
    .map((c) =>
      unifiedDiff(c.kind === 'add' ? '/dev/null' : `a/${c.path}`, c.kind === 'delete' ? '/dev/null' : `b/${c.path}`, c.before ?? '', c.after ?? '', 3, { memo }).replace(
        /^=+\n/,
        '',
      ),
    )
    .join('');
}

export class ApplyError extends Error {
  constructor(
    readonly code: 'WOULD_OVERWRITE' | 'UNSAFE_PATH' | 'WRITE_FAILED',
    readonly paths: string[],
    message: string,
  ) {
    super(message);
  }
}

/** Refuse paths that would leave the output dir or pass through a symlink inside it. */
function assertSafe(dir: string, rel: string): void {
  if (rel.startsWith('/') || rel.split('/').some((part) => part === '..' || part === '' || part === '.')) {
    throw new ApplyError('UNSAFE_PATH', [rel], `refusing to write ${rel}: not a plain relative path`);
  }
  const parts = rel.split('/');
  let cur = dir;
  for (const part of parts) {
    cur = join(cur, part);
    try {
      if (fs.lstatSync(cur).isSymbolicLink()) {
        throw new ApplyError('UNSAFE_PATH', [rel], `refusing to write ${rel}: ${cur} is a symbolic link`);
      }
    } catch (e) {
      if (e instanceof ApplyError) throw e;
      return; // does not exist yet: nothing below it can be a link
    }
  }
}

/** Test seams: throw from one to inject a failure at that point of the apply. */
export interface ApplyHooks {
  /** After every new file is staged, before anything in `dir` changes. */
  beforeRename?: () => void;
  /** Before each file in `dir` is replaced, created or deleted (the manifest last), with its path. */
  beforeCommit?: (path: string) => void;
}

/**
 * Write the plan: every new file is staged in a temporary directory inside `dir` first; then
 * each target is swapped in (the old file moved aside into the staging directory, the new one
 * renamed into place; rename is atomic per file), deleted files are moved aside, and the
 * manifest is written last. Any failure — while staging or in the middle of the swaps — puts
 * every moved file back and removes every directory the apply created, leaving `dir` exactly
 * as it was.
 */
export function applyPlan(p: Plan, opts: { force: boolean }, hooks: ApplyHooks = {}): void {
  const foreign = p.changes.filter((c) => c.foreign);
  if (foreign.length > 0 && !opts.force) {
    throw new ApplyError(
      'WOULD_OVERWRITE',
      foreign.map((c) => c.path),
      `${foreign.length} file(s) in ${p.dir} were not written by kea2dnsmasq or were edited since`,
    );
  }
  for (const c of p.changes) assertSafe(p.dir, c.path);
  assertSafe(p.dir, MANIFEST);
  const dirExisted = fs.existsSync(p.dir);
  fs.mkdirSync(p.dir, { recursive: true });
  const staging = fs.mkdtempSync(join(p.dir, '.kea2dnsmasq-staging-'));
  const writes = p.changes.filter((c) => c.kind === 'add' || c.kind === 'change');
  const fresh = (rel: string) => join(staging, 'new', rel.split('/').join(sep));
  const aside = (rel: string) => join(staging, 'old', rel.split('/').join(sep));
  const journal: { target: string; backup: string | undefined; placed: boolean }[] = [];
  const createdDirs: string[] = [];
  // Each directory is made once per apply (a recursive mkdir per file costs a syscall per level).
  const made = new Set<string>();
  const ensureDir = (d: string) => {
    if (made.has(d)) return;
    const first = fs.mkdirSync(d, { recursive: true });
    made.add(d);
    return first;
  };
  const mkdirs = (d: string) => {
    const first = ensureDir(d);
    if (first !== undefined) createdDirs.push(first);
  };
  /** Move what is at `rel` aside (if anything), then put `from` there (if given). */
  const swap = (rel: string, from: string | undefined) => {
    hooks.beforeCommit?.(rel);
    const target = join(p.dir, rel);
    const entry = { target, backup: undefined as string | undefined, placed: false };
    journal.push(entry);
    let exists = true;
    try {
      fs.lstatSync(target);
    } catch {
      exists = false;
    }
    if (exists) {
      const b = aside(rel);
      ensureDir(dirname(b));
      fs.renameSync(target, b);
      entry.backup = b;
    }
    if (from !== undefined) {
      mkdirs(dirname(target));
      fs.renameSync(from, target);
      entry.placed = true;
    }
  };
  try {
    const hash = hasher();
    const written = new Map<string, string>(); // path -> sha256 of what was staged
    for (const c of writes) {
      const tmp = fresh(c.path);
      ensureDir(dirname(tmp));
      writeNewFile(tmp, c.after!);
      written.set(c.path, hash(c.after!));
      if (c.mode !== undefined) fs.chmodSync(tmp, c.mode);
    }
    const manifest: Manifest = {
      tool: 'kea2dnsmasq',
      files: Object.fromEntries(p.changes.filter((c) => c.kind !== 'delete').map((c) => [c.path, written.get(c.path) ?? hash(c.after!)])),
    };
    // With nothing else to write (an up-to-date DIR) the staging tree does not exist yet.
    ensureDir(dirname(fresh(MANIFEST)));
    writeNewFile(fresh(MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    hooks.beforeRename?.();
    for (const c of writes) swap(c.path, fresh(c.path));
    for (const c of p.changes.filter((x) => x.kind === 'delete')) swap(c.path, undefined);
    swap(MANIFEST, fresh(MANIFEST));
  } catch (e) {
    rollBack(journal, createdDirs);
    fs.rmSync(staging, { recursive: true, force: true });
    if (!dirExisted) fs.rmSync(p.dir, { recursive: true, force: true });
    if (e instanceof ApplyError) throw e;
    throw new ApplyError('WRITE_FAILED', [], `writing into ${p.dir} failed: ${(e as Error).message}`);
  }
  fs.rmSync(staging, { recursive: true, force: true });
}

function rollBack(journal: readonly { target: string; backup: string | undefined; placed: boolean }[], createdDirs: readonly string[]): void {
  for (const j of [...journal].reverse()) {
    if (j.placed) fs.rmSync(j.target, { recursive: true, force: true });
    if (j.backup !== undefined) fs.renameSync(j.backup, j.target);
  }
  for (const d of [...createdDirs].reverse()) fs.rmSync(d, { recursive: true, force: true });
}
