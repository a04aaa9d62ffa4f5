/**
 * Golden fixtures: every case under fixtures/ converts to exactly the files in its expected/
 * folder (no more, no fewer), and every generated server tree passes the real `dnsmasq --test`.
 * Error cases keep their expected diagnostics (code, file, line:col) and write nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileOptions } from '../src/compile.js';
import { dnsmasqTestSkip, dnsmasqTestTree } from './support/dnsmasq-test.js';
import { writeTree } from './support/tree.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export function caseOptions(dir: string): CompileOptions {
  const p = join(dir, 'options.json');
  if (!existsSync(p)) return DEFAULT_COMPILE_OPTIONS;
  return { ...DEFAULT_COMPILE_OPTIONS, ...(JSON.parse(readFileSync(p, 'utf8')) as Partial<CompileOptions>) };
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

const cases = readdirSync(FIXTURES)
  .filter((c) => c !== 'errors' && existsSync(join(FIXTURES, c, 'kea-dhcp4.conf')))
  .sort();

describe('golden fixtures', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));

  for (const c of cases) {
    const dir = join(FIXTURES, c);
    describe(c, () => {
      const result = compile(join(dir, 'kea-dhcp4.conf'), caseOptions(dir));

      it('converts without errors', () => {
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(result.ok).toBe(true);
      });

      it('writes exactly the expected set of files', () => {
        expect(result.files.map((f) => f.path)).toEqual(listFiles(join(dir, 'expected')));
      });

      for (const f of result.files) {
        it(`matches expected/${f.path}`, async () => {
          await expect(f.contents).toMatchFileSnapshot(join(dir, 'expected', f.path));
        });
      }

      it('differs between the two servers only in the scope file', () => {
        const [a, b] = result.plan!.servers;
        // dnsmasq's files; the sync artifacts (src/emit/sync.ts) differ by design: master pushes, peer applies.
        const of = (server: string) =>
          new Map(result.files.filter((f) => f.path.startsWith(`${server}/etc/dnsmasq`)).map((f) => [f.path.slice(server.length + 1), f.contents]));
        const fa = of(a);
        const fb = of(b);
        expect([...fa.keys()]).toEqual([...fb.keys()]);
        const differing = [...fa.keys()].filter((k) => fa.get(k) !== fb.get(k));
        // With --leases, which migrated clients the peer holds differs too (src/leases/place.ts).
        expect(differing.filter((k) => k !== 'etc/dnsmasq.d/35-leases-elsewhere.conf')).toEqual(['etc/dnsmasq.d/30-scope.conf']);
      });

      it('is byte-identical when converted again', () => {
        const again = compile(join(dir, 'kea-dhcp4.conf'), caseOptions(dir));
        expect(again.files).toEqual(result.files);
      });

      const skip = dnsmasqTestSkip();
      it.skipIf(skip !== undefined)('passes the real dnsmasq --test on both servers', () => {
        const tree = writeTree(result.files);
        try {
          for (const server of result.plan!.servers) {
            const r = dnsmasqTestTree(join(tree.dir, server));
            expect(r.output).toContain('syntax check OK');
            expect(r.ok, r.output).toBe(true);
          }
        } finally {
          tree.remove();
        }
      });
    });
  }
});

interface ExpectedDiagnostic {
  code: string;
  file: string;
  line: number;
  column: number;
}

const errorCases = readdirSync(join(FIXTURES, 'errors')).sort();

describe('error fixtures', () => {
  for (const c of errorCases) {
    const dir = join(FIXTURES, 'errors', c);
    it(`${c}: reports the expected diagnostics and produces no files`, async () => {
      const result = compile(join(dir, 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
      expect(result.ok).toBe(false);
      expect(result.files).toEqual([]);
      const got: ExpectedDiagnostic[] = result.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => ({
          code: d.code,
          file: d.at ? relative(dir, d.at.file) : '',
          line: d.at?.line ?? 0,
          column: d.at?.column ?? 0,
        }));
      expect(got.length).toBeGreaterThan(0);
      for (const g of got) expect(g.line).toBeGreaterThan(0);
      await expect(`${JSON.stringify(got, null, 2)}\n`).toMatchFileSnapshot(join(dir, 'expected-diagnostics.json'));
    });
  }
});
