/**
 * Which files make up Kea's lease database, in the order Kea replays them at startup
 * (Memfile_LeaseMgr::loadLeasesFromFiles): `<file>.completed` if the last lease file cleanup
 * finished, else `<file>.2` then `<file>.1`; then always `<file>` itself. Read through the same
 * injected host as the Kea config, so tests can pass a fake file system.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadHost } from '../load/load.js';
import type { LeaseText } from './kea-csv.js';

const errno = (e: unknown) => (typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '');

export function readLeaseFiles(path: string, host: LoadHost): { files: LeaseText[]; diagnostics: Diagnostic[] } {
  const read = (p: string): string | undefined | Error => {
    try {
      const v = host.readFile(p);
      return typeof v === 'string' ? v : v.toString('utf8');
    } catch (e) {
      return errno(e) === 'ENOENT' ? undefined : (e as Error);
    }
  };
  const files: LeaseText[] = [];
  const diagnostics: Diagnostic[] = [];
  const completed = read(`${path}.completed`);
  const order = completed !== undefined && !(completed instanceof Error) ? [`${path}.completed`] : [`${path}.2`, `${path}.1`];
  for (const p of [...order, path]) {
    const text = p === `${path}.completed` ? completed : read(p);
    if (text instanceof Error) {
      diagnostics.push({ code: 'LEASE_FILE_UNREADABLE', severity: 'error', args: { path: p, reason: errno(text) || text.message }, at: { file: p, line: 1, column: 1, offset: 0 } });
    } else if (text === undefined) {
      if (p === path) diagnostics.push({ code: 'LEASE_FILE_NOT_FOUND', severity: 'error', args: { path: p }, at: { file: p, line: 1, column: 1, offset: 0 } });
    } else {
      files.push({ file: p, text });
    }
  }
  return { files, diagnostics };
}
