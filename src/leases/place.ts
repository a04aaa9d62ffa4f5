/**
 * Where each live Kea lease goes after the cutover, and each server's dnsmasq lease file.
 *
 * Neither server is dhcp-authoritative, and measured with dnsmasq 2.90 a non-authoritative server
 * stays silent on an INIT-REBOOT request for an address it holds no lease for (rfc2131.c: "if
 * (!lease && !option_bool(OPT_AUTHORITATIVE)) return 0"). So a rebooting client keeps its address
 * when the server whose range holds that address has its lease, and the other server never NAKs
 * it. A reserved host's lease goes to both servers (both serve its reservation), so whichever
 * answers ACKs it. Everything else is listed as "will renumber", with the reason.
 *
 * Pure: `now` and the leases are given.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Model, Reservation, Subnet } from '../model/model.js';
import { broadcastOf, formatIPv4, inSubnet } from '../model/ipv4.js';
import type { PairPlan } from '../transform/plan-pair.js';
import { INFINITE, type KeaLease } from './kea-csv.js';

export interface Renumbered {
  lease: KeaLease;
  reason: string;
}

export interface SubnetLeaseUse {
  subnetId: number;
  /** Active leases of clients without a reservation here (they need a dynamic address). */
  dynamicClients: number;
  /** Active leases of reserved hosts (on their reserved address). */
  reservedClients: number;
  /** Addresses each server can hand out alone, in server order. */
  alone: [number, number];
}

export interface LeasePlacement {
  /** Leases written into each server's lease file, in server order, by address. */
  perServer: [KeaLease[], KeaLease[]];
  /** Dynamic leases only (no reserved hosts), per server: the clients that server's peer should let it answer first. */
  dynamicOn: [KeaLease[], KeaLease[]];
  /** Leases of reserved hosts (written to both servers). */
  reservedOnBoth: number;
  renumber: Renumbered[];
  subnets: SubnetLeaseUse[];
  diagnostics: Diagnostic[];
}

const classC = (a: number) => a >= 0xc0000000 && a <= 0xdfffffff;

/** dnsmasq never hands out .0/.255 in 192.0.0.0-223.255.255.255, nor the network or broadcast address (see dnsmasqUsableCount). */
function dnsmasqWouldUse(a: number, s: Subnet): boolean {
  if (a === s.network || a === broadcastOf(s.network, s.prefixLength)) return false;
  return !(classC(a) && ((a & 255) === 0 || (a & 255) === 255));
}

const idKey = (kind: 'hw' | 'id', hex: string) => `${kind}:${hex}`;
const reservationKey = (r: Reservation) => idKey(r.identifier.kind === 'hw-address' ? 'hw' : 'id', r.identifier.hex);
const holds = (r: Reservation, l: KeaLease) =>
  r.identifier.kind === 'hw-address' ? l.hwaddr !== '' && r.identifier.hex === l.hwaddr : l.clientId !== '' && r.identifier.hex === l.clientId;

export function placeLeases(m: Model, plan: PairPlan, leases: readonly KeaLease[]): LeasePlacement {
  const perServer: [KeaLease[], KeaLease[]] = [[], []];
  const dynamicOn: [KeaLease[], KeaLease[]] = [[], []];
  const renumber: Renumbered[] = [];
  const diagnostics: Diagnostic[] = [];
  let reservedOnBoth = 0;
  const use = new Map<number, SubnetLeaseUse>();
  for (const s of m.subnets) {
    const splits = plan.splits.filter((sp) => sp.subnet.id === s.id);
    use.set(s.id, {
      subnetId: s.id,
      dynamicClients: 0,
      reservedClients: 0,
      alone: [splits.reduce((n, sp) => n + (sp.ranges[0]?.usable ?? 0), 0), splits.reduce((n, sp) => n + (sp.ranges[1]?.usable ?? 0), 0)],
    });
  }
  const index = new Map<Subnet, { byAddr: Map<number, Reservation>; byClient: Map<string, Reservation> }>();
  for (const s of m.subnets) {
    const byAddr = new Map<number, Reservation>();
    const byClient = new Map<string, Reservation>();
    for (const r of s.reservations) {
      if (r.ip !== undefined) byAddr.set(r.ip, r);
      byClient.set(reservationKey(r), r);
    }
    index.set(s, { byAddr, byClient });
  }

  for (const l of leases) {
    const s = m.subnets.find((x) => inSubnet(l.address, x.network, x.prefixLength));
    if (!s) {
      renumber.push({ lease: l, reason: 'no subnet holds this address any more' });
      continue;
    }
    const u = use.get(s.id)!;
    if (l.hwaddr === '') {
      u.dynamicClients++;
      renumber.push({ lease: l, reason: 'the Kea lease has no hardware address, which a dnsmasq lease needs' });
      continue;
    }
    const { byAddr, byClient } = index.get(s)!;
    const reservedHere = byAddr.get(l.address);
    if (reservedHere) {
      if (holds(reservedHere, l)) {
        u.reservedClients++;
        reservedOnBoth++;
        perServer[0].push(l);
        perServer[1].push(l);
      } else {
        u.dynamicClients++;
        renumber.push({ lease: l, reason: `${formatIPv4(l.address)} is reserved for another client (${reservationKey(reservedHere)})` });
      }
      continue;
    }
    const own = (l.hwaddr ? byClient.get(idKey('hw', l.hwaddr)) : undefined) ?? (l.clientId ? byClient.get(idKey('id', l.clientId)) : undefined);
    if (own?.ip !== undefined) {
      u.reservedClients++;
      renumber.push({ lease: l, reason: `the client has a reservation for ${formatIPv4(own.ip)} and moves there` });
      continue;
    }
    u.dynamicClients++;
    const split = plan.splits.find((sp) => sp.subnet.id === s.id && sp.ranges.some((r) => r && l.address >= r.start && l.address <= r.end));
    const idx = split ? split.ranges.findIndex((r) => r !== undefined && l.address >= r.start && l.address <= r.end) : -1;
    if (idx < 0) {
      renumber.push({ lease: l, reason: 'the address is in neither server\'s dynamic range' });
    } else if (!dnsmasqWouldUse(l.address, s)) {
      renumber.push({ lease: l, reason: 'dnsmasq never hands out this address (.0, .255, network or broadcast)' });
    } else {
      perServer[idx as 0 | 1].push(l);
      dynamicOn[idx as 0 | 1].push(l);
    }
  }

  // Capacity: in equal mode each server must carry every dynamic client when the other is down;
  // in failover mode the primary must.
  const mustCarry: (0 | 1)[] = plan.mode === 'equal' ? [0, 1] : [0];
  for (const s of m.subnets) {
    const u = use.get(s.id)!;
    for (const i of mustCarry) {
      if (u.dynamicClients > u.alone[i]) {
        diagnostics.push(
          diagnostic('LEASE_CAPACITY_SHORT', 'warning', { subnet: s.text, server: plan.servers[i], clients: u.dynamicClients, capacity: u.alone[i], mode: plan.mode }, [...s.path, 'subnet']),
        );
      }
    }
  }
  if (renumber.length > 0) {
    diagnostics.push(diagnostic('LEASES_WILL_RENUMBER', 'warning', { count: renumber.length }));
  }
  return { perServer, dynamicOn, reservedOnBoth, renumber, subnets: [...use.values()], diagnostics };
}

/** dnsmasq's legal_hostname(): letters, digits, '-' and '_' (not first); the lease file holds the unqualified name. */
export function leaseHostname(kea: string): string {
  const first = kea.replace(/\.$/, '').split('.')[0] ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(first) ? first : '*';
}

/**
 * A dnsmasq lease file (src/lease.c, lease_update_file): one line per lease,
 * `<expiry> <mac> <ip> <hostname|*> <client-id|*>`, expiry in epoch seconds, 0 for infinite.
 * `matchClientId` false (Kea match-client-id: false) writes no client-id, so dnsmasq matches by MAC.
 */
export function renderDnsmasqLeases(leases: readonly KeaLease[], matchClientId: (l: KeaLease) => boolean): string {
  return leases
    .map((l) => `${l.validLifetime === INFINITE ? 0 : l.expire} ${l.hwaddr} ${formatIPv4(l.address)} ${leaseHostname(l.hostname)} ${l.clientId && matchClientId(l) ? l.clientId : '*'}\n`)
    .join('');
}

/**
 * dnsmasq conf lines for the clients whose lease went to the peer: this server tags them by MAC
 * (dhcp-mac) and answers their DISCOVER only after `delay` seconds (dhcp-reply-delay=tag:..), so
 * the peer's offer of the old address arrives first and the client keeps it; with the peer down,
 * this server still answers, a little later. A rebooting client's INIT-REBOOT REQUEST is not
 * delayed (dnsmasq delays only offers), and this server stays silent on it (no lease here).
 * Measured with dnsmasq 2.90 in test/leases-network.test.ts (busybox udhcpc -r sends a DISCOVER).
 */
export function renderLeasesElsewhere(onPeer: readonly KeaLease[], tag: string, delay: number | undefined, header: string[]): string {
  const out = [...header.map((h) => `# ${h}`), ''];
  if (onPeer.length === 0 || delay === undefined) {
    out.push(onPeer.length === 0 ? '# No migrated client holds its lease on the other server.' : '# This server already answers every DISCOVER late (dhcp-reply-delay in 30-scope.conf).');
    return `${out.join('\n')}\n`;
  }
  out.push(`dhcp-reply-delay=tag:${tag},${delay}`);
  const macs = [...new Set(onPeer.map((l) => l.hwaddr))].sort();
  for (const mac of macs) out.push(`dhcp-mac=set:${tag},${mac}`);
  return `${out.join('\n')}\n`;
}
