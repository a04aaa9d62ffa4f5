import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { loadKeaConfig } from '../src/load/load.js';
import { labKeaConfig, parseDnsmasqLease, planLab, readServerTree } from '../src/prove/lab-config.js';
import { isLabAddress } from '../src/prove/lab.js';
import { formatIPv4 } from '../src/model/ipv4.js';
import { readClientsFile } from '../src/prove/prove.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const model = (f: string) => compile(join(FIXTURES, f, 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);

describe('labKeaConfig: Kea made safe for the lab', () => {
  it('rewrites interfaces, lease file and loggers, removes hooks and sockets, and never changes its input', () => {
    const doc = loadKeaConfig(join(FIXTURES, 'ha-hot-standby', 'kea-dhcp4.conf')).source!.value;
    const before = JSON.stringify(doc);
    const lab = labKeaConfig(doc, '/scratch', 'eth9');
    expect(JSON.stringify(doc)).toBe(before);
    const d4 = lab.config.Dhcp4 as Record<string, any>;
    expect(Object.keys(lab.config)).toEqual(['Dhcp4']);
    expect(d4['interfaces-config'].interfaces).toEqual(['eth9']);
    expect(d4['lease-database']).toEqual({ type: 'memfile', persist: true, name: '/scratch/kea-leases4.csv', 'lfc-interval': 0 });
    expect(d4.loggers).toEqual([{ name: 'kea-dhcp4', output_options: [{ output: '/scratch/kea.log' }], severity: 'INFO' }]);
    expect(d4['hooks-libraries']).toBeUndefined();
    expect(d4['control-socket']).toBeUndefined();
    expect(d4.subnet4[0].interface).toBe('eth9');
    // Kea 2.2 rejects the pool's client-classes list; the HA_ guard goes with the HA hook.
    expect(d4.subnet4[0].pools[0]).toEqual({ pool: '192.0.2.100 - 192.0.2.199' });
    expect(lab.notes).toEqual([
      'control-socket removed',
      'hook libdhcp_lease_cmds.so removed',
      'hook libdhcp_ha.so removed',
      'pool 192.0.2.100 - 192.0.2.199: HA class guard removed with the HA hook',
    ]);
  });

  it.each([
    [{ 'client-classes': ['HA_a', 'lab'] }, { 'client-class': 'lab' }],
    [{ 'client-classes': ['x', 'y'] }, { 'client-classes': ['x', 'y'] }],
    [{ 'client-class': 'HA_b' }, {}],
    [{ 'client-class': 'printers' }, { 'client-class': 'printers' }],
  ])('pool guard %j becomes %j', (guard, want) => {
    const doc = { Dhcp4: { 'shared-networks': [{ name: 'n', interface: 'eth0', subnet4: [{ subnet: '192.0.2.0/24', pools: [{ pool: 'p', ...guard }] }] }] } };
    const d4 = labKeaConfig(doc, '/s', 'lab0').config.Dhcp4 as Record<string, any>;
    expect(d4['shared-networks'][0].interface).toBe('lab0');
    expect(d4['shared-networks'][0].subnet4[0].pools[0]).toEqual({ pool: 'p', ...want });
  });
});

describe('planLab: which subnets are on the link, which behind a relay', () => {
  it.each([
    ['article-doc', ['192.0.2.0/24'], [], '192.0.2.254'],
    ['multi-subnet', ['198.51.100.0/25', '198.51.100.128/25'], [['203.0.113.0/24', '203.0.113.1'], ['192.0.2.0/24', '192.0.2.254']], '198.51.100.126'],
    ['global-reservations', ['192.0.2.0/24'], [['198.18.0.0/24', '198.18.0.1']], '192.0.2.254'],
  ] as const)('%s', (f, local, relayed, kea) => {
    const r = model(f);
    const p = planLab(r.model!, 'eth0');
    if (typeof p === 'string') throw new Error(p);
    expect(p.local.map((s) => s.text)).toEqual(local);
    expect(p.relayed.map((x) => [x.subnet.text, x.giaddr])).toEqual(relayed);
    expect(p.kea).toBe(kea);
    const all = [p.kea, ...p.dnsmasq, p.probe, ...p.relayed.map((x) => x.giaddr)];
    expect(new Set(all).size).toBe(all.length);
    for (const a of all) expect(isLabAddress(a), a).toBe(true);
    // Never an address a client could be given.
    const taken = r.model!.subnets.flatMap((s) => [...s.reservations.map((x) => x.ip), ...s.pools.flatMap((q) => [q.start, q.end])]).filter((x) => x !== undefined).map((x) => formatIPv4(x!));
    for (const a of [p.kea, ...p.dnsmasq, p.probe]) expect(taken).not.toContain(a);
  });
});

describe('readServerTree', () => {
  it('reads the ranges, leases and the failover server\'s reply delay', () => {
    const t = readServerTree('kea2', join(FIXTURES, 'ha-hot-standby', 'expected', 'kea2'));
    expect(t.replyDelay).toBe(2);
    expect(t.interfaces).toEqual(['eth0']);
    expect(t.ranges.map((x) => [formatIPv4(x.start), formatIPv4(x.end), x.lease, x.tag])).toEqual([['192.0.2.180', '192.0.2.199', 3600, 'subnet-1-pool-1']]);
  });
  it.each([['8h', 28800], ['30m', 1800], ['infinite', 0xffffffff], ['600', 600], ['2w', 1209600], ['x', undefined]] as const)('lease %s', (v, n) => {
    expect(parseDnsmasqLease(v)).toBe(n);
  });
});

describe('--clients FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k2d-clients-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (doc: unknown): string => {
    const p = join(dir, `c${++n}.json`);
    writeFileSync(p, JSON.stringify(doc));
    return p;
  };
  it('reads MAC, client-id and relay', () => {
    expect(readClientsFile(file([{ mac: '02:00:00:00:00:0A', clientId: '01:02:00', relay: '203.0.113.1' }]), ['203.0.113.1'])).toEqual([
      { mac: '02:00:00:00:00:0a', clientId: '010200', relay: '203.0.113.1' },
    ]);
  });
  it.each([
    [{ mac: 'nope' }, /entry 1: "mac"/],
    [{ mac: '02:00:00:00:00:01', relay: '198.51.100.1' }, /entry 1: "relay" must be one of the lab's relay addresses \(203\.0\.113\.1\)/],
    [{ mac: '02:00:00:00:00:01', clientId: 'zz' }, /"clientId" must be hex/],
  ])('rejects %j', (entry, re) => {
    expect(() => readClientsFile(file([entry]), ['203.0.113.1'])).toThrow(re);
  });
});
