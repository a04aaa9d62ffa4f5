/**
 * Semantic checks over the model: small named rules, each protecting one thing Kea or dnsmasq
 * relies on. They only read the model and return diagnostics.
 */
import { diagnostic, type Diagnostic, type JsonPath } from '../diagnostics/diagnostic.js';
import type { BootFields, Model, Reservation, Subnet } from '../model/model.js';
import { formatIPv4, inSubnet, netmaskOf } from '../model/ipv4.js';
import { classCondition, effectiveGuard } from '../model/class-names.js';
import { usesGlobalReservations } from '../normalize/normalize.js';
import { SAFETY_RULES } from './safety.js';

/**
 * What the reservation rules look at, gathered in one pass over the reservations per check()
 * call (scanReservations): a big config has 100,000 of them and more, and each further walk over
 * them costs about as much as the test it makes. Rules then read short lists of candidates.
 * Every list is in reservation order (global reservations first, then each subnet's in order).
 */
export interface ReservationScan {
  /** Every reservation: the global ones first, then each subnet's, in order. */
  all: Reservation[];
  /** The reserved addresses (unsigned 32-bit, as in the model). */
  addresses: Uint32Array;
  /** Subnet reservations whose address lies outside their subnet. */
  outside: { r: Reservation; subnet: Subnet }[];
  /** Reservations by client id. */
  clientIds: Reservation[];
  /** Shortest and longest client id, in hex characters (0 when there is none). */
  clientIdHexMin: number;
  clientIdHexMax: number;
  /** Reservations whose hostname needs a closer look (plainHostname does not clear it). */
  oddHostnames: Reservation[];
  /** Reservations that assign client classes. */
  withClasses: Reservation[];
  /** Reservations with a boot file name or server hostname, and their subnet (undefined: global). */
  withBoot: { r: Reservation; subnet: Subnet | undefined }[];
  /**
   * Reservations whose identifier an earlier one in the same scope has (each subnet is a scope,
   * the global reservations are one), with the first of them there: the subnets' in order, then
   * the global reservations'.
   */
  sameScope: { r: Reservation; first: Reservation }[];
  /** Reservations whose identifier was first reserved in an earlier scope, with that first one and the later scope's name. */
  otherScope: { r: Reservation; first: Reservation; scope: string }[];
}

export type Rule = (m: Model, scan: ReservationScan) => Diagnostic[];

export function scanReservations(m: Model): ReservationScan {
  let count = m.globalReservations.length;
  for (const s of m.subnets) count += s.reservations.length;
  const scan: ReservationScan = {
    all: [],
    addresses: new Uint32Array(count),
    outside: [],
    clientIds: [],
    clientIdHexMin: 0,
    clientIdHexMax: 0,
    oddHostnames: [],
    withClasses: [],
    withBoot: [],
    sameScope: [],
    otherScope: [],
  };
  const { all } = scan;
  let addressCount = 0;
  // Whether any identifier is reserved twice: one Set per identifier kind, keyed by the model's
  // own hex string, one probe per reservation (a Set that does not grow already had it). Which
  // scopes the repeats are in is only worked out when there are some (scopeRepeats).
  const hwSeen = new Set<string>();
  const clientIdSeen = new Set<string>();
  let repeats = false;

  const visit = (list: readonly Reservation[], subnet: Subnet | undefined) => {
    for (const r of list) {
      all.push(r);
      if (r.ip !== undefined) {
        scan.addresses[addressCount++] = r.ip;
        if (subnet && !inSubnet(r.ip, subnet.network, subnet.prefixLength)) scan.outside.push({ r, subnet });
      }
      if (r.hostname !== undefined && !plainHostname(r.hostname)) scan.oddHostnames.push(r);
      if (r.clientClasses.length > 0) scan.withClasses.push(r);
      if (r.boot.bootFileName || r.boot.serverHostname) scan.withBoot.push({ r, subnet });
      const isClientId = r.identifier.kind === 'client-id';
      const hex = r.identifier.hex;
      if (isClientId) {
        if (scan.clientIds.push(r) === 1 || hex.length < scan.clientIdHexMin) scan.clientIdHexMin = hex.length;
        if (hex.length > scan.clientIdHexMax) scan.clientIdHexMax = hex.length;
      }
      const seen = isClientId ? clientIdSeen : hwSeen;
      const size = seen.size;
      if (seen.add(hex).size === size) repeats = true;
    }
  };
  visit(m.globalReservations, undefined);
  for (const s of m.subnets) visit(s.reservations, s);
  scan.addresses = scan.addresses.subarray(0, addressCount);
  if (repeats) scopeRepeats(m, scan);
  return scan;
}

/** Fills `scan.sameScope` and `scan.otherScope`, in the order ReservationScan describes. */
function scopeRepeats(m: Model, scan: ReservationScan): void {
  const { all } = scan;
  // Where each identifier was first reserved (an index into `all`), one map per identifier kind.
  // A first reservation lies in the current scope exactly when its index is at least the scope's start.
  const firstHw = new Map<string, number>();
  const firstClientId = new Map<string, number>();
  // For identifiers also reserved in an earlier scope: where they were first reserved in the
  // latest scope that has them (few entries, if any).
  const laterHw = new Map<string, number>();
  const laterClientId = new Map<string, number>();
  const globalSameScope: ReservationScan['sameScope'] = [];
  let i = 0;
  const visit = (scope: string, count: number, subnet: Subnet | undefined) => {
    const scopeStart = i;
    const sameScope = subnet ? scan.sameScope : globalSameScope;
    for (const end = i + count; i < end; i++) {
      const r = all[i]!;
      const { kind, hex } = r.identifier;
      const isClientId = kind === 'client-id';
      const firstById = isClientId ? firstClientId : firstHw;
      const f = firstById.get(hex);
      if (f === undefined) firstById.set(hex, i);
      else if (f >= scopeStart) sameScope.push({ r, first: all[f]! });
      else {
        scan.otherScope.push({ r, first: all[f]!, scope });
        const laterById = isClientId ? laterClientId : laterHw;
        const g = laterById.get(hex);
        if (g !== undefined && g >= scopeStart) sameScope.push({ r, first: all[g]! });
        else laterById.set(hex, i);
      }
    }
  };
  visit('the global reservations', m.globalReservations.length, undefined);
  for (const s of m.subnets) visit(s.text, s.reservations.length, s);
  for (const x of globalSameScope) scan.sameScope.push(x);
}

/** Kea ARM "IPv4 Subnet Identifier": ids must be unique; dnsmasq tags are named after them. */
const uniqueSubnetIds: Rule = (m) => {
  const seen = new Map<number, Subnet>();
  const out: Diagnostic[] = [];
  for (const s of m.subnets) {
    const first = seen.get(s.id);
    if (first) {
      out.push({
        ...diagnostic('DUPLICATE_SUBNET_ID', 'error', { id: s.id, subnet: s.text, other: first.text }, [...s.path, 'id']),
        related: [{ path: [...first.path, 'id'], label: 'first used here' }],
      });
    } else seen.set(s.id, s);
  }
  return out;
};

/** Kea ARM "Configuration of IPv4 Address Pools": a pool must lie inside its subnet. */
const poolsInsideSubnet: Rule = (m) =>
  m.subnets.flatMap((s) =>
    s.pools
      .filter((p) => !inSubnet(p.start, s.network, s.prefixLength) || !inSubnet(p.end, s.network, s.prefixLength))
      .map((p) =>
        diagnostic('POOL_OUTSIDE_SUBNET', 'error', { pool: `${formatIPv4(p.start)}-${formatIPv4(p.end)}`, subnet: s.text }, [...p.path, 'pool']),
      ),
  );

/** Kea rejects overlapping pools in one subnet; dnsmasq ranges would double-book addresses. */
const poolsDisjoint: Rule = (m) =>
  m.subnets.flatMap((s) => {
    const sorted = [...s.pools].sort((a, b) => a.start - b.start);
    const out: Diagnostic[] = [];
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.start <= prev.end) {
        out.push({
          ...diagnostic('POOLS_OVERLAP', 'error', { pool: `${formatIPv4(cur.start)}-${formatIPv4(cur.end)}`, other: `${formatIPv4(prev.start)}-${formatIPv4(prev.end)}` }, [...cur.path, 'pool']),
          related: [{ path: [...prev.path, 'pool'], label: 'overlaps this pool' }],
        });
      }
    }
    return out;
  });

/** Kea ARM "Host Reservations in DHCPv4": a reserved address must lie inside its subnet. */
const reservationsInsideSubnet: Rule = (_m, scan) =>
  scan.outside.map(({ r, subnet }) =>
    diagnostic('RESERVATION_OUTSIDE_SUBNET', 'error', { address: formatIPv4(r.ip!), subnet: subnet.text }, [...r.path, 'ip-address']),
  );

/**
 * dnsmasq refuses to start on two dhcp-host lines with one address ("duplicate dhcp-host IP
 * address"), and Kea rejects it within a subnet unless ip-reservations-unique is false.
 */
const uniqueReservedAddresses: Rule = (_m, scan) => {
  if (!anyRepeats(scan.addresses)) return [];
  const seen = new Map<number, Reservation>();
  const out: Diagnostic[] = [];
  for (const r of scan.all) {
    if (r.ip === undefined) continue;
    const first = seen.get(r.ip);
    if (first) {
      out.push({
        ...diagnostic('DUPLICATE_RESERVED_ADDRESS', 'error', { address: formatIPv4(r.ip) }, [...r.path, 'ip-address']),
        related: [{ path: [...first.path, 'ip-address'], label: 'first reserved here' }],
      });
    } else seen.set(r.ip, r);
  }
  return out;
};

/**
 * Whether any reserved address occurs twice: sorting the addresses as numbers and comparing
 * neighbours is several times cheaper than a Map of 100,000 entries, which is then only built
 * (in reservation order, to name the first of each pair) when there is something to report.
 */
function anyRepeats(addresses: Uint32Array): boolean {
  const sorted = addresses.slice().sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return true;
  return false;
}

/** Kea ARM: one reservation per identifier per subnet (global reservations form their own scope). */
const uniqueIdentifiers: Rule = (_m, scan) =>
  scan.sameScope.map(({ r, first }) => ({
    ...diagnostic('DUPLICATE_IDENTIFIER', 'error', { kind: r.identifier.kind, value: r.identifier.hex }, [...r.path, r.identifier.kind]),
    related: [{ path: [...first.path, first.identifier.kind], label: 'first used here' }],
  }));

/** dnsmasq picks a range by the client's network; overlapping subnets make that choice ambiguous. */
const subnetsDisjoint: Rule = (m) => {
  if (!anySubnetsOverlap(m.subnets)) return [];
  const out: Diagnostic[] = [];
  for (let i = 0; i < m.subnets.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = m.subnets[i]!;
      const b = m.subnets[j]!;
      if (subnetsOverlap(a, b)) {
        out.push({
          ...diagnostic('SUBNETS_OVERLAP', 'error', { subnet: a.text, other: b.text }, [...a.path, 'subnet']),
          related: [{ path: [...b.path, 'subnet'], label: 'overlaps this subnet' }],
        });
      }
    }
  }
  return out;
};

function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  return inSubnet(a.network, b.network, shorter) || inSubnet(b.network, a.network, shorter);
}

/**
 * Whether subnetsDisjoint has anything to report, in O(n log n) rather than comparing every pair
 * (thousands of subnets at a million reservations). Two CIDR blocks either nest or are disjoint,
 * so once sorted by network address, any block that overlaps a later one also overlaps the block
 * right after it: checking neighbours finds an overlap whenever there is one. That holds for
 * networks without host bits (as normalize makes them); for anything else, say "maybe".
 */
function anySubnetsOverlap(subnets: readonly Subnet[]): boolean {
  if (subnets.some((s) => (s.network & netmaskOf(s.prefixLength)) >>> 0 !== s.network)) return true;
  const sorted = [...subnets].sort((a, b) => a.network - b.network);
  for (let i = 1; i < sorted.length; i++) if (subnetsOverlap(sorted[i - 1]!, sorted[i]!)) return true;
  return false;
}

/**
 * dnsmasq's dhcp-host hostname must pass legal_hostname() (letters, digits, '-', '_', dots between
 * labels), and a name that is all digits would be read as a lease time, "ignore"/"infinite" as
 * keywords. Such names are rejected rather than altered.
 */
const legalHostnames: Rule = (_m, scan) => {
  const out: Diagnostic[] = [];
  for (const r of scan.oddHostnames) {
    const problem = hostnameProblem(r.hostname!);
    if (problem) out.push(diagnostic('HOSTNAME_ILLEGAL', 'error', { hostname: r.hostname!, problem }, [...r.path, 'hostname']));
  }
  return out;
};

/** Dot-separated labels of 1 to 63 letters, digits, '-' and '_' (not first), optionally a final dot. */
const PLAIN_HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9_-]{0,62})*\.?$/;
/** A first label dnsmasq would read as a lease time or keyword. */
const LEASE_WORD_FIRST = /^(?:\d+[smhdw]?|ignore|infinite)(?:\.|$)/;

/**
 * One regex test that clears almost every name, where hostnameProblem splits the name and tests
 * each label: true only when hostnameProblem finds nothing (at most 253 characters even with a
 * final dot, every label legal, a first label that is no lease time or keyword).
 */
function plainHostname(name: string): boolean {
  return name.length <= 253 && PLAIN_HOSTNAME.test(name) && !LEASE_WORD_FIRST.test(name);
}

export function hostnameProblem(name: string): string | undefined {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length === 0 || trimmed.length > 253) return 'it must be 1 to 253 characters long';
  const labels = trimmed.split('.');
  for (const l of labels) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(l)) {
      return `the label "${[...l].map((c) => (c < ' ' || c === '\x7f' ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join('')}" may only hold letters, digits, "-" and "_" (not first)`;
    }
  }
  const first = labels[0]!;
  if (/^\d+[smhdw]?$/.test(first) || first === 'ignore' || first === 'infinite') {
    return `dnsmasq would read "${first}" as a lease time or keyword, not a name`;
  }
  return undefined;
}

/** dnsmasq's shortest lease is 120 s (dnsmasq(8), dhcp-range); shorter Kea lifetimes are raised. */
const leaseAtLeastMinimum: Rule = (m) =>
  m.subnets
    .filter((s) => s.lifetimes.valid < 120)
    .map((s) => diagnostic('LEASE_TOO_SHORT', 'warning', { value: s.lifetimes.valid }, s.lifetimes.validPath ?? s.path));

/** An interface name goes into an interface= line: it must be a plain Linux interface name. */
const legalInterfaceNames: Rule = (m) => {
  const names = [
    ...m.interfaces.map((i) => ({ name: i.name, path: i.path })),
    ...m.sharedNetworks.filter((n) => n.interface !== undefined).map((n) => ({ name: n.interface!, path: [...n.path, 'interface'] })),
  ];
  return names
    .filter((n) => n.name !== '*' && !/^[A-Za-z0-9][A-Za-z0-9._@-]{0,14}$/.test(n.name))
    .map((n) => diagnostic('INTERFACE_NAME_ILLEGAL', 'error', { name: n.name }, n.path));
};

/**
 * Class guards (Kea ARM "Limiting Access to IPv4 Subnet/Pool to Certain Classes") and classes
 * assigned by reservations must name classes that converted; otherwise the guard is dropped and
 * every client is served there, which the admin must know.
 */
const classReferences: Rule = (m, scan) => {
  const missing = (names: readonly string[]) => effectiveGuard(m, names).filter((n) => classCondition(m, n) === undefined);
  const out: Diagnostic[] = [];
  for (const s of m.subnets) {
    for (const name of missing(s.clientClasses)) out.push(diagnostic('CLASS_UNKNOWN', 'warning', { name }, s.path));
    for (const p of s.pools) for (const name of missing(p.clientClasses)) out.push(diagnostic('CLASS_UNKNOWN', 'warning', { name }, p.path));
  }
  for (const r of scan.withClasses) {
    for (const name of r.clientClasses) {
      if (classCondition(m, name) === undefined || name === 'UNKNOWN') out.push(diagnostic('CLASS_UNKNOWN', 'warning', { name }, [...r.path, 'client-classes']));
    }
  }
  return out;
};

/**
 * Kea's authoritative flag is not carried over (measured: an authoritative dnsmasq NAKs its
 * peer's clients on every reboot); a changed meaning the admin must know about.
 */
const authoritativeNotCarried: Rule = (m) => {
  const where = m.authoritativePath ?? m.subnets.find((s) => s.authoritative)?.path;
  return where ? [diagnostic('AUTHORITATIVE_NOT_CARRIED', 'warning', {}, where)] : [];
};

/**
 * match-client-id: false becomes dhcp-ignore-clid, which dnsmasq only has globally; a subnet that
 * differs from the global setting cannot be expressed.
 */
const matchClientIdPerSubnet: Rule = (m) =>
  m.subnets
    .filter((s) => s.matchClientId !== m.matchClientId)
    .map((s) => diagnostic('MATCH_CLIENT_ID_PER_SUBNET', 'warning', { subnet: s.text, value: String(s.matchClientId) }, s.path));

/**
 * dnsmasq's dhcp-boot puts its own address in siaddr unless a next server is given (rfc2131.c
 * do_options); Kea leaves siaddr at 0.0.0.0 when next-server is unset or set to 0.0.0.0 (which
 * dhcp-boot cannot say). A boot file without a next server therefore changes siaddr; measured by
 * prove on fixtures/classes.
 */
const hasNextServer = (b: BootFields) => b.nextServer !== undefined && b.nextServer.value !== '0.0.0.0';

/**
 * The subnets whose boot fields each global reservation inherits: the one holding its address, or
 * (without an address) every subnet using global reservations.
 */
function globalReservationScopes(m: Model): (r: Reservation) => readonly Subnet[] {
  const using = m.subnets.filter(usesGlobalReservations);
  return (r) => {
    if (r.ip === undefined) return using;
    const holding = m.subnets.find((s) => inSubnet(r.ip!, s.network, s.prefixLength));
    return holding && usesGlobalReservations(holding) ? [holding] : [];
  };
}

const bootWithoutNextServer: Rule = (m, scan) => {
  const out: Diagnostic[] = [];
  const warn = (file: NonNullable<BootFields['bootFileName']>, fallback: JsonPath) =>
    out.push(diagnostic('BOOT_SIADDR_CHANGED', 'warning', { file: file.value }, file.path ?? fallback));
  // A file several subnets inherit is reported once, at the first subnet sending it without a next server.
  const seen = new Set<string>();
  for (const s of m.subnets) {
    const file = s.boot.bootFileName;
    if (!file || hasNextServer(s.boot)) continue;
    const key = JSON.stringify(file.path);
    if (seen.has(key)) continue;
    seen.add(key);
    warn(file, s.path);
  }
  if (m.subnets.length === 0 && m.boot.bootFileName && !hasNextServer(m.boot)) warn(m.boot.bootFileName, []);
  for (const c of m.classes) if (c.boot.bootFileName && !hasNextServer(c.boot)) warn(c.boot.bootFileName, c.path);
  // Reservations: their own next server, else that of the subnet(s) they inherit from.
  const globalScopes = globalReservationScopes(m);
  for (const { r, subnet } of scan.withBoot) {
    const file = r.boot.bootFileName;
    if (!file || hasNextServer(r.boot)) continue;
    const scopes = subnet ? [subnet] : globalScopes(r);
    if (scopes.some((x) => !hasNextServer(x.boot))) warn(file, r.path);
  }
  return out;
};

/**
 * A server-hostname where no boot-file-name applies: bootLine writes dhcp-boot only with a file,
 * so the name would be lost without a word. Reported once per configured value.
 */
const serverHostnameNeedsFile: Rule = (m, scan) => {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const check = (b: BootFields, fallback: JsonPath) => {
    const name = b.serverHostname;
    if (!name || b.bootFileName) return;
    const key = JSON.stringify(name.path ?? fallback);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(diagnostic('BOOT_SNAME_NOT_CARRIED', 'warning', { name: name.value }, name.path ?? fallback));
  };
  for (const s of m.subnets) check(s.boot, s.path);
  if (m.subnets.length === 0) check(m.boot, []);
  for (const c of m.classes) check(c.boot, c.path);
  const globalScopes = globalReservationScopes(m);
  for (const { r, subnet } of scan.withBoot) {
    if (!r.boot.serverHostname || r.boot.bootFileName) continue;
    // A reservation's own name goes out with the file of the subnet(s) it inherits from, if any.
    const scopes = subnet ? [subnet] : globalScopes(r);
    if (scopes.some((x) => !x.boot.bootFileName)) check(r.boot, r.path);
  }
  return out;
};


export const RULES: readonly Rule[] = [
  uniqueSubnetIds,
  subnetsDisjoint,
  poolsInsideSubnet,
  poolsDisjoint,
  reservationsInsideSubnet,
  uniqueReservedAddresses,
  uniqueIdentifiers,
  legalHostnames,
  leaseAtLeastMinimum,
  legalInterfaceNames,
  classReferences,
  authoritativeNotCarried,
  matchClientIdPerSubnet,
  bootWithoutNextServer,
  serverHostnameNeedsFile,
  ...SAFETY_RULES,
];

export function check(m: Model): Diagnostic[] {
  const scan = scanReservations(m);
  const out: Diagnostic[] = [];
  for (const rule of RULES) for (const d of rule(m, scan)) out.push(d);
  return out;
}
