/**
 * `kea2dnsmasq prove` against the real Kea 2.2 and dnsmasq 2.90, on golden fixtures (documentation
 * addresses only, on namespaces and bridges the lab creates and removes). Each fixture is converted
 * into a temporary directory (as a user would run convert), then proved.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { applyPlan, planChanges } from '../src/plan/plan.js';
import { listNamespaces } from '../src/prove/lab.js';
import { prove, proveRequirements, type ProveResult } from '../src/prove/prove.js';
import { renderProve } from '../src/prove/render.js';
import { runProve } from '../src/cli/commands/prove.js';
import { parseIPv4 } from '../src/model/ipv4.js';
import { readServerTree } from '../src/prove/lab-config.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const why = proveRequirements();
if (why && process.env.CI) throw new Error(`prove tests cannot run in CI: ${why}`);
if (why) console.warn(`[prove] skipping: ${why}`);

const scratch = mkdtempSync(join(tmpdir(), 'k2d-prove-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const converted = new Map<string, { config: string; out: string }>();

function convert(fixture: string): { config: string; out: string } {
  const config = join(FIXTURES, fixture, 'kea-dhcp4.conf');
  const out = join(scratch, fixture);
  const seen = converted.get(fixture);
  if (seen) return seen;
  converted.set(fixture, { config, out });
  const r = compile(config, DEFAULT_COMPILE_OPTIONS);
  if (!r.ok) throw new Error(`${fixture} does not convert`);
  applyPlan(planChanges(out, r.files), { force: false });
  return { config, out };
}

const mine = (): string[] => listNamespaces().filter((n) => n.startsWith(`k2p${process.pid}x`));

function assertProved(r: ProveResult, bound: { failoverSeconds: number }): void {
  for (const c of r.clients.filter((x) => x.kind === 'reserved')) {
    expect(c.differences, c.name).toEqual([]);
    expect(c.dnsmasq.address, c.name).toBe(c.kea.address);
    expect(c.dnsmasq.offers.map((o) => o.server).sort(), `${c.name}: both servers offer`).toEqual([...r.servers].sort());
  }
  const trees = r.servers.map((s) => readServerTree(s, join(r.out, s)));
  for (const c of r.clients.filter((x) => x.kind !== 'reserved')) {
    expect(c.verdict, `${c.name}: ${c.differences.join('; ')}`).toBe('identical');
    // A client no pool admits (e.g. a class guarded out) gets no answer from either side.
    if (c.kea.address === undefined && c.dnsmasq.address === undefined) continue;
    const a = parseIPv4(c.dnsmasq.address!)!;
    const tree = trees.find((t) => t.name === c.dnsmasq.server)!;
    expect(tree.ranges.some((x) => a >= x.start && a <= x.end), `${c.name}: ${c.dnsmasq.address} in ${c.dnsmasq.server}'s ranges`).toBe(true);
  }
  const f = r.failover!;
  expect(f.bothUp).toMatchObject({ reboots: 5, naks: 0, changes: 0 });
  expect(f.failoverSeconds).toBeLessThanOrEqual(bound.failoverSeconds);
  expect(f.failoverInSurvivorRange).toBe(true);
  expect(f.reservedWithOneDown.length).toBeGreaterThan(0);
  for (const x of f.reservedWithOneDown) expect(x.ok, `${x.client} with ${x.down} down`).toBe(true);
  expect(f.failback.reboots).toBe(5);
  expect(f.failback.changes).toBeLessThanOrEqual(1);
  // The lease hook drops the returning server's stale lease at the first reboot: at most that NAK.
  expect(f.failback.naks).toBeLessThanOrEqual(1);
  expect(r.namespacesLeft).toEqual([]);
  expect(mine()).toEqual([]);
}

describe.skipIf(why !== undefined)('prove on golden fixtures', () => {
  it.each([
    ['article-doc', 'equal', 8],
    ['multi-subnet', 'equal', 8],
    ['global-reservations', 'equal', 8],
    ['ha-load-balancing', 'equal', 8],
    // The failover server answers after its 2 s reply delay.
    ['ha-hot-standby', 'failover', 10],
    // Client classes: prove adds a client for each class it can meet on the link.
    ['classes', 'equal', 8],
    // Every standard option: byte-equal to Kea, or one convert listed (57, 118 not sent; NULs on 66/67; 119 compressed).
    ['all-options', 'equal', 8],
  ] as const)('%s (%s design)', async (fixture, mode, bound) => {
    const { config, out } = convert(fixture);
    const clientsFile = join(scratch, `${fixture}-clients.json`);
    writeFileSync(clientsFile, JSON.stringify([{ mac: '02:00:5e:10:00:01', name: 'listed laptop' }]));
    const r = await prove({ config, out, dynamic: 2, clientsFile });
    expect(r.mode).toBe(mode);
    expect(r.clients.find((c) => c.kind === 'listed')).toMatchObject({ name: 'listed laptop', verdict: 'identical' });
    assertProved(r, { failoverSeconds: bound });
    if (mode === 'failover') expect(r.failover!.primaryFirst).toEqual({ first: 3, total: 3 }); // 2 dynamic + the listed client
    if (fixture === 'multi-subnet') {
      // Relayed subnets really were exercised through the relay agent.
      expect(r.lab.relays.sort()).toEqual(['192.0.2.254', '203.0.113.1']);
      expect(r.clients.filter((c) => c.relay === '203.0.113.1' && c.verdict === 'identical' && c.kind === 'dynamic')).toHaveLength(2);
      // Kea's uncompressed domain-search vs dnsmasq's compressed one is a reported change, not a failure.
      expect(r.clients.some((c) => c.notes.some((n) => /option 119 .*reported by convert/.test(n)))).toBe(true);
    }
    if (fixture === 'multi-subnet' || fixture === 'global-reservations') {
      // Kea echoes a client-id reservation's option 61 (RFC 6842), dnsmasq cannot: the migration
      // report says so, and prove lists it as a remark, not a failure.
      const withId = r.clients.filter((c) => c.clientId);
      expect(withId.length).toBeGreaterThan(0);
      for (const c of withId) expect(c.notes.some((n) => /^ACK: option 61 missing from \S+, Kea sent [0-9a-f]+ \(reported by convert/.test(n)), c.name).toBe(true);
    }
    if (fixture === 'all-options') {
      const c = r.clients.find((x) => x.kind === 'dynamic')!;
      const remarked = [...new Set(c.notes.map((n) => Number(/option (\d+) /.exec(n)?.[1])).filter((x) => x > 0))].sort((a, b) => a - b);
      expect(remarked).toEqual([57, 66, 67, 118, 119]);
    }
    if (fixture === 'classes') {
      // pxe, pxe-efi, ipxe, voip and guests can be met on the link (printers needs a relay's circuit-id).
      const classClients = r.clients.filter((c) => c.kind === 'class');
      expect(classClients.map((c) => c.name).sort()).toEqual(['class "guests" client', 'class "ipxe" client', 'class "pxe" client', 'class "pxe-efi" client', 'class "voip" client']);
      expect(classClients.every((c) => c.verdict === 'identical')).toBe(true);
    }
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(renderProve(r)).toMatch(/^OK: the dnsmasq pair answers like Kea/m);
  }, 90_000);

  it('reports a wrong reserved address and a missing option, exactly, and exits 1', async () => {
    const { config, out } = convert('article-doc');
    const broken = join(scratch, 'article-doc-broken');
    cpSync(out, broken, { recursive: true });
    for (const s of ['primary', 'secondary']) {
      const hosts = join(broken, s, 'etc', 'dnsmasq.reservations.d', 'hosts', 'reservations');
      const text = readFileSync(hosts, 'utf8');
      expect(text).toContain('00:11:32:5c:8e:01,192.0.2.10,');
      writeFileSync(hosts, text.replace('00:11:32:5c:8e:01,192.0.2.10,', '00:11:32:5c:8e:01,192.0.2.9,'));
      const opts = join(broken, s, 'etc', 'dnsmasq.d', '20-options.conf');
      const before = readFileSync(opts, 'utf8');
      const after = before.replace(/^dhcp-option-force=tag:subnet-1,option:domain-name,"home.arpa"\n/m, '');
      expect(after).not.toBe(before);
      writeFileSync(opts, after);
    }
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    let code: number;
    try {
      code = await runProve(config, { out: broken, clients: undefined, dynamic: 1, json: true });
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(1);
    const r = JSON.parse(stdout) as ProveResult;
    const nas = r.clients.find((c) => c.mac === '00:11:32:5c:8e:01')!;
    expect(nas.verdict).toBe('different');
    expect(nas.differences).toContain('ACK: address 192.0.2.9 from ' + nas.dnsmasq.server + ', Kea gave 192.0.2.10');
    // Every client misses option 15 and nothing else is wrong.
    for (const c of r.clients) {
      expect(c.verdict, c.name).toBe('different');
      const rest = c.differences.filter((d) => !/: option 15 missing from \S+, Kea sent 686f6d652e61727061$/.test(d) && !(c === nas && /address 192\.0\.2\.9 from/.test(d)));
      expect(rest, c.name).toEqual([]);
    }
    expect(r.problems.some((p) => p.includes('dnsmasq gave 192.0.2.9, the reservation says 192.0.2.10'))).toBe(true);
    expect(r.namespacesLeft).toEqual([]);
    expect(mine()).toEqual([]);
  }, 90_000);

  it('without the lease hook, failback NAKs every reboot and prove fails on it', async () => {
    const { config, out } = convert('article-doc');
    const nohook = join(scratch, 'article-doc-nohook');
    cpSync(out, nohook, { recursive: true });
    for (const s of ['primary', 'secondary']) rmSync(join(nohook, s, 'etc', 'dnsmasq.d', '50-lease-hook.conf'));
    const r = await prove({ config, out: nohook, dynamic: 1 });
    expect(r.ok).toBe(false);
    expect(r.failover!.failback.naks).toBeGreaterThan(1);
    expect(r.problems).toContain(`after failback the returning server NAKed ${r.failover!.failback.naks} of 5 reboots; the client has not settled`);
    expect(r.clients.every((c) => c.verdict === 'identical')).toBe(true);
    expect(mine()).toEqual([]);
  }, 90_000);

  it('says why it cannot run when DIR holds no server trees, and exits 2', async () => {
    const errs: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errs.push(String(m)));
    try {
      expect(await runProve(join(FIXTURES, 'article-doc', 'kea-dhcp4.conf'), { out: join(scratch, 'nothing-here'), clients: undefined, dynamic: 1, json: false })).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errs.join('\n')).toMatch(/nothing-here does not exist; run kea2dnsmasq convert .* --out .*nothing-here first/);
    expect(mine()).toEqual([]);
  });

  it('removes the lab when interrupted (SIGINT)', async () => {
    const { config, out } = convert('article-doc');
    const driver = `import('${join(import.meta.dirname, '..', 'src', 'cli', 'main.ts')}').then((m) => m.main(['node', 'kea2dnsmasq', 'prove', ${JSON.stringify(config)}, '--out', ${JSON.stringify(out)}]))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', driver], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const theirs = (): string[] => listNamespaces().filter((n) => n.startsWith(`k2p${child.pid}x`));
    for (let i = 0; i < 200 && !/clients:/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
    expect(theirs().length, err).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/SIGINT, removing the lab/);
    expect(theirs()).toEqual([]);
  }, 60_000);
});

// Kea's own all-options example (every standard option) with a pool added so clients get leases:
// every option Kea sends must arrive from dnsmasq with the same bytes, or be one convert reported.
const ALL_OPTIONS = join(import.meta.dirname, '..', '..', 'shared', 'kea-examples', 'kea-2.2', 'all-options.json');
describe.skipIf(why !== undefined || !existsSync(ALL_OPTIONS))('prove on Kea\'s all-options example', () => {
  it('sends every option with Kea\'s bytes, or it is one the migration report lists', async () => {
    const text = readFileSync(ALL_OPTIONS, 'utf8');
    const anchor = '"subnet": "192.0.2.0/24"';
    expect(text.split(anchor)).toHaveLength(2);
    const config = join(scratch, 'all-options.json');
    writeFileSync(config, text.replace(anchor, `${anchor},\n        "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ]`));
    const r0 = compile(config, DEFAULT_COMPILE_OPTIONS);
    expect(r0.ok).toBe(true);
    const out = join(scratch, 'all-options-out');
    applyPlan(planChanges(out, r0.files), { force: false });
    const r = await prove({ config, out, dynamic: 1 });
    const reported = new Set(r0.diagnostics.filter((d) => d.code === 'OPTION_NOT_CONVERTED' || d.code === 'OPTION_ENCODING_CHANGED').map((d) => Number(d.args.code)));
    const c = r.clients.find((x) => x.kind === 'dynamic')!;
    expect(c.verdict, c.differences.join('; ')).toBe('identical');
    // The remarks are exactly options convert reported (57 and 118 not sent; 66 and 67 with a NUL).
    const remarked = new Set(c.notes.map((n) => /option (\d+) /.exec(n)?.[1]).filter((x): x is string => x !== undefined).map(Number));
    for (const code of remarked) expect(reported.has(code), `option ${code}`).toBe(true);
    expect([...remarked].sort((a, b) => a - b)).toEqual([57, 66, 67, 118]);
  }, 90_000);
});
