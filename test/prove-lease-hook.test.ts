/**
 * The lease hook script (src/emit/lease-hook.ts) run by bash as dnsmasq would run it, with its peer
 * file and port pointed at a local UDP socket: what it sends, and when it must stay silent. The
 * failback figures it exists for are measured against the real servers in test/prove.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emitLeaseHook, LEASE_HOOK_PATHS } from '../src/emit/lease-hook.js';
import type { Model } from '../src/model/model.js';
import type { PairPlan } from '../src/transform/plan-pair.js';
import { bytesToHex, decodeDhcp, findOption, messageType, MessageType, optionIp } from '../src/prove/dhcp-packet.js';

const bash = spawnSync('bash', ['-c', 'exit 0']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'k2d-hook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = emitLeaseHook({ ha: undefined } as unknown as Model, { servers: ['dhcp1', 'dhcp2'] } as unknown as PairPlan, 'kea-dhcp4.conf', '192.0.2.3');

describe('emitLeaseHook', () => {
  it('gives each server the hook, its conf line and the other server as peer', () => {
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['dhcp1/etc/dnsmasq.d/50-lease-hook.conf', undefined],
      ['dhcp1/etc/kea2dnsmasq/lease-hook.peer', undefined],
      ['dhcp1/usr/local/sbin/kea2dnsmasq-lease-hook', 0o755],
      ['dhcp2/etc/dnsmasq.d/50-lease-hook.conf', undefined],
      ['dhcp2/etc/kea2dnsmasq/lease-hook.peer', undefined],
      ['dhcp2/usr/local/sbin/kea2dnsmasq-lease-hook', 0o755],
    ]);
    expect(files[0]!.contents).toContain('\ndhcp-script=/usr/local/sbin/kea2dnsmasq-lease-hook\n');
    expect(files[1]!.contents).toBe('192.0.2.3\n');
    expect(files[4]!.contents).toBe('dhcp1\n');
  });
});

describe.skipIf(!bash)('the lease hook script', () => {
  async function runHook(args: string[], env: Record<string, string>, peer: string | null = '127.0.0.1'): Promise<Buffer[]> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    const peerFile = join(dir, `peer-${port}`);
    if (peer !== null) writeFileSync(peerFile, `${peer}\n`);
    const script = files[2]!.contents.replace(`/${LEASE_HOOK_PATHS.peer}`, peerFile).replace('/dev/udp/$peer_ip/67', `/dev/udp/$peer_ip/${port}`);
    const r = spawnSync('bash', ['-c', script, 'hook', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 200));
    sock.close();
    return got;
  }

  it('asks the peer, in the client\'s name, to drop a lease for another address', async () => {
    const got = await runHook(['add', '02:6b:32:d0:0a:01', '192.0.2.130'], { DNSMASQ_TAGS: 'subnet-1-pool-1 subnet-1', DNSMASQ_CLIENT_ID: '01:02:6b:32:d0:0a:01' });
    expect(got).toHaveLength(1);
    expect(got[0]!.length).toBe(300);
    const p = decodeDhcp(got[0]!);
    expect([p.op, p.chaddr, p.ciaddr, p.giaddr, p.flags]).toEqual([1, '02:6b:32:d0:0a:01', '0.0.0.0', '0.0.0.0', 0]);
    expect(messageType(p)).toBe(MessageType.REQUEST);
    expect(optionIp(p, 50)).toBe('192.0.2.130');
    expect(optionIp(p, 54)).toBe('127.0.0.1');
    expect(bytesToHex(findOption(p, 61)!.data)).toBe('01026b32d00a01');
  });

  it('sends no client id that is not hex', async () => {
    const pwned = join(dir, 'pwned');
    const got = await runHook(['old', '02:6b:32:d0:0a:01', '192.0.2.130'], { DNSMASQ_TAGS: 'subnet-1', DNSMASQ_CLIENT_ID: `01:02;$(touch ${pwned})\`touch ${pwned}\`` });
    expect(existsSync(pwned)).toBe(false);
    expect(got).toHaveLength(1);
    expect(findOption(decodeDhcp(got[0]!), 61)).toBeUndefined();
  });

  it.each([
    ['a deleted lease', ['del', '02:6b:32:d0:0a:01', '192.0.2.130'], {}],
    ['the start-up replay of the lease file', ['old', '02:6b:32:d0:0a:01', '192.0.2.130'], { DNSMASQ_DATA_MISSING: '1' }],
    ['a reserved host (tag known)', ['add', '00:11:32:5c:8e:01', '192.0.2.10'], { DNSMASQ_TAGS: 'known subnet-1' }],
    ['a MAC that is not Ethernet', ['add', '01-02-03', '192.0.2.130'], {}],
    ['an address that is not IPv4', ['add', '02:6b:32:d0:0a:01', '2001:db8::1'], {}],
  ] as const)('stays silent for %s', async (_n, args, env) => {
    expect(await runHook([...args], env)).toEqual([]);
  });

  it('stays silent without a peer file', async () => {
    expect(await runHook(['add', '02:6b:32:d0:0a:01', '192.0.2.130'], {}, null)).toEqual([]);
  });
});
