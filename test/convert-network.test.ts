/**
 * The generated pair serving real clients: the article's network (renumbered onto 192.0.2.0/24)
 * converted, both servers started from their trees in network namespaces, and busybox udhcpc as
 * the client. Proves: a reserved host gets its address and options from either server alone, a
 * dynamic client gets an address from the answering server's own range, and a reservation
 * change in the hosts directory is applied by the running server (new/changed at once, removals
 * after SIGHUP).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileResult } from '../src/compile.js';
import { formatIPv4, parseIPv4 } from '../src/model/ipv4.js';
import { NetLab, requireOrSkip, type DnsmasqHandle } from './support/netlab.js';
import { PairLab } from './support/pair-lab.js';
import { writeTree } from './support/tree.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'article-doc', 'kea-dhcp4.conf');
const skip = requireOrSkip();

function rangesOf(result: CompileResult, serverIndex: 0 | 1): [number, number][] {
  return result.plan!.splits.flatMap((s) => (s.ranges[serverIndex] ? [[s.ranges[serverIndex]!.start, s.ranges[serverIndex]!.end] as [number, number]] : []));
}

describe.skipIf(skip !== undefined)('generated dnsmasq pair serves the article network', () => {
  const result = compile(FIXTURE, DEFAULT_COMPILE_OPTIONS);
  let pair: PairLab;
  let lab: NetLab;
  const serverAddr: readonly [string, string] = ['192.0.2.2', '192.0.2.3'];

  beforeAll(async () => {
    expect(result.ok).toBe(true);
    pair = await PairLab.start('conv', result, serverAddr);
    lab = pair.lab;
  });

  afterAll(async () => {
    await pair?.destroy();
  });

  it('gives a reserved host its address and options from whichever server answers', async () => {
    const r = await lab.dhcpClient('c', { mac: 'a0:ae:a1:87:e7:a0', requestOptions: [1, 3, 6, 15, 28], timeoutSec: 6 });
    expect(r.ok, r.ok ? '' : r.log).toBe(true);
    if (!r.ok) return;
    expect(r.ip).toBe('192.0.2.31');
    expect(serverAddr).toContain(r.serverId);
    expect(r.env.dns).toBe('192.0.2.1 192.0.2.254');
    expect(r.env.router).toBe('192.0.2.1');
    expect(r.env.domain).toBe('home.arpa');
    expect(r.env.hostname).toBe('hifiberry1');
    expect(r.env.lease).toBe('86400');
    // Kea sends no broadcast address unless configured; dnsmasq would, unless told not to.
    expect(r.env.broadcast).toBeUndefined();
  });

  for (const alone of [0, 1] as const) {
    it(`serves reserved and dynamic clients with only server ${alone + 1} running`, async () => {
      const other = alone === 0 ? 1 : 0;
      await pair.servers[other]!.stop();
      try {
        const reserved = await lab.dhcpClient('c', { mac: 'dc:a6:32:0b:7e:45', requestOptions: [3, 6], timeoutSec: 6 });
        expect(reserved.ok, reserved.ok ? '' : reserved.log).toBe(true);
        if (reserved.ok) {
          expect(reserved.ip).toBe('192.0.2.40');
          expect(reserved.serverId).toBe(serverAddr[alone]);
          expect(reserved.env.dns).toBe('192.0.2.1 192.0.2.254');
        }
        const dynamic = await lab.dhcpClient('c', { mac: `02:00:00:00:0${alone}:77`, requestOptions: [3, 6], timeoutSec: 6 });
        expect(dynamic.ok, dynamic.ok ? '' : dynamic.log).toBe(true);
        if (dynamic.ok) {
          expect(dynamic.serverId).toBe(serverAddr[alone]);
          const ip = parseIPv4(dynamic.ip)!;
          const own = rangesOf(result, alone);
          expect(own.some(([s, e]) => ip >= s && ip <= e), `${dynamic.ip} not in ${own.map(([s, e]) => `${formatIPv4(s)}-${formatIPv4(e)}`).join(', ')}`).toBe(true);
          // Unreserved hosts get the subnet's single DNS server, not the reserved profile.
          expect(dynamic.env.dns).toBe('192.0.2.1');
        }
      } finally {
        await pair.restart(other);
      }
    });
  }

  it('hands dynamic clients addresses from the answering server\'s own range only', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await lab.dhcpClient('c', { mac: `02:00:00:00:10:${(16 + i).toString(16)}`, timeoutSec: 6 });
      expect(r.ok, r.ok ? '' : r.log).toBe(true);
      if (!r.ok) continue;
      const idx = serverAddr.indexOf(r.serverId ?? "") as 0 | 1;
      expect(idx).toBeGreaterThanOrEqual(0);
      const ip = parseIPv4(r.ip)!;
      expect(rangesOf(result, idx).some(([s, e]) => ip >= s && ip <= e)).toBe(true);
    }
  });
});

describe.skipIf(skip !== undefined)('reservations are applied by a running server', () => {
  const result = compile(FIXTURE, DEFAULT_COMPILE_OPTIONS);
  let lab: NetLab;
  let tree: ReturnType<typeof writeTree>;
  let server: DnsmasqHandle;
  const hostsFile = '/etc/dnsmasq.reservations.d/hosts/reservations';

  beforeAll(async () => {
    tree = writeTree(result.files);
    lab = await NetLab.create('reload');
    await lab.addHost('s1', { addresses: ['192.0.2.2/24'] });
    await lab.addHost('c', {});
    server = await lab.startDnsmasq('s1', join(tree.dir, result.plan!.servers[0]), { writableEtc: true });
  });

  afterAll(async () => {
    await lab?.destroy();
    tree?.remove();
  });

  /** Replace the hosts file the way the sync job does: write a temp file elsewhere, rename in. */
  async function replaceHosts(edit: (text: string) => string): Promise<void> {
    const cat = await server.execInMounts(['cat', hostsFile]);
    expect(cat.code).toBe(0);
    const next = edit(cat.stdout);
    expect(next).not.toBe(cat.stdout);
    const script = `cat > /etc/dnsmasq.reservations.d/.reservations.new <<'EOF'\n${next}EOF\nmv /etc/dnsmasq.reservations.d/.reservations.new ${hostsFile}`;
    const w = await server.execInMounts(['sh', '-c', script]);
    expect(w.code, w.stderr).toBe(0);
  }

  it('applies a changed and a removed reservation on reload, and survives the reloads', async () => {
    const before = await lab.dhcpClient('c', { mac: 'a0:ae:a1:87:e7:a0', timeoutSec: 6 });
    expect(before.ok && before.ip).toBe('192.0.2.31');
    expect(before.ok && before.env.dns).toBe('192.0.2.1 192.0.2.254');

    // Change hifiberry1's address, then reload as the sync job does.
    await replaceHosts((t) => t.replace('a0:ae:a1:87:e7:a0,192.0.2.31,', 'a0:ae:a1:87:e7:a0,192.0.2.33,'));
    await server.reload();
    await server.waitForLog(/SIGHUP|read \/etc\/dnsmasq\.reservations\.d\/hosts\/reservations/, 5000);
    const changed = await lab.dhcpClient('c', { mac: 'a0:ae:a1:87:e7:a0', timeoutSec: 6 });
    expect(server.running(), 'dnsmasq died on reload').toBe(true);
    expect(changed.ok && changed.ip).toBe('192.0.2.33');
    // Its option profile still applies: the tag comes from 40-reservation-tags.conf, not the hosts line.
    expect(changed.ok && changed.env.dns).toBe('192.0.2.1 192.0.2.254');

    // Remove it: after a reload the host is no longer reserved (gets a dynamic address and the subnet's DNS).
    await replaceHosts((t) => t.split('\n').filter((l) => !l.startsWith('a0:ae:a1:87:e7:a0,')).join('\n'));
    await server.reload();
    const removed = await lab.dhcpClient('c', { mac: 'a0:ae:a1:87:e7:a0', timeoutSec: 6 });
    expect(server.running(), `dnsmasq died on reload:\n${server.logText().split('\n').slice(-10).join('\n')}`).toBe(true);
    expect(removed.ok, removed.ok ? '' : removed.log).toBe(true);
    if (removed.ok) {
      const ip = parseIPv4(removed.ip)!;
      expect(ip).toBeGreaterThanOrEqual(parseIPv4('192.0.2.100')!);
      expect(removed.env.dns).toBe('192.0.2.1');
    }
  });
});

describe.skipIf(skip !== undefined)('a reserved address inside a pool', () => {
  // fixtures/precedence reserves 192.0.2.140 inside pool 1, which the primary serves.
  const result = compile(join(import.meta.dirname, '..', 'fixtures', 'precedence', 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
  let lab: NetLab;
  let tree: ReturnType<typeof writeTree>;

  beforeAll(async () => {
    tree = writeTree(result.files);
    lab = await NetLab.create('inpool');
    await lab.addHost('s1', { addresses: ['192.0.2.2/24'] });
    await lab.addHost('c', {});
    await lab.startDnsmasq('s1', join(tree.dir, result.plan!.servers[0]));
  });

  afterAll(async () => {
    await lab?.destroy();
    tree?.remove();
  });

  it('is never handed to another client, even one asking for it', async () => {
    const other = await lab.dhcpClient('c', { mac: '02:00:00:00:0e:01', requestIp: '192.0.2.140', timeoutSec: 6 });
    expect(other.ok, other.ok ? '' : other.log).toBe(true);
    expect(other.ok && other.ip).not.toBe('192.0.2.140');
    const owner = await lab.dhcpClient('c', { mac: '02:00:00:00:0a:02', timeoutSec: 6 });
    expect(owner.ok && owner.ip).toBe('192.0.2.140');
  });
});
