/**
 * The migration report as data, computed once and rendered by every report format (Markdown,
 * JSON, terminal text, the SVG address map). Pure: diagnostics arrive already located, addresses
 * leave as dotted strings so the JSON form needs no knowledge of the model. The JSON schema is
 * documented in docs/report-schema.md; bump REPORT_SCHEMA_VERSION on any incompatible change.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { describe } from '../diagnostics/messages.js';
import type { Model, ModelOption } from '../model/model.js';
import { INFINITE_LIFETIME } from '../model/model.js';
import { broadcastOf, formatIPv4, parseIPv4 } from '../model/ipv4.js';
import type { Folding } from '../transform/fold-options.js';
import type { PairPlan } from '../transform/plan-pair.js';
import { formatLease, type Where } from './dnsmasq.js';
import type { LeaseRead } from '../leases/kea-csv.js';
import type { LeasePlacement } from '../leases/place.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportInput {
  model: Model;
  plan: PairPlan;
  folding: Folding;
  diagnostics: readonly Diagnostic[];
  sourceName: string;
  keaLines: number;
  dnsmasqLines: number;
  /** Client classes Kea defines (Dhcp4 client-classes), counted from the source: the model does not carry them. */
  keaClientClasses: number;
  failoverShare: number;
  replyDelay: number;
  where: Where;
  /** How a source file is named in the report (relative to the config's directory: no machine paths). */
  displayFile: (file: string) => string;
  /** --leases: the files read (in replay order), "now" (epoch seconds), what was read and where it went. */
  leases?: { files: string[]; at: number; read: LeaseRead; placement: LeasePlacement } | undefined;
}

export interface ReportRange {
  server: string;
  start: string;
  end: string;
  /** Addresses in start..end. */
  size: number;
  /** Addresses dnsmasq really hands out from it (no .0/.255, no network/broadcast). */
  usable: number;
  /** Seconds; null for an infinite lease. */
  leaseSeconds: number | null;
  /** As written in dhcp-range, e.g. "24h". */
  lease: string;
}

export interface ReportPool {
  start: string;
  end: string;
  size: number;
  /** One entry per server, in server order; null when that server got nothing of this pool. */
  ranges: [ReportRange | null, ReportRange | null];
  how: string;
}

/** One reservation as report.json writes it. */
export interface ReportReservation {
  address: string;
  hostname: string | null;
}

/** Decimal text of 0..255, shared. */
const OCTET = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * The text before an address's last octet ("192.0.2."), and a JSON row's text up to there: the
 * reservations of a subnet share their first three octets, so the last ones made are kept and
 * reused while the next address shares them (caching by value; one string per /24, not per address).
 */
let cachedPrefixOf = -1;
let cachedPrefix = '';
let cachedRowHead = '';
function prefixOf(n: number): string {
  if (n >>> 8 !== cachedPrefixOf) {
    cachedPrefixOf = n >>> 8;
    cachedPrefix = `${OCTET[(n >>> 24) & 255]}.${OCTET[(n >>> 16) & 255]}.${OCTET[(n >>> 8) & 255]}.`;
    cachedRowHead = `{"address":"${cachedPrefix}`;
  }
  return cachedPrefix;
}
function rowHeadOf(n: number): string {
  prefixOf(n);
  return cachedRowHead;
}

/** Characters JSON.stringify would escape in a string (a lone surrogate included, to be safe). */
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A subnet's reservations with an address, by address, kept compact: one typed array of addresses
 * and one of hostnames instead of an object and a dotted string per reservation (a big config has
 * hundreds of thousands). Its JSON form (toJSON, as JSON.stringify and formatJson use) is the
 * documented `[{address, hostname}]`; jsonRow(k) is element k's one-line JSON text, the bytes
 * JSON.stringify(toJSON()[k]) gives, so report.json is written without an object per reservation.
 */
export class ReportReservations {
  /** `addresses[k]` and `hostnames[k]` (or null) are reservation k's. */
  constructor(
    readonly addresses: Uint32Array,
    readonly hostnames: readonly (string | null)[],
  ) {}

  /** From the JSON form (hand-made data, tests): the dotted quads parsed, the order kept. */
  static from(list: readonly ReportReservation[]): ReportReservations {
    const addresses = new Uint32Array(list.length);
    list.forEach((r, k) => {
      const n = parseIPv4(r.address);
      if (n === undefined) throw new Error(`not an IPv4 address: ${r.address}`);
      addresses[k] = n;
    });
    return new ReportReservations(addresses, list.map((r) => r.hostname));
  }

  get length(): number {
    return this.addresses.length;
  }

  address(k: number): string {
    const n = this.addresses[k]!;
    return prefixOf(n) + OCTET[n & 255]!;
  }

  toJSON(): ReportReservation[] {
    return Array.from(this.addresses, (_, k) => ({ address: this.address(k), hostname: this.hostnames[k] ?? null }));
  }

  jsonRow(k: number): string {
    const n = this.addresses[k]!;
    const h = this.hostnames[k] ?? null;
    const hostname = h === null ? 'null' : JSON_ESCAPED.test(h) ? JSON.stringify(h) : `"${h}"`;
    return `${rowHeadOf(n)}${OCTET[n & 255]!}","hostname":${hostname}}`;
  }
}

export interface ReportSubnet {
  id: number;
  prefix: string;
  network: string;
  broadcast: string;
  /** Addresses in the subnet, network and broadcast included. */
  size: number;
  sharedNetwork: string | null;
  pools: ReportPool[];
  /** Reservations with an address in this subnet, by address. */
  reservations: ReportReservations;
  capacity: {
    /** Addresses in Kea's pools. */
    keaPool: number;
    /** Addresses each server can hand out alone, in server order. */
    alone: [number, number];
  };
  /** Addresses of the live Kea leases in this subnet (with --leases), by address. */
  liveLeases: string[];
}

export interface ReportLeases {
  /** Lease files read, in Kea's replay order. */
  files: string[];
  /** "Now" for expiry decisions (--at), ISO 8601 UTC. */
  at: string;
  /** Data rows read, and active leases left after replaying them. */
  rows: number;
  active: number;
  dropped: { expired: number; declined: number; reclaimed: number; released: number; deleted: number };
  /** Leases written into each server's /var/lib/misc/dnsmasq.leases, in server order. */
  carried: [number, number];
  /** Leases of reserved hosts, written to both servers. */
  reservedOnBoth: number;
  renumber: { address: string; hwaddr: string; hostname: string; reason: string; where: string }[];
  subnets: { id: number; prefix: string; dynamicClients: number; reservedClients: number; alone: [number, number]; enough: [boolean, boolean] }[];
}

export interface ReportItem {
  severity: 'warning' | 'note';
  code: string;
  /** `file:line:col` in the Kea source (file relative to the config's directory), or null. */
  where: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
  /** What the admin can do; null when nothing is needed. */
  advice: string | null;
}

export interface ReportData {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  source: string;
  summary: {
    subnets: number;
    sharedNetworks: number;
    pools: number;
    reservations: number;
    /** Kea option-data entries (global, shared network, subnet, pool and reservation levels). */
    options: number;
    optionTags: number;
    /** Kea client classes defined (not converted by this version). */
    clientClasses: number;
    keaLines: number;
    /** Per server, without comments and blank lines. */
    dnsmasqLines: number;
    warnings: number;
    notes: number;
  };
  design: {
    mode: 'equal' | 'failover';
    modeSource: 'flag' | 'ha-hook' | 'default';
    /** Why this design, in words. */
    why: string;
    servers: [string, string];
    /** Failover mode: the failover server's share of each pool (0..1) and its reply delay in seconds. */
    failoverShare: number | null;
    replyDelay: number | null;
    authoritative: { kea: boolean; dnsmasq: false; why: string };
  };
  subnets: ReportSubnet[];
  /** Global reservations without an address: they apply wherever the client shows up. */
  floatingReservations: number;
  optionTags: { name: string; options: string[]; hosts: number }[];
  redundantOptions: { option: string; host: string; where: string | null }[];
  changedMeaning: string[];
  items: ReportItem[];
  /** null without --leases. */
  leases: ReportLeases | null;
}

const AUTHORITATIVE_WHY =
  'Measured with dnsmasq 2.90: an authoritative server NAKs every client of its peer on reboot (6 of 6 reboots, 4 lost their lease); with neither authoritative there were 0 NAKs and a client whose server died moved to the other in about 14 s.';

export const CHANGED_MEANING = [
  'Kea echoes the client identifier (option 61) back to clients (RFC 6842); dnsmasq never does.',
  'dnsmasq always sends T1/T2 (0.5 and 0.875 of the lease) where Kea leaves them out; the client renews at the same times.',
  'Options in the reservations options directory are sent when the client asks for them; Kea sends routers, DNS servers and domain name even unasked (dhcp-optsfile lines cannot force).',
];

const optionText = (o: ModelOption) => `${o.dnsmasq?.token},${o.dnsmasq?.value}`;

export function buildReport(x: ReportInput): ReportData {
  const { model: m, plan } = x;
  const servers = plan.servers;
  const items: ReportItem[] = x.diagnostics
    .filter((d): d is Diagnostic & { severity: 'warning' | 'note' } => d.severity === 'warning' || d.severity === 'note')
    .map((d) => {
      const w = describe(d);
      const file = d.at ? x.displayFile(d.at.file) : null;
      return {
        severity: d.severity,
        code: d.code,
        where: d.at ? `${file}:${d.at.line}:${d.at.column}` : null,
        file,
        line: d.at?.line ?? null,
        column: d.at?.column ?? null,
        message: w.message,
        advice: w.hint ?? null,
      };
    });
  const why =
    plan.modeSource === 'flag' ? 'chosen with --mode' : plan.modeSource === 'ha-hook' ? `taken from Kea's HA hook (${m.ha?.mode})` : 'the default (no HA hook, no --mode)';

  // Each subnet's splits in plan order, grouped once (a filter per subnet is quadratic).
  const splitsBySubnet = new Map<number, PairPlan['splits']>();
  for (const sp of plan.splits) {
    const list = splitsBySubnet.get(sp.subnet.id);
    if (list) list.push(sp);
    else splitsBySubnet.set(sp.subnet.id, [sp]);
  }
  const liveIn = x.leases ? liveLeaseFinder(x.leases.read.active) : undefined;
  // The summary's counts are summed in the same pass over the subnets that builds their reports.
  let reservations = plan.floatingReservations.length;
  let options = m.options.length;
  for (const n of m.sharedNetworks) options += n.options.length;
  for (const r of plan.floatingReservations) options += r.options.length;
  let pools = 0;
  const subnets: ReportSubnet[] = m.subnets.map((s) => {
    reservations += s.reservations.length;
    options += s.options.length;
    pools += s.pools.length;
    for (const p of s.pools) options += p.options.length;
    const splits = splitsBySubnet.get(s.id) ?? [];
    // Splits: the pools as split, and what each server can hand out alone.
    const alone: [number, number] = [0, 0];
    const reportPools: ReportPool[] = splits.map((sp) => {
      alone[0] += sp.ranges[0]?.usable ?? 0;
      alone[1] += sp.ranges[1]?.usable ?? 0;
      return {
        start: formatIPv4(sp.pool.start),
        end: formatIPv4(sp.pool.end),
        size: sp.pool.end - sp.pool.start + 1,
        ranges: [reportRange(sp.ranges[0], servers[0]), reportRange(sp.ranges[1], servers[1])],
        how: sp.how,
      };
    });
    let keaPool = 0;
    for (const p of s.pools) keaPool += p.end - p.start + 1;
    // Reservations with an address, by address: one pass over the model's reservations copies
    // their addresses and hostnames, counts their options and sees whether Kea listed them in
    // order already; only otherwise are they sorted.
    const n = s.reservations.length;
    const addresses = new Uint32Array(n);
    const hostnames = new Array<string | null>(n);
    let withIp = 0;
    let inOrder = true;
    for (let i = 0; i < n; i++) {
      const r = s.reservations[i]!;
      options += r.options.length;
      if (r.ip === undefined) continue;
      if (withIp > 0 && r.ip < addresses[withIp - 1]!) inOrder = false;
      addresses[withIp] = r.ip;
      hostnames[withIp++] = r.hostname ?? null;
    }
    hostnames.length = withIp;
    const reserved = byAddress(withIp === n ? addresses : addresses.slice(0, withIp), hostnames, inOrder);
    const bcast = broadcastOf(s.network, s.prefixLength);
    return {
      id: s.id,
      prefix: s.text,
      network: formatIPv4(s.network),
      broadcast: formatIPv4(bcast),
      size: bcast - s.network + 1,
      sharedNetwork: s.sharedNetwork ?? null,
      pools: reportPools,
      reservations: reserved,
      capacity: { keaPool, alone },
      liveLeases: liveIn ? liveIn(s.network, bcast) : [],
    };
  });

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    source: x.sourceName,
    summary: {
      subnets: m.subnets.length,
      sharedNetworks: m.sharedNetworks.length,
      pools,
      reservations,
      options,
      optionTags: x.folding.tags.length,
      clientClasses: x.keaClientClasses,
      keaLines: x.keaLines,
      dnsmasqLines: x.dnsmasqLines,
      warnings: items.filter((i) => i.severity === 'warning').length,
      notes: items.filter((i) => i.severity === 'note').length,
    },
    design: {
      mode: plan.mode,
      modeSource: plan.modeSource,
      why,
      servers: [servers[0], servers[1]],
      failoverShare: plan.mode === 'failover' ? x.failoverShare : null,
      replyDelay: plan.mode === 'failover' ? x.replyDelay : null,
      authoritative: { kea: m.authoritative || m.subnets.some((s) => s.authoritative), dnsmasq: false, why: AUTHORITATIVE_WHY },
    },
    subnets,
    floatingReservations: plan.floatingReservations.length,
    optionTags: x.folding.tags.map((t) => ({ name: t.name, options: t.options.map(optionText), hosts: t.hosts.length })),
    // One located line per dropped option (x.where is a search of the source text: each path
    // is located once, here, and both the Markdown and the JSON print this string).
    redundantOptions: x.folding.redundant.map((r) => ({
      option: String(r.option.name ?? r.option.code),
      host: r.reservation.hostname ?? r.reservation.identifier.hex,
      where: x.where(r.option.path) ?? null,
    })),
    changedMeaning: CHANGED_MEANING,
    items,
    leases: x.leases ? leaseReport(x, x.leases) : null,
  };
}

/** The reservations as a list by address: sorted (stably: equal addresses keep Kea's order) unless already in order. */
function byAddress(addresses: Uint32Array, hostnames: (string | null)[], inOrder: boolean): ReportReservations {
  if (inOrder) return new ReportReservations(addresses, hostnames);
  const order = Array.from(addresses, (_, k) => k).sort((i, j) => addresses[i]! - addresses[j]!);
  return new ReportReservations(
    Uint32Array.from(order, (k) => addresses[k]!),
    order.map((k) => hostnames[k] ?? null),
  );
}

type PlannedRange = PairPlan['splits'][number]['ranges'][0];

function reportRange(r: PlannedRange, server: string): ReportRange | null {
  if (!r) return null;
  return {
    server,
    start: formatIPv4(r.start),
    end: formatIPv4(r.end),
    size: r.end - r.start + 1,
    usable: r.usable,
    leaseSeconds: r.lease === INFINITE_LIFETIME ? null : r.lease,
    lease: formatLease(r.lease),
  };
}

/**
 * The live leases' addresses in network..broadcast, in the order of `active` (as a filter of it
 * would give), for each subnet: the leases are sorted by address once and each subnet takes its
 * slice by binary search, instead of every subnet scanning every lease.
 */
function liveLeaseFinder(active: readonly { address: number }[]): (network: number, broadcast: number) => string[] {
  const byAddress = active.map((_, i) => i).sort((a, b) => active[a]!.address - active[b]!.address);
  const firstAtOrAbove = (n: number) => {
    let lo = 0;
    let hi = byAddress.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (active[byAddress[mid]!]!.address < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (network, broadcast) =>
    byAddress
      .slice(firstAtOrAbove(network), firstAtOrAbove(broadcast + 1))
      .sort((a, b) => a - b)
      .map((i) => formatIPv4(active[i]!.address));
}

function leaseReport(x: ReportInput, l: NonNullable<ReportInput['leases']>): ReportLeases {
  const p = l.placement;
  const mustCarry = x.plan.mode === 'equal' ? [true, true] : [true, false];
  // The first subnet of each id, as a find would give.
  const prefixOf = new Map<number, string>();
  for (const s of x.model.subnets) if (!prefixOf.has(s.id)) prefixOf.set(s.id, s.text);
  return {
    files: l.files.map(x.displayFile),
    at: new Date(l.at * 1000).toISOString(),
    rows: l.read.rows,
    active: l.read.active.length,
    dropped: l.read.dropped,
    carried: [p.perServer[0].length, p.perServer[1].length],
    reservedOnBoth: p.reservedOnBoth,
    renumber: p.renumber.map((r) => ({
      address: formatIPv4(r.lease.address),
      hwaddr: r.lease.hwaddr,
      hostname: r.lease.hostname,
      reason: r.reason,
      where: `${x.displayFile(r.lease.file)}:${r.lease.line}`,
    })),
    subnets: p.subnets.map((u) => ({
      id: u.subnetId,
      prefix: prefixOf.get(u.subnetId) ?? '',
      dynamicClients: u.dynamicClients,
      reservedClients: u.reservedClients,
      alone: u.alone,
      enough: [!mustCarry[0] || u.dynamicClients <= u.alone[0], !mustCarry[1] || u.dynamicClients <= u.alone[1]],
    })),
  };
}
