/**
 * foldSharedOptions: the reason users leave Kea. Option-data repeated across reservations becomes
 * one dnsmasq tag with one set of dhcp-option lines; each host gets `set:<tag>`. Options a host
 * would inherit anyway with the same value are dropped as redundant. Pure and idempotent: the
 * result depends only on option contents, and folding an already folded model changes nothing.
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';
import type { Model, ModelOption, Pool, Reservation, Subnet } from '../model/model.js';
import { inSubnet } from '../model/ipv4.js';

export interface OptionTag {
  name: string;
  options: ModelOption[];
  /** Reservations carrying it, in output order. */
  hosts: Reservation[];
}

export interface Folding {
  tags: OptionTag[];
  /** Per reservation, the tag holding its options (absent when it has none left). */
  tagOf: Map<Reservation, OptionTag>;
  /** Options dropped because the host inherits the same bytes anyway. */
  redundant: { reservation: Reservation; option: ModelOption; inheritedFrom: JsonPath }[];
}

const SHORT_NAMES: Record<string, string> = {
  'dns-server': 'dns',
  router: 'router',
  'ntp-server': 'ntp',
  'domain-name': 'domain',
  'domain-search': 'search',
  'tftp-server': 'tftp',
  'bootfile-name': 'bootfile',
  mtu: 'mtu',
  'log-server': 'log',
  'time-offset': 'tz',
};

const optionKey = (o: ModelOption) => `${o.code}:${o.alwaysSend ? 'F' : ''}:${o.wireHex}`;

/** What a host in `subnet` (and in `pool`, when its address is in one) inherits for each code, lowest precedence first. */
function inherited(m: Model, subnet: Subnet | undefined, pool: Pool | undefined): Map<number, ModelOption> {
  const out = new Map<number, ModelOption>();
  const put = (opts: readonly ModelOption[]) => opts.forEach((o) => out.set(o.code, o));
  put(m.options);
  if (subnet) {
    const net = m.sharedNetworks.find((n) => n.name === subnet.sharedNetwork);
    if (net) put(net.options);
    put(subnet.options);
    if (pool) put(pool.options);
  }
  return out;
}

/**
 * `inherited` for every host, computed once per (subnet, pool): a big config has hundreds of
 * thousands of reservations in a few hundred subnets.
 */
function inheritedCache(m: Model): (subnet: Subnet | undefined, ip: number | undefined) => Map<number, ModelOption> {
  const cache = new Map<Subnet | undefined, Map<Pool | undefined, Map<number, ModelOption>>>();
  return (subnet, ip) => {
    const pool = subnet && ip !== undefined ? subnet.pools.find((p) => ip >= p.start && ip <= p.end) : undefined;
    let bySubnet = cache.get(subnet);
    if (!bySubnet) cache.set(subnet, (bySubnet = new Map()));
    let inh = bySubnet.get(pool);
    if (!inh) bySubnet.set(pool, (inh = inherited(m, subnet, pool)));
    return inh;
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/"/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A name that says what the tag carries: `dns-192-168-1-1`, `router-ntp`, ... */
function tagBaseName(options: readonly ModelOption[]): string {
  const shortOf = (o: ModelOption) => {
    const token = o.dnsmasq?.token ?? String(o.code);
    const named = token.startsWith('option:') ? token.slice('option:'.length) : `opt${token}`;
    return SHORT_NAMES[named] ?? slug(named);
  };
  if (options.length === 1) {
    const o = options[0]!;
    const firstValue = (o.dnsmasq?.value ?? '').split(',')[0] ?? '';
    const v = slug(firstValue).slice(0, 32).replace(/-+$/, '');
    return v ? `${shortOf(o)}-${v}` : shortOf(o);
  }
  const names = options.slice(0, 3).map(shortOf);
  return `${names.join('-')}${options.length > 3 ? '-more' : ''}`;
}

export function foldSharedOptions(m: Model, floating: readonly Reservation[], reservedNames: ReadonlySet<string>): Folding {
  const redundant: Folding['redundant'] = [];
  const groups = new Map<string, { options: ModelOption[]; hosts: Reservation[] }>();
  const hostsInOrder: Reservation[] = [...floating, ...m.subnets.flatMap((s) => s.reservations)];

  const inheritedBy = inheritedCache(m);
  // The subnet holding a host's address is almost always the one that lists it; subnets are
  // disjoint (check's subnetsDisjoint), so when it holds the address it is the only one that does.
  const listedIn = new Map<Reservation, Subnet>();
  for (const s of m.subnets) for (const r of s.reservations) listedIn.set(r, s);
  const holding = (ip: number, r: Reservation) => {
    const own = listedIn.get(r);
    return own && inSubnet(ip, own.network, own.prefixLength) ? own : m.subnets.find((s) => inSubnet(ip, s.network, s.prefixLength));
  };

  for (const r of hostsInOrder) {
    const subnet = r.ip === undefined ? undefined : holding(r.ip, r);
    const inh = inheritedBy(subnet, r.ip);
    // Only options dnsmasq can send are folded; the rest were reported by normalize.
    const own = new Map<number, ModelOption>();
    for (const o of r.options) if (o.dnsmasq) own.set(o.code, o); // later entries win, as in Kea
    const kept: ModelOption[] = [];
    for (const o of [...own.values()].sort((a, b) => a.code - b.code)) {
      const base = inh.get(o.code);
      if (base && optionKey(base) === optionKey(o)) redundant.push({ reservation: r, option: o, inheritedFrom: base.path });
      else kept.push(o);
    }
    if (kept.length === 0) continue;
    const key = kept.map(optionKey).join('|');
    const g = groups.get(key);
    if (g) g.hosts.push(r);
    else groups.set(key, { options: kept, hosts: [r] });
  }

  // Deterministic naming: sort groups by their content key, then hand out names; a clash with a
  // name already taken (subnet tags, interfaces, an earlier group) gets -2, -3, ...
  const taken = new Set(reservedNames);
  const tags: OptionTag[] = [];
  const tagOf = new Map<Reservation, OptionTag>();
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const base = tagBaseName(g.options);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    const tag: OptionTag = { name, options: g.options, hosts: g.hosts };
    tags.push(tag);
    for (const h of g.hosts) tagOf.set(h, tag);
  }
  tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tags, tagOf, redundant };
}
