/**
 * Live leases carried over, served for real: the article network (fixtures/article-doc) with a Kea
 * lease CSV holding a dynamic client in each server's half and a reserved host, converted with
 * --leases, both dnsmasq servers started from their trees (netlab seeds /var/lib/misc from
 * <tree>/var/lib/misc), and each client rebooting:
 *  - INIT-REBOOT (RFC 2131 §4.3.2: DHCPREQUEST with the old address, no server identifier), as a
 *    rebooting client does — ISC dhclient with that lease in its lease database;
 *  - and busybox udhcpc -r <ip> (DISCOVER asking for the old address).
 * Each keeps its address, and neither server sends a single DHCPNAK; with the lease holder down, the
 * other server still serves the client.
 */
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { NetLab, requireOrSkip, type DnsmasqHandle } from './support/netlab.js';
import { PairLab } from './support/pair-lab.js';

const CONFIG = join(import.meta.dirname, '..', 'fixtures', 'article-doc', 'kea-dhcp4.conf');
const skip = requireOrSkip();

interface Client {
  name: string;
  mac: string;
  ip: string;
  clientId: string;
  /** Index of the server whose lease file should hold it (both for a reserved host). */
  server: 0 | 1 | 'both';
}

// article-doc: primary has 192.0.2.100-174, secondary 192.0.2.175-249; hifiberry1 is reserved at .31.
const CLIENTS: Client[] = [
  { name: 'laptop', mac: '02:00:00:00:aa:01', ip: '192.0.2.120', clientId: '01:02:00:00:00:aa:01', server: 0 },
  { name: 'phone', mac: '02:00:00:00:aa:02', ip: '192.0.2.200', clientId: '01:02:00:00:00:aa:02', server: 1 },
  { name: 'hifiberry1', mac: 'a0:ae:a1:87:e7:a0', ip: '192.0.2.31', clientId: '01:a0:ae:a1:87:e7:a0', server: 'both' },
];

describe.skipIf(skip !== undefined)('a client with a Kea lease keeps its address after the cutover', () => {
  const work = mkdtempSync(join(tmpdir(), 'k2d-leasenet-'));
  // dnsmasq judges expiry by the real clock, so these leases are written relative to it.
  const now = Math.floor(Date.now() / 1000);
  const csv = join(work, 'kea-leases4.csv');
  writeFileSync(
    csv,
    [
      'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id',
      ...CLIENTS.map((c) => `${c.ip},${c.mac},${c.clientId},86400,${now + 80000},1,0,0,${c.name}.home.arpa,0,,0`),
      '',
    ].join('\n'),
  );
  const result = compile(CONFIG, { ...DEFAULT_COMPILE_OPTIONS, leases: csv, at: now });
  const serverAddr: readonly [string, string] = ['192.0.2.2', '192.0.2.3'];
  let pair: PairLab;
  let lab: NetLab;
  let servers: DnsmasqHandle[];

  beforeAll(async () => {
    expect(result.ok, JSON.stringify(result.diagnostics.filter((d) => d.severity === 'error'))).toBe(true);
    pair = await PairLab.start('lease', result, serverAddr);
    lab = pair.lab;
    servers = pair.servers;
  });

  afterAll(async () => {
    await pair?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('seeds each server with the leases its range holds, the reserved host on both', () => {
    for (const c of CLIENTS) {
      for (const i of [0, 1] as const) {
        const has = servers[i]!.leaseFileText().includes(` ${c.mac} ${c.ip} `);
        expect(has, `${c.name} on server ${i + 1}`).toBe(c.server === 'both' || c.server === i);
      }
    }
  });

  const naks = () => servers.map((s) => (s.logText().match(/DHCPNAK/g) ?? []).length);

  for (const c of CLIENTS) {
    it(`${c.name} (${c.ip}) reboots with INIT-REBOOT and is ACKed its address, no NAK`, async () => {
      const dir = mkdtempSync(join(work, 'dhclient-'));
      const leaseDb = join(dir, 'dhclient.leases');
      const events = join(dir, 'events');
      const script = join(dir, 'script.sh');
      writeFileSync(
        leaseDb,
        // The lease dhclient remembers from Kea: it reboots into INIT-REBOOT with it (dhclient.leases(5)).
        `lease {\n  interface "eth0";\n  fixed-address ${c.ip};\n  option subnet-mask 255.255.255.0;\n  option dhcp-lease-time 86400;\n` +
          `  renew 4 2037/12/31 00:00:00;\n  rebind 4 2037/12/31 00:00:00;\n  expire 4 2037/12/31 00:00:00;\n}\n`,
      );
      writeFileSync(join(dir, 'dhclient.conf'), `send dhcp-client-identifier ${c.clientId.replace(/^01:/, '1:')};\n`);
      // Record the outcome, never touch the interface, and end dhclient once it has an answer.
      writeFileSync(script, `#!/bin/sh\necho "$reason $new_ip_address" >> '${events}'\ncase "$reason" in REBOOT|BOUND) kill $PPID ;; esac\nexit 0\n`);
      chmodSync(script, 0o755);
      await lab.exec('c', ['ip', 'link', 'set', 'dev', 'eth0', 'address', c.mac]);
      const before = naks();
      const r = await lab.exec(
        'c',
        ['timeout', '15', 'dhclient', '-d', '-1', '-v', '-cf', join(dir, 'dhclient.conf'), '-lf', leaseDb, '-pf', join(dir, 'pid'), '-sf', script, 'eth0'],
        { timeoutMs: 20_000 },
      );
      const log = `${r.stdout}${r.stderr}`;
      // INIT-REBOOT: a REQUEST for the old address straight away, no DISCOVER.
      expect(log).toMatch(new RegExp(`DHCPREQUEST for ${c.ip.replace(/\./g, '\\.')} on eth0 to 255\\.255\\.255\\.255`));
      expect(log).not.toMatch(/DHCPDISCOVER/);
      const ack = new RegExp(`DHCPACK of ${c.ip.replace(/\./g, '\\.')} from (\\S+)`).exec(log);
      expect(ack, log).not.toBeNull();
      if (c.server !== 'both') expect(ack![1]).toBe(serverAddr[c.server]);
      expect(naks(), `NAKs:\n${servers.map((s) => s.logText()).join('\n')}`).toEqual(before);
      expect(before).toEqual([0, 0]);
    });

    it(`${c.name} (${c.ip}) asking for its address with udhcpc -r keeps it, no NAK`, async () => {
      // busybox udhcpc has no INIT-REBOOT: -r puts the address into a DISCOVER (option 50). The server
      // holding the lease offers it at once; the other one, which has no lease and would offer from its
      // own range, answers this client only after a delay (35-leases-elsewhere.conf), so the old address
      // wins. A reserved host gets its address from either server.
      const discovers = servers.map((s) => (s.logText().match(/DHCPDISCOVER/g) ?? []).length);
      const r = await lab.dhcpClient('c', { mac: c.mac, requestIp: c.ip, timeoutSec: 6 });
      expect(r.ok, r.ok ? '' : r.log).toBe(true);
      if (!r.ok) return;
      expect(servers.map((s) => (s.logText().match(/DHCPDISCOVER/g) ?? []).length).some((n, i) => n > discovers[i]!)).toBe(true);
      expect(r.ip).toBe(c.ip);
      if (c.server !== 'both') expect(r.serverId).toBe(serverAddr[c.server]);
      expect(naks()).toEqual([0, 0]);
    });

    it(`${c.name} (${c.ip}) is still served when the server holding its lease is down`, async () => {
      if (c.server === 'both') return;
      const holder = c.server;
      const other = holder === 0 ? 1 : 0;
      await servers[holder]!.stop();
      try {
        const r = await lab.dhcpClient('c', { mac: c.mac, requestIp: c.ip, timeoutSec: 8 });
        expect(r.ok, r.ok ? '' : r.log).toBe(true);
        if (r.ok) expect(r.serverId).toBe(serverAddr[other]);
      } finally {
        await pair.restart(holder);
      }
    });
  }
});
