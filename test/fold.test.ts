/**
 * Folding reservation options into shared tags: pure and deterministic, and every reservation keeps
 * exactly the option set Kea gives it (its own options over what it inherits).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import type { Model, ModelOption, Reservation } from '../src/model/model.js';
import { inSubnet } from '../src/model/ipv4.js';
import { foldSharedOptions } from '../src/transform/fold-options.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const CASES = ['article', 'article-doc', 'multi-subnet', 'global-reservations', 'precedence', 'classes'];

/** Kea's view: inherited options (global < network < subnet < pool), then the reservation's own. */
function keaOptions(m: Model, r: Reservation): Map<number, string> {
  const out = new Map<number, string>();
  const put = (opts: readonly ModelOption[]) => opts.filter((o) => o.dnsmasq).forEach((o) => out.set(o.code, o.wireHex));
  put(m.options);
  const s = r.ip === undefined ? undefined : m.subnets.find((x) => inSubnet(r.ip!, x.network, x.prefixLength));
  if (s) {
    put(m.sharedNetworks.find((n) => n.name === s.sharedNetwork)?.options ?? []);
    put(s.options);
    put(s.pools.find((p) => r.ip! >= p.start && r.ip! <= p.end)?.options ?? []);
  }
  put(r.options);
  return out;
}

describe('foldSharedOptions', () => {
  for (const c of CASES) {
    const result = compile(join(FIXTURES, c, 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
    const m = result.model!;
    const floating = result.plan!.floatingReservations;
    const hosts = [...floating, ...m.subnets.flatMap((s) => s.reservations)];

    it(`${c}: is deterministic and does not change the model`, () => {
      const before = JSON.stringify(m);
      const again = foldSharedOptions(m, floating, new Set());
      expect(JSON.stringify(m)).toBe(before);
      const names = (f: typeof again) => f.tags.map((t) => [t.name, t.options.map((o) => o.wireHex), t.hosts.map((h) => h.identifier.hex)]);
      expect(names(again)).toEqual(names(foldSharedOptions(m, floating, new Set())));
    });

    it(`${c}: every reservation keeps exactly the options Kea gives it`, () => {
      const folding = result.folding!;
      for (const r of hosts) {
        const tagged = new Map((folding.tagOf.get(r)?.options ?? []).map((o) => [o.code, o.wireHex]));
        const inherited = keaOptions(m, { ...r, options: [] });
        const dnsmasq = new Map([...inherited, ...tagged]);
        expect(dnsmasq).toEqual(keaOptions(m, r));
      }
    });
  }

  it('shares one tag between reservations with the same options (the article)', () => {
    const result = compile(join(FIXTURES, 'article', 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
    const tags = result.folding!.tags;
    expect(tags.map((t) => [t.name, t.hosts.length])).toEqual([['dns-192-168-1-1', 8]]);
    const opts = result.files.find((f) => f.path === 'primary/etc/dnsmasq.reservations.d/options/reservations')!.contents;
    expect(opts.split('\n').filter((l) => l.includes('dns-server'))).toEqual(['tag:dns-192-168-1-1,tag:known,option:dns-server,192.168.1.1,192.168.1.254']);
  });
});
