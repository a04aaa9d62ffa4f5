/**
 * Property tests (fast-check), bounded so the suite stays fast; each prints how many cases ran.
 *
 * 1. Random valid Kea configs (subnets in 198.18.0.0/15 and 203.0.113.0/24, pools, reservations by
 *    MAC and client-id, options at global, shared-network, subnet, pool and reservation level):
 *    the output passes the real `dnsmasq --test` (a few cases) and, read back as dnsmasq reads it
 *    (every case): the two servers' ranges are disjoint and inside Kea's pools; every reservation
 *    is on each server exactly once with its address; and the options dnsmasq sends each reserved
 *    host — worked out from the generated tags, tag-if lines and option lines the way dnsmasq 2.90
 *    picks them (rfc2131.c, dhcp-common.c option_filter and run_tag_if) — are exactly the options
 *    Kea's precedence gives it (reservation > pool > subnet > shared network > global).
 *    Also global reservations (Dhcp4.reservations, with or without an address; reservations-global
 *    and reservations-in-subnet globally and per subnet: reservations Kea ignores are on neither
 *    server) and boot fields (next-server / server-hostname / boot-file-name globally, per shared
 *    network, subnet and reservation): the BOOTP header dnsmasq fills (find_boot: the dhcp-boot
 *    read last among those whose tags all match, else the last untagged; siaddr from it, else
 *    from option:server-ip-address) equals Kea's (reservation > subnet > network > global),
 *    except siaddr where BOOT_SIADDR_CHANGED warns. Known converter gaps: see KNOWN_GAPS.
 * 2. Random mutations of the bundled fixtures (byte flips, deletions, truncations): a located
 *    diagnostic or a safe output, never an exception.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileResult } from '../src/compile.js';
import type { PlannedFile } from '../src/emit/dnsmasq.js';
import type { LoadHost } from '../src/load/load.js';
import type { Model, ModelOption, Reservation } from '../src/model/model.js';
import { inSubnet } from '../src/model/ipv4.js';
import { dnsmasqOptionBytes } from '../src/options/dnsmasq-value.js';
import { opttabByName } from '../src/options/dnsmasq-opttab.js';
import { dnsmasqTestSkip } from './support/dnsmasq-test.js';
import { readDnsmasqFile, splitTags } from './support/dnsmasq-readback.js';
import { compileText, expectDnsmasqAccepts, expectSafeOutput } from './support/hostile.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const skipReal = dnsmasqTestSkip();

// ---------------------------------------------------------------------------------------------
// A model of what dnsmasq sends a reserved host, from the generated files of one server

const ip = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const hexBytes = (h: string) => h.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16));

interface OptLine {
  tags: string[];
  code: number;
  /** undefined: the line means "do not send" (or dnsmasq cannot send it as written). */
  hex: string | undefined;
}

interface ServerView {
  ranges: { filters: string[]; set: string | undefined; start: number; end: number; static: boolean; mask: number }[];
  tagIfs: { conds: string[]; sets: string[] }[];
  macTags: { tag: string; mac: string }[];
  cidTags: { tag: string; prefix: number[] }[];
  /** In the order dnsmasq reads them (conf-dir files by name, then the options directory). */
  options: OptLine[];
  /** dhcp-boot lines in the order dnsmasq reads them. */
  boots: BootLine[];
  /** dhcp-no-override is set (sname/file always go in the BOOTP header, never as options 66/67). */
  noOverride: boolean;
  hosts: string[][];
}

interface BootLine {
  tags: string[];
  file: string | undefined;
  sname: string | undefined;
  /** Dotted quad, or undefined (dnsmasq then leaves its own address in siaddr). */
  next: string | undefined;
}

/** What a reserved host finds in the BOOTP header: 'self' is the answering server's own address. */
interface BootHeader {
  siaddr: string;
  sname: string;
  file: string;
}

function optLine(rawArg: string, l: { args: string[]; plainStart: boolean[] }): OptLine | undefined {
  const { tags, rest } = splitTags(l);
  const token = rest[0] ?? '';
  const code = /^\d+$/.test(token) ? Number(token) : token.startsWith('option:') ? opttabByName(token.slice(7))?.code : undefined;
  if (code === undefined) return undefined;
  // option:server-ip-address (255) is no option: dnsmasq keeps it to set siaddr (rfc2131.c do_options).
  if (code === 255) return { tags, code, hex: rest[1] };
  const b = dnsmasqOptionBytes(rawArg, '');
  return { tags, code, hex: b.ok ? Buffer.from(b.bytes).toString('hex') : undefined };
}

function viewServer(files: readonly PlannedFile[], server: string): ServerView {
  const v: ServerView = { ranges: [], tagIfs: [], macTags: [], cidTags: [], options: [], boots: [], noOverride: false, hosts: [] };
  const under = (dir: string) =>
    files.filter((f) => f.path.startsWith(`${server}/${dir}/`) && !f.path.slice(server.length + dir.length + 2).includes('/')).sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const f of under('etc/dnsmasq.d').filter((x) => x.path.endsWith('.conf'))) {
    for (const l of readDnsmasqFile(f.contents)) {
      const { tags, sets, rest } = splitTags(l);
      if (l.key === 'dhcp-range') {
        const isStatic = rest[1] === 'static';
        v.ranges.push({ filters: tags, set: sets[0], start: ip(rest[0]!), end: isStatic ? ip(rest[0]!) : ip(rest[1]!), static: isStatic, mask: ip(rest[2]!) });
      } else if (l.key === 'tag-if') {
        v.tagIfs.push({ conds: l.args.filter((a) => a.startsWith('tag:')).map((a) => a.slice(4)), sets: l.args.filter((a) => a.startsWith('set:')).map((a) => a.slice(4)) });
      } else if (l.key === 'dhcp-mac') {
        v.macTags.push({ tag: sets[0]!, mac: rest[0]! });
      } else if (l.key === 'dhcp-match' && rest[0] === '61') {
        v.cidTags.push({ tag: sets[0]!, prefix: hexBytes(rest[1]!) });
      } else if (l.key === 'dhcp-option' || l.key === 'dhcp-option-force') {
        const o = optLine(l.rawArg, l);
        if (o) v.options.push(o);
      } else if (l.key === 'dhcp-boot') {
        // option.c 'M': file[,sname[,next server]]; opt_string_alloc makes an empty field NULL.
        const nonEmpty = (x: string | undefined) => (x === undefined || x === '' ? undefined : x);
        expect(rest[2] === undefined || /^\d+\.\d+\.\d+\.\d+$/.test(rest[2]), `dhcp-boot next server ${rest[2]}`).toBe(true);
        v.boots.push({ tags, file: nonEmpty(rest[0]), sname: nonEmpty(rest[1]), next: nonEmpty(rest[2]) });
      } else if (l.key === 'dhcp-no-override') {
        v.noOverride = true;
      }
    }
  }
  for (const f of under('etc/dnsmasq.reservations.d/options')) {
    for (const l of readDnsmasqFile(f.contents, true)) {
      const o = optLine(l.rawArg, l);
      if (o) v.options.push(o);
    }
  }
  for (const f of under('etc/dnsmasq.reservations.d/hosts')) for (const l of readDnsmasqFile(f.contents, true)) v.hosts.push(l.args);
  return v;
}

/** run_tag_if (dhcp-common.c): one pass over the tag-if lines in order. */
function runTagIf(v: ServerView, start: Iterable<string>): Set<string> {
  const tags = new Set(start);
  for (const t of v.tagIfs) {
    if (t.conds.every((c) => (c.startsWith('!') ? !tags.has(c.slice(1)) : tags.has(c)))) for (const s of t.sets) tags.add(s);
  }
  return tags;
}

const identifierOf = (r: Reservation) => (r.identifier.kind === 'client-id' ? `id:${r.identifier.hex}` : r.identifier.hex);

/**
 * What dnsmasq sends this reserved host, per option code (rfc2131.c dhcp_reply + do_options,
 * dhcp-common.c option_filter): tags are the host's own (dhcp-mac / dhcp-match 61 on a prefix of
 * the client id, "known") and the range's set: tag; options valid with the host's own tags (after
 * tag-if) win over those valid only with the range tag, which win over untagged ones; within a
 * tier the line read last wins.
 */
function sentTo(v: ServerView, r: Reservation, address: number): { chosen: Map<number, string | undefined>; tags: Set<string> } {
  const own = new Set<string>(['known']);
  if (r.identifier.kind === 'hw-address') for (const m of v.macTags) if (m.mac === r.identifier.hex) own.add(m.tag);
  const cid = hexBytes(r.identifier.hex);
  if (r.identifier.kind === 'client-id') {
    for (const m of v.cidTags) if (m.prefix.length <= cid.length && m.prefix.every((b, i) => b === cid[i])) own.add(m.tag);
  }
  // narrow_context: the range holding the address, else a static range on its network.
  const usable = v.ranges.filter((x) => x.filters.every((f) => own.has(f)));
  const context =
    usable.find((x) => !x.static && address >= x.start && address <= x.end) ??
    usable.find((x) => x.static && ((address & x.mask) >>> 0) === ((x.start & x.mask) >>> 0));
  const t1 = runTagIf(v, own);
  const t2 = runTagIf(v, [...own, ...(context?.set ? [context.set] : [])]);
  const daemonOrder = [...v.options].reverse();
  const chosen = new Map<number, string | undefined>();
  for (const tier of [
    (o: OptLine) => o.tags.length > 0 && o.tags.every((t) => t1.has(t)),
    (o: OptLine) => o.tags.length > 0 && o.tags.every((t) => t2.has(t)),
    (o: OptLine) => o.tags.length === 0,
  ]) {
    for (const o of daemonOrder) if (!chosen.has(o.code) && tier(o)) chosen.set(o.code, o.hex);
  }
  return { chosen, tags: t2 };
}

/**
 * The BOOTP header dnsmasq fills (rfc2131.c do_options, find_boot; option.c 'M'): siaddr starts
 * as the server's own address; dhcp-boot lines are kept newest first (option.c prepends each), and
 * find_boot takes the first whose tags all match the full tag set (host, range and tag-if tags, no
 * tiers), else the first untagged one. With a dhcp-boot: its sname and file, and its next server
 * if given. Without: siaddr from option:server-ip-address as option_filter picks it (the tiers
 * above); file and sname from options 67/66, which the generated files never set.
 */
function bootTo(v: ServerView, tags: Set<string>, chosen: Map<number, string | undefined>): BootHeader {
  const newestFirst = [...v.boots].reverse();
  const boot = newestFirst.find((b) => b.tags.length > 0 && b.tags.every((t) => tags.has(t))) ?? newestFirst.find((b) => b.tags.length === 0);
  if (boot) return { siaddr: boot.next ?? 'self', sname: boot.sname ?? '', file: boot.file ?? '' };
  return { siaddr: chosen.get(255) ?? 'self', sname: '', file: '' };
}

/** Kea's answer: reservation > pool > subnet > shared network > global; in one list the last entry wins. */
function keaOptions(m: Model, r: Reservation, address: number): Map<number, string> {
  const out = new Map<number, string>();
  const put = (opts: readonly ModelOption[]) => opts.forEach((o) => out.set(o.code, o.wireHex));
  const subnet = m.subnets.find((s) => inSubnet(address, s.network, s.prefixLength))!;
  put(m.options);
  put(m.sharedNetworks.find((n) => n.name === subnet.sharedNetwork)?.options ?? []);
  put(subnet.options);
  put(subnet.pools.find((p) => address >= p.start && address <= p.end)?.options ?? []);
  put(r.options);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The generator

const CATALOG: { name: string; code: number; data: fc.Arbitrary<string> }[] = [
  { name: 'routers', code: 3, data: fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`) },
  { name: 'domain-name-servers', code: 6, data: fc.array(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 2 }).map((a) => a.map((n) => `198.51.100.${n}`).join(', ')) },
  { name: 'ntp-servers', code: 42, data: fc.integer({ min: 1, max: 254 }).map((n) => `203.0.113.${n}`) },
  { name: 'domain-name', code: 15, data: fc.constantFrom('example.org', 'lan', 'a.example.net') },
  { name: 'interface-mtu', code: 26, data: fc.integer({ min: 576, max: 9000 }).map(String) },
  { name: 'time-offset', code: 2, data: fc.integer({ min: -43200, max: 43200 }).map(String) },
  { name: 'root-path', code: 17, data: fc.string({ unit: fc.constantFrom(...'ab #"=ü-'), maxLength: 10 }).map((s) => `p${s}`) },
];
const CODES = new Set(CATALOG.map((c) => c.code));
const LEAKS = new Set(['RESERVATION_TAG_LEAK', 'CLIENT_ID_PREFIX']);

const optionArb = fc.oneof(...CATALOG.map((c) => c.data.map((data) => ({ name: c.name, data }))));
const optionsArb = fc.uniqueArray(optionArb, { maxLength: 3, selector: (o) => o.name });

/** Client ids from a tiny alphabet, so that one is often a prefix of another. */
const clientIdArb = fc.array(fc.constantFrom('00', '01', 'aa', 'ff'), { minLength: 2, maxLength: 6 }).map((a) => ['01', ...a].join(':'));

/**
 * Differences the converter reports instead of converting, which the generator leaves out because
 * the oracle does not model them (K2D_PROP_KNOWN_GAPS=1 generates them, to see them differ).
 * test/boot-global-diagnostics.test.ts checks that each is reported:
 * - server-hostname where no boot-file-name applies (BOOT_SNAME_NOT_CARRIED): bootLine writes
 *   dhcp-boot only with a file, so dnsmasq sends an empty sname. Left out by giving
 *   server-hostname only to a level that also sets boot-file-name.
 * - A global reservation without an address where some subnet does not use global reservations
 *   (GLOBAL_RESERVATION_EVERYWHERE): the address-less dhcp-host and its tags apply in every
 *   subnet. Left out by generating address-less global reservations only when every subnet uses
 *   them.
 * - An address-less global reservation's unset boot fields come from the global level, not from
 *   the client's subnet (GLOBAL_RESERVATION_BOOT_SCOPE). Left out by giving address-less
 *   reservations boot fields only when no subnet or network sets any.
 * (next-server "0.0.0.0" on a scope, global reservations with a file and no next-server, and a
 * file several subnets inherit were gaps too; BOOT_SIADDR_CHANGED now covers them, and the
 * generator makes them.)
 */
const KNOWN_GAPS = process.env.K2D_PROP_KNOWN_GAPS === '1';

/**
 * Boot fields (next-server, server-hostname, boot-file-name), absent half the time. "0.0.0.0" is
 * Kea's "no next server": on a reservation it means unset; on a subnet, network or globally it is
 * a value that overrides the level above (Kea's Subnet4ConfigParser sets it unless it is "").
 */
const bootArb = fc.option(
  fc.record({
    nextServer: fc.constantFrom(undefined, undefined, '192.0.2.7', '192.0.2.9', '0.0.0.0'),
    serverHostname: fc.constantFrom(undefined, undefined, 'tftp1', 'boot.example.org'),
    bootFileName: fc.constantFrom(undefined, undefined, 'pxelinux.0', 'efi/a b.efi'),
  }).map((b) => (KNOWN_GAPS || b.bootFileName !== undefined ? b : { ...b, serverHostname: undefined })),
  { freq: 2, nil: undefined },
);
const hostBootArb = bootArb;
type Boot = NonNullable<typeof bootArb extends fc.Arbitrary<infer T> ? T : never>;

/** reservations-global / reservations-in-subnet: mostly unset (Kea's defaults: false / true). */
const flagArb = fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.boolean(), weight: 2 });

const reservationArb = fc.record({
  host: fc.integer({ min: 1, max: 254 }),
  byClientId: fc.boolean(),
  clientId: clientIdArb,
  hostname: fc.boolean(),
  options: optionsArb,
  boot: hostBootArb,
});

/**
 * Dhcp4.reservations: `subnet` picks the subnet holding the address (modulo the subnet count), or
 * -1 for none (the reservation applies wherever the client shows up). Client ids start 01:ab, an
 * octet the subnet reservations' alphabet lacks, so no identifier is both global and in a subnet.
 */
const globalReservationArb = fc.record({
  subnet: fc.integer({ min: -1, max: 3 }),
  host: fc.integer({ min: 1, max: 254 }),
  byClientId: fc.boolean(),
  clientId: clientIdArb.map((id) => `01:ab${id.slice(2)}`),
  hostname: fc.boolean(),
  options: optionsArb,
  boot: hostBootArb,
});

const subnetArb = fc.record({
  block: fc.integer({ min: 0, max: 512 }),
  net: fc.constantFrom(undefined, 'A', 'B'),
  cuts: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { maxLength: 6 }),
  poolOptions: fc.array(optionsArb, { minLength: 3, maxLength: 3 }),
  options: optionsArb,
  reservations: fc.array(reservationArb, { maxLength: 5 }),
  boot: bootArb,
  global: flagArb,
  inSubnet: flagArb,
});

const configArb = fc.record({
  mode: fc.constantFrom('equal', 'failover'),
  options: optionsArb,
  netOptions: fc.record({ A: optionsArb, B: optionsArb }),
  boot: bootArb,
  netBoot: fc.record({ A: bootArb, B: bootArb }),
  global: flagArb,
  inSubnet: flagArb,
  reservations: fc.array(globalReservationArb, { maxLength: 3 }),
  subnets: fc.uniqueArray(subnetArb, { minLength: 1, maxLength: 4, selector: (s) => s.block }),
});

type Config = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

const bootKeys = (b: Boot | undefined) =>
  b === undefined
    ? {}
    : {
        ...(b.nextServer !== undefined ? { 'next-server': b.nextServer } : {}),
        ...(b.serverHostname !== undefined ? { 'server-hostname': b.serverHostname } : {}),
        ...(b.bootFileName !== undefined ? { 'boot-file-name': b.bootFileName } : {}),
      };

/** A reservation as generated: what Kea does with it, worked out from the config, not the model. */
interface GenHost {
  /** As on a dhcp-host line: `id:01:..` or the MAC. */
  id: string;
  ip: string | undefined;
  global: boolean;
  boot: Boot | undefined;
}

interface GenSubnet {
  base: string;
  /** Kea's reservation flags here: subnet > global > defaults (false / true). */
  global: boolean;
  inSubnet: boolean;
  /** Boot fields from the most specific level first: subnet, shared network, global. */
  bootChain: (Boot | undefined)[];
  hosts: GenHost[];
}

interface GenCase {
  text: string;
  subnets: GenSubnet[];
  /** Reservations Kea never uses: in a subnet with reservations-in-subnet off, global ones where no subnet uses them. */
  unused: GenHost[];
  floating: GenHost[];
}

/**
 * Kea's BOOTP header for a client in `s` (Dhcpv4Srv::setFixedFields): the subnet's fields as
 * inherited (a level that sets next-server, even to 0.0.0.0, decides siaddr), then the host's
 * where set (a host's 0.0.0.0 or "" is unset).
 */
function keaBoot(s: GenSubnet, host: GenHost | undefined): BootHeader {
  const inherited = (f: keyof Boot) => s.bootChain.find((b) => b?.[f] !== undefined)?.[f];
  const own = host?.boot;
  return {
    siaddr: (own?.nextServer !== undefined && own.nextServer !== '0.0.0.0' ? own.nextServer : inherited('nextServer')) ?? '0.0.0.0',
    sname: own?.serverHostname ?? inherited('serverHostname') ?? '',
    file: own?.bootFileName ?? inherited('bootFileName') ?? '',
  };
}

/** See KNOWN_GAPS: an address-less global reservation gets boot fields only when no subnet or network sets any. */
function noScopedBootForFloating(c: Config): Config {
  if (KNOWN_GAPS) return c;
  const scoped = c.subnets.some((s) => s.boot !== undefined) || c.subnets.some((s) => s.net !== undefined && c.netBoot[s.net] !== undefined);
  const reservations = c.reservations.map((r) => (r.subnet < 0 && scoped ? { ...r, boot: undefined } : r));
  return { ...c, reservations };
}

function keaConfig(c0: Config): GenCase {
  const c = noScopedBootForFloating(c0);
  const gen: GenSubnet[] = [];
  const unused: GenHost[] = [];
  const subnets = c.subnets.map((s, i) => {
    const base = s.block === 512 ? '203.0.113' : `198.${18 + (s.block >> 8)}.${s.block & 255}`;
    const cuts = [...s.cuts].sort((a, b) => a - b);
    const pools = [];
    for (let k = 0; k + 1 < cuts.length; k += 2) {
      pools.push({ pool: `${base}.${cuts[k]} - ${base}.${cuts[k + 1]}`, ...(s.poolOptions[k / 2]!.length ? { 'option-data': s.poolOptions[k / 2] } : {}) });
    }
    const seenHost = new Set<number>();
    const seenId = new Set<string>();
    const g: GenSubnet = {
      base,
      global: s.global ?? c.global ?? false,
      inSubnet: s.inSubnet ?? c.inSubnet ?? true,
      bootChain: [s.boot, s.net ? c.netBoot[s.net] : undefined, c.boot],
      hosts: [],
    };
    gen.push(g);
    const reservations = s.reservations.flatMap((r, j) => {
      const id = r.byClientId ? r.clientId : `02:00:00:${(i + 1).toString(16).padStart(2, '0')}:00:${j.toString(16).padStart(2, '0')}`;
      if (seenHost.has(r.host) || seenId.has(id)) return [];
      seenHost.add(r.host);
      seenId.add(id);
      (g.inSubnet ? g.hosts : unused).push({ id: r.byClientId ? `id:${id}` : id, ip: `${base}.${r.host}`, global: false, boot: r.boot });
      return [
        {
          [r.byClientId ? 'client-id' : 'hw-address']: id,
          'ip-address': `${base}.${r.host}`,
          ...(r.hostname ? { hostname: `h${i + 1}-${j}` } : {}),
          ...(r.options.length ? { 'option-data': r.options } : {}),
          ...bootKeys(r.boot),
        },
      ];
    });
    return {
      net: s.net,
      seenHost,
      subnet: {
        id: i + 1,
        subnet: `${base}.0/24`,
        ...(pools.length ? { pools } : {}),
        ...(s.options.length ? { 'option-data': s.options } : {}),
        ...(reservations.length ? { reservations } : {}),
        ...bootKeys(s.boot),
        ...(s.global !== undefined ? { 'reservations-global': s.global } : {}),
        ...(s.inSubnet !== undefined ? { 'reservations-in-subnet': s.inSubnet } : {}),
      },
    };
  });
  // Global reservations: unique identifiers, and addresses not reserved in the subnet too.
  const seenGlobalId = new Set<string>();
  const floating: GenHost[] = [];
  const globals = c.reservations.flatMap((r, j) => {
    const id = r.byClientId ? r.clientId : `02:00:00:ff:00:${j.toString(16).padStart(2, '0')}`;
    const k = r.subnet < 0 ? -1 : r.subnet % subnets.length;
    if (k < 0 && !KNOWN_GAPS && !gen.every((s) => s.global)) return [];
    if (seenGlobalId.has(id) || (k >= 0 && subnets[k]!.seenHost.has(r.host))) return [];
    seenGlobalId.add(id);
    if (k >= 0) subnets[k]!.seenHost.add(r.host);
    const host: GenHost = { id: r.byClientId ? `id:${id}` : id, ip: k >= 0 ? `${gen[k]!.base}.${r.host}` : undefined, global: true, boot: r.boot };
    if (k < 0) floating.push(host);
    else if (gen[k]!.global) gen[k]!.hosts.push(host);
    else unused.push(host);
    return [
      {
        [r.byClientId ? 'client-id' : 'hw-address']: id,
        ...(host.ip ? { 'ip-address': host.ip } : {}),
        ...(r.hostname ? { hostname: `g${j}` } : {}),
        ...(r.options.length ? { 'option-data': r.options } : {}),
        ...bootKeys(r.boot),
      },
    ];
  });
  const nets = (['A', 'B'] as const)
    .filter((n) => subnets.some((s) => s.net === n))
    .map((n) => ({
      name: `net ${n}`,
      ...(c.netOptions[n].length ? { 'option-data': c.netOptions[n] } : {}),
      ...bootKeys(c.netBoot[n]),
      subnet4: subnets.filter((s) => s.net === n).map((s) => s.subnet),
    }));
  const text = JSON.stringify(
    {
      Dhcp4: {
        ...(c.options.length ? { 'option-data': c.options } : {}),
        ...bootKeys(c.boot),
        ...(c.global !== undefined ? { 'reservations-global': c.global } : {}),
        ...(c.inSubnet !== undefined ? { 'reservations-in-subnet': c.inSubnet } : {}),
        ...(globals.length ? { reservations: globals } : {}),
        subnet4: subnets.filter((s) => s.net === undefined).map((s) => s.subnet),
        ...(nets.length ? { 'shared-networks': nets } : {}),
      },
    },
    null,
    2,
  );
  // Without reservations-global anywhere, Kea uses no global reservation at all.
  const anyGlobal = gen.some((s) => s.global);
  return { text, subnets: gen, unused: anyGlobal ? unused : [...unused, ...floating], floating: anyGlobal ? floating : [] };
}

// ---------------------------------------------------------------------------------------------

describe('property: random valid Kea configs convert to a server pair that keeps Kea\'s meaning', () => {
  it('ranges disjoint and inside the pools, each reservation once per server with its address and exactly its Kea options', () => {
    let runs = 0;
    let realChecks = 0;
    let hostsChecked = 0;
    let refusedLeaks = 0;
    let globalsChecked = 0;
    let floatingChecked = 0;
    let unusedChecked = 0;
    let bootsChecked = 0;
    let siaddrWarnings = 0;
    fc.assert(
      fc.property(configArb, (c) => {
        runs++;
        const g = keaConfig(c);
        const text = g.text;
        const r: CompileResult = compileText(text, { mode: c.mode as 'equal' | 'failover' });
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        // Kea-valid, but dnsmasq's tags would carry options beyond the reservation's scope
        // (src/check/safety.ts): refused, pointing at both reservations.
        if (errors.length > 0 && errors.every((d) => LEAKS.has(d.code))) {
          refusedLeaks++;
          for (const d of errors) expect(d.at?.line).toBeGreaterThan(0);
          expect(r.files).toEqual([]);
          return;
        }
        expect(errors, text).toEqual([]);
        expect(r.ok).toBe(true);
        const m = r.model!;
        const servers = r.plan!.servers;
        for (const s of servers) expectSafeOutput(r.files.filter((f) => f.path.startsWith(`${s}/`)));
        const views = servers.map((s) => viewServer(r.files, s));
        // Kea puts sname/file in the BOOTP header; dnsmasq does too only with dhcp-no-override.
        for (const v of views) if (v.boots.length > 0) expect(v.noOverride, text).toBe(true);
        /** dnsmasq's siaddr may differ from Kea's 0.0.0.0 only where BOOT_SIADDR_CHANGED says so. */
        const siaddrWarned = (file: string) =>
          r.diagnostics.some((d) => d.code === 'BOOT_SIADDR_CHANGED' && d.severity === 'warning' && d.args.file === file && (d.at?.line ?? 0) > 0);
        const expectBoot = (got: BootHeader, want: BootHeader, what: string) => {
          if (want.file !== '' || want.sname !== '' || want.siaddr !== '0.0.0.0') bootsChecked++;
          if (got.siaddr === 'self' && want.siaddr === '0.0.0.0' && got.file === want.file && got.sname === want.sname && siaddrWarned(want.file)) {
            siaddrWarnings++;
            return;
          }
          expect(got, `${what}: BOOTP header (siaddr/sname/file)\n${text}`).toEqual(want);
        };

        // Ranges: inside a Kea pool of their subnet, and no address in two ranges.
        const all = views.flatMap((v) => v.ranges.filter((x) => !x.static));
        for (const x of all) {
          expect(m.subnets.some((s) => s.pools.some((p) => x.start >= p.start && x.end <= p.end)), text).toBe(true);
        }
        const sorted = [...all].sort((a, b) => a.start - b.start);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start, text).toBeGreaterThan(sorted[i - 1]!.end);

        // Reservations Kea ignores are on neither server.
        for (const h of g.unused) {
          unusedChecked++;
          // By identifier and address: a client id may be reserved in a subnet that uses it too.
          const same = (l: string[]) => l[0] === h.id && (h.ip === undefined || (l[1] !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(l[1]) && ip(l[1]) === ip(h.ip)));
          views.forEach((v, k) => expect(v.hosts.filter(same).length, `${servers[k]}: unused reservation ${h.id}\n${text}`).toBe(0));
        }

        // Reservations with an address (in a subnet, or global ones placed in the subnet holding
        // it): once per server, with the address; the options and the boot fields Kea would give.
        g.subnets.forEach((gs, i) => {
          const s = m.subnets.find((x) => x.id === i + 1)!;
          for (const h of gs.hosts) {
            hostsChecked++;
            if (h.global) globalsChecked++;
            const address = ip(h.ip!);
            const matches = s.reservations.filter((x) => identifierOf(x) === h.id && x.ip === address);
            expect(matches.length, `model: ${h.id} at ${h.ip}\n${text}`).toBe(1);
            const res = matches[0]!;
            const kea = keaOptions(m, res, address);
            views.forEach((v, k) => {
              const lines = v.hosts.filter((l) => l[0] === h.id && l[1] !== undefined && ip(l[1]) === address);
              expect(lines.length, `${servers[k]}: ${h.id}`).toBe(1);
              const { chosen, tags } = sentTo(v, res, address);
              for (const code of CODES) {
                expect(chosen.get(code), `${servers[k]}: option ${code} for ${h.id} at ${s.text}\n${text}`).toBe(kea.get(code));
              }
              expectBoot(bootTo(v, tags, chosen), keaBoot(gs, h), `${servers[k]}: ${h.id} at ${h.ip}`);
            });
          }
        });

        // Global reservations without an address: one address-less line per server; in each
        // subnet, a client getting an address from this server's range there gets what Kea gives:
        // the reservation's options and boot fields where the subnet uses global reservations,
        // the subnet's alone where it does not.
        for (const h of g.floating) {
          const matches = r.plan!.floatingReservations.filter((x) => identifierOf(x) === h.id);
          expect(matches.length, `model: floating ${h.id}\n${text}`).toBe(1);
          const res = matches[0]!;
          views.forEach((v, k) => {
            expect(v.hosts.filter((l) => l[0] === h.id && !l.slice(1).some((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a))).length, `${servers[k]}: floating ${h.id}`).toBe(1);
          });
          g.subnets.forEach((gs, i) => {
            const s = m.subnets.find((x) => x.id === i + 1)!;
            views.forEach((v, k) => {
              const range = v.ranges.find((x) => !x.static && inSubnet(x.start, s.network, s.prefixLength));
              if (!range) return;
              floatingChecked++;
              const address = range.start;
              const kea = keaOptions(m, gs.global ? res : { ...res, options: [] }, address);
              const { chosen, tags } = sentTo(v, res, address);
              for (const code of CODES) {
                expect(chosen.get(code), `${servers[k]}: option ${code} for floating ${h.id} in ${s.text} (reservations-global ${gs.global})\n${text}`).toBe(kea.get(code));
              }
              expectBoot(bootTo(v, tags, chosen), keaBoot(gs, gs.global ? h : undefined), `${servers[k]}: floating ${h.id} in ${s.text} (reservations-global ${gs.global})`);
            });
          });
        }
        if (realChecks < 4 && !skipReal) {
          realChecks++;
          expectDnsmasqAccepts(r);
        }
      }),
      { numRuns: 200, seed: Number(process.env.K2D_SEED ?? 20261204) },
    );
    console.log(
      `property (random configs): ${runs} configs, ${hostsChecked} reservations checked on both servers (${globalsChecked} global ones placed in their subnet), ` +
        `${floatingChecked} address-less global reservation x subnet x server checks, ${unusedChecked} reservations Kea ignores checked absent, ` +
        `${bootsChecked} BOOTP headers with boot fields compared (${siaddrWarnings} siaddr differences covered by BOOT_SIADDR_CHANGED), ` +
        `${realChecks} through the real dnsmasq --test, ${refusedLeaks} refused (reservation tags out of scope)`,
    );
    expect(runs - refusedLeaks).toBeGreaterThan(runs / 2);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------

describe('property: random byte mutations of the fixtures never throw', () => {
  const fixtures = readdirSync(FIXTURES)
    .filter((d) => existsSync(join(FIXTURES, d, 'kea-dhcp4.conf')))
    .map((d) => join(FIXTURES, d, 'kea-dhcp4.conf'));

  const structural = [...'{}[]",:#/*<?\n\\-9x '].map((c) => c.charCodeAt(0));
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), to: fc.oneof(fc.constantFrom(...structural, 0), fc.integer({ min: 0, max: 255 })) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  /** Mutate the file's bytes (so invalid UTF-8 and NUL bytes occur too). */
  const apply = (bytes: Buffer, ms: { kind: string; at: number; to?: number; length?: number }[]) =>
    ms.reduce((b, mu) => {
      const at = b.length === 0 ? 0 : mu.at % b.length;
      if (mu.kind === 'flip') {
        const c = Buffer.from(b);
        if (c.length > 0) c[at] = mu.to!;
        return c;
      }
      if (mu.kind === 'delete') return Buffer.concat([b.subarray(0, at), b.subarray(at + mu.length!)]);
      return b.subarray(0, at);
    }, bytes);

  it('each mutant gives located error diagnostics and no files, or a safe output', () => {
    let runs = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 3 }), (file, ms) => {
        runs++;
        const bytes = apply(readFileSync(file), ms);
        const text = bytes.toString('utf8');
        const host: LoadHost = { readFile: (p) => (p === file ? bytes : readFileSync(p)) };
        let r: CompileResult;
        try {
          r = compile(file, DEFAULT_COMPILE_OPTIONS, host);
        } catch (e) {
          throw new Error(`compile threw on a mutant of ${file}: ${(e as Error).stack}\n--- text:\n${text}`);
        }
        if (!r.ok) {
          refused++;
          expect(r.files).toEqual([]);
          const errors = r.diagnostics.filter((d) => d.severity === 'error');
          expect(errors.length).toBeGreaterThan(0);
          for (const d of errors) expect(d.at?.line, `${d.code} unlocated`).toBeGreaterThan(0);
        } else {
          expectSafeOutput(r.files);
        }
      }),
      { numRuns: 400, seed: Number(process.env.K2D_SEED ?? 20261204) },
    );
    console.log(`property (mutated fixtures): ${runs} mutants of ${fixtures.length} fixtures, ${refused} refused with located diagnostics, ${runs - refused} converted safely`);
  }, 120_000);
});
