/**
 * Semantic checks over the model: small named rules, each protecting one thing Kea or dnsmasq
 * relies on. They only read the model and return diagnostics.
 */
import { diagnostic, type Diagnostic, type JsonPath } from '../diagnostics/diagnostic.js';
import type { BootFields, Model, Reservation, Subnet } from '../model/model.js';
import { formatIPv4, inSubnet } from '../model/ipv4.js';
import { classCondition, effectiveGuard } from '../model/class-names.js';
import { SAFETY_RULES } from './safety.js';

type Rule = (m: Model) => Diagnostic[];

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
const reservationsInsideSubnet: Rule = (m) =>
  m.subnets.flatMap((s) =>
    s.reservations
      .filter((r) => r.ip !== undefined && !inSubnet(r.ip, s.network, s.prefixLength))
      .map((r) => diagnostic('RESERVATION_OUTSIDE_SUBNET', 'error', { address: formatIPv4(r.ip!), subnet: s.text }, [...r.path, 'ip-address'])),
  );

/**
 * dnsmasq refuses to start on two dhcp-host lines with one address ("duplicate dhcp-host IP
 * address"), and Kea rejects it within a subnet unless ip-reservations-unique is false.
 */
const uniqueReservedAddresses: Rule = (m) => {
  const seen = new Map<number, Reservation>();
  const out: Diagnostic[] = [];
  for (const r of allReservations(m)) {
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

/** Kea ARM: one reservation per identifier per subnet (global reservations form their own scope). */
const uniqueIdentifiers: Rule = (m) => {
  const out: Diagnostic[] = [];
  const scopes: Reservation[][] = [...m.subnets.map((s) => s.reservations), m.globalReservations];
  for (const list of scopes) {
    const seen = new Map<string, Reservation>();
    for (const r of list) {
      const key = `${r.identifier.kind}=${r.identifier.hex}`;
      const first = seen.get(key);
      if (first) {
        out.push({
          ...diagnostic('DUPLICATE_IDENTIFIER', 'error', { kind: r.identifier.kind, value: r.identifier.hex }, [...r.path, r.identifier.kind]),
          related: [{ path: [...first.path, first.identifier.kind], label: 'first used here' }],
        });
      } else seen.set(key, r);
    }
  }
  return out;
};

/** dnsmasq picks a range by the client's network; overlapping subnets make that choice ambiguous. */
const subnetsDisjoint: Rule = (m) => {
  const out: Diagnostic[] = [];
  for (let i = 0; i < m.subnets.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = m.subnets[i]!;
      const b = m.subnets[j]!;
      const shorter = Math.min(a.prefixLength, b.prefixLength);
      if (inSubnet(a.network, b.network, shorter) || inSubnet(b.network, a.network, shorter)) {
        out.push({
          ...diagnostic('SUBNETS_OVERLAP', 'error', { subnet: a.text, other: b.text }, [...a.path, 'subnet']),
          related: [{ path: [...b.path, 'subnet'], label: 'overlaps this subnet' }],
        });
      }
    }
  }
  return out;
};

/**
 * dnsmasq's dhcp-host hostname must pass legal_hostname() (letters, digits, '-', '_', dots between
 * labels), and a name that is all digits would be read as a lease time, "ignore"/"infinite" as
 * keywords. Such names are rejected rather than altered.
 */
const legalHostnames: Rule = (m) =>
  allReservations(m)
    .filter((r) => r.hostname !== undefined)
    .flatMap((r) => {
      const problem = hostnameProblem(r.hostname!);
      return problem ? [diagnostic('HOSTNAME_ILLEGAL', 'error', { hostname: r.hostname!, problem }, [...r.path, 'hostname'])] : [];
    });

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
const classReferences: Rule = (m) => {
  const missing = (names: readonly string[]) => effectiveGuard(m, names).filter((n) => classCondition(m, n) === undefined);
  const out: Diagnostic[] = [];
  for (const s of m.subnets) {
    for (const name of missing(s.clientClasses)) out.push(diagnostic('CLASS_UNKNOWN', 'warning', { name }, s.path));
    for (const p of s.pools) for (const name of missing(p.clientClasses)) out.push(diagnostic('CLASS_UNKNOWN', 'warning', { name }, p.path));
  }
  for (const r of allReservations(m)) {
    for (const name of r.clientClasses.filter((n) => classCondition(m, n) === undefined || n === 'UNKNOWN')) {
      out.push(diagnostic('CLASS_UNKNOWN', 'warning', { name }, [...r.path, 'client-classes']));
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
 * do_options); Kea leaves siaddr at 0.0.0.0 when next-server is unset. A boot file without a
 * next server therefore changes siaddr; measured by prove on fixtures/classes.
 */
const bootWithoutNextServer: Rule = (m) => {
  const out: Diagnostic[] = [];
  const at = (b: BootFields, fallback: JsonPath) => {
    if (b.bootFileName && !b.nextServer) out.push(diagnostic('BOOT_SIADDR_CHANGED', 'warning', { file: b.bootFileName.value }, b.bootFileName.path ?? fallback));
  };
  const seen = new Set<string>();
  for (const s of m.subnets) {
    const key = JSON.stringify(s.boot.bootFileName?.path);
    if (s.boot.bootFileName && !seen.has(key)) {
      seen.add(key);
      at(s.boot, s.path);
    }
  }
  if (m.subnets.length === 0) at(m.boot, []);
  for (const c of m.classes) at(c.boot, c.path);
  for (const s of m.subnets) for (const r of s.reservations) at({ ...r.boot, nextServer: r.boot.nextServer ?? s.boot.nextServer }, r.path);
  return out;
};

export function allReservations(m: Model): Reservation[] {
  return [...m.globalReservations, ...m.subnets.flatMap((s) => s.reservations)];
}

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
  ...SAFETY_RULES,
];

export function check(m: Model): Diagnostic[] {
  return RULES.flatMap((rule) => rule(m));
}
