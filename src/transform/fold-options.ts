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
  /** Per reservation, the tag holding its options (absent when it has none left); built on first use. */
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

/** Same option for folding: what `optionKey` compares, without building the key. */
const sameOption = (a: ModelOption, b: ModelOption) => a.code === b.code && a.alwaysSend === b.alwaysSend && a.wireHex === b.wireHex;

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

/** A subnet's inherited options, outside its pools and per pool (by position in `pools`), computed on first use. */
interface SubnetInheritance {
  outsidePools: Map<number, ModelOption>;
  inPool: (Map<number, ModelOption> | undefined)[];
}

/**
 * `inherited` for every host, computed once per (subnet, pool): a big config has hundreds of
 * thousands of reservations in a few hundred subnets.
 */
class InheritedCache {
  private readonly global: Map<number, ModelOption>;
  private readonly bySubnet = new Map<Subnet, SubnetInheritance>();
  constructor(private readonly m: Model) {
    this.global = inherited(m, undefined, undefined);
  }

  get(subnet: Subnet | undefined, ip: number | undefined): Map<number, ModelOption> {
    if (!subnet || ip === undefined) return this.global;
    let s = this.bySubnet.get(subnet);
    if (!s) this.bySubnet.set(subnet, (s = { outsidePools: inherited(this.m, subnet, undefined), inPool: [] }));
    // The first pool holding the address (pools are disjoint: check's poolsDisjoint).
    const pools = subnet.pools;
    for (let i = 0; i < pools.length; i++) {
      const p = pools[i]!;
      if (ip >= p.start && ip <= p.end) return (s.inPool[i] ??= inherited(this.m, subnet, p));
    }
    return s.outsidePools;
  }
}

/** A group of hosts with the same kept options. */
interface Group {
  options: ModelOption[];
  hosts: Reservation[];
}

/**
 * Groups are found through a trie keyed by option numbers (one per distinct code, always-send
 * flag and wire bytes), walked in code order: no key string is built per host.
 */
interface TrieNode {
  group: Group | undefined;
  next: Map<number, TrieNode> | undefined;
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
  const groups: Group[] = [];
  const root: TrieNode = { group: undefined, next: undefined };
  // Option numbers: per code and always-send flag (code * 2 + flag), the wire bytes' number.
  const optionIds: (Map<string, number> | undefined)[] = [];
  let nextId = 0;
  const inheritedBy = new InheritedCache(m);
  const kept: ModelOption[] = []; // scratch, reused for every host

  const fold = (r: Reservation, subnet: Subnet | undefined) => {
    if (r.options.length === 0) return;
    // Only options dnsmasq can send are folded; the rest were reported by normalize. Later
    // entries of one code win, as in Kea; kept in code order (insertion: hosts have few options).
    // `kept[0, count)` is this host's list (the scratch array is not truncated between hosts).
    let count = 0;
    for (const o of r.options) {
      if (!o.dnsmasq) continue;
      let i = count;
      while (i > 0 && kept[i - 1]!.code > o.code) i--;
      if (i > 0 && kept[i - 1]!.code === o.code) {
        kept[i - 1] = o;
        continue;
      }
      for (let j = count; j > i; j--) kept[j] = kept[j - 1]!;
      kept[i] = o;
      count++;
    }
    if (count === 0) return;
    const inh = inheritedBy.get(subnet, r.ip);
    let n = 0;
    let node = root;
    for (let k = 0; k < count; k++) {
      const o = kept[k]!;
      const base = inh.get(o.code);
      if (base && sameOption(base, o)) {
        redundant.push({ reservation: r, option: o, inheritedFrom: base.path });
        continue;
      }
      kept[n++] = o;
      const slot = o.code * 2 + (o.alwaysSend ? 1 : 0);
      const ids = (optionIds[slot] ??= new Map());
      let id = ids.get(o.wireHex);
      if (id === undefined) ids.set(o.wireHex, (id = nextId++));
      const next = (node.next ??= new Map());
      let child = next.get(id);
      if (!child) next.set(id, (child = { group: undefined, next: undefined }));
      node = child;
    }
    if (n === 0) return;
    let g = node.group;
    if (!g) groups.push((g = node.group = { options: kept.slice(0, n), hosts: [] }));
    g.hosts.push(r);
  };

  const holding = (ip: number) => m.subnets.find((x) => inSubnet(ip, x.network, x.prefixLength));
  for (const r of floating) fold(r, r.ip === undefined ? undefined : holding(r.ip));
  // The subnet holding a host's address is almost always the one that lists it; subnets are
  // disjoint (check's subnetsDisjoint), so when it holds the address it is the only one that does.
  for (const s of m.subnets) {
    for (const r of s.reservations) {
      if (r.options.length === 0) continue;
      const ip = r.ip;
      fold(r, ip === undefined ? undefined : inSubnet(ip, s.network, s.prefixLength) ? s : holding(ip));
    }
  }

  // Deterministic naming: sort groups by their content key, then hand out names; a clash with a
  // name already taken (subnet tags, interfaces, an earlier group) gets -2, -3, ...
  const keyed = groups.map((g) => ({ key: g.options.map(optionKey).join('|'), g }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const taken = new Set(reservedNames);
  const tags: OptionTag[] = [];
  for (const { g } of keyed) {
    const base = tagBaseName(g.options);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    tags.push({ name, options: g.options, hosts: g.hosts });
  }
  tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // tagOf is built on first use only: the emitters walk `tags`, and a big config has a host per entry.
  let tagOf: Map<Reservation, OptionTag> | undefined;
  return {
    tags,
    get tagOf() {
      if (!tagOf) {
        tagOf = new Map();
        for (const t of tags) for (const h of t.hosts) tagOf.set(h, t);
      }
      return tagOf;
    },
    redundant,
  };
}
