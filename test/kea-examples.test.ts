/**
 * Kea's own example configs (../shared/kea-examples, real input nobody here wrote): every file
 * converts, or fails with diagnostics that point into the file — never an exception. When a file
 * converts, both generated trees pass the real dnsmasq --test.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { KNOWN_CODES } from '../src/diagnostics/messages.js';
import { dnsmasqTestSkip, dnsmasqTestTree } from './support/dnsmasq-test.js';
import { writeTree } from './support/tree.js';

const ROOT = join(import.meta.dirname, '..', '..', 'shared', 'kea-examples');
const present = existsSync(ROOT);
if (!present) console.warn(`skipping Kea example configs: ${ROOT} is absent`);

const files = present
  ? readdirSync(ROOT)
      .filter((d) => d.startsWith('kea-'))
      .sort()
      .flatMap((v) => readdirSync(join(ROOT, v)).filter((f) => f.endsWith('.json')).sort().map((f) => join(v, f)))
  : [];

describe.skipIf(!present)('Kea example configs', () => {
  it('finds the examples', () => expect(files.length).toBeGreaterThan(20));
  const dnsmasqSkip = dnsmasqTestSkip();

  for (const f of files) {
    it(`${f}: converts or reports located diagnostics`, () => {
      const r = compile(join(ROOT, f), DEFAULT_COMPILE_OPTIONS);
      for (const d of r.diagnostics) {
        expect(KNOWN_CODES.has(d.code), `unworded code ${d.code}`).toBe(true);
        if (d.path !== undefined || d.severity === 'error') expect(d.at, `${d.code} has no position`).toBeDefined();
      }
      if (!r.ok) {
        expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        expect(r.files).toEqual([]);
        return;
      }
      if (dnsmasqSkip) return;
      const tree = writeTree(r.files);
      try {
        for (const server of r.plan!.servers) {
          const t = dnsmasqTestTree(join(tree.dir, server));
          expect(t.ok, t.output).toBe(true);
        }
      } finally {
        tree.remove();
      }
    });
  }
});
