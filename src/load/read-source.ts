/**
 * Reading one file through the injected host, turning every way it can fail into a code.
 * Nothing here throws for bad input; I/O errors become values.
 */
import { isAscii } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';

/** The file-system access the loader needs; tests pass a fake, the CLI the default below. */
export interface LoadHost {
  /** Throws (ENOENT, EISDIR, EACCES, ...) like `fs.readFileSync`. */
  readFile(path: string): string | Buffer;
  stat?(path: string): { isDirectory(): boolean; size: number };
}

export const nodeHost: LoadHost = {
  readFile: (path) => readFileSync(path),
  stat: (path) => statSync(path),
};

/** The role decides the code: a missing main file and a missing include are different problems. */
export type FileRole = 'main' | 'include';

export type ReadOutcome =
  | { ok: true; text: string; bytes: number }
  | { ok: false; code: string; args: Record<string, string | number> };

const utf8 = new TextDecoder('utf-8', { fatal: true });

const errnoOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

const reasonOf = (error: unknown): string => errnoOf(error) ?? (error instanceof Error ? error.message : String(error));

/**
 * Read `path` as UTF-8 text. `budget` is how many bytes may still be read in total (the limit
 * applies to the main file and all includes together).
 */
export function readSource(host: LoadHost, path: string, role: FileRole, budget: number, limit: number): ReadOutcome {
  const notFound = role === 'main' ? 'FILE_NOT_FOUND' : 'INCLUDE_NOT_FOUND';
  const isDirectory = role === 'main' ? 'FILE_IS_DIRECTORY' : 'INCLUDE_IS_DIRECTORY';
  const tooLarge = { ok: false, code: 'FILE_TOO_LARGE', args: { path, limit } } as const;

  if (host.stat) {
    try {
      const st = host.stat(path);
      if (st.isDirectory()) return { ok: false, code: isDirectory, args: { path } };
      if (st.size > budget) return tooLarge;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return { ok: false, code: notFound, args: { path } };
      // Anything else: let readFile report it below.
    }
  }

  let raw: string | Buffer;
  try {
    raw = host.readFile(path);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return { ok: false, code: notFound, args: { path } };
    if (errno === 'EISDIR') return { ok: false, code: isDirectory, args: { path } };
    return { ok: false, code: 'FILE_UNREADABLE', args: { path, reason: reasonOf(error) } };
  }

  if (typeof raw === 'string') {
    if (raw.length > budget) return tooLarge;
    if (raw.includes('\0')) return { ok: false, code: 'FILE_NOT_TEXT', args: { path } };
    return { ok: true, text: stripBom(raw), bytes: raw.length };
  }
  if (raw.length > budget) return tooLarge;
  if (raw.includes(0)) return { ok: false, code: 'FILE_NOT_TEXT', args: { path } };
  // Plain ASCII (most configs) reads the same as Latin-1, which decodes by a plain byte copy,
  // several times faster than validating UTF-8.
  if (Buffer.isBuffer(raw) && isAscii(raw)) return { ok: true, text: raw.toString('latin1'), bytes: raw.length };
  try {
    // TextDecoder drops a leading UTF-8 BOM by itself.
    return { ok: true, text: utf8.decode(raw), bytes: raw.length };
  } catch {
    return { ok: false, code: 'FILE_NOT_TEXT', args: { path } };
  }
}

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
