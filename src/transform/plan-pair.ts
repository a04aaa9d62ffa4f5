/**
 * Pure transforms that decide the server pair: which design (equal / failover), the two server
 * names, where global reservations land, and how each Kea pool is split across the servers.
 * Nothing here reads the clock, the environment or the disk.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { HaConfig, Model, Pool, Reservation, Subnet } from '../model/model.js';
import { INFINITE_LIFETIME } from '../model/model.js';
import { dnsmasqUsableCount, formatIPv4, inSubnet } from '../model/ipv4.js';
import { usesGlobalReservations } from '../normalize/normalize.js';

export type Mode = 'equal' | 'failover';

export interface PairOptions {
  mode: Mode | undefined;
  servers: [string, string] | undefined;
  /** Failover server's share of each pool, 0 < share < 1. */
  failoverShare: number;
  /** Failover server's lease time in seconds. */
  failoverLease: number;
}

export interface Range {
  start: number;
  end: number;
  /** Addresses dnsmasq will really hand out from it. */
  usable: number;
  lease: number;
}

export interface PoolSplit {
  subnet: Subnet;
  pool: Pool;
  /** Index 0 = first server (the configuration master), 1 = second. */
  ranges: [Range | undefined, Range | undefined];
  /** Why the split is what it is (for the report). */
  how: string;
}

export interface PairPlan {
  mode: Mode;
  modeSource: 'flag' | 'ha-hook' | 'default';
  servers: [string, string];
  splits: PoolSplit[];
  /** Reservations that apply everywhere (global ones without an address). */
  floatingReservations: Reservation[];
}

/** dnsmasq's minimum lease time (dnsmasq(8), dhcp-range). */
export const DNSMASQ_MIN_LEASE = 120;

export function planPair(m: Model, opts: PairOptions): { model: Model; plan: PairPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const { mode, source } = chooseMode(m.ha, opts, diagnostics);
  const servers = chooseServers(m.ha, opts, mode);
  const placed = placeGlobalReservations(m, diagnostics);
  const splits = placed.model.subnets.flatMap((s) =>
    alternatesWholePools(s, mode)
      ? s.pools.map((p, i) => wholePool(s, p, i % 2 === 0 ? 0 : 1, `whole pool to ${servers[i % 2]} (the subnet's pools are equal in size and alternate)`))
      : s.pools.map((p) => splitPool(s, p, mode, servers, m.ha, opts, diagnostics)),
  );
  return {
    model: placed.model,
    plan: { mode, modeSource: source, servers, splits, floatingReservations: placed.floating },
    diagnostics,
  };
}

function chooseMode(ha: HaConfig | undefined, opts: PairOptions, out: Diagnostic[]): { mode: Mode; source: PairPlan['modeSource'] } {
  if (opts.mode) return { mode: opts.mode, source: 'flag' };
  if (!ha) return { mode: 'equal', source: 'default' };
  if (ha.mode === 'load-balancing') return { mode: 'equal', source: 'ha-hook' };
  if (ha.mode === 'passive-backup') out.push(diagnostic('HA_PASSIVE_BACKUP', 'note', {}, [...ha.path, 'mode']));
  return { mode: 'failover', source: 'ha-hook' };
}

function chooseServers(ha: HaConfig | undefined, opts: PairOptions, mode: Mode): [string, string] {
  if (opts.servers) return opts.servers;
  if (ha) {
    const byRole = (role: string) => ha.peers.find((p) => p.role === role)?.name;
    const first = byRole('primary') ?? ha.peers[0]?.name;
    const second =
      (ha.mode === 'load-balancing' ? byRole('secondary') : ha.mode === 'hot-standby' ? byRole('standby') : byRole('backup')) ??
      ha.peers.find((p) => p.name !== first)?.name;
    if (first && second && first !== second) return [first, second];
  }
  return mode === 'failover' ? ['primary', 'failover'] : ['primary', 'secondary'];
}

/**
 * Kea uses a global reservation in a subnet where reservations-global is on; its address must lie
 * in that subnet. dnsmasq applies a dhcp-host to the subnet holding its address, so the
 * reservation is placed there. Without an address it applies wherever the client shows up.
 */
function placeGlobalReservations(m: Model, out: Diagnostic[]): { model: Model; floating: Reservation[] } {
  const extra = new Map<Subnet, Reservation[]>();
  const floating: Reservation[] = [];
  const using = m.subnets.filter(usesGlobalReservations);
  const notUsing = m.subnets.filter((s) => !usesGlobalReservations(s));
  const names = (list: Subnet[]) => list.slice(0, 5).map((s) => s.text).join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
  for (const r of m.globalReservations) {
    if (r.ip === undefined) {
      floating.push(r);
      const id = { kind: r.identifier.kind, value: r.identifier.hex };
      // An address-less dhcp-host (and its tags) is not scoped to subnets: it applies everywhere.
      if (notUsing.length > 0) out.push(diagnostic('GLOBAL_RESERVATION_EVERYWHERE', 'warning', { ...id, subnets: names(notUsing) }, r.path));
      // groupHostBoot fills the boot fields it leaves unset from the global ones; Kea from the subnet's.
      const own = r.boot;
      if (own.bootFileName || own.serverHostname || own.nextServer) {
        const differs = using.filter(
          (s) =>
            (!own.bootFileName && s.boot.bootFileName?.value !== m.boot.bootFileName?.value) ||
            (!own.serverHostname && s.boot.serverHostname?.value !== m.boot.serverHostname?.value) ||
            (!own.nextServer && s.boot.nextServer?.value !== m.boot.nextServer?.value),
        );
        if (differs.length > 0) out.push(diagnostic('GLOBAL_RESERVATION_BOOT_SCOPE', 'warning', { ...id, subnets: names(differs) }, r.path));
      }
      continue;
    }
    const target = m.subnets.find((s) => inSubnet(r.ip!, s.network, s.prefixLength));
    if (!target || !usesGlobalReservations(target)) {
      out.push(
        diagnostic('GLOBAL_RESERVATION_UNUSED', 'warning', { address: formatIPv4(r.ip), subnet: target?.text ?? 'none' }, [...r.path, 'ip-address']),
      );
      continue;
    }
    extra.set(target, [...(extra.get(target) ?? []), r]);
  }
  const subnets = m.subnets.map((s) => {
    const add = extra.get(s);
    return add ? { ...s, reservations: [...s.reservations, ...add] } : s;
  });
  return { model: { ...m, subnets }, floating };
}

/**
 * The article's own layout: a subnet whose pools come in an even number of equal sizes (scope A,
 * scope B) is split by giving whole pools to the servers in turn, rather than halving each pool.
 */
function alternatesWholePools(s: Subnet, mode: Mode): boolean {
  if (mode !== 'equal' || s.pools.length < 2 || s.pools.length % 2 !== 0) return false;
  // Pools guarded by classes serve different clients: each server needs a part of every one.
  if (s.pools.some((p) => p.clientClasses.length > 0)) return false;
  const size = (p: Pool) => p.end - p.start + 1;
  return s.pools.every((p) => size(p) === size(s.pools[0]!));
}

function wholePool(s: Subnet, p: Pool, idx: 0 | 1, how: string): PoolSplit {
  const ranges: [Range | undefined, Range | undefined] = [undefined, undefined];
  ranges[idx] = range(s, p.start, p.end, s.lifetimes.valid);
  return { subnet: s, pool: p, ranges, how };
}

function range(s: Subnet, start: number, end: number, lease: number): Range {
  return { start, end, usable: dnsmasqUsableCount(start, end, s.network, s.prefixLength), lease };
}

function splitPool(
  s: Subnet,
  p: Pool,
  mode: Mode,
  servers: [string, string],
  ha: HaConfig | undefined,
  opts: PairOptions,
  out: Diagnostic[],
): PoolSplit {
  const lease = s.lifetimes.valid;
  const n = p.end - p.start + 1;
  // Kea's HA layout guards each pool with HA_<server>; in load-balancing each server owns its pool.
  const haOwner = ha ? p.clientClasses.find((c) => c.startsWith('HA_'))?.slice(3) : undefined;
  if (haOwner !== undefined && mode === 'equal' && servers.includes(haOwner)) {
    return wholePool(s, p, servers.indexOf(haOwner) === 0 ? 0 : 1, `whole pool to ${haOwner} (Kea HA scope HA_${haOwner})`);
  }
  if (n < 2) {
    out.push(diagnostic('POOL_TOO_SMALL_TO_SPLIT', 'warning', { pool: formatIPv4(p.start), server: servers[0] }, [...p.path, 'pool']));
    return { subnet: s, pool: p, ranges: [range(s, p.start, p.end, lease), undefined], how: `one address: all to ${servers[0]}` };
  }
  if (mode === 'equal') {
    const firstSize = Math.ceil(n / 2);
    return {
      subnet: s,
      pool: p,
      ranges: [range(s, p.start, p.start + firstSize - 1, lease), range(s, p.start + firstSize, p.end, lease)],
      how: 'split in two equal halves',
    };
  }
  const failSize = Math.min(n - 1, Math.max(1, Math.round(n * opts.failoverShare)));
  const failLease = lease === INFINITE_LIFETIME ? opts.failoverLease : Math.min(lease, opts.failoverLease);
  return {
    subnet: s,
    pool: p,
    ranges: [range(s, p.start, p.end - failSize, lease), range(s, p.end - failSize + 1, p.end, Math.max(DNSMASQ_MIN_LEASE, failLease))],
    how: `${Math.round(opts.failoverShare * 100)}% to the failover server, with a ${failLease}s lease`,
  };
}
