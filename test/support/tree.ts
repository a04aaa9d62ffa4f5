import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PlannedFile } from '../../src/emit/dnsmasq.js';

/** Write planned files into a fresh temp dir (for tests that need them on disk). */
export function writeTree(files: readonly PlannedFile[]): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'k2d-tree-'));
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.contents);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
