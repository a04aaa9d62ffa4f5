import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLabAddress, NetLab, requireOrSkip } from './support/netlab.js';
import type { DnsmasqHandle } from './support/netlab.js';

const skip = requireOrSkip();

const CONF = `port=0
interface=eth0
dhcp-range=192.0.2.100,192.0.2.120,255.255.255.0,1h
dhcp-host=02:00:00:00:00:10,192.0.2.10,set:r
dhcp-option=tag:r,option:dns-server,192.0.2.53
dhcp-leasefile=/var/lib/misc/dnsmasq.leases
no-ping
`;

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** PIDs of processes whose command line mentions `needle`. */
async function pidsMentioning(needle: string): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

describe('isLabAddress', () => {
  it('accepts only the documentation/benchmark ranges', () => {
    expect(isLabAddress('192.0.2.1')).toBe(true);
    expect(isLabAddress('192.0.2.1/24')).toBe(true);
    expect(isLabAddress('198.19.255.254/15')).toBe(true);
    expect(isLabAddress('203.0.113.0/24')).toBe(true);
    expect(isLabAddress('192.0.2.1/16')).toBe(false);
    expect(isLabAddress('10.0.0.1')).toBe(false);
    expect(isLabAddress('192.168.1.1/24')).toBe(false);
    expect(isLabAddress('198.20.0.1')).toBe(false);
  });
});

describe('NetLab', () => {
  let lab: NetLab | undefined;
  let tree = '';
  let server: DnsmasqHandle | undefined;
  let labNamespaces: string[] = [];
  let labTmp = '';

  beforeAll(async () => {
    if (skip) return;
    tree = await mkdtemp(join(tmpdir(), 'k2d-netlab-tree-'));
    await mkdir(join(tree, 'etc'), { recursive: true });
    await writeFile(join(tree, 'etc', 'dnsmasq.conf'), CONF);
    lab = await NetLab.create('netlab-test');
    labTmp = lab.tmpDir;
  });

  afterAll(async () => {
    try {
      await lab?.destroy();
    } finally {
      if (tree) await rm(tree, { recursive: true, force: true });
    }
  });

  it.skipIf(skip)(
    'serves a reservation and a dynamic lease to udhcpc clients',
    async () => {
      if (!lab) throw new Error('lab not created');
      const srv = await lab.addHost('srv', { addresses: ['192.0.2.1/24'] });
      expect(srv.ifname).toBe('eth0');
      await lab.addHost('known', { mac: '02:00:00:00:00:10' });
      const anonHost = await lab.addHost('anon', { ifname: 'lan-a' });
      expect(anonHost.ifname).toBe('lan-a');
      await expect(lab.addHost('outside', { addresses: ['10.1.2.3/24'] })).rejects.toThrow(/outside the lab ranges/);
      labNamespaces = lab.namespaces();
      expect(labNamespaces).toHaveLength(4);
      expect(netnsList()).toEqual(expect.arrayContaining(labNamespaces));

      server = await lab.startDnsmasq('srv', tree);
      expect(server.running()).toBe(true);
      expect(server.logText()).toMatch(/DHCP, IP range 192\.0\.2\.100 -- 192\.0\.2\.120/);

      const known = await lab.dhcpClient('known', { requestOptions: [6], hostname: 'known1', timeoutSec: 4 });
      if (!known.ok) throw new Error(`known client got no lease:\n${known.log}\n${server.logText()}`);
      expect(known.ip).toBe('192.0.2.10');
      expect(known.serverId).toBe('192.0.2.1');
      expect(known.env.dns).toBe('192.0.2.53');
      expect(known.env.subnet).toBe('255.255.255.0');
      expect(known.env.interface).toBe('eth0');

      const anon = await lab.dhcpClient('anon', { sendClientId: 'none', timeoutSec: 4 });
      if (!anon.ok) throw new Error(`anonymous client got no lease:\n${anon.log}\n${server.logText()}`);
      expect(anon.env.interface).toBe('lan-a');
      const n = ipToInt(anon.ip);
      expect(n).toBeGreaterThanOrEqual(ipToInt('192.0.2.100'));
      expect(n).toBeLessThanOrEqual(ipToInt('192.0.2.120'));
      expect(anon.env.dns).toBeUndefined(); // tag:r option not given to others

      // The client script records only; no address is left on the interface.
      const addr = await lab.exec('known', ['ip', '-4', 'addr', 'show', 'dev', 'eth0']);
      expect(addr.code).toBe(0);
      expect(addr.stdout).not.toMatch(/inet /);

      // Leases went to the scratch dir that dnsmasq saw as /var/lib/misc.
      const leases = await server.waitForLog(/DHCPACK\(eth0\) 192\.0\.2\.1\d\d /);
      expect(leases).toMatch(/DHCPACK\(eth0\) 192\.0\.2\.10 02:00:00:00:00:10 known1/);
      expect(server.leaseFileText()).toMatch(/ 02:00:00:00:00:10 192\.0\.2\.10 known1 /);

      await server.reload();
      expect(server.running()).toBe(true);
    },
    20_000,
  );

  it.skipIf(skip)(
    'reports a dnsmasq that fails to start, with its output',
    async () => {
      if (!lab) throw new Error('lab not created');
      const bad = await mkdtemp(join(tmpdir(), 'k2d-netlab-bad-'));
      try {
        await mkdir(join(bad, 'etc'));
        await writeFile(join(bad, 'etc', 'dnsmasq.conf'), 'port=0\nno-such-option=1\n');
        await expect(lab.startDnsmasq('srv', bad)).rejects.toThrow(/no-such-option|bad option|error/i);
      } finally {
        await rm(bad, { recursive: true, force: true });
      }
    },
    20_000,
  );

  it.skipIf(skip)(
    'destroy removes every namespace and process of the lab',
    async () => {
      if (!lab) throw new Error('lab not created');
      const pid = server?.pid;
      expect(pid).toBeTypeOf('number');
      await lab.destroy();
      await lab.destroy(); // idempotent
      expect(lab.namespaces()).toEqual([]);
      const left = netnsList().filter((n) => n.startsWith(lab?.id ?? '\0'));
      expect(left).toEqual([]);
      for (const ns of labNamespaces) expect(netnsList()).not.toContain(ns);
      expect(server?.running()).toBe(false);
      expect(await pidsMentioning(labTmp)).toEqual([]);
      expect(existsSync(labTmp)).toBe(false);
    },
    20_000,
  );
});
