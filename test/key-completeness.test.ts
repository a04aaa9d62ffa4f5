/**
 * Nothing is left out silently: every key that Kea's own 3.3 example configs use (collected per
 * map context by walking ../shared/kea-examples/kea-3.3/*.json) is, when put into a small valid
 * config, either converted (no diagnostic), ignored with a reason (KEY_IGNORED), or reported
 * (KEY_NOT_CONVERTED or another located diagnostic) — never UNKNOWN_KEY, which is for typos.
 * And each example file as a whole converts without a single UNKNOWN_KEY.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { loadKeaConfig } from '../src/load/load.js';

const DIR = join(import.meta.dirname, '..', '..', 'shared', 'kea-examples', 'kea-3.3');
const present = existsSync(DIR);
if (!present) console.warn(`skipping the key completeness walk: ${DIR} is absent (../shared is not checked out)`);
const files = present ? readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];

type Ctx = 'top level' | 'Dhcp4' | 'shared-networks' | 'subnet4' | 'pools' | 'reservation' | 'option-data' | 'interfaces-config' | 'client-classes';
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Context -> key -> first example value seen (and the file it came from). */
function collectKeys(): Map<Ctx, Map<string, { value: unknown; file: string }>> {
  const keys = new Map<Ctx, Map<string, { value: unknown; file: string }>>();
  const add = (ctx: Ctx, o: Obj, file: string) => {
    const m = keys.get(ctx) ?? new Map();
    keys.set(ctx, m);
    for (const [k, v] of Object.entries(o)) if (!m.has(k)) m.set(k, { value: v, file });
  };
  const options = (o: Obj, file: string) => list(o['option-data']).forEach((x) => add('option-data', x, file));
  const subnet = (s: Obj, file: string) => {
    add('subnet4', s, file);
    options(s, file);
    for (const p of list(s.pools)) (add('pools', p, file), options(p, file));
    for (const r of list(s.reservations)) (add('reservation', r, file), options(r, file));
  };
  for (const f of files) {
    const doc = loadKeaConfig(join(DIR, f)).source?.value;
    if (!isObj(doc)) continue;
    add('top level', doc, f);
    const d4 = doc.Dhcp4;
    if (!isObj(d4)) continue;
    add('Dhcp4', d4, f);
    options(d4, f);
    if (isObj(d4['interfaces-config'])) add('interfaces-config', d4['interfaces-config'], f);
    for (const s of list(d4.subnet4)) subnet(s, f);
    for (const n of list(d4['shared-networks'])) {
      add('shared-networks', n, f);
      options(n, f);
      for (const s of list(n.subnet4)) subnet(s, f);
    }
    for (const r of list(d4.reservations)) (add('reservation', r, f), options(r, f));
    for (const c of list(d4['client-classes'])) (add('client-classes', c, f), options(c, f));
  }
  return keys;
}

/** A small valid config with one object of each context; `put` adds the key under test to one of them. */
function configWith(ctx: Ctx, key: string, value: unknown): Obj {
  const option: Obj = { name: 'routers', data: '192.0.2.1' };
  const reservation: Obj = { 'hw-address': '00:16:3e:00:00:01', 'ip-address': '192.0.2.5' };
  const pool: Obj = { pool: '192.0.2.100 - 192.0.2.199' };
  const subnet: Obj = { id: 1, subnet: '192.0.2.0/24', pools: [pool], reservations: [reservation], 'option-data': [option] };
  const network: Obj = { name: 'net', subnet4: [subnet] };
  const iface: Obj = { interfaces: ['eth0'] };
  const cls: Obj = { name: 'cls', test: "substring(option[60].hex,0,3) == 'PXE'" };
  const d4: Obj = { 'interfaces-config': iface, 'shared-networks': [network], 'client-classes': [cls] };
  const top: Obj = { Dhcp4: d4 };
  const target: Record<Ctx, Obj> = {
    'top level': top,
    Dhcp4: d4,
    'shared-networks': network,
    subnet4: subnet,
    pools: pool,
    reservation,
    'option-data': option,
    'interfaces-config': iface,
    'client-classes': cls,
  };
  target[ctx][key] = value;
  return top;
}

const keys = present ? collectKeys() : new Map();
const tmp = present ? mkdtempSync(join(tmpdir(), 'k2d-keys-')) : '';
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!present)('every key of the Kea 3.3 examples has a fate', () => {
  it('walks a real set of keys', () => {
    const total = [...keys.values()].reduce((n, m) => n + m.size, 0);
    expect(total).toBeGreaterThan(100);
    expect(keys.get('subnet4')?.has('pools')).toBe(true);
  });

  const tally = { converted: 0, ignored: 0, reported: 0 };
  for (const [ctx, m] of keys) {
    for (const [key, { value, file }] of m) {
      it(`${ctx}: "${key}" (from ${file})`, () => {
        const path = join(tmp, `${ctx.replace(/\W+/g, '-')}-${key}.json`);
        writeFileSync(path, JSON.stringify(configWith(ctx, key, value), null, 2));
        const r = compile(path, DEFAULT_COMPILE_OPTIONS);
        const unknown = r.diagnostics.filter((d) => d.code === 'UNKNOWN_KEY');
        expect(unknown.map((d) => `${String(d.args.context)}: ${String(d.args.key)}`)).toEqual([]);
        const mine = r.diagnostics.filter((d) => d.path?.includes(key));
        for (const d of mine) expect(d.at, `${d.code} for "${key}" has no position`).toBeDefined();
        if (mine.some((d) => d.code === 'KEY_IGNORED')) tally.ignored++;
        else if (mine.length > 0) tally.reported++;
        else tally.converted++;
      });
    }
  }

  for (const f of files) {
    it(`${f} as a whole: no UNKNOWN_KEY`, () => {
      const r = compile(join(DIR, f), DEFAULT_COMPILE_OPTIONS);
      expect(r.diagnostics.filter((d) => d.code === 'UNKNOWN_KEY').map((d) => `${String(d.args.context)}: ${String(d.args.key)}`)).toEqual([]);
    });
  }

  afterAll(() => {
    console.log(`Kea 3.3 example keys: ${tally.converted} converted, ${tally.ignored} ignored with a reason, ${tally.reported} reported`);
  });
});
