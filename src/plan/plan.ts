/**
 * Planned files vs what is on disk: a plan of changes (for --dry-run, diff and check), and an
 * atomic apply. Files this tool wrote before are recorded, with a hash of their contents, in a
 * manifest, so a later run can tell its own files (replace freely) from files someone else put
 * there or edited by hand (refuse without --force).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';
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

export function planChanges(dir: string, files: readonly PlannedFile[]): Plan {
  const manifest = readManifest(dir);
  const changes: Change[] = [];
  const planned = new Set(files.map((f) => f.path));
  for (const f of files) {
    const before = readIfFile(join(dir, f.path));
    const exists = before !== undefined || fs.existsSync(join(dir, f.path));
    const foreign = exists && (before === undefined || manifest?.files[f.path] !== sha256(before));
    const kind: ChangeKind = !exists ? 'add' : before === f.contents ? 'same' : 'change';
    changes.push({ path: f.path, kind, before, after: f.contents, foreign: foreign && kind !== 'same' });
  }
  for (const path of Object.keys(manifest?.files ?? {}).sort()) {
    if (planned.has(path)) continue;
    const before = readIfFile(join(dir, path));
    if (before === undefined) continue;
    changes.push({ path, kind: 'delete', before, after: undefined, foreign: manifest?.files[path] !== sha256(before) });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dir, changes };
}

export const isClean = (p: Plan) => p.changes.every((c) => c.kind === 'same');

/** A unified diff of every change (the `diff` package), paths relative to the output dir. */
export function renderDiff(p: Plan): string {
  return p.changes
    .filter((c) => c.kind !== 'same')
    .map((c) =>
      createTwoFilesPatch(
        c.kind === 'add' ? '/dev/null' : `a/${c.path}`,
        c.kind === 'delete' ? '/dev/null' : `b/${c.path}`,
        c.before ?? '',
        c.after ?? '',
        undefined,
        undefined,
        { context: 3 },
      ).replace(/^=+\n/, ''),
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

/**
 * Write the plan: every new file is staged in a temporary directory inside `dir` first; only
 * when all of them are written are they renamed into place (rename is atomic per file), then
 * deleted files are removed and the manifest is written last. Any failure before the renames
 * leaves `dir` exactly as it was.
 */
export function applyPlan(p: Plan, opts: { force: boolean }, hooks: { beforeRename?: () => void } = {}): void {
  const foreign = p.changes.filter((c) => c.foreign);
  if (foreign.length > 0 && !opts.force) {
    throw new ApplyError(
      'WOULD_OVERWRITE',
      foreign.map((c) => c.path),
      `${foreign.length} file(s) in ${p.dir} were not written by kea2dnsmasq or were edited since`,
    );
  }
  for (const c of p.changes) assertSafe(p.dir, c.path);
  fs.mkdirSync(p.dir, { recursive: true });
  const staging = fs.mkdtempSync(join(p.dir, '.kea2dnsmasq-staging-'));
  const writes = p.changes.filter((c) => c.kind === 'add' || c.kind === 'change');
  try {
    for (const c of writes) {
      const tmp = join(staging, c.path.split('/').join(sep));
      fs.mkdirSync(dirname(tmp), { recursive: true });
      fs.writeFileSync(tmp, c.after!, { flag: 'wx' });
    }
    hooks.beforeRename?.();
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (e instanceof ApplyError) throw e;
    throw new ApplyError('WRITE_FAILED', [], `writing into ${p.dir} failed: ${(e as Error).message}`);
  }
  try {
    for (const c of writes) {
      const target = join(p.dir, c.path);
      fs.mkdirSync(dirname(target), { recursive: true });
      fs.renameSync(join(staging, c.path), target);
    }
    for (const c of p.changes.filter((x) => x.kind === 'delete')) fs.rmSync(join(p.dir, c.path), { force: true });
    const manifest: Manifest = {
      tool: 'kea2dnsmasq',
      files: Object.fromEntries(p.changes.filter((c) => c.kind !== 'delete').map((c) => [c.path, sha256(c.after!)])),
    };
    const tmpManifest = join(staging, MANIFEST);
    fs.writeFileSync(tmpManifest, `${JSON.stringify(manifest, null, 2)}\n`);
    fs.renameSync(tmpManifest, join(p.dir, MANIFEST));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
