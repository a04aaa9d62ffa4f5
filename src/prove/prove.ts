/**
 * `prove`: run the real Kea with the original config and the two generated dnsmasq servers in a
 * throwaway lab, replay the same clients against both, and measure failover and failback.
 *
 * Two lab segments (bridges) that never meet: segment k holds Kea and a probe, segment d holds the
 * two dnsmasq servers and a probe. Both segments use the same addresses, so a relayed client looks
 * the same to Kea as to the pair. Every dnsmasq runs in a private mount namespace seeing its tree's
 * etc/ over /etc and a scratch dir on /var/lib/misc (its lease file survives a restart, as on a
 * real server).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../compile.js';
import { LEASE_HOOK_PATHS } from '../emit/lease-hook.js';
import { loadKeaConfig } from '../load/load.js';
import { formatIPv4, inSubnet, parseIPv4 } from '../model/ipv4.js';
import type { Model, ModelClass, ModelOption, Subnet } from '../model/model.js';
import { bytesToHex, findOption, messageType, MessageType, Opt, optionUint32, type DhcpOption, type DhcpPacket } from './dhcp-packet.js';
import { Lab, listNamespaces, readText, which, type Proc } from './lab.js';
import { findServerTrees, labKeaConfig, planLab, type LabPlan, type ServerTree } from './lab-config.js';
import { Probe, serverOf, type ClientSpec, type Reply } from './probe.js';

export interface ProveOptions {
  config: string;
  out: string;
  /** Extra clients: JSON array of { mac, clientId?, relay?, name? }. */
  clientsFile?: string | undefined;
  /** Unknown clients per subnet with a pool. */
  dynamic: number;
  /** Also run the failover/failback measurements (default true). */
  failover?: boolean;
  onProgress?: (text: string) => void;
  /** Write every raw reply as a test vector here (fixtures/packets/). */
  captureDir?: string | undefined;
}

export interface Compared {
  address: string | undefined;
  server?: string | undefined;
  lease: number | undefined;
}

export interface ClientResult {
  name: string;
  kind: 'reserved' | 'dynamic' | 'class' | 'listed';
  mac: string;
  clientId?: string | undefined;
  relay?: string | undefined;
  kea: Compared;
  dnsmasq: Compared & { offers: { server: string; address: string }[] };
  verdict: 'identical' | 'different' | 'unanswered';
  /** Differences that break what convert promised. */
  differences: string[];
  /** Differences convert already reported (changed encodings) and other remarks. */
  notes: string[];
}

export interface RebootFigures {
  reboots: number;
  naks: number;
  changes: number;
  addresses: string[];
}

export interface FailoverResult {
  client: string;
  owner: string;
  address: string;
  bothUp: RebootFigures;
  stopped: string;
  /** Seconds from stopping the owner until the client had an ACK from the other. */
  failoverSeconds: number | undefined;
  failoverAddress: string | undefined;
  failoverServer: string | undefined;
  failoverInSurvivorRange: boolean;
  reservedWithOneDown: { client: string; down: string; address: string | undefined; expected: string; ok: boolean }[];
  /** Failover design: of the new clients, how many got the primary's offer first. */
  primaryFirst: { first: number; total: number } | undefined;
  failback: RebootFigures;
  /** Seconds of lab time this section took. */
  seconds: number;
}

export interface ProveResult {
  ok: boolean;
  config: string;
  out: string;
  mode: 'equal' | 'failover';
  servers: [string, string];
  lab: { ifname: string; kea: string; dnsmasq: [string, string]; relays: string[] };
  keaNotes: string[];
  clients: ClientResult[];
  failover: FailoverResult | undefined;
  /** Everything that makes the run fail, one line each. */
  problems: string[];
  namespacesLeft: string[];
  seconds: number;
}

export class ProveSetupError extends Error {}

/** Why prove cannot run on this machine, or undefined. */
export function proveRequirements(): string | undefined {
  if (process.platform !== 'linux') return `prove needs Linux network namespaces (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'prove needs root (network namespaces, bridges, port 67): run it with sudo';
  const missing = [
    ['kea-dhcp4', 'kea-dhcp4-server'],
    ['dnsmasq', 'dnsmasq-base'],
    ['ip', 'iproute2'],
    ['unshare', 'util-linux'],
  ].filter(([b]) => !which(b!));
  if (missing.length > 0) return `prove needs ${missing.map(([b, p]) => `${b} (package ${p})`).join(', ')}`;
  return undefined;
}

const BASE_PRL = [1, 3, 6, 12, 15, 28, 42, 51, 54, 58, 59, 66, 67, 119];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Planned {
  spec: ClientSpec;
  kind: ClientResult['kind'];
  subnet: Subnet | undefined;
  expected: string | undefined;
}

function macFor(prefix: number, a: number, b: number): string {
  return ['02', '6b', '32', prefix, a, b].map((x) => (typeof x === 'string' ? x : (x & 255).toString(16).padStart(2, '0'))).join(':');
}

function planClients(model: Model, lab: LabPlan, dynamic: number, listed: Listed[], prl: number[]): Planned[] {
  const relayOf = (s: Subnet): string | undefined => lab.relayed.find((r) => r.subnet === s)?.giaddr;
  const out: Planned[] = [];
  let cid = 0;
  model.subnets.forEach((s, si) => {
    for (const r of s.reservations) {
      if (r.ip === undefined) continue;
      const byMac = r.identifier.kind === 'hw-address';
      const mac = byMac ? r.identifier.hex : macFor(0xc1, si, ++cid);
      const label = `${r.identifier.kind} ${r.identifier.hex}${r.hostname ? ` (${r.hostname})` : ''}`;
      out.push({
        spec: { name: `reserved ${label}`, mac, clientId: byMac ? undefined : r.identifier.hex.replace(/:/g, ''), relay: relayOf(s), prl },
        kind: 'reserved',
        subnet: s,
        expected: formatIPv4(r.ip),
      });
    }
    if (s.pools.length === 0) return;
    for (let i = 1; i <= dynamic; i++) {
      out.push({ spec: { name: `dynamic #${i} in ${s.text}`, mac: macFor(0xd0, si, i), relay: relayOf(s), prl }, kind: 'dynamic', subnet: s, expected: undefined });
    }
  });
  // One client for each converted client class whose test a client on the lab link can meet.
  const local = lab.local.find((s) => s.pools.length > 0);
  model.classes.forEach((cls, ci) => {
    const made = local ? classClient(model, cls) : undefined;
    if (!made || !local) return;
    const mac = made.mac ?? macFor(0xcc, 0, ci + 1);
    out.push({ spec: { name: `class "${cls.name}" client`, mac, relay: undefined, prl, options: made.options }, kind: 'class', subnet: local, expected: undefined });
  });
  listed.forEach((c, i) => {
    out.push({ spec: { name: c.name ?? `listed #${i + 1} ${c.mac}`, mac: c.mac.toLowerCase(), clientId: c.clientId, relay: c.relay, prl }, kind: 'listed', subnet: undefined, expected: undefined });
  });
  return out;
}

/**
 * A client that meets `cls`'s test: the first term of its DNF whose positive tests can be met by
 * what a client sends (options, its MAC); member() terms are met through the named class. Tests
 * that only a relay can meet (circuit-id, remote-id) or that need a reservation (KNOWN) are left out.
 */
export function classClient(model: Model, cls: ModelClass, depth = 0): { options: DhcpOption[]; mac: string | undefined } | undefined {
  if (!cls.dnf || depth > 8) return undefined;
  for (const term of cls.dnf) {
    const options = new Map<number, Uint8Array>();
    let mac: string | undefined;
    let ok = true;
    for (const l of term) {
      const a = l.atom;
      if (l.negated) {
        if (a.kind === 'member' && (a.name === 'KNOWN' || a.name === 'ALL')) ok = false;
        continue; // a plain client has none of the features a negated test excludes
      }
      if (a.kind === 'option') options.set(a.code, a.bytes);
      else if (a.kind === 'arch') options.set(93, Uint8Array.of(a.value >> 8, a.value & 255));
      else if (a.kind === 'exists') { if (!options.has(a.code)) options.set(a.code, Uint8Array.of(1)); }
      else if (a.kind === 'mac') mac = [...a.bytes, ...[0x42, 0x43, 0x44, 0x45, 0x46, 0x47].slice(a.bytes.length)].slice(0, Math.max(6, a.bytes.length)).map((b) => b.toString(16).padStart(2, '0')).join(':');
      else if (a.kind === 'const') ok = ok && a.value;
      else if (a.kind === 'member') {
        if (a.name === 'UNKNOWN' || a.name === 'ALL') continue;
        if (a.name.startsWith('VENDOR_CLASS_')) {
          options.set(60, new TextEncoder().encode(a.name.slice('VENDOR_CLASS_'.length)));
          continue;
        }
        const other = model.classes.find((c) => c.name === a.name);
        const sub = other ? classClient(model, other, depth + 1) : undefined;
        if (!sub) ok = false;
        else {
          for (const o of sub.options) if (!options.has(o.code)) options.set(o.code, o.data);
          mac = mac ?? sub.mac;
        }
      } else ok = false; // relay sub-options: only a relay agent sends them
    }
    if (ok) return { options: [...options].sort(([x], [y]) => x - y).map(([code, data]) => ({ code, data })), mac };
  }
  return undefined;
}

interface Outcome {
  offers: Reply[];
  offer: Reply | undefined;
  ack: Reply | undefined;
  nak: Reply | undefined;
}

/** DISCOVER (collect offers from `expect` servers), pick the first offer, REQUEST it. */
async function obtain(probe: Probe, c: ClientSpec, expect: number, offerWaitMs: number): Promise<Outcome> {
  // Like a client, DISCOVER again when too few servers answered (keeping one offer per server).
  const offers: Reply[] = [];
  for (let attempt = 0; attempt < 2 && new Set(offers.map(serverOf)).size < expect; attempt++) {
    const ex = await probe.discover(c, expect, offerWaitMs);
    for (const r of ex.replies) {
      if (messageType(r.packet) === MessageType.OFFER && !offers.some((o) => serverOf(o) === serverOf(r))) offers.push(r);
    }
  }
  const offer = [...offers].sort((a, b) => a.after - b.after)[0];
  if (!offer) return { offers, offer, ack: undefined, nak: undefined };
  const ex = await probe.select(c, offer);
  const mine = ex.replies.filter((r) => serverOf(r) === serverOf(offer));
  return {
    offers,
    offer,
    ack: mine.find((r) => messageType(r.packet) === MessageType.ACK),
    nak: mine.find((r) => messageType(r.packet) === MessageType.NAK),
  };
}

/**
 * A rebooting client (RFC 2131 §3.2, INIT-REBOOT): broadcast a REQUEST for its address, act on the
 * first ACK or NAK; with no answer retry (3 times, 1 s apart), then start over with DISCOVER.
 */
async function reboot(probe: Probe, c: ClientSpec, address: string, offerWaitMs: number): Promise<{ address: string | undefined; naks: number; server: string | undefined }> {
  let naks = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const ex = await probe.initReboot(c, address, 1000, 300);
    const decisive = ex.replies.filter((r) => [MessageType.ACK, MessageType.NAK].includes(messageType(r.packet) as 5 | 6)).sort((a, b) => a.after - b.after);
    naks += decisive.filter((r) => messageType(r.packet) === MessageType.NAK).length;
    const first = decisive[0];
    if (first && messageType(first.packet) === MessageType.ACK) return { address, naks, server: serverOf(first) };
    if (first) break;
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const o = await obtain(probe, c, 1, offerWaitMs);
    if (o.nak) naks++;
    if (o.ack) return { address: o.ack.packet.yiaddr, naks, server: serverOf(o.ack) };
  }
  return { address: undefined, naks, server: undefined };
}

async function rebootSeries(probe: Probe, c: ClientSpec, start: string, n: number, offerWaitMs: number): Promise<RebootFigures> {
  let cur = start;
  const fig: RebootFigures = { reboots: n, naks: 0, changes: 0, addresses: [] };
  for (let i = 0; i < n; i++) {
    const r = await reboot(probe, c, cur, offerWaitMs);
    fig.naks += r.naks;
    if (r.address !== cur) fig.changes++;
    fig.addresses.push(r.address ?? 'none');
    if (r.address) cur = r.address;
  }
  return fig;
}

// ---------------------------------------------------------------------------------------------
// Comparison

function rangeOwner(trees: ServerTree[], addr: number): { tree: ServerTree; lease: number } | undefined {
  for (const t of trees) for (const r of t.ranges) if (addr >= r.start && addr <= r.end) return { tree: t, lease: r.lease };
  return undefined;
}

function subnetOf(model: Model, addr: number): Subnet | undefined {
  return model.subnets.find((s) => inSubnet(addr, s.network, s.prefixLength));
}

function poolOf(s: Subnet | undefined, addr: number): number | undefined {
  return s?.pools.find((p) => addr >= p.start && addr <= p.end)?.index;
}

const hex = (d: Uint8Array | undefined): string => (d ? bytesToHex(d) : 'nothing');
const TIMING = new Set<number>([Opt.MESSAGE_TYPE, Opt.SERVER_ID, Opt.LEASE_TIME, Opt.T1, Opt.T2]);

interface CompareCtx {
  model: Model;
  trees: ServerTree[];
  serverName: (addr: string) => string;
  /** Option codes convert reported as sent with a changed encoding. */
  changedCodes: Set<number>;
  /** convert reported BOOT_SIADDR_CHANGED: a boot file without next-server, so dnsmasq fills siaddr itself. */
  siaddrChanged: boolean;
  /** Option codes convert reported as not converted (OPTION_NOT_CONVERTED): dnsmasq cannot send them. */
  notConvertedCodes: Set<number>;
}

/** Compare one dnsmasq reply with Kea's reply to the same client. */
export function compareReply(p: Planned, kea: DhcpPacket, dm: DhcpPacket, dmServer: string, ctx: CompareCtx, what: string): { differences: string[]; notes: string[] } {
  const differences: string[] = [];
  const notes: string[] = [];
  const ka = parseIPv4(kea.yiaddr)!;
  const da = parseIPv4(dm.yiaddr)!;
  let skipPoolOptions = new Set<number>();
  if (p.kind === 'reserved') {
    if (kea.yiaddr !== dm.yiaddr) differences.push(`${what}: address ${dm.yiaddr} from ${dmServer}, Kea gave ${kea.yiaddr}`);
  } else {
    const ks = subnetOf(ctx.model, ka);
    const ds = subnetOf(ctx.model, da);
    if (ks !== ds) differences.push(`${what}: address ${dm.yiaddr} is in ${ds?.text ?? 'no Kea subnet'}, Kea gave ${kea.yiaddr} in ${ks?.text ?? 'no subnet'}`);
    const owner = rangeOwner(ctx.trees, da);
    if (!owner || owner.tree.name !== dmServer) differences.push(`${what}: ${dmServer} gave ${dm.yiaddr}, outside its own ranges${owner ? ` (it is ${owner.tree.name}'s)` : ''}`);
    const kp = poolOf(ks, ka);
    const dp = poolOf(ds, da);
    if (ds && dp === undefined) differences.push(`${what}: ${dm.yiaddr} is outside every Kea pool of ${ds.text}`);
    if (kp !== dp && ks && ds) {
      // A different pool may carry different options: those are not comparable.
      skipPoolOptions = new Set([...(ks.pools.find((x) => x.index === kp)?.options ?? []), ...(ds.pools.find((x) => x.index === dp)?.options ?? [])].map((o: ModelOption) => o.code));
      notes.push(`${what}: Kea's address is in pool ${kp}, dnsmasq's in pool ${dp}; pool options not compared`);
    }
  }
  for (const [field, a, b] of [
    ['siaddr', kea.siaddr, dm.siaddr],
    ['sname', kea.sname, dm.sname],
    ['file', kea.file, dm.file],
  ] as const) {
    if (a === b) continue;
    const line = `${what}: ${field} ${JSON.stringify(b)} from ${dmServer}, Kea sent ${JSON.stringify(a)}`;
    if (field === 'siaddr' && a === '0.0.0.0' && ctx.siaddrChanged) notes.push(`${line} (reported by convert: a boot file without next-server)`);
    else differences.push(line);
  }
  const klease = optionUint32(kea, Opt.LEASE_TIME);
  const dlease = optionUint32(dm, Opt.LEASE_TIME);
  let expectLease = klease;
  if (p.kind !== 'reserved') {
    const owner = rangeOwner(ctx.trees, da);
    if (owner && owner.lease !== klease) {
      expectLease = owner.lease;
      notes.push(`${what}: lease ${dlease} s from ${dmServer}'s range by design (Kea ${klease} s)`);
    }
  }
  if (dlease !== expectLease) differences.push(`${what}: lease time ${dlease} s from ${dmServer}, expected ${expectLease} s (Kea ${klease} s)`);
  // T1/T2: Kea leaves them out unless configured below the lease; the client then uses 0.5 and
  // 0.875 of the lease, which is what dnsmasq sends (minus a little fuzz on ACKs).
  for (const [code, frac] of [[Opt.T1, 0.5], [Opt.T2, 0.875]] as const) {
    const k = optionUint32(kea, code);
    const d = optionUint32(dm, code);
    if (k !== undefined && dlease === klease) {
      if (d !== k) differences.push(`${what}: option ${code} (T${code - 57}) ${d ?? 'missing'} from ${dmServer}, Kea sent ${k}`);
    } else if (d !== undefined && dlease !== undefined && dlease !== 0xffffffff && d > Math.ceil(dlease * frac)) {
      differences.push(`${what}: option ${code} (T${code - 57}) ${d} from ${dmServer} exceeds ${frac} of its ${dlease} s lease`);
    }
  }
  const seen = new Set<number>();
  for (const o of kea.options) {
    if (TIMING.has(o.code) || skipPoolOptions.has(o.code)) continue;
    seen.add(o.code);
    const d = findOption(dm, o.code)?.data;
    if (d && Buffer.compare(Buffer.from(d), Buffer.from(o.data)) === 0) continue;
    const line = `${what}: option ${o.code} ${d ? `${hex(d)} from ${dmServer}` : `missing from ${dmServer}`}, Kea sent ${hex(o.data)}`;
    if (ctx.changedCodes.has(o.code)) notes.push(`${line} (reported by convert as a changed encoding)`);
    else if (!d && ctx.notConvertedCodes.has(o.code)) notes.push(`${line} (reported by convert as not convertible)`);
    // The migration report says it (CHANGED_MEANING): Kea echoes the client's own identifier, dnsmasq never does.
    else if (o.code === Opt.CLIENT_ID && !d && p.spec.clientId === bytesToHex(o.data)) notes.push(`${line} (reported by convert: Kea echoes the client identifier, RFC 6842; dnsmasq does not)`);
    else differences.push(line);
  }
  for (const o of dm.options) {
    if (TIMING.has(o.code) || seen.has(o.code) || skipPoolOptions.has(o.code)) continue;
    const line = `${what}: option ${o.code} ${hex(o.data)} from ${dmServer}, which Kea did not send`;
    if (ctx.changedCodes.has(o.code)) notes.push(`${line} (reported by convert as a changed encoding)`);
    else differences.push(line);
  }
  return { differences, notes };
}

// ---------------------------------------------------------------------------------------------
// Running servers

interface Dnsmasq {
  tree: ServerTree;
  ns: string;
  address: string;
  misc: string;
  /** Lab-only etc layer above the tree's: the peer's lab address for the lease hook. */
  labEtc: string;
  log: string;
  proc: Proc | undefined;
}

async function startDnsmasq(lab: Lab, d: Dnsmasq): Promise<void> {
  const dnsmasq = which('dnsmasq')!;
  const unshare = which('unshare')!;
  // The tree's etc/ (under the lab's own layer: the peer's lab address) and its scripts directory
  // lie over the namespace's /etc and /usr/local/sbin, read-only; the lease dir is bind-mounted.
  const layers: [string, string][] = [[`${d.labEtc}:${join(d.tree.dir, 'etc')}`, '/etc']];
  if (existsSync(join(d.tree.dir, 'usr', 'local', 'sbin')) && existsSync('/usr/local/sbin')) layers.push([join(d.tree.dir, 'usr', 'local', 'sbin'), '/usr/local/sbin']);
  for (const p of [...layers.flatMap(([l]) => l.split(':')), d.misc]) if (/[:,\\\s]/.test(p)) throw new ProveSetupError(`path unusable in a mount option: ${p}`);
  const mounts = layers.map(([lower, target]) => `mount -t overlay overlay -o 'lowerdir=${lower}:${target}' ${target}; `).join('');
  const script = `set -e; ${mounts}[ -d /var/lib/misc ] || mkdir -p /var/lib/misc; mount --bind "$1" /var/lib/misc; shift; exec "$@"`;
  const before = readText(d.log).length;
  d.proc = lab.spawn(d.ns, [
    unshare, '--mount', '--propagation', 'private', 'sh', '-c', script, 'k2d-dnsmasq', d.misc,
    dnsmasq, '--keep-in-foreground', '--conf-file=/etc/dnsmasq.conf', `--log-facility=${d.log}`, '--log-dhcp', `--pid-file=${d.misc}/../dnsmasq.pid`,
  ]);
  const t0 = Date.now();
  for (;;) {
    await sleep(30);
    const log = readText(d.log).slice(before);
    if (!d.proc.running()) throw new ProveSetupError(`dnsmasq ${d.tree.name} did not start:\n${d.proc.output().trim()}\n${log.trim()}`);
    if (/dnsmasq-dhcp\[\d+\]: DHCP, /.test(log)) return;
    if (Date.now() - t0 > 5000) throw new ProveSetupError(`dnsmasq ${d.tree.name} did not come up within 5 s:\n${log.trim()}`);
  }
}

async function startKea(lab: Lab, ns: string, confPath: string, scratch: string): Promise<Proc> {
  const kea = which('kea-dhcp4')!;
  const proc = lab.spawn(ns, [kea, '-c', confPath], { env: { KEA_PIDFILE_DIR: scratch, KEA_LOCKFILE_DIR: 'none' }, cwd: scratch });
  const log = join(scratch, 'kea.log');
  const t0 = Date.now();
  for (;;) {
    await sleep(50);
    const text = readText(log);
    if (/DHCP4_STARTED/.test(text)) return proc;
    if (!proc.running() || /DHCP4_INIT_FAIL|DHCP4_CONFIG_LOAD_FAIL|FATAL/.test(text) || Date.now() - t0 > 10_000) {
      await proc.stop();
      throw new ProveSetupError(`Kea did not start with the lab copy of the config:\n${(proc.output() + text).trim().split('\n').slice(-12).join('\n')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

export async function prove(opts: ProveOptions): Promise<ProveResult> {
  const t0 = Date.now();
  const o = { ...opts, config: resolve(opts.config), out: resolve(opts.out) };
  const progress = o.onProgress ?? (() => undefined);
  const problems: string[] = [];
  const trees = findServerTrees(o.out);
  if (typeof trees === 'string') throw new ProveSetupError(`${trees}; run kea2dnsmasq convert ${o.config} --out ${o.out} first`);
  const compiled = compile(o.config, DEFAULT_COMPILE_OPTIONS);
  if (!compiled.ok || !compiled.model || !compiled.source) throw new ProveSetupError(`${o.config} does not convert; run kea2dnsmasq convert on it to see why`);
  const model = compiled.model;
  // compile() drops the parsed document after normalizing (memory); Kea in the lab gets it from here.
  const keaDocument = loadKeaConfig(o.config).source?.value;
  if (keaDocument === undefined) throw new ProveSetupError(`${o.config} changed while prove was reading it; run prove again`);
  const mode: ProveResult['mode'] = trees[1]!.replyDelay > 0 ? 'failover' : 'equal';
  const servers: [string, string] = [trees[0]!.name, trees[1]!.name];
  const ifname = trees[0]!.interfaces[0] ?? model.interfaces[0]?.name.split('/')[0] ?? 'eth0';
  const labPlan = planLab(model, ifname);
  if (typeof labPlan === 'string') throw new ProveSetupError(labPlan);
  const listed = o.clientsFile ? readClientsFile(o.clientsFile, labPlan.relayed.map((r) => r.giaddr)) : [];
  const prl = [...new Set([...BASE_PRL, ...allOptionCodes(model)])].filter((c) => c > 0 && c < 255 && c !== 53 && c !== 55).sort((a, b) => a - b);
  const planned = planClients(model, labPlan, o.dynamic, listed, prl);
  const changedCodes = new Set(allOptions(model).filter((x) => x.dnsmasq?.changed).map((x) => x.code));
  const siaddrChanged = compiled.diagnostics.some((d) => d.code === 'BOOT_SIADDR_CHANGED');
  const notConvertedCodes = new Set(allOptions(model).filter((x) => x.space === 'dhcp4' && !x.dnsmasq).map((x) => x.code));

  const lab = await Lab.create();
  let result: ProveResult | undefined;
  try {
    progress('creating the lab');
    const prefix = labPlan.link.prefixLength;
    const relays = labPlan.relayed.map((r) => r.giaddr);
    const keaNs = await lab.addHost('kea', { segment: 'k', ifname, addresses: [`${labPlan.kea}/${prefix}`], onLink: relays });
    const keaCli = await lab.addHost('ck', { segment: 'k', ifname: 'eth0', addresses: [`${labPlan.probe}/${prefix}`, ...relays.map((r) => `${r}/32`)] });
    const dms: Dnsmasq[] = [];
    for (const [i, tree] of trees.entries()) {
      const name = `d${i}`;
      const ns = await lab.addHost(name, { segment: 'd', ifname, addresses: [`${labPlan.dnsmasq[i]}/${prefix}`], onLink: relays });
      const scratch = lab.scratch(name);
      await mkdir(join(scratch, 'misc'), { recursive: true });
      const labEtc = join(scratch, 'etc');
      await mkdir(join(labEtc, 'kea2dnsmasq'), { recursive: true });
      await writeFile(join(labEtc, LEASE_HOOK_PATHS.peer.replace(/^etc\//, '')), `${labPlan.dnsmasq[1 - i]}\n`);
      dms.push({ tree, ns, address: labPlan.dnsmasq[i]!, misc: join(scratch, 'misc'), labEtc, log: join(scratch, 'dnsmasq.log'), proc: undefined });
    }
    const dmCli = await lab.addHost('cd', { segment: 'd', ifname: 'eth0', addresses: [`${labPlan.probe}/${prefix}`, ...relays.map((r) => `${r}/32`)] });
    for (const ns of [keaCli, dmCli]) await lab.exec(ns, ['ip', 'route', 'add', '255.255.255.255/32', 'dev', 'eth0']);

    progress('starting Kea and the two dnsmasq servers');
    const keaScratch = lab.scratch('kea');
    const labKea = labKeaConfig(keaDocument, keaScratch, ifname);
    const keaConf = join(keaScratch, 'kea-dhcp4.json');
    await writeFile(keaConf, JSON.stringify(labKea.config, null, 2));
    const keaProc = await startKea(lab, keaNs, keaConf, keaScratch);
    for (const d of dms) await startDnsmasq(lab, d);
    const keaProbe = await Probe.start(lab, keaCli, [labPlan.kea], relays);
    const dmProbe = await Probe.start(lab, dmCli, dms.map((d) => d.address), relays);
    const serverName = (addr: string): string => dms.find((d) => d.address === addr)?.tree.name ?? addr;
    const offerWait = trees[1]!.replyDelay * 1000 + 1500;
    const ctx: CompareCtx = { model, trees, serverName, changedCodes, siaddrChanged, notConvertedCodes };

    // ---- every client against Kea (all at once) and against the pair (reserved at once, the rest one by one)
    let done = 0;
    const tick = (): void => progress(`clients: ${++done}/${planned.length * 2} exchanges`);
    const keaRuns = Promise.all(planned.map(async (p) => {
      const r = await obtain(keaProbe, p.spec, 1, 3000);
      tick();
      return r;
    }));
    const dmRuns: Outcome[] = new Array<Outcome>(planned.length);
    // Reserved clients at once, unless a server delays its offers (dhcp-reply-delay): with
    // simultaneous clients the delaying server's OFFER once failed to come within the wait.
    const together = trees.every((t) => t.replyDelay === 0);
    await Promise.all(planned.map(async (p, i) => {
      if (p.kind !== 'reserved' || !together) return;
      dmRuns[i] = await obtain(dmProbe, p.spec, 2, offerWait);
      tick();
    }));
    for (const [i, p] of planned.entries()) {
      if (p.kind === 'reserved' && together) continue;
      dmRuns[i] = await obtain(dmProbe, p.spec, 2, offerWait);
      tick();
    }
    const keaOut = await keaRuns;
    if (o.captureDir) {
      await capture(o.captureDir, planned, keaOut, dmRuns, serverName);
      // A NAK from each side: a reserved client rebooting with an address that is not its own.
      const r = planned.find((p) => p.kind === 'reserved' && !p.spec.relay);
      const wrong = keaOut.find((x, i) => planned[i]!.kind === 'dynamic' && x.ack)?.ack?.packet.yiaddr;
      if (r && wrong) {
        for (const [side, probe] of [['kea', keaProbe], ['dnsmasq', dmProbe]] as const) {
          const ex = await probe.initReboot(r.spec, wrong, 1500, 300);
          const nak = ex.replies.find((x) => messageType(x.packet) === MessageType.NAK);
          if (nak) writeFileSync(join(o.captureDir, `${side}-nak-reserved.hex`), `${Buffer.from(nak.raw).toString('hex')}\n`);
        }
      }
    }
    await keaProc.stop();

    const clients: ClientResult[] = planned.map((p, i) => judge(p, keaOut[i]!, dmRuns[i]!, ctx));
    for (const c of clients) if (c.verdict !== 'identical') problems.push(`${c.name}: ${c.verdict}${c.differences.length ? ` — ${c.differences.join('; ')}` : ''}`);
    for (const [i, p] of planned.entries()) {
      const ack = dmRuns[i]!.ack;
      if (p.kind === 'reserved' && ack && p.expected !== ack.packet.yiaddr) problems.push(`${p.spec.name}: dnsmasq gave ${ack.packet.yiaddr}, the reservation says ${p.expected}`);
    }

    // ---- failover and failback
    let failover: FailoverResult | undefined;
    if (o.failover !== false) {
      failover = await measureFailover(lab, dmProbe, dms, planned, prl, labPlan, offerWait, mode, dmRuns, serverName, progress);
      if (failover.bothUp.naks !== 0 || failover.bothUp.changes !== 0) problems.push(`reboots with both servers up: ${failover.bothUp.naks} NAK(s), ${failover.bothUp.changes} address change(s); expected none`);
      if (failover.failoverSeconds === undefined) problems.push(`with ${failover.stopped} stopped, ${failover.client} got no address from the other server`);
      else if (!failover.failoverInSurvivorRange) problems.push(`after failover ${failover.client} got ${failover.failoverAddress}, outside the surviving server's ranges`);
      for (const r of failover.reservedWithOneDown) if (!r.ok) problems.push(`${r.client} with ${r.down} down: got ${r.address ?? 'nothing'}, reserved ${r.expected}`);
      if (failover.primaryFirst && failover.primaryFirst.first < failover.primaryFirst.total) problems.push(`failover design: the primary's offer came first for only ${failover.primaryFirst.first} of ${failover.primaryFirst.total} new clients`);
      // Settled means the returning server stops NAKing after the first reboot (the lease hook's job).
      if (failover.failback.naks > 1) problems.push(`after failback the returning server NAKed ${failover.failback.naks} of ${failover.failback.reboots} reboots; the client has not settled`);
      if (failover.failback.changes > 1) problems.push(`after failback the client changed address ${failover.failback.changes} times in ${failover.failback.reboots} reboots; at most one change is promised`);
    }
    await keaProbe.close();
    await dmProbe.close();
    result = {
      ok: false,
      config: o.config,
      out: o.out,
      mode,
      servers,
      lab: { ifname, kea: labPlan.kea, dnsmasq: labPlan.dnsmasq, relays },
      keaNotes: labKea.notes,
      clients,
      failover,
      problems,
      namespacesLeft: [],
      seconds: 0,
    };
  } finally {
    progress('removing the lab');
    const names = lab.namespaces();
    await lab.destroy().catch((e: unknown) => problems.push(String(e)));
    const left = listNamespaces().filter((n) => names.includes(n));
    if (result) result.namespacesLeft = left;
    if (left.length > 0) problems.push(`namespaces left behind: ${left.join(', ')}`);
  }
  result!.seconds = Math.round((Date.now() - t0) / 100) / 10;
  result!.ok = problems.length === 0;
  return result!;
}

type Listed = { mac: string; clientId?: string; relay?: string; name?: string };

/** --clients FILE: a JSON array of { mac, clientId?, relay?, name? }; relay must be one of the lab's relays. */
export function readClientsFile(path: string, relays: string[]): Listed[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ProveSetupError(`--clients ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new ProveSetupError(`--clients ${path}: expected a JSON array of { "mac": "..", "clientId"?: "..", "relay"?: ".." }`);
  return doc.map((c: unknown, i) => {
    const bad = (why: string): never => {
      throw new ProveSetupError(`--clients ${path}: entry ${i + 1}: ${why}`);
    };
    if (typeof c !== 'object' || c === null) return bad('not an object');
    const { mac, clientId, relay, name } = c as Record<string, unknown>;
    if (typeof mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) return bad('"mac" must look like 02:00:00:00:00:01');
    if (clientId !== undefined && (typeof clientId !== 'string' || !/^([0-9a-f]{2}:?){2,}$/i.test(clientId))) return bad('"clientId" must be hex, e.g. 01020000000001');
    if (relay !== undefined && (typeof relay !== 'string' || !relays.includes(relay))) return bad(`"relay" must be one of the lab's relay addresses (${relays.join(', ') || 'none: every subnet is on the link'})`);
    if (name !== undefined && typeof name !== 'string') return bad('"name" must be a string');
    return { mac: mac.toLowerCase(), ...(clientId ? { clientId: clientId.replace(/:/g, '').toLowerCase() } : {}), ...(relay ? { relay } : {}), ...(name ? { name } : {}) };
  });
}

function allOptions(m: Model): ModelOption[] {
  return [
    ...m.options,
    ...m.sharedNetworks.flatMap((n) => n.options),
    ...m.subnets.flatMap((s) => [...s.options, ...s.pools.flatMap((p) => p.options), ...s.reservations.flatMap((r) => r.options)]),
  ];
}

function allOptionCodes(m: Model): number[] {
  return allOptions(m).filter((o) => o.space === 'dhcp4').map((o) => o.code);
}

function judge(p: Planned, kea: Outcome, dm: Outcome, ctx: CompareCtx): ClientResult {
  const offers = dm.offers.map((r) => ({ server: ctx.serverName(serverOf(r)), address: r.packet.yiaddr }));
  const res: ClientResult = {
    name: p.spec.name,
    kind: p.kind,
    mac: p.spec.mac,
    clientId: p.spec.clientId,
    relay: p.spec.relay,
    kea: { address: kea.ack?.packet.yiaddr, lease: kea.ack ? optionUint32(kea.ack.packet, Opt.LEASE_TIME) : undefined },
    dnsmasq: { address: dm.ack?.packet.yiaddr, server: dm.ack ? ctx.serverName(serverOf(dm.ack)) : undefined, lease: dm.ack ? optionUint32(dm.ack.packet, Opt.LEASE_TIME) : undefined, offers },
    verdict: 'identical',
    differences: [],
    notes: [],
  };
  if (!kea.ack && !dm.ack) {
    res.notes.push('neither Kea nor dnsmasq answered');
    return res;
  }
  if (!kea.ack || !dm.ack) {
    res.verdict = 'unanswered';
    res.differences.push(kea.ack ? `no ACK from the dnsmasq pair${dm.nak ? ' (NAK)' : dm.offers.length ? '' : ' (no offer)'}` : 'Kea did not answer, dnsmasq did');
    return res;
  }
  const add = (r: { differences: string[]; notes: string[] }): void => {
    res.differences.push(...r.differences);
    res.notes.push(...r.notes);
  };
  add(compareReply(p, kea.ack.packet, dm.ack.packet, ctx.serverName(serverOf(dm.ack)), ctx, 'ACK'));
  if (p.kind === 'reserved' && kea.offer) {
    // Either server alone must give a reserved client the same offer.
    for (const off of dm.offers) add(compareReply(p, kea.offer.packet, off.packet, ctx.serverName(serverOf(off)), ctx, `OFFER from ${ctx.serverName(serverOf(off))}`));
    for (const t of ctx.trees) if (!dm.offers.some((r) => ctx.serverName(serverOf(r)) === t.name)) res.differences.push(`no OFFER from ${t.name}`);
  }
  res.differences = [...new Set(res.differences)];
  res.notes = [...new Set(res.notes)];
  if (res.differences.length > 0) res.verdict = 'different';
  return res;
}

async function measureFailover(
  lab: Lab,
  probe: Probe,
  dms: Dnsmasq[],
  planned: Planned[],
  prl: number[],
  labPlan: LabPlan,
  offerWait: number,
  mode: 'equal' | 'failover',
  runs: Outcome[],
  serverName: (a: string) => string,
  progress: (s: string) => void,
): Promise<FailoverResult> {
  const t0 = Date.now();
  const pooled = labPlan.local.find((s) => s.pools.length > 0) ?? labPlan.relayed.find((r) => r.subnet.pools.length > 0)?.subnet;
  const relay = labPlan.relayed.find((r) => r.subnet === pooled)?.giaddr;
  const c: ClientSpec = { name: `failover client in ${pooled?.text ?? 'no pool'}`, mac: macFor(0xfa, 0, 1), relay, prl };
  const fig0: RebootFigures = { reboots: 0, naks: 0, changes: 0, addresses: [] };
  const primaryFirst = mode === 'failover'
    ? (() => {
        const fresh = planned.map((p, i) => ({ p, r: runs[i] })).filter((x) => x.p.kind !== 'reserved' && x.r?.offer);
        return { first: fresh.filter((x) => serverName(serverOf(x.r!.offer!)) === dms[0]!.tree.name).length, total: fresh.length };
      })()
    : undefined;
  progress('failover: a client takes a lease');
  const got = pooled ? await obtain(probe, c, 2, offerWait) : undefined;
  if (!got?.ack) {
    return { client: c.name, owner: '', address: '', bothUp: fig0, stopped: '', failoverSeconds: undefined, failoverAddress: undefined, failoverServer: undefined, failoverInSurvivorRange: false, reservedWithOneDown: [], primaryFirst, failback: fig0, seconds: 0 };
  }
  const address = got.ack.packet.yiaddr;
  const ownerAddr = serverOf(got.ack);
  const owner = dms.find((d) => d.address === ownerAddr) ?? dms[0]!;
  const survivor = dms.find((d) => d !== owner)!;
  progress('failover: 5 reboots with both servers up');
  const bothUp = await rebootSeries(probe, c, address, 5, offerWait);
  const current = bothUp.addresses.at(-1) ?? address;

  progress(`failover: ${owner.tree.name} stopped, waiting for ${survivor.tree.name} to serve`);
  await owner.proc?.stop();
  const tStop = Date.now();
  const r = await reboot(probe, c, current, offerWait);
  const failoverSeconds = r.address ? Math.round((Date.now() - tStop) / 100) / 10 : undefined;
  const fa = r.address ? parseIPv4(r.address)! : -1;
  const failoverInSurvivorRange = survivor.tree.ranges.some((x) => fa >= x.start && fa <= x.end);

  const reservedSample = pickReserved(planned);
  const reservedWithOneDown: FailoverResult['reservedWithOneDown'] = [];
  const checkReserved = async (down: string): Promise<void> => {
    for (const p of reservedSample) {
      const o = await obtain(probe, p.spec, 1, offerWait);
      reservedWithOneDown.push({ client: p.spec.name, down, address: o.ack?.packet.yiaddr, expected: p.expected!, ok: o.ack?.packet.yiaddr === p.expected });
    }
  };
  await checkReserved(owner.tree.name);

  progress(`failback: ${owner.tree.name} restarted with its lease file, 5 reboots`);
  await startDnsmasq(lab, owner);
  const failback = await rebootSeries(probe, c, r.address ?? current, 5, offerWait);

  progress(`failback: ${survivor.tree.name} stopped for the reserved clients`);
  await survivor.proc?.stop();
  await checkReserved(survivor.tree.name);
  await startDnsmasq(lab, survivor);
  return {
    client: c.name,
    owner: owner.tree.name,
    address,
    bothUp,
    stopped: owner.tree.name,
    failoverSeconds,
    failoverAddress: r.address,
    failoverServer: r.server ? serverName(r.server) : undefined,
    failoverInSurvivorRange,
    reservedWithOneDown,
    primaryFirst,
    failback,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
}

/** One reserved client on the link and one behind a relay, when there are such. */
function pickReserved(planned: Planned[]): Planned[] {
  const r = planned.filter((p) => p.kind === 'reserved');
  return [r.find((p) => !p.spec.relay), r.find((p) => p.spec.relay)].filter((p): p is Planned => p !== undefined);
}

async function capture(dir: string, planned: Planned[], kea: Outcome[], dm: Outcome[], serverName: (a: string) => string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const write = (name: string, r: Reply | undefined): void => {
    if (!r || existsSync(join(dir, name))) return;
    writeFileSync(join(dir, name), `${Buffer.from(r.raw).toString('hex')}\n`);
  };
  for (const [i, p] of planned.entries()) {
    const tag = `${p.kind}${p.spec.relay ? '-relayed' : ''}${p.spec.clientId ? '-clientid' : ''}`;
    write(`kea-offer-${tag}.hex`, kea[i]?.offer);
    write(`kea-ack-${tag}.hex`, kea[i]?.ack);
    for (const off of dm[i]?.offers ?? []) write(`dnsmasq-${serverName(serverOf(off))}-offer-${tag}.hex`, off);
    write(`dnsmasq-ack-${tag}.hex`, dm[i]?.ack);
  }
}
