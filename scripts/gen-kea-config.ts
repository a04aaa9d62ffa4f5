/**
 * A generator of realistic synthetic Kea DHCPv4 configs for the benchmark (`npm run bench`).
 *
 * What a campus or ISP edge config looks like, at any size: 200 reservations per subnet (/24),
 * by MAC (most) and by client-id, a few repeated option profiles so folding matters, some
 * reservations that repeat their subnet's router (redundant, dropped), some with their own boot
 * settings, two or three pools per subnet (one with pool options and reservations inside it),
 * per-subnet lifetimes, shared networks of two subnets, Kea comments, and an `<?include?>`d
 * fragment that holds the shared networks. Deterministic: the same size gives the same bytes.
 *
 * Addresses: subnets come from 198.18.0.0/15 (RFC 2544 benchmarking, 512 /24s: enough for 100k
 * reservations in 500 subnets); server addresses in option values come from the documentation
 * ranges 198.51.100.0/24 and 203.0.113.0/24. 1M reservations need 5000 /24s, more than any
 * documentation range holds, so subnets past the 512th come from 240.0.0.0/4 (RFC 1112 class E,
 * "reserved", RFC 6890: not forwardable, not assignable). The files are only parsed and
 * converted, never served.
 *
 * Besides each config it writes `changed/` (the same config with 1% of the reservations
 * changed: hostname, MAC, or option profile) and `plain.json` (the same config as plain JSON,
 * include inlined and comments dropped, for the JSON.parse baseline).
 *
 * Usage: node --import tsx scripts/gen-kea-config.ts SIZE DIR   (SIZE: 1k, 10k, 100k, 1M or a number)
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const RESERVATIONS_PER_SUBNET = 200;
export const CONFIG_NAME = 'kea-dhcp4.conf';
export const INCLUDE_NAME = 'shared-networks.json';
export const PLAIN_NAME = 'plain.json';

export interface GeneratedConfig {
  /** Reservations in the config. */
  reservations: number;
  subnets: number;
  sharedNetworks: number;
  /** The main config (includes INCLUDE_NAME from its own directory). */
  config: string;
  /** The same config with 1% of the reservations changed. */
  changedConfig: string;
  /** The same config as plain JSON (one file, no comments), for the JSON.parse baseline. */
  plainJson: string;
  /** Bytes of the main config plus its include. */
  bytes: number;
}

/** "1k" -> 1000, "1M" -> 1000000, "2500" -> 2500. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (e.g. 1k, 100k, 1M)`);
  const mult = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1_000 : 1_000_000;
  return Math.round(Number(m[1]) * mult);
}

export const formatSize = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);

/** A buffered file writer: big configs are written in 1 MB pieces, never held whole. */
class Out {
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;

  constructor(path: string) {
    this.fd = fs.openSync(path, 'w');
  }

  write(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending > 1 << 20) this.flush();
  }

  private flush(): void {
    const chunk = this.parts.join('');
    this.bytes += fs.writeSync(this.fd, chunk);
    this.parts = [];
    this.pending = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Several writers fed the same JSON text; comments go only to the Kea files. */
class Tee {
  constructor(
    private readonly kea: Out[],
    private readonly plain: Out[],
  ) {}

  json(s: string): void {
    for (const o of this.kea) o.write(s);
    for (const o of this.plain) o.write(s);
  }

  comment(s: string): void {
    for (const o of this.kea) o.write(s);
  }
}

const ip = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');

const BENCH_NET = (198 << 24) | (18 << 16); // 198.18.0.0/15
const CLASS_E = 240 << 24; // 240.0.0.0/4
const BENCH_SUBNETS = 512;

/** Network address of subnet i (a /24). */
const subnetBase = (i: number) => (i < BENCH_SUBNETS ? BENCH_NET + i * 256 : CLASS_E + (i - BENCH_SUBNETS) * 256) >>> 0;

/** A cheap deterministic hash of an integer (Knuth multiplicative + xorshift), 0 .. 2^32-1. */
function mix(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Option profiles reservations repeat (index 0: none). Values are documentation addresses. */
const PROFILES: string[][] = [
  [],
  ['{ "name": "ntp-servers", "data": "198.51.100.123" }'],
  ['{ "name": "domain-name-servers", "data": "198.51.100.53, 198.51.100.54" }'],
  ['{ "name": "domain-name", "data": "lab.example.com" }', '{ "name": "interface-mtu", "data": "9000" }'],
  ['{ "name": "log-servers", "data": "198.51.100.14" }'],
  ['{ "name": "time-offset", "data": "3600" }'],
  ['{ "name": "ntp-servers", "data": "198.51.100.123" }', '{ "name": "domain-name-servers", "data": "198.51.100.53, 198.51.100.54" }'],
  ['{ "code": 42, "csv-format": false, "data": "C6336480" }'],
];

/** Which profile reservation g carries: half none, the rest spread unevenly over the profiles. */
function profileOf(g: number): number {
  const h = mix(g) % 100;
  if (h < 50) return 0;
  if (h < 65) return 1;
  if (h < 75) return 2;
  if (h < 83) return 3;
  if (h < 88) return 4;
  if (h < 92) return 5;
  if (h < 97) return 6;
  return 7;
}

/** Subnets i with i % 10 in {3, 4} form shared network "bldg-<i/10>" (20% of subnets). */
const inSharedNetwork = (i: number) => i % 10 === 3 || i % 10 === 4;

interface Variant {
  /** Change 1% of the reservations (every 100th, from the 37th). */
  changed: boolean;
}

const IND = (n: number) => ' '.repeat(n);

function writeReservation(t: Tee, i: number, k: number, g: number, base: number, router: string, v: Variant, ind: number): void {
  const pad = IND(ind);
  const change = v.changed && g % 100 === 37 ? Math.floor(g / 100) % 3 : -1;
  const macPrefix = change === 1 ? '02:01' : '02:00';
  const id = `${hex2(g >>> 24)}:${hex2(g >>> 16)}:${hex2(g >>> 8)}:${hex2(g)}`;
  const byClientId = mix(g + 7) % 100 < 15;
  const lines: string[] = [];
  lines.push(byClientId ? `"client-id": "01:${macPrefix}:${id}"` : `"hw-address": "${macPrefix}:${id}"`);
  lines.push(`"ip-address": "${ip(base + 10 + k)}"`);
  lines.push(`"hostname": "host-${i + 1}-${k + 10}${change === 0 ? '-new' : ''}"`);
  let profile = profileOf(g);
  if (change === 2) profile = (profile + 1) % PROFILES.length;
  const options = [...PROFILES[profile]!];
  // 1% repeat their subnet's router: redundant, the converter drops it and says so.
  if (mix(g + 11) % 100 === 0) options.push(`{ "name": "routers", "data": "${router}" }`);
  if (options.length > 0) lines.push(`"option-data": [ ${options.join(', ')} ]`);
  // 3% boot by their own file (PXE hosts).
  if (mix(g + 13) % 100 < 3) lines.push('"next-server": "203.0.113.69"', `"boot-file-name": "${mix(g + 17) % 2 === 0 ? 'ipxe.efi' : 'undionly.kpxe'}"`);
  t.json(`${pad}{\n${lines.map((l) => `${pad}    ${l}`).join(',\n')}\n${pad}}`);
}

function writeSubnet(t: Tee, i: number, v: Variant, ind: number): void {
  const pad = IND(ind);
  const base = subnetBase(i);
  const router = ip(base + 1);
  t.comment(`${pad}// Subnet ${i + 1}: building ${Math.floor(i / 10) + 1}, VLAN ${100 + (i % 10)}\n`);
  t.json(`${pad}{\n`);
  t.json(`${pad}    "id": ${i + 1},\n${pad}    "subnet": "${ip(base)}/24",\n`);
  if (i % 7 === 5) {
    t.comment(`${pad}    # Short leases: a hot-desking floor.\n`);
    t.json(`${pad}    "valid-lifetime": 3600,\n${pad}    "renew-timer": 1800,\n${pad}    "rebind-timer": 3150,\n`);
  }
  if (!inSharedNetwork(i)) t.json(`${pad}    "relay": { "ip-addresses": [ "${router}" ] },\n`);
  t.json(`${pad}    "option-data": [ { "name": "routers", "data": "${router}" } ],\n`);
  // Even subnets: two equal pools (the servers get one each). Odd: three pools, the first with
  // its own option and ten reservations inside it.
  const pools =
    i % 2 === 0
      ? [`{ "pool": "${ip(base + 210)} - ${ip(base + 229)}" }`, `{ "pool": "${ip(base + 230)} - ${ip(base + 249)}" }`]
      : [
          `{ "pool": "${ip(base + 200)} - ${ip(base + 219)}", "option-data": [ { "name": "domain-name", "data": "guest.example.com" } ] }`,
          `{ "pool": "${ip(base + 220)} - ${ip(base + 239)}" }`,
          `{ "pool": "${ip(base + 240)} - ${ip(base + 250)}" }`,
        ];
  t.json(`${pad}    "pools": [\n${pools.map((p) => `${pad}        ${p}`).join(',\n')}\n${pad}    ],\n`);
  t.json(`${pad}    "reservations": [\n`);
  for (let k = 0; k < RESERVATIONS_PER_SUBNET; k++) {
    writeReservation(t, i, k, i * RESERVATIONS_PER_SUBNET + k, base, router, v, ind + 8);
    t.json(k + 1 < RESERVATIONS_PER_SUBNET ? ',\n' : '\n');
  }
  t.json(`${pad}    ]\n${pad}}`);
}

function writeHead(t: Tee): void {
  t.comment('// Synthetic Kea DHCPv4 config for the kea2dnsmasq benchmark (scripts/gen-kea-config.ts).\n');
  t.comment('// Reservations come from the provisioning database; do not edit by hand.\n');
  t.json('{\n"Dhcp4": {\n');
  // "*": kea-dhcp4 -t refuses interfaces this machine lacks; the bench must run anywhere.
  t.json('    "interfaces-config": { "interfaces": [ "*" ] },\n');
  t.json('    "lease-database": { "type": "memfile", "lfc-interval": 3600 },\n');
  t.json('    "host-reservation-identifiers": [ "hw-address", "client-id" ],\n');
  t.json('    "valid-lifetime": 7200,\n    "renew-timer": 3600,\n    "rebind-timer": 6300,\n');
  t.comment('    # Company-wide defaults.\n');
  t.json('    "option-data": [\n');
  t.json('        { "name": "domain-name-servers", "data": "198.51.100.2, 198.51.100.3" },\n');
  t.json('        { "name": "domain-name", "data": "example.com" }\n');
  t.json('    ],\n');
}

function writeSharedNetworks(t: Tee, subnets: number, v: Variant): number {
  let count = 0;
  t.comment('// Fragment: spliced into the Dhcp4 map of kea-dhcp4.conf (note the trailing comma).\n');
  t.json('"shared-networks": [\n');
  let first = true;
  for (let i = 0; i < subnets; i++) {
    if (i % 10 !== 3) continue;
    const members = [i, i + 1].filter((j) => j < subnets);
    if (!first) t.json(',\n');
    first = false;
    count++;
    const b = Math.floor(i / 10) + 1;
    // Relayed by the building router from its address in the first subnet.
    t.json(`    {\n        "name": "bldg-${b}",\n        "relay": { "ip-addresses": [ "${ip(subnetBase(i) + 1)}" ] },\n`);
    t.json(`        "option-data": [ { "name": "domain-search", "data": "bldg${b}.example.com, example.com" } ],\n`);
    t.json('        "subnet4": [\n');
    members.forEach((j, n) => {
      writeSubnet(t, j, v, 12);
      t.json(n + 1 < members.length ? ',\n' : '\n');
    });
    t.json('        ]\n    }');
  }
  t.json('\n],\n');
  return count;
}

function writeSubnet4(t: Tee, subnets: number, v: Variant): void {
  t.json('    "subnet4": [\n');
  let first = true;
  for (let i = 0; i < subnets; i++) {
    if (inSharedNetwork(i)) continue;
    if (!first) t.json(',\n');
    first = false;
    writeSubnet(t, i, v, 8);
  }
  t.json('\n    ],\n');
}

function writeTail(t: Tee): void {
  t.json('    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]\n');
  t.json('}\n}\n');
}

/** Write the config for `reservations` (a multiple of 200) into `dir`: base, changed/ and plain.json. */
export function generateKeaConfig(reservations: number, dir: string): GeneratedConfig {
  if (reservations % RESERVATIONS_PER_SUBNET !== 0 || reservations <= 0) {
    throw new Error(`reservations must be a positive multiple of ${RESERVATIONS_PER_SUBNET}`);
  }
  const subnets = reservations / RESERVATIONS_PER_SUBNET;
  const changedDir = join(dir, 'changed');
  fs.mkdirSync(changedDir, { recursive: true });
  let sharedNetworks = 0;
  let bytes = 0;
  for (const changed of [false, true]) {
    const d = changed ? changedDir : dir;
    const main = new Out(join(d, CONFIG_NAME));
    const inc = new Out(join(d, INCLUDE_NAME));
    const plain = changed ? [] : [new Out(join(dir, PLAIN_NAME))];
    const v: Variant = { changed };
    const mainT = new Tee([main], plain);
    writeHead(mainT);
    mainT.comment(`    <?include "${INCLUDE_NAME}"?>\n`);
    sharedNetworks = writeSharedNetworks(new Tee([inc], plain), subnets, v);
    writeSubnet4(mainT, subnets, v);
    writeTail(mainT);
    main.close();
    inc.close();
    for (const p of plain) p.close();
    if (!changed) bytes = main.bytes + inc.bytes;
  }
  return {
    reservations,
    subnets,
    sharedNetworks,
    config: join(dir, CONFIG_NAME),
    changedConfig: join(changedDir, CONFIG_NAME),
    plainJson: join(dir, PLAIN_NAME),
    bytes,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [size, dir] = process.argv.slice(2);
  if (!size || !dir) {
    console.error('usage: node --import tsx scripts/gen-kea-config.ts SIZE DIR   (SIZE: 1k, 10k, 100k, 1M)');
    process.exit(2);
  }
  const g = generateKeaConfig(parseSize(size), dir);
  console.log(`${g.config}: ${g.reservations} reservations, ${g.subnets} subnets, ${g.sharedNetworks} shared networks, ${(g.bytes / 1e6).toFixed(1)} MB`);
}
