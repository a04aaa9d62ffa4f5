/**
 * Pure helpers that prepare what `prove` runs: Kea's config made safe for the lab, the server
 * trees read back from --out (ranges, reply delay, interface), and the lab's addressing.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Subnet } from '../model/model.js';
import { broadcastOf, formatIPv4, inSubnet, parseIPv4 } from '../model/ipv4.js';

// ---------------------------------------------------------------------------------------------
// Kea, made safe for the lab

export interface LabKea {
  config: { Dhcp4: Record<string, unknown> };
  /** What was changed, for the report (one line each). */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Kea's config for the lab: only Dhcp4; interfaces -> the lab interface; the lease file, the log
 * and nothing else in `scratch`; every hook library, control socket, config backend, host
 * database and DDNS connection removed (the lab must not reach anything, and the HA hook is what
 * the dnsmasq pair replaces). HA_<server> class guards on pools only make sense with the HA hook,
 * so they are dropped and the Kea server serves every pool. Kea 2.2 accepts one `client-class`
 * per pool, not the `client-classes` list of Kea >= 2.7.5: a one-element list is respelled.
 */
export function labKeaConfig(doc: unknown, scratch: string, ifname: string): LabKea {
  const notes: string[] = [];
  const d4src = isObj(doc) && isObj(doc.Dhcp4) ? doc.Dhcp4 : undefined;
  if (!d4src) throw new Error('the Kea config has no Dhcp4 map');
  const d4 = structuredClone(d4src);
  const ic = isObj(d4['interfaces-config']) ? d4['interfaces-config'] : {};
  d4['interfaces-config'] = { ...ic, interfaces: [ifname] };
  delete (d4['interfaces-config'] as Obj)['outbound-interface'];
  d4['lease-database'] = { type: 'memfile', persist: true, name: join(scratch, 'kea-leases4.csv'), 'lfc-interval': 0 };
  for (const k of ['hosts-database', 'hosts-databases']) {
    if (k in d4) {
      delete d4[k];
      notes.push(`${k} removed: reservations kept in a database are not tested`);
    }
  }
  for (const k of ['control-socket', 'config-control', 'dhcp-ddns']) {
    if (k in d4) {
      delete d4[k];
      notes.push(`${k} removed`);
    }
  }
  const hooks = Array.isArray(d4['hooks-libraries']) ? d4['hooks-libraries'] : [];
  for (const h of hooks) {
    const lib = isObj(h) && typeof h.library === 'string' ? h.library : '?';
    notes.push(`hook ${lib.split('/').pop()} removed`);
  }
  delete d4['hooks-libraries'];
  d4.loggers = [{ name: 'kea-dhcp4', output_options: [{ output: join(scratch, 'kea.log') }], severity: 'INFO' }];
  const fixInterface = (o: Obj): void => {
    if (typeof o.interface === 'string') o.interface = ifname;
  };
  const fixPools = (s: Obj): void => {
    fixInterface(s);
    for (const p of Array.isArray(s.pools) ? s.pools : []) {
      if (!isObj(p)) continue;
      if (typeof p['client-class'] === 'string' && p['client-class'].startsWith('HA_')) {
        delete p['client-class'];
        notes.push(`pool ${String(p.pool)}: HA class guard removed with the HA hook`);
      }
      if (Array.isArray(p['client-classes'])) {
        const kept = p['client-classes'].filter((c) => !(typeof c === 'string' && c.startsWith('HA_')));
        if (kept.length < p['client-classes'].length) notes.push(`pool ${String(p.pool)}: HA class guard removed with the HA hook`);
        delete p['client-classes'];
        if (kept.length === 1) p['client-class'] = kept[0];
        else if (kept.length > 1) p['client-classes'] = kept;
      }
    }
  };
  for (const s of Array.isArray(d4.subnet4) ? d4.subnet4 : []) if (isObj(s)) fixPools(s);
  for (const n of Array.isArray(d4['shared-networks']) ? d4['shared-networks'] : []) {
    if (!isObj(n)) continue;
    fixInterface(n);
    for (const s of Array.isArray(n.subnet4) ? n.subnet4 : []) if (isObj(s)) fixPools(s);
  }
  return { config: { Dhcp4: d4 }, notes };
}

// ---------------------------------------------------------------------------------------------
// The server trees in --out

export interface ScopeRange {
  tag: string | undefined;
  start: number;
  end: number;
  /** Seconds (0xffffffff for infinite). */
  lease: number;
}

export interface ServerTree {
  name: string;
  dir: string;
  ranges: ScopeRange[];
  replyDelay: number;
  interfaces: string[];
}

export function parseDnsmasqLease(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === 'infinite') return 0xffffffff;
  const m = /^(\d+)([smhdw]?)$/.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's']!;
}

/** Read one server tree's conf files: its dhcp-range lines, reply delay and interfaces. */
export function readServerTree(name: string, dir: string): ServerTree {
  const confDir = join(dir, 'etc', 'dnsmasq.d');
  const texts = [join(dir, 'etc', 'dnsmasq.conf'), ...(existsSync(confDir) ? readdirSync(confDir).filter((f) => f.endsWith('.conf')).sort().map((f) => join(confDir, f)) : [])]
    .map((p) => readFileSync(p, 'utf8'));
  const ranges: ScopeRange[] = [];
  let replyDelay = 0;
  const interfaces: string[] = [];
  for (const line of texts.join('\n').split('\n')) {
    const m = /^\s*([a-z-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'interface') interfaces.push(...value.split(',').map((s) => s.trim()));
    if (key === 'dhcp-reply-delay') replyDelay = Math.max(replyDelay, Number(value.split(',').pop()));
    if (key !== 'dhcp-range') continue;
    const parts = value.split(',').map((s) => s.trim());
    let tag: string | undefined;
    while (parts[0] !== undefined && /^(set|tag):/.test(parts[0])) {
      const p = parts.shift()!;
      if (p.startsWith('set:')) tag = p.slice(4);
    }
    const start = parseIPv4(parts[0] ?? '');
    if (start === undefined || parts[1] === 'static' || parts[1] === undefined) continue;
    const end = parseIPv4(parts[1]);
    if (end === undefined) continue;
    const rest = parts.slice(2).filter((p) => parseIPv4(p) === undefined);
    ranges.push({ tag, start, end, lease: parseDnsmasqLease(rest[0]) ?? 3600 });
  }
  return { name, dir, ranges, replyDelay, interfaces };
}

/** The two server trees in `out` (directories holding etc/dnsmasq.conf), primary first. */
export function findServerTrees(out: string): ServerTree[] | string {
  if (!existsSync(out)) return `${out} does not exist`;
  const names = readdirSync(out, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(out, e.name, 'etc', 'dnsmasq.conf')))
    .map((e) => e.name)
    .sort();
  if (names.length !== 2) return `${out} holds ${names.length} server tree(s) (<server>/etc/dnsmasq.conf); expected the two written by kea2dnsmasq convert`;
  const trees = names.map((n) => readServerTree(n, join(out, n)));
  // The failover server is the one that delays its offers; the other is the primary.
  trees.sort((a, b) => a.replyDelay - b.replyDelay);
  return trees;
}

// ---------------------------------------------------------------------------------------------
// Addressing

export interface LabPlan {
  ifname: string;
  /** The link's prefix (CIDR network/len) every server and the client namespaces get an address in. */
  link: { network: number; prefixLength: number };
  /** Subnets served on the link (no relay). */
  local: Subnet[];
  /** Relayed subnets and the giaddr used for each. */
  relayed: { subnet: Subnet; giaddr: string }[];
  /** Addresses on the link: Kea, first dnsmasq, second dnsmasq, the probe. */
  kea: string;
  dnsmasq: [string, string];
  probe: string;
}

function used(s: Subnet): Set<number> {
  const u = new Set<number>(s.relayAddresses);
  for (const r of s.reservations) if (r.ip !== undefined) u.add(r.ip);
  return u;
}

function inPools(s: Subnet, a: number): boolean {
  return s.pools.some((p) => a >= p.start && a <= p.end);
}

/** Free host addresses of a subnet (outside pools, reservations and relays), highest first. */
function freeAddresses(s: Subnet, n: number, avoid: Set<number>): number[] {
  const u = used(s);
  const out: number[] = [];
  const bcast = broadcastOf(s.network, s.prefixLength);
  for (let a = bcast - 1; a > s.network && out.length < n; a--) {
    if (!u.has(a) && !avoid.has(a) && !inPools(s, a)) out.push(a);
  }
  return out;
}

/**
 * Which subnets the lab link carries and which are reached through a relay, and the addresses.
 * On the link: subnets without relay that name the interface (or whose shared network does);
 * when none names one, the first subnet without relay and the rest of its shared network.
 */
export function planLab(model: Model, ifname: string): LabPlan | string {
  const noRelay = model.subnets.filter((s) => s.relayAddresses.length === 0);
  let local = noRelay.filter((s) => s.interface !== undefined || (s.sharedNetwork !== undefined && model.sharedNetworks.find((n) => n.name === s.sharedNetwork)?.interface !== undefined));
  if (local.length === 0 && noRelay[0]) {
    const first = noRelay[0];
    local = noRelay.filter((s) => s === first || (first.sharedNetwork !== undefined && s.sharedNetwork === first.sharedNetwork));
  }
  const relayed: LabPlan['relayed'] = [];
  const avoid = new Set<number>();
  for (const s of model.subnets) {
    if (local.includes(s)) continue;
    const g = s.relayAddresses[0] ?? freeAddresses(s, 1, avoid).at(-1);
    if (g === undefined) return `subnet ${s.text} has no free address for the lab's relay agent`;
    avoid.add(g);
    relayed.push({ subnet: s, giaddr: formatIPv4(g) });
  }
  let link: LabPlan['link'];
  let addrs: number[];
  const first = local[0];
  if (first) {
    link = { network: first.network, prefixLength: first.prefixLength };
    addrs = freeAddresses(first, 4, avoid);
    if (addrs.length < 4) return `subnet ${first.text} has fewer than 4 addresses outside its pools and reservations for the lab's servers`;
  } else {
    // Every subnet is relayed: the servers and the relay meet on a link of their own.
    const net = parseIPv4('198.19.255.0')!;
    link = { network: net, prefixLength: 24 };
    addrs = [net + 254, net + 253, net + 252, net + 251];
  }
  for (const r of relayed) {
    if (inSubnet(parseIPv4(r.giaddr)!, link.network, link.prefixLength)) return `relay address ${r.giaddr} lies on the lab link`;
  }
  return {
    ifname,
    link,
    local,
    relayed,
    kea: formatIPv4(addrs[0]!),
    dnsmasq: [formatIPv4(addrs[1]!), formatIPv4(addrs[2]!)],
    probe: formatIPv4(addrs[3]!),
  };
}
