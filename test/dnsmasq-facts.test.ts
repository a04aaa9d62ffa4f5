/**
 * Facts about the real dnsmasq (2.90 on Debian 12) that the generated layout depends on. If a
 * future dnsmasq changes one of them, this test says which design decision to revisit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetLab, requireOrSkip } from './support/netlab.js';

const skip = requireOrSkip();

function tree(hostLine: string): string {
  const t = mkdtempSync(join(tmpdir(), 'k2d-fact-'));
  mkdirSync(join(t, 'etc', 'hosts.d'), { recursive: true });
  writeFileSync(
    join(t, 'etc', 'dnsmasq.conf'),
    'port=0\ninterface=eth0\nno-ping\ndhcp-range=set:r,192.0.2.100,192.0.2.120,255.255.255.0,1h\ndhcp-hostsdir=/etc/hosts.d\ndhcp-leasefile=/var/lib/misc/dnsmasq.leases\n',
  );
  writeFileSync(join(t, 'etc', 'hosts.d', 'reservations'), `${hostLine}\n`);
  return t;
}

describe.skipIf(skip !== undefined)('dnsmasq facts', () => {
  // Why 40-reservation-tags.conf exists: tags on hostsdir lines make a reload fatal on 2.90
  // (upstream commit f006be7 "Fix crash when reloading DHCP config on SIGHUP", in 2.91).
  for (const [label, line, survives] of [
    ['with set: on the hostsdir line', '02:00:00:00:00:10,set:profile,192.0.2.10,h1', false],
    ['without set: on the hostsdir line', '02:00:00:00:00:10,192.0.2.10,h1', true],
  ] as const) {
    it(`a reload after serving a reserved host ${label} ${survives ? 'is survived' : 'kills dnsmasq 2.90'}`, async () => {
      const t = tree(line);
      const lab = await NetLab.create('fact');
      try {
        await lab.addHost('s', { addresses: ['192.0.2.2/24'] });
        await lab.addHost('c', {});
        const d = await lab.startDnsmasq('s', t);
        const r = await lab.dhcpClient('c', { mac: '02:00:00:00:00:10', timeoutSec: 4 });
        expect(r.ok && r.ip).toBe('192.0.2.10');
        await d.reload();
        await new Promise((res) => setTimeout(res, 400));
        expect(d.running()).toBe(survives);
      } finally {
        await lab.destroy();
        rmSync(t, { recursive: true, force: true });
      }
    });
  }
});
