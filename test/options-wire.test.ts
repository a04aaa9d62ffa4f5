/**
 * The dnsmasq model against the real dnsmasq 2.90 on the wire: a lab with a dnsmasq server and a
 * client that sends one DHCPINFORM asking for every option configured, and compares each option's
 * bytes with what dnsmasqOptionBytes predicts and (where the conversion is exact) with Kea's bytes.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetLab, requireOrSkip } from './support/netlab.js';
import type { DnsmasqHandle } from './support/netlab.js';
import { findOptionDef, type KeaOptionType, type OptionDef } from '../src/options/kea-option-defs.js';
import { encodeKeaOptionData } from '../src/options/encode-kea.js';
import { dhcpOptionArg, dnsmasqOptionBytes, toDnsmasqOption } from '../src/options/dnsmasq-value.js';

const skip = requireOrSkip();

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const std = (name: string): OptionDef => {
  const d = findOptionDef('dhcp4', { name });
  if (!d) throw new Error(name);
  return d;
};
const custom = (code: number, type: KeaOptionType): OptionDef => ({ code, name: `c${code}`, space: 'dhcp4', type, array: false });

/** Kea option-data converted by this module (one per code). */
const KEA: { def?: OptionDef; code?: number; data: string; csv?: boolean }[] = [
  { def: std('time-offset'), data: '-3600' },
  { def: std('host-name'), data: 'pc1' },
  { def: std('merit-dump'), data: 'say "hi" #1, \\,ok' },
  { def: std('ip-forwarding'), data: 'true' },
  { def: std('path-mtu-aging-timeout'), data: '600' },
  { def: std('path-mtu-plateau-table'), data: '68, 296, 1500' },
  { def: std('interface-mtu'), data: '1500' },
  { def: std('broadcast-address'), data: '192.0.2.127' },
  { def: std('arp-cache-timeout'), data: '4294967295' },
  { def: std('ntp-servers'), data: '192.0.2.123, 0.0.0.0' },
  { def: std('vendor-class-identifier'), data: 'PXEClient' },
  { def: std('tftp-server-name'), data: '192.0.2.9' },
  { def: std('boot-file-name'), data: 'pxelinux.0' },
  { def: std('nds-context'), data: 'a"b\\c\td' },
  { def: std('domain-search'), data: 'Example.COM, sub.example.com, example.org' },
  { def: std('classless-static-route'), data: '10.0.0.0/8 - 192.0.2.1, 198.51.100.0/24 - 0.0.0.0' },
  { def: std('sip-ua-cs-domains'), data: 'a.org, b.org' },
  { def: custom(200, 'empty'), data: '' },
  { def: custom(205, 'int8'), data: '-5' },
  { def: custom(206, 'uint16'), data: '7' },
  { code: 251, data: "'iPXE'" },
];

/** Raw lines that show a dnsmasq fact the model encodes, with the model's expectation. */
const RAW: { line: string; code: number; want: string | 'absent' | 'server-address' }[] = [
  { line: 'dhcp-option=3', code: 3, want: 'absent' }, // value-less 3 suppresses the router option
  { line: 'dhcp-option=4,0.0.0.0', code: 4, want: 'server-address' }, // 0.0.0.0 means "me"
  { line: 'dhcp-option=252,"s"', code: 252, want: '' }, // a trailing s/b/i after "decimal" text is a size suffix
  { line: 'dhcp-option=253,"-s"', code: 253, want: '2d' },
  { line: 'dhcp-option=254,ab:c', code: 254, want: 'ab0c' },
  { line: 'dhcp-option=option:domain-name,"x.test"', code: 15, want: '782e74657374' },
];

const CLIENT = String.raw`
import dgram from 'node:dgram';
const [server, ciaddr, prlCsv, nulHost] = process.argv.slice(2);
const prl = prlCsv.split(',').map(Number);
const xid = Math.floor(Math.random() * 0xffffffff);
const pkt = Buffer.alloc(240);
pkt[0] = 1; pkt[1] = 1; pkt[2] = 6;
pkt.writeUInt32BE(xid, 4);
Buffer.from(ciaddr.split('.').map(Number)).copy(pkt, 12);
Buffer.from([2, 0, 0, 0, 0, 0x77]).copy(pkt, 28);
pkt.writeUInt32BE(0x63825363, 236);
const host = nulHost ? [12, 3, 0x70, 0x63, 0] : [];
const opts = Buffer.from([53, 1, 8, 57, 2, 0x05, 0xdc, ...host, 55, prl.length, ...prl, 255]);
const msg = Buffer.concat([pkt, opts]);
const sock = dgram.createSocket('udp4');
function parse(buf, start, end, out) {
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c === 255) break;
    if (c === 0) { i++; continue; }
    const l = buf[i + 1];
    const d = buf.subarray(i + 2, i + 2 + l).toString('hex');
    out[c] = (out[c] ?? '') + d;
    i += 2 + l;
  }
}
sock.on('message', (m) => {
  if (m.readUInt32BE(4) !== xid || m[0] !== 2) return;
  const out = {};
  parse(m, 240, m.length, out);
  const ov = out[52] ? parseInt(out[52], 16) : 0;
  if (ov & 1) parse(m, 108, 236, out);
  if (ov & 2) parse(m, 44, 108, out);
  process.stdout.write(JSON.stringify({ options: out, siaddr: [...m.subarray(20, 24)].join('.') }));
  sock.close();
  process.exit(0);
});
sock.bind(68, ciaddr, () => {
  let tries = 0;
  const send = () => {
    if (tries++ >= 5) { process.stderr.write('no reply'); process.exit(2); }
    sock.send(msg, 67, server);
    setTimeout(send, 1000);
  };
  send();
});
`;

describe.skipIf(skip)('dnsmasq on the wire sends what the model says', () => {
  let lab: NetLab | undefined;
  let server: DnsmasqHandle | undefined;
  let tree = '';
  let reply: { options: Record<string, string>; siaddr: string } | undefined;
  let nulReply: { options: Record<string, string>; siaddr: string } | undefined;
  const converted: { code: number; kea: string; token: string; value: string; changed?: string }[] = [];

  beforeAll(async () => {
    const lines: string[] = [];
    for (const k of KEA) {
      const code = k.def?.code ?? k.code ?? -1;
      const e = encodeKeaOptionData(k.def, k.data, k.csv);
      if (!e.ok) throw new Error(`${code}: ${e.problem}`);
      const d = toDnsmasqOption(k.def, code, e);
      if (!d.ok) throw new Error(`${code}: ${d.reason}`);
      converted.push({ code, kea: hex(e.bytes), token: d.token, value: d.value, ...(d.changed ? { changed: d.changed } : {}) });
      lines.push(`dhcp-option=${dhcpOptionArg(d)}`);
    }
    lines.push(...RAW.map((r) => r.line));
    tree = await mkdtemp(join(tmpdir(), 'k2d-optwire-'));
    await mkdir(join(tree, 'etc'), { recursive: true });
    await writeFile(
      join(tree, 'etc', 'dnsmasq.conf'),
      ['port=0', 'interface=eth0', 'no-ping', 'dhcp-range=192.0.2.100,192.0.2.120,255.255.255.0,1h', 'dhcp-leasefile=/var/lib/misc/dnsmasq.leases', ...lines, ''].join('\n'),
    );
    await writeFile(join(tree, 'client.mjs'), CLIENT);
    lab = await NetLab.create('options-wire');
    await lab.addHost('srv', { addresses: ['192.0.2.1/24'] });
    await lab.addHost('cli', { addresses: ['192.0.2.50/24'] });
    server = await lab.startDnsmasq('srv', tree);
    const prl = [...new Set([...converted.map((c) => c.code), ...RAW.map((r) => r.code)])];
    const r = await lab.exec('cli', [process.execPath, join(tree, 'client.mjs'), '192.0.2.1', '192.0.2.50', prl.join(',')], { timeoutMs: 15_000 });
    if (r.code !== 0) throw new Error(`client failed: ${r.stderr}\n${server.logText()}`);
    reply = JSON.parse(r.stdout) as typeof reply;
    if (process.env.K2D_DEBUG) console.log(JSON.stringify(reply), lines.join('\n'));
    const r2 = await lab.exec('cli', [process.execPath, join(tree, 'client.mjs'), '192.0.2.1', '192.0.2.50', prl.join(','), 'nul'], { timeoutMs: 15_000 });
    if (r2.code !== 0) throw new Error(`client failed: ${r2.stderr}\n${server.logText()}`);
    nulReply = JSON.parse(r2.stdout) as typeof nulReply;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await lab?.destroy();
    if (tree) await rm(tree, { recursive: true, force: true });
  });

  it('sends each converted option as the model predicts, and as Kea does unless marked changed', () => {
    expect(reply).toBeDefined();
    for (const c of converted) {
      const got = reply!.options[c.code];
      const m = dnsmasqOptionBytes(c.token, c.value);
      expect(m.ok, `${c.code}`).toBe(true);
      const label = `option ${c.code}: dhcp-option=${c.token},${c.value}`;
      expect(got, label).toBe(m.ok ? hex(m.bytes) : undefined);
      if (!c.changed || c.code === 60) expect(got, `${label} vs Kea`).toBe(c.kea);
    }
  });

  it('shows the dnsmasq facts the model relies on', () => {
    for (const r of RAW) {
      const got = reply!.options[r.code];
      if (r.want === 'absent') expect(got, r.line).toBeUndefined();
      else if (r.want === 'server-address') expect(got, r.line).toBe('c0000201');
      else {
        expect(got, r.line).toBe(r.want);
        const [token, ...rest] = r.line.slice('dhcp-option='.length).split(',');
        const m = dnsmasqOptionBytes(token!, rest.join(','));
        expect(m.ok && hex(m.bytes), r.line).toBe(r.want);
      }
    }
  });

  it('NUL-terminates text options (not hex ones) for a client whose own hostname option ends in NUL (not modelled)', () => {
    // rfc2131.c: borken_opt -> null_term -> do_opt appends a NUL to DHOPT_STRING options.
    expect(nulReply!.options[14]).toBe(`${reply!.options[14]}00`);
    expect(nulReply!.options[251]).toBe(reply!.options[251]);
    expect(nulReply!.options[24]).toBe(reply!.options[24]);
  });
});

// ---------------------------------------------------------------------------------------------
// Kea's side: the real kea-dhcp4 (2.2 here) sends the bytes encodeKeaOptionData computes.

function keaBinary(): string | undefined {
  for (const p of ['/usr/sbin/kea-dhcp4', '/usr/local/sbin/kea-dhcp4', '/usr/bin/kea-dhcp4']) if (existsSync(p)) return p;
  return undefined;
}
const kea = skip ? undefined : keaBinary();
if (!skip && !kea) console.warn('[options-wire] skipping the Kea comparison: kea-dhcp4 is not installed');

/** option-data entries (Kea 2.2 syntax) and the custom definitions they need. */
const KEA_DEFS = [
  { name: 'c200', code: 200, type: 'empty' },
  { name: 'c205', code: 205, type: 'int8' },
  { name: 'c206', code: 206, type: 'uint16' },
  { name: 'c207', code: 207, type: 'record', 'record-types': 'uint8, ipv6-prefix, psid, tuple' },
  { name: 'c208', code: 208, type: 'int32', array: true },
  { name: 'c209', code: 209, type: 'fqdn' },
] as const;
const KEA_DATA: { name?: string; code?: number; data: string; 'csv-format'?: boolean }[] = [
  { name: 'time-offset', data: '-3600' },
  { name: 'merit-dump', data: '  say "hi" #1\\, ok, ignored' },
  { name: 'ip-forwarding', data: 'True' },
  { name: 'path-mtu-aging-timeout', data: '0x258' },
  { name: 'path-mtu-plateau-table', data: '68, 296,1500' },
  { name: 'interface-mtu', data: '1500' },
  { name: 'default-ip-ttl', data: 'ff' },
  { name: 'broadcast-address', data: '192.0.2.127' },
  { name: 'arp-cache-timeout', data: '4294967295' },
  { name: 'ntp-servers', data: '192.0.2.123, 0.0.0.0' },
  { name: 'vendor-class-identifier', data: 'PXEClient' },
  { name: 'tftp-server-name', data: '192.0.2.9' },
  { name: 'boot-file-name', data: '70:78:65:00:00', 'csv-format': false },
  { name: 'nds-context', data: "'quoted text'", 'csv-format': false },
  { name: 'domain-search', data: 'Example.COM, sub.example.com., example.org' },
  { name: 'sip-ua-cs-domains', data: 'a.org, b.org' },
  { name: 'v4-lost', data: 'lost.example' },
  { name: 'user-class', data: '0x4950584', 'csv-format': false },
  { name: 'uuid-guid', data: '0, 00112233445566778899aabbccddeeff' },
  { name: 'slp-directory-agent', data: 'true, 192.0.2.1, 192.0.2.2' },
  { name: 'slp-service-scope', data: 'false, default' },
  { name: 'client-system', data: '7, 9' },
  { name: 'v4-portparams', data: '2, 0x34/8' },
  { name: 'option-6rd', data: '0, 16, 2001:db8::, 192.0.2.1' },
  { name: 'nis-domain', data: 'a\\,b' },
  { code: 121, data: '08 0a c0 00 02 01 18 c6 33 64 00 00 00 00', 'csv-format': false },
  { name: 'c200', data: '' },
  { name: 'c205', data: '-5' },
  { name: 'c206', data: '7' },
  { name: 'c207', data: '3, 2001:db8:ffff::/36, 1/4, hello' },
  { name: 'c208', data: '-1, 0x7fffffff, 5' },
  { name: 'c209', data: 'Host.Example.' }, // (Kea 2.2 rejects escaped dots in a custom fqdn: OptionCustom sizes it by its text form)
  { code: 251, data: "'iPXE'" },
  { code: 252, data: 'a:b:c', 'csv-format': false },
];

describe.skipIf(skip || !kea)('kea-dhcp4 on the wire sends what encodeKeaOptionData computes', () => {
  let lab: NetLab | undefined;
  let dir = '';
  let reply: { options: Record<string, string> } | undefined;
  let keaLog = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k2d-optkea-'));
    const conf = {
      Dhcp4: {
        'interfaces-config': { interfaces: ['eth0'], 'dhcp-socket-type': 'udp' },
        'lease-database': { type: 'memfile', persist: false },
        'valid-lifetime': 3600,
        'option-def': KEA_DEFS.map((d) => ({ space: 'dhcp4', ...d })),
        subnet4: [{ id: 1, subnet: '192.0.2.0/24', pools: [{ pool: '192.0.2.100 - 192.0.2.120' }], 'option-data': KEA_DATA }],
        loggers: [{ name: 'kea-dhcp4', output_options: [{ output: 'stdout' }], severity: 'INFO' }],
      },
    };
    await writeFile(join(dir, 'kea.json'), JSON.stringify(conf, null, 2));
    await writeFile(join(dir, 'client.mjs'), CLIENT);
    lab = await NetLab.create('options-kea');
    await lab.addHost('srv', { addresses: ['192.0.2.1/24'] });
    await lab.addHost('cli', { addresses: ['192.0.2.50/24'] });
    const prl = KEA_DATA.map((o) => o.code ?? findOptionDef('dhcp4', { name: o.name! })?.code ?? KEA_DEFS.find((d) => d.name === o.name)!.code);
    // Start Kea in the server namespace (background, its pid kept), wait for it, run the client
    // from the client namespace, then stop the Kea we started.
    const script = [
      'cd "$1"',
      `KEA_PIDFILE_DIR="$1" KEA_LOCKFILE_DIR=none "$2" -c "$1/kea.json" > "$1/kea.log" 2>&1 &`,
      'kpid=$!',
      'i=0; while [ $i -lt 100 ] && ! grep -q DHCP4_STARTED "$1/kea.log"; do sleep 0.1; i=$((i+1)); done',
      'echo ready',
      'i=0; while [ $i -lt 400 ] && [ ! -e "$1/stop" ]; do sleep 0.1; i=$((i+1)); done',
      'kill $kpid; wait $kpid',
    ].join('\n');
    const server = lab.exec('srv', ['sh', '-c', script, 'kea', dir, kea!], { timeoutMs: 40_000 });
    for (let i = 0; i < 100 && !(await fileHas(join(dir, 'kea.log'), /DHCP4_STARTED|DHCP4_INIT_FAIL|ERROR/)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await lab.exec('cli', [process.execPath, join(dir, 'client.mjs'), '192.0.2.1', '192.0.2.50', prl.join(',')], { timeoutMs: 15_000 });
    keaLog = await readFile(join(dir, 'kea.log'), 'utf8').catch(() => '');
    await writeFile(join(dir, 'stop'), '');
    await server;
    if (r.code !== 0) throw new Error(`client failed: ${r.stderr}\n${keaLog}`);
    reply = JSON.parse(r.stdout) as typeof reply;
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(KEA_DATA.map((o) => [o.name ?? String(o.code), o] as const))('%s', (_n, o) => {
    const defs: OptionDef[] = KEA_DEFS.map((d) => ({
      code: d.code,
      name: d.name,
      space: 'dhcp4',
      type: d.type,
      array: 'array' in d ? d.array : false,
      ...('record-types' in d ? { recordTypes: d['record-types'].split(',').map((t) => t.trim() as KeaOptionType) } : {}),
    }));
    const def = findOptionDef('dhcp4', o.code !== undefined ? { code: o.code } : { name: o.name! }, defs);
    const code = def?.code ?? o.code!;
    const e = encodeKeaOptionData(def, o.data, o['csv-format']);
    expect(e.ok, JSON.stringify(e)).toBe(true);
    expect(reply?.options[code], `Kea sent for ${code} (log:\n${keaLog.slice(-2000)})`).toBe(e.ok ? hex(e.bytes) : 'x');
  });
});

async function fileHas(path: string, re: RegExp): Promise<boolean> {
  try {
    return re.test(await readFile(path, 'utf8'));
  } catch {
    return false;
  }
}
