/**
 * Carrying Kea's live leases over: reading the memfile CSV the way Kea replays it (LFC files
 * first, last row per address wins, zero lifetime deletes, expired/declined/reclaimed dropped,
 * `&#xHH` unescaped, old schemas, kea-admin lease-dump), placing each lease on the server whose
 * range holds it, the dnsmasq lease-file format, and the command line (--leases, --at).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { formatIPv4 } from '../src/model/ipv4.js';
import { INFINITE, normalizeHex, readKeaLeases, unescapeKea, type LeaseText } from '../src/leases/kea-csv.js';
import { readLeaseFiles } from '../src/leases/lease-files.js';
import { leaseHostname, renderDnsmasqLeases } from '../src/leases/place.js';
import type { LoadHost } from '../src/load/load.js';
import { runCli } from './support/run-cli.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'leases');
const HEADER = 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id';
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const row = (ip: string, mac: string, opts: { life?: number; expire?: number; state?: number; host?: string; cid?: string } = {}) =>
  `${ip},${mac},${opts.cid ?? ''},${opts.life ?? 3600},${opts.expire ?? NOW + 1000},1,0,0,${opts.host ?? ''},${opts.state ?? 0},,0`;
const file = (name: string, ...rows: string[]): LeaseText => ({ file: name, text: `${HEADER}\n${rows.join('\n')}\n` });

describe('reading Kea lease CSV', () => {
  it('replays the files in order: the last row for an address wins, a zero-lifetime row deletes', () => {
    const r = readKeaLeases(
      [
        file('a.2', row('192.0.2.10', '00:00:00:00:00:01', { host: 'first' }), row('192.0.2.11', '00:00:00:00:00:02')),
        file('a.1', row('192.0.2.10', '00:00:00:00:00:01', { host: 'second' })),
        file('a', row('192.0.2.11', '00:00:00:00:00:02', { life: 0 }), row('192.0.2.12', '00:00:00:00:00:03')),
      ],
      NOW,
    );
    expect(r.active.map((l) => [formatIPv4(l.address), l.hostname, l.file, l.line])).toEqual([
      ['192.0.2.10', 'second', 'a.1', 2],
      ['192.0.2.12', '', 'a', 3],
    ]);
    expect(r.dropped.deleted).toBe(1);
    expect(r.rows).toBe(5);
    expect(r.diagnostics).toEqual([]);
  });

  it.each([
    ['expired', { expire: NOW - 1 }, 'expired'],
    ['expiring exactly now', { expire: NOW }, 'expired'],
    ['declined', { state: 1 }, 'declined'],
    ['expired-reclaimed', { state: 2 }, 'reclaimed'],
    ['released', { state: 3 }, 'released'],
  ] as const)('drops a %s lease', (_name, opts, counter) => {
    const r = readKeaLeases([file('f', row('192.0.2.10', '00:00:00:00:00:01', opts))], NOW);
    expect(r.active).toEqual([]);
    expect(r.dropped[counter]).toBe(1);
  });

  it('keeps an infinite lease whatever its expire column says', () => {
    const r = readKeaLeases([file('f', row('192.0.2.10', '00:00:00:00:00:01', { life: INFINITE, expire: 5 }))], NOW);
    expect(r.active).toHaveLength(1);
    expect(renderDnsmasqLeases(r.active, () => true)).toBe('0 00:00:00:00:00:01 192.0.2.10 * *\n');
  });

  it('unescapes &#xHH in hostnames, as Kea escapes them', () => {
    expect(unescapeKea('three&#x2cexample&#x2ccom')).toBe('three,example,com');
    expect(unescapeKea('a&#x26;b')).toBe('a&;b');
    expect(unescapeKea('caf&#xc3&#xa9')).toBe('café');
    expect(unescapeKea('plain')).toBe('plain');
    const r = readKeaLeases([file('f', row('192.0.2.10', '00:00:00:00:00:01', { host: 'one&#x2ctwo' }))], NOW);
    expect(r.active[0]!.hostname).toBe('one,two');
  });

  it('reads old schemas: a 9-column header, and a file without a header', () => {
    const old: LeaseText = { file: 'old', text: 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname\n192.0.2.10,00:00:00:00:00:01,,3600,1767226600,1,0,0,old\n' };
    const bare: LeaseText = { file: 'bare', text: '192.0.2.11,00:00:00:00:00:02,,3600,1767226600,1,0,0,bare,0\n' };
    const r = readKeaLeases([old, bare], NOW);
    expect(r.active.map((l) => [formatIPv4(l.address), l.hostname, l.state])).toEqual([
      ['192.0.2.10', 'old', 0],
      ['192.0.2.11', 'bare', 0],
    ]);
  });

  it('reads a kea-admin lease-dump of an older SQL schema: bare hex, dates, state names, quoted fields', () => {
    const dump: LeaseText = {
      file: 'dump.csv',
      text:
        'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state\n' +
        '192.0.2.10,00163E000001,01AABB,3600,2026-01-01 01:00:00,1,0,0,"host,one",default\n' +
        '192.0.2.11,00163E000002,,3600,2026-01-01 01:00:00,1,0,0,two,declined\n',
    };
    const r = readKeaLeases([dump], NOW);
    expect(r.active.map((l) => [formatIPv4(l.address), l.hwaddr, l.clientId, l.expire, l.hostname])).toEqual([
      ['192.0.2.10', '00:16:3e:00:00:01', '01:aa:bb', NOW + 3600, 'host,one'],
    ]);
    expect(r.dropped.declined).toBe(1);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LEASE_TIME_ZONE_ASSUMED']);
  });

  it('reports malformed rows with file and line, and reads the rest', () => {
    const f = file(
      'leases.csv',
      row('192.0.2.10', '00:00:00:00:00:01'),
      '192.0.2.300,00:00:00:00:00:02,,3600,1767226600,1,0,0,,0,,0',
      row('192.0.2.11', 'zz'),
      '192.0.2.12,00:00:00:00:00:03,,soon,1767226600,1,0,0,,0,,0',
      '192.0.2.13,00:00:00:00:00:04,,3600,yesterday,1,0,0,,0,,0',
      '192.0.2.14,00:00:00:00:00:05,,3600,1767226600,one,0,0,,0,,0',
      '192.0.2.15,00:00:00:00:00:06,,3600,1767226600,1,0,0,,busy,,0',
      '192.0.2.16,00:00:00:00:00:07',
      `${row('192.0.2.17', '00:00:00:00:00:08')},extra`,
      '"unterminated,00',
      row('192.0.2.18', '00:00:00:00:00:09'),
    );
    const r = readKeaLeases([f], NOW);
    expect(r.active.map((l) => formatIPv4(l.address))).toEqual(['192.0.2.10', '192.0.2.18']);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.at?.file, d.at?.line])).toEqual(
      [3, 4, 5, 6, 7, 8, 9, 10, 11].map((line) => ['LEASE_ROW_MALFORMED', 'warning', 'leases.csv', line]),
    );
  });

  it('refuses a header without the columns it needs (a DHCPv6 file)', () => {
    const v6: LeaseText = { file: 'v6.csv', text: 'address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid\n2001:db8::1,00:01,3600,1,1,1,0,1\n' };
    const r = readKeaLeases([v6], NOW);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['LEASE_HEADER_UNUSABLE', 'error']]);
    expect(r.active).toEqual([]);
  });

  it('normalizes hardware addresses and client ids to lower-case colon hex', () => {
    expect(normalizeHex('00:16:3E:0:1:2')).toBe('00:16:3e:00:01:02');
    expect(normalizeHex('00163E000102')).toBe('00:16:3e:00:01:02');
    expect(normalizeHex('00-16-3e-00-01-02')).toBe('00:16:3e:00:01:02');
    expect(normalizeHex('')).toBe('');
    expect(normalizeHex('xyz')).toBeUndefined();
    expect(normalizeHex('abc')).toBeUndefined();
  });

  it('gives the same leases however the rows are split across the LFC files (property)', () => {
    const rowArb = fc.record({
      host: fc.integer({ min: 1, max: 6 }),
      life: fc.constantFrom(0, 60, 3600, INFINITE),
      expire: fc.integer({ min: NOW - 100, max: NOW + 100 }),
      state: fc.constantFrom(0, 0, 0, 1, 2),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (rows, cut1, cut2) => {
        const lines = rows.map((x) => row(`192.0.2.${x.host}`, `00:00:00:00:00:0${x.host}`, { life: x.life, expire: x.expire, state: x.state }));
        const [a, b] = [Math.min(cut1, cut2, lines.length), Math.min(Math.max(cut1, cut2), lines.length)];
        const whole = readKeaLeases([file('one', ...lines)], NOW);
        const split = readKeaLeases([file('x.2', ...lines.slice(0, a)), file('x.1', ...lines.slice(a, b)), file('x', ...lines.slice(b))], NOW);
        const key = (r: typeof whole) => r.active.map((l) => [l.address, l.validLifetime, l.expire, l.state]);
        expect(key(split)).toEqual(key(whole));
        // The model: the last row per address, unless it has lifetime 0; active when state 0 and not expired.
        const last = new Map<number, (typeof rows)[number]>();
        for (const x of rows) {
          if (x.life === 0) last.delete(x.host);
          else last.set(x.host, x);
        }
        const want = [...last.entries()]
          .filter(([, x]) => x.state === 0 && (x.life === INFINITE || x.expire > NOW))
          .map(([h]) => h)
          .sort((p, q) => p - q);
        expect(whole.active.map((l) => l.address & 255)).toEqual(want);
      }),
    );
  });
});

describe('finding the LFC files', () => {
  const host = (files: Record<string, string | Error>): LoadHost => ({
    readFile: (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      if (v instanceof Error) throw v;
      return v;
    },
  });

  it('reads .2 then .1 then the file itself', () => {
    const r = readLeaseFiles('/l/k.csv', host({ '/l/k.csv': 'c', '/l/k.csv.1': 'b', '/l/k.csv.2': 'a' }));
    expect(r.files.map((f) => f.file)).toEqual(['/l/k.csv.2', '/l/k.csv.1', '/l/k.csv']);
    expect(r.diagnostics).toEqual([]);
  });

  it('reads .completed instead of .2 and .1 when the last cleanup finished', () => {
    const r = readLeaseFiles('/l/k.csv', host({ '/l/k.csv': 'c', '/l/k.csv.1': 'b', '/l/k.csv.2': 'a', '/l/k.csv.completed': 'z' }));
    expect(r.files.map((f) => f.file)).toEqual(['/l/k.csv.completed', '/l/k.csv']);
  });

  it('needs the file itself, and reports an unreadable one', () => {
    expect(readLeaseFiles('/l/k.csv', host({ '/l/k.csv.1': 'b' })).diagnostics.map((d) => d.code)).toEqual(['LEASE_FILE_NOT_FOUND']);
    const denied = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    expect(readLeaseFiles('/l/k.csv', host({ '/l/k.csv': denied })).diagnostics.map((d) => [d.code, d.args.reason])).toEqual([['LEASE_FILE_UNREADABLE', 'EACCES']]);
  });
});

describe('placing leases', () => {
  const options = { ...DEFAULT_COMPILE_OPTIONS, leases: 'kea-leases4.csv', at: NOW };
  const r = compile(join(FIXTURE, 'kea-dhcp4.conf'), options);
  const file = (p: string) => r.files.find((f) => f.path === p)?.contents;

  it('puts each dynamic lease on the server whose range holds it, a reserved host on both', () => {
    expect(r.ok).toBe(true);
    const primary = file('primary/var/lib/misc/dnsmasq.leases')!;
    const secondary = file('secondary/var/lib/misc/dnsmasq.leases')!;
    expect(primary).toContain(' 192.0.2.125 ');
    expect(secondary).toContain(' 192.0.2.160 ');
    expect(primary).not.toContain(' 192.0.2.160 ');
    expect(secondary).not.toContain(' 192.0.2.125 ');
    for (const f of [primary, secondary]) expect(f).toContain('1767260000 00:11:32:5c:8e:01 192.0.2.10 nas *\n');
  });

  it('lists every lease it cannot carry as "will renumber", with the reason and the Kea row', () => {
    const l = r.report!.leases!;
    expect(l.renumber.map((x) => [x.address, x.where])).toEqual([
      ['192.0.2.11', 'kea-leases4.csv:4'],
      ['192.0.2.50', 'kea-leases4.csv:9'],
      ['192.0.2.121', 'kea-leases4.csv.1:2'],
      ['203.0.113.7', 'kea-leases4.csv:10'],
    ]);
    expect(l.renumber.map((x) => x.reason).join('\n')).toMatch(/reserved for another client[\s\S]*neither server's dynamic range[\s\S]*reservation for 192\.0\.2\.12[\s\S]*no subnet/);
    expect(r.diagnostics.filter((d) => d.code === 'LEASES_WILL_RENUMBER').map((d) => d.args.count)).toEqual([4]);
  });

  it('warns when one server alone cannot carry the live clients: both in equal mode, the primary in failover mode', () => {
    const short = (res: typeof r) => res.diagnostics.filter((d) => d.code === 'LEASE_CAPACITY_SHORT').map((d) => d.args.server);
    expect(short(r)).toEqual(['primary', 'secondary']);
    const failover = compile(join(FIXTURE, 'kea-dhcp4.conf'), { ...options, mode: 'failover', failoverShare: 0.5 });
    expect(short(failover)).toEqual(['primary']);
    expect(failover.report!.leases!.subnets.find((s) => s.id === 2)!.enough).toEqual([false, true]);
  });

  it('makes the server without a client\'s lease offer late, so the lease holder\'s offer of the old address comes first', () => {
    const conf = (res: typeof r, server: string) => res.files.find((f) => f.path === `${server}/etc/dnsmasq.d/35-leases-elsewhere.conf`)!.contents;
    // .160 and 198.51.100.12 are on secondary: primary delays them; reserved hosts and renumbered clients are not listed.
    expect(conf(r, 'primary')).toContain('dhcp-reply-delay=tag:lease-on-peer,1\ndhcp-mac=set:lease-on-peer,00:16:3e:00:01:60\ndhcp-mac=set:lease-on-peer,00:16:3e:00:02:12\n');
    expect(conf(r, 'secondary')).toContain('dhcp-mac=set:lease-on-peer,00:16:3e:00:01:25\n');
    for (const s of ['primary', 'secondary']) expect(conf(r, s)).not.toMatch(/00:11:32:5c:8e:01|00:16:3e:99:99:99|00:16:3e:00:01:21/);
    // Failover: the primary waits past the failover server's own delay; the failover server already waits.
    const f = compile(join(FIXTURE, 'kea-dhcp4.conf'), { ...options, mode: 'failover', failoverShare: 0.5, replyDelay: 2 });
    expect(conf(f, 'primary')).toContain('dhcp-reply-delay=tag:lease-on-peer,3\n');
    expect(conf(f, 'failover')).not.toMatch(/^dhcp-/m);
  });

  it('writes no client-id where Kea ignored it (match-client-id: false), so dnsmasq matches by MAC', () => {
    expect(file('primary/var/lib/misc/dnsmasq.leases')).toContain('00:16:3e:00:02:10 198.51.100.10 lab1 *\n');
    expect(file('primary/var/lib/misc/dnsmasq.leases')).toContain('00:16:3e:00:01:25 192.0.2.125 laptop-b 01:00:16:3e:00:01:25\n');
  });

  it('is the same with the time given as --at, whatever the clock says', () => {
    expect(compile(join(FIXTURE, 'kea-dhcp4.conf'), options).files).toEqual(r.files);
    const later = compile(join(FIXTURE, 'kea-dhcp4.conf'), { ...options, at: 1_767_255_000 });
    expect(later.report!.leases!.active).toBeLessThan(r.report!.leases!.active);
  });

  it.each([
    ['laptop.home.arpa', 'laptop'],
    ['tv.home.arpa.', 'tv'],
    ['phone,b', '*'],
    ['wifi&cam', '*'],
    ['-dash', '*'],
    ['under_score', 'under_score'],
    ['', '*'],
  ])('lease hostname %j -> %j', (kea, want) => expect(leaseHostname(kea)).toBe(want));
});

describe('--leases and --at on the command line', () => {
  const temps: string[] = [];
  afterEach(() => temps.splice(0).forEach((t) => rmSync(t, { recursive: true, force: true })));
  const out = () => {
    const d = mkdtempSync(join(tmpdir(), 'k2d-leases-'));
    temps.push(d);
    return join(d, 'out');
  };
  const config = join(FIXTURE, 'kea-dhcp4.conf');
  const leases = join(FIXTURE, 'kea-leases4.csv');

  it('writes both lease files and prints the lease summary', async () => {
    const dir = out();
    const r = await runCli(['convert', config, '--out', dir, '--leases', leases, '--at', '2026-01-01T00:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Leases (as of 2026-01-01T00:00:00.000Z): 12 active');
    expect(r.stderr).toMatch(/kea-leases4\.csv:11:1: warning LEASE_ROW_MALFORMED/);
    expect(existsSync(join(dir, 'primary', 'var', 'lib', 'misc', 'dnsmasq.leases'))).toBe(true);
    expect(existsSync(join(dir, 'secondary', 'var', 'lib', 'misc', 'dnsmasq.leases'))).toBe(true);
  });

  it('accepts epoch seconds for --at and gives the same output', async () => {
    const [a, b] = [out(), out()];
    await runCli(['convert', config, '--out', a, '--leases', leases, '--at', '2026-01-01T00:00:00Z', '-q']);
    await runCli(['convert', config, '--out', b, '--leases', leases, '--at', String(NOW), '-q']);
    const check = await runCli(['check', config, '--against', b, '--leases', leases, '--at', '2026-01-01']);
    expect(check.code).toBe(0);
  });

  it('exits 2 and writes nothing for a missing lease file, a bad --at, or malformed rows under --strict', async () => {
    for (const args of [
      ['--leases', join(FIXTURE, 'no-such.csv'), '--at', '0'],
      ['--leases', leases, '--at', 'tomorrow'],
      ['--leases', leases, '--at', '2026-01-01T00:00:00'],
      ['--leases', leases, '--at', String(NOW), '--strict'],
    ]) {
      const dir = out();
      const r = await runCli(['convert', config, '--out', dir, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(existsSync(dir)).toBe(false);
    }
  });
});
