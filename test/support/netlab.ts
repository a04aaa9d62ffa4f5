/**
 * A small network lab for integration tests: a "switch" network namespace
 * holding a Linux bridge, and host namespaces attached to it with veth pairs.
 * dnsmasq runs inside a host namespace with a DESTDIR-style tree overlaid on
 * /etc and a scratch directory bind-mounted on /var/lib/misc; busybox udhcpc
 * plays the client.
 *
 * Safety rules this module enforces or follows:
 *  - every link lives between namespaces created here; the root network
 *    namespace is never touched (veths are created inside the host namespace
 *    with their peer placed straight into the switch namespace);
 *  - only documentation/benchmark addresses (192.0.2.0/24, 198.51.100.0/24,
 *    203.0.113.0/24, 198.18.0.0/15) are accepted for addresses and routes;
 *  - destroy() kills every process started by the lab (and anything else still
 *    running inside the lab's namespaces), deletes the namespaces and the temp
 *    dir; it also runs, synchronously and best effort, on process 'exit';
 *  - namespace names are `k2d<pid>[t<threadId>]x<counter>-<host>` (switch:
 *    `..._sw`), so leftovers of a crashed run (whose pid is gone) can be
 *    recognised and removed by the next NetLab.create().
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, cp as copyDir, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHILD_PATH, isLabAddress, killAndDeleteSync, killNamespaceProcesses, listNamespaces, which } from '../../src/prove/lab.js';
import { threadId } from 'node:worker_threads';

// ---------------------------------------------------------------------------
// Public types

export interface AddHostOptions {
  /** IPv4 CIDRs such as '192.0.2.2/24'; none for a DHCP client. */
  addresses?: string[];
  /** MAC of the interface inside the host namespace (random if omitted). */
  mac?: string;
  /** `ip route add` arguments, e.g. 'default via 192.0.2.1' or '198.51.100.0/24 via 192.0.2.1'. */
  routes?: string[];
  /** Interface name inside the host namespace (default 'eth0'); match the config's `interface=` lines. */
  ifname?: string;
}

export interface HostInfo {
  ns: string;
  ifname: string;
}

export interface StartDnsmasqOptions {
  /** Appended to the dnsmasq command line. */
  extraArgs?: string[];
  /** Give up waiting for dnsmasq to come up after this long (default 5000 ms). */
  readyTimeoutMs?: number;
  /**
   * Give the overlay on /etc a writable upper layer (in the scratch dir) so a test can change
   * files the way an admin or the sync job would, through `execInMounts`; writes made through the
   * overlay raise inotify events as on a real /etc.
   */
  writableEtc?: boolean;
}

export interface DnsmasqHandle {
  readonly pid: number;
  readonly host: string;
  /** Host-side path of the scratch dir (contains misc/ and run/). */
  readonly scratchDir: string;
  /** Host-side path of what dnsmasq sees as /var/lib/misc. */
  readonly leaseDir: string;
  /** Host-side path of the --log-facility file. */
  readonly logFile: string;
  /** Host-side path of the --pid-file. */
  readonly pidFile: string;
  /** Full command line given to dnsmasq. */
  readonly argv: readonly string[];
  logText(): string;
  /** Text of <leaseDir>/<name> ('' if absent); name defaults to 'dnsmasq.leases'. */
  leaseFileText(name?: string): string;
  /** What dnsmasq (or the mount wrapper) wrote to stdout/stderr. */
  outputText(): string;
  running(): boolean;
  /** Resolve with the whole log once `re` matches it; reject with the log after timeoutMs (default 5000). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGHUP, then wait briefly (until the log grows or 300 ms pass). */
  reload(): Promise<void>;
  /** SIGTERM and wait for the exit (SIGKILL after 5 s). Returns the exit code (null if killed by a signal). Idempotent. */
  stop(): Promise<number | null>;
  /** Run a command inside dnsmasq's mount and network namespaces (sees the server's /etc). */
  execInMounts(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /**
   * Start a long-running process (e.g. sshd -D) inside dnsmasq's mount and network namespaces;
   * killed by destroy() like every other process of the lab.
   */
  spawnInMounts(argv: string[]): BackgroundProcess;
}

export interface BackgroundProcess {
  readonly pid: number | undefined;
  running(): boolean;
  /** What it wrote to stdout/stderr so far. */
  outputText(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

export interface DhcpClientOptions {
  /** Option codes to add to the Parameter Request List (udhcpc `-O N`). */
  requestOptions?: number[];
  /**
   * Client identifier (option 61): 'mac' (udhcpc's default: 01 + MAC),
   * 'none' (udhcpc -C), or a hex string such as '01020000000010' or 'ff:00:01'.
   * Default 'mac'.
   */
  sendClientId?: 'none' | 'mac' | string;
  /** Option 12 sent by the client (`-x hostname:NAME`). */
  hostname?: string;
  /** Requested address (`-r IP`, option 50). */
  requestIp?: string;
  /** Number of DISCOVERs, one a second (`-t N -T 1`); default 5. */
  timeoutSec?: number;
  /** Option 60 (`-V`); udhcpc sends 'udhcp 1.35.0' when omitted. */
  vendorClass?: string;
  /** Set the interface MAC before running (extension). */
  mac?: string;
  /** Ask for broadcast replies (`-B`). */
  broadcast?: boolean;
  /** Further udhcpc arguments, e.g. ['-x', '0x4d:6c6162']. */
  extraArgs?: string[];
}

export type DhcpClientResult =
  | {
      ok: true;
      /** Leased address (env `ip`). */
      ip: string;
      /** Server identifier (env `serverid`), if the server sent option 54. */
      serverId: string | undefined;
      /** Environment udhcpc gave its script for the `bound` event (PATH/PWD/SHLVL removed). */
      env: Record<string, string>;
      /** udhcpc's stdout+stderr. */
      log: string;
    }
  | { ok: false; log: string };

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

// ---------------------------------------------------------------------------
// Address guard

export { isLabAddress };

function assertLabAddress(addr: string, what: string): void {
  if (!isLabAddress(addr)) {
    throw new Error(
      `netlab: ${what} ${JSON.stringify(addr)} is outside the lab ranges ` +
        '(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15)',
    );
  }
}

function assertRoute(route: string): string[] {
  const words = route.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) throw new Error('netlab: empty route');
  for (const w of words) {
    if (/^[0-9a-f:.]+(\/\d+)?$/i.test(w) && /[.:]/.test(w)) assertLabAddress(w, 'route address');
  }
  return words;
}

// ---------------------------------------------------------------------------
// Binaries and capability probe

interface Bins {
  ip: string;
  dnsmasq: string;
  busybox: string;
  unshare: string;
}

let binsCache: Bins | string | undefined;

function findBins(): Bins | string {
  if (binsCache !== undefined) return binsCache;
  const ip = which('ip');
  const dnsmasq = which('dnsmasq');
  const busybox = which('busybox');
  const unshare = which('unshare');
  const missing = [
    ['ip (iproute2)', ip],
    ['dnsmasq', dnsmasq],
    ['busybox', busybox],
    ['unshare (util-linux)', unshare],
  ]
    .filter(([, p]) => p === undefined)
    .map(([n]) => n);
  if (missing.length > 0 || !ip || !dnsmasq || !busybox || !unshare) {
    binsCache = `missing: ${missing.join(', ')}`;
  } else {
    binsCache = { ip, dnsmasq, busybox, unshare };
  }
  return binsCache;
}

function bins(): Bins {
  const b = findBins();
  if (typeof b === 'string') throw new Error(`netlab: ${b}`);
  return b;
}

const NS_PREFIX = 'k2d';
const STALE_RE = /^k2d(\d+)(?:t\d+)?(?:x\d+[-_]|probe$)/;

let skipReasonCache: { reason: string | undefined } | undefined;

/**
 * Why network tests cannot run here, or undefined if they can. Checks: Linux,
 * root, ip/dnsmasq/busybox(udhcpc)/unshare present, and that a namespace can be
 * created and an overlay mounted inside a private mount namespace. Cached.
 */
export function netTestSkipReason(): string | undefined {
  if (skipReasonCache) return skipReasonCache.reason;
  const reason = probe();
  skipReasonCache = { reason };
  return reason;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  const b = findBins();
  if (typeof b === 'string') return b;
  try {
    const list = execFileSync(b.busybox, ['--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (!list.split('\n').includes('udhcpc')) return 'busybox has no udhcpc applet';
  } catch (e) {
    return `busybox --list failed: ${errText(e)}`;
  }
  const ns = `${NS_PREFIX}${process.pid}probe`;
  let dir: string | undefined;
  try {
    execFileSync(b.ip, ['netns', 'add', ns], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    return `cannot create a network namespace: ${errText(e)}`;
  }
  try {
    dir = mkdtempSync(join(tmpdir(), 'k2dprobe-'));
    for (const d of ['a', 'b', 'm']) mkdirSync(join(dir, d));
    execFileSync(
      b.ip,
      [
        'netns', 'exec', ns, b.unshare, '--mount', '--propagation', 'private', 'sh', '-c',
        'mount -t overlay overlay -o "lowerdir=$1:$2" "$3" && ip link set lo up',
        'probe', join(dir, 'a'), join(dir, 'b'), join(dir, 'm'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: CHILD_PATH } },
    );
  } catch (e) {
    return `cannot mount overlayfs in a private mount namespace inside a netns: ${errText(e)}`;
  } finally {
    try {
      execFileSync(b.ip, ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // ignore
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return undefined;
}

function errText(e: unknown): string {
  if (e && typeof e === 'object' && 'stderr' in e) {
    const s = String((e as { stderr: unknown }).stderr ?? '').trim();
    if (s) return s;
  }
  return e instanceof Error ? e.message : String(e);
}

let warned = false;

/**
 * For `it.skipIf(requireOrSkip())`: returns the skip reason (warning once) when
 * network tests cannot run here; when process.env.CI is set, throws instead, so
 * CI fails rather than silently skipping.
 */
export function requireOrSkip(): string | undefined {
  const reason = netTestSkipReason();
  if (reason === undefined) return undefined;
  if (process.env.CI) {
    throw new Error(`network tests cannot run in CI: ${reason}`);
  }
  if (!warned) {
    warned = true;
    console.warn(`[netlab] skipping network tests: ${reason}`);
  }
  return reason;
}

// ---------------------------------------------------------------------------
// Process helpers

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function exited(cp: ChildProcess): boolean {
  return cp.exitCode !== null || cp.signalCode !== null;
}

function waitExit(cp: ChildProcess, ms: number): Promise<boolean> {
  if (exited(cp)) return Promise.resolve(true);
  return new Promise((res) => {
    const onExit = (): void => {
      clearTimeout(timer);
      res(true);
    };
    const timer = setTimeout(() => {
      cp.off('exit', onExit);
      res(exited(cp));
    }, ms);
    cp.once('exit', onExit);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function run(file: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((res) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20, env: { PATH: CHILD_PATH, LC_ALL: 'C' }, cwd: opts.cwd },
      (err, stdout, stderr) => {
        let code = 0;
        if (err) {
          const c = (err as { code?: unknown }).code;
          code = typeof c === 'number' ? c : 1;
          if (!stderr && !(typeof c === 'number')) stderr = err.message;
        }
        res({ code, stdout, stderr });
      },
    );
  });
}

async function ipOk(args: string[]): Promise<string> {
  const r = await run(bins().ip, args);
  if (r.code !== 0) throw new Error(`netlab: ip ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

function cleanupStale(ip: string): void {
  for (const ns of listNamespaces()) {
    const m = STALE_RE.exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    killAndDeleteSync(ip, ns);
  }
  try {
    for (const d of readdirSync(tmpdir())) {
      const m = /^k2dlab-(\d+)-/.exec(d);
      if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
      rmSync(join(tmpdir(), d), { recursive: true, force: true });
    }
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------------------
// Global bookkeeping for best-effort cleanup on exit

const liveLabs = new Set<NetLab>();
let exitHookInstalled = false;
let staleCleaned = false;
let labCounter = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lab of [...liveLabs]) lab.destroySync();
  });
}

// ---------------------------------------------------------------------------

interface HostRecord extends HostInfo {
  name: string;
  index: number;
  peer: string;
}

const HOST_NAME_RE = /^[a-z0-9][a-z0-9-]{0,15}$/i;
const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export class NetLab {
  readonly name: string;
  /** Unique id; prefix of every namespace name of this lab. */
  readonly id: string;
  /** Namespace holding the bridge `br0`. */
  readonly switchNs: string;
  /** Lab temp dir (scratch dirs, udhcpc scripts). Removed by destroy(). */
  readonly tmpDir: string;

  private readonly hosts = new Map<string, HostRecord>();
  private readonly procs = new Set<ChildProcess>();
  private readonly ipv6: boolean;
  private destroyed = false;
  private nsCreated: string[] = [];
  private seq = 0;

  private constructor(name: string, id: string, tmpDir: string, ipv6: boolean) {
    this.name = name;
    this.id = id;
    this.switchNs = `${id}_sw`;
    this.tmpDir = tmpDir;
    this.ipv6 = ipv6;
  }

  /** Create a lab: a switch namespace with bridge br0 (STP off, no forward delay). */
  static async create(name: string, opts: { ipv6?: boolean } = {}): Promise<NetLab> {
    const b = bins();
    if (!staleCleaned) {
      staleCleaned = true;
      cleanupStale(b.ip);
    }
    installExitHook();
    const tid = threadId > 0 ? `t${threadId}` : '';
    const id = `${NS_PREFIX}${process.pid}${tid}x${++labCounter}`;
    const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
    const tmp = await mkdtemp(join(tmpdir(), `k2dlab-${process.pid}-${safe}-`));
    const lab = new NetLab(name, id, tmp, opts.ipv6 ?? false);
    liveLabs.add(lab);
    try {
      await lab.addNs(lab.switchNs);
      const sw = lab.switchNs;
      await ipOk(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      await ipOk(['-n', sw, 'link', 'set', 'br0', 'up']);
      // Bridged frames must not go through (empty, but still) netfilter in the switch namespace.
      await run(b.ip, ['netns', 'exec', sw, 'sh', '-c', 'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -w "$f" ] && echo 0 > "$f"; done; exit 0']);
    } catch (e) {
      await lab.destroy().catch(() => undefined);
      throw e;
    }
    return lab;
  }

  /** Names of the namespaces this lab has created and not yet deleted. */
  namespaces(): string[] {
    return [...this.nsCreated];
  }

  /** Namespace and interface of a host. */
  host(name: string): HostInfo {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`netlab: no host ${JSON.stringify(name)} in lab ${this.name}`);
    return { ns: h.ns, ifname: h.ifname };
  }

  private assertLive(): void {
    if (this.destroyed) throw new Error(`netlab: lab ${this.name} was destroyed`);
  }

  private async addNs(ns: string): Promise<void> {
    await ipOk(['netns', 'add', ns]);
    this.nsCreated.push(ns);
    await ipOk(['-n', ns, 'link', 'set', 'lo', 'up']);
    if (!this.ipv6) {
      // Keep the lab quiet (no DAD/RS/MLD); ignore kernels without IPv6.
      await run(bins().ip, [
        'netns', 'exec', ns, 'sh', '-c',
        'for k in all default; do f=/proc/sys/net/ipv6/conf/$k/disable_ipv6; [ -w $f ] && echo 1 > $f; done; exit 0',
      ]);
    }
  }

  /** A namespace attached to the bridge with a veth. */
  async addHost(name: string, opts: AddHostOptions = {}): Promise<HostInfo> {
    this.assertLive();
    if (!HOST_NAME_RE.test(name)) throw new Error(`netlab: bad host name ${JSON.stringify(name)} (letters, digits, '-', ≤16)`);
    if (this.hosts.has(name)) throw new Error(`netlab: host ${name} exists`);
    const ifname = opts.ifname ?? 'eth0';
    if (!IFNAME_RE.test(ifname)) throw new Error(`netlab: bad interface name ${JSON.stringify(ifname)} (≤15 chars)`);
    if (opts.mac !== undefined && !MAC_RE.test(opts.mac)) throw new Error(`netlab: bad MAC ${opts.mac}`);
    const addresses = opts.addresses ?? [];
    for (const a of addresses) {
      if (!a.includes('/')) throw new Error(`netlab: address ${a} needs a prefix length`);
      assertLabAddress(a, 'address');
    }
    const routes = (opts.routes ?? []).map(assertRoute);

    const index = this.hosts.size + 1;
    const ns = `${this.id}-${name}`;
    const peer = `v${index}`;
    await this.addNs(ns);
    const rec: HostRecord = { name, ns, ifname, index, peer };
    this.hosts.set(name, rec);
    // Create the pair inside the host namespace and push the peer straight into the switch namespace.
    const mac = opts.mac ? ['address', opts.mac] : [];
    await ipOk(['-n', ns, 'link', 'add', ifname, ...mac, 'type', 'veth', 'peer', 'name', peer, 'netns', this.switchNs]);
    await ipOk(['-n', this.switchNs, 'link', 'set', peer, 'master', 'br0']);
    await ipOk(['-n', this.switchNs, 'link', 'set', peer, 'up']);
    for (const a of addresses) await ipOk(['-n', ns, 'addr', 'add', a, 'dev', ifname]);
    await ipOk(['-n', ns, 'link', 'set', ifname, 'up']);
    for (const r of routes) await ipOk(['-n', ns, 'route', 'add', ...r]);
    return { ns, ifname };
  }

  /** Run argv in the host's namespace (not in a private mount namespace). Never throws for a non-zero exit. */
  async exec(host: string, argv: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    this.assertLive();
    const h = this.host(host);
    if (argv.length === 0) throw new Error('netlab: exec needs a command');
    return this.track(bins().ip, ['netns', 'exec', h.ns, ...argv], opts.timeoutMs ?? 30_000);
  }

  /** Spawn, record for cleanup, collect output, kill on timeout. */
  private track(file: string, args: string[], timeoutMs: number, cwd?: string): Promise<ExecResult> {
    return new Promise((res) => {
      const cp = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: CHILD_PATH, LC_ALL: 'C' }, cwd: cwd ?? this.tmpDir });
      this.procs.add(cp);
      let stdout = '';
      let stderr = '';
      cp.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      cp.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        cp.kill('SIGKILL');
      }, timeoutMs);
      cp.on('error', (e) => {
        stderr += String(e);
      });
      cp.on('close', (code, signal) => {
        clearTimeout(timer);
        this.procs.delete(cp);
        if (timedOut) stderr += `\n[netlab] killed after ${timeoutMs} ms`;
        res({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
    });
  }

  /**
   * Start dnsmasq in `host`, seeing `tree` (DESTDIR-style) as its filesystem:
   * private mount namespace, read-only overlay lowerdir=<tree>/etc:/etc on /etc,
   * fresh scratch dir (seeded from <tree>/var/lib/misc) bind-mounted on /var/lib/misc.
   */
  async startDnsmasq(host: string, tree: string, opts: StartDnsmasqOptions = {}): Promise<DnsmasqHandle> {
    this.assertLive();
    const b = bins();
    const h = this.host(host);
    const treeAbs = resolve(tree);
    const etc = join(treeAbs, 'etc');
    if (!existsSync(etc)) throw new Error(`netlab: ${etc} does not exist`);
    const n = ++this.seq;
    const scratch = join(this.tmpDir, `dnsmasq-${host}-${n}`);
    const misc = join(scratch, 'misc');
    const runDir = join(scratch, 'run');
    const upper = join(scratch, 'upper');
    const work = join(scratch, 'work');
    if (opts.writableEtc) {
      await mkdir(upper, { recursive: true });
      await mkdir(work, { recursive: true });
    }
    for (const p of [etc, misc, upper, work]) {
      if (/[:,\\\s]/.test(p)) throw new Error(`netlab: path unusable in overlay/mount options: ${p}`);
    }
    await mkdir(misc, { recursive: true });
    await mkdir(runDir, { recursive: true });
    const seed = join(treeAbs, 'var', 'lib', 'misc');
    if (existsSync(seed)) await copyDir(seed, misc, { recursive: true });
    const logFile = join(runDir, 'dnsmasq.log');
    const pidFile = join(runDir, 'dnsmasq.pid');
    const argv = [
      b.dnsmasq,
      '--keep-in-foreground',
      '--conf-file=/etc/dnsmasq.conf',
      `--log-facility=${logFile}`,
      '--log-dhcp',
      `--pid-file=${pidFile}`,
      ...(opts.extraArgs ?? []),
    ];
    const overlayOpts = opts.writableEtc ? `lowerdir=$1:/etc,upperdir=${upper},workdir=${work}` : 'lowerdir=$1:/etc';
    const script =
      `set -e; mount -t overlay overlay -o "${overlayOpts}" /etc; ` +
      '[ -d /var/lib/misc ] || mkdir -p /var/lib/misc; mount --bind "$2" /var/lib/misc; shift 2; exec "$@"';
    // ip netns exec, unshare (no --fork) and sh's exec all exec in place: cp.pid is dnsmasq's pid.
    const cp = spawn(
      b.ip,
      ['netns', 'exec', h.ns, b.unshare, '--mount', '--propagation', 'private', 'sh', '-c', script, 'k2d-dnsmasq', etc, misc, ...argv],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: CHILD_PATH, LC_ALL: 'C' }, cwd: scratch },
    );
    this.procs.add(cp);
    let output = '';
    const onData = (d: string): void => {
      if (output.length < 1 << 20) output += d;
    };
    cp.stdout?.setEncoding('utf8').on('data', onData);
    cp.stderr?.setEncoding('utf8').on('data', onData);
    let spawnError: Error | undefined;
    cp.on('error', (e) => (spawnError = e));
    cp.on('exit', () => this.procs.delete(cp));

    const readLog = (): string => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    };
    const pid = cp.pid;
    const failText = (why: string): string =>
      `netlab: dnsmasq in ${host} ${why}\n--- output ---\n${output.trim()}\n--- log ---\n${readLog().trim()}`;
    if (pid === undefined) {
      await waitExit(cp, 1000);
      throw new Error(failText(`could not be spawned: ${spawnError?.message ?? 'unknown error'}`));
    }

    const t0 = Date.now();
    const readyTimeout = opts.readyTimeoutMs ?? 5000;
    for (;;) {
      await sleep(25);
      if (exited(cp) || spawnError) {
        await waitExit(cp, 500);
        await sleep(20); // let the stdio pipes drain
        throw new Error(failText(`exited early (code ${cp.exitCode}, signal ${cp.signalCode})`));
      }
      const log = readLog();
      if (/dnsmasq-dhcp\[\d+\]: DHCP, /.test(log)) break;
      if (Date.now() - t0 >= 300 && /\bstarted, version\b/.test(log)) break;
      if (Date.now() - t0 > readyTimeout) {
        cp.kill('SIGKILL');
        await waitExit(cp, 2000);
        throw new Error(failText(`did not come up within ${readyTimeout} ms`));
      }
    }

    const handle: DnsmasqHandle = {
      pid,
      host,
      scratchDir: scratch,
      leaseDir: misc,
      logFile,
      pidFile,
      argv,
      logText: readLog,
      leaseFileText: (name = 'dnsmasq.leases') => {
        try {
          return readFileSync(join(misc, name), 'utf8');
        } catch {
          return '';
        }
      },
      outputText: () => output,
      running: () => !exited(cp),
      waitForLog: async (re, timeoutMs = 5000) => {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const log = readLog();
          if (re.test(log)) return log;
          if (Date.now() > end) throw new Error(`netlab: dnsmasq log did not match ${re} within ${timeoutMs} ms:\n${log}`);
          if (exited(cp)) throw new Error(`netlab: dnsmasq exited while waiting for ${re}:\n${output}\n${log}`);
          await sleep(25);
        }
      },
      reload: async () => {
        if (exited(cp)) throw new Error('netlab: dnsmasq is not running');
        const before = readLog().length;
        cp.kill('SIGHUP');
        const end = Date.now() + 300;
        while (Date.now() < end && readLog().length === before) await sleep(20);
      },
      execInMounts: (cmd: string[]) => {
        if (exited(cp)) throw new Error('netlab: dnsmasq is not running');
        return this.track('nsenter', ['-t', String(pid), '-m', '-n', '--', ...cmd], 30_000);
      },
      spawnInMounts: (cmd: string[]) => {
        if (exited(cp)) throw new Error('netlab: dnsmasq is not running');
        const bg = spawn('nsenter', ['-t', String(pid), '-m', '-n', '--', ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: CHILD_PATH, LC_ALL: 'C' }, cwd: this.tmpDir });
        this.procs.add(bg);
        let text = '';
        const collect = (d: string): void => {
          if (text.length < 1 << 20) text += d;
        };
        bg.stdout?.setEncoding('utf8').on('data', collect);
        bg.stderr?.setEncoding('utf8').on('data', collect);
        bg.on('error', (e) => collect(String(e)));
        bg.on('exit', () => this.procs.delete(bg));
        return {
          pid: bg.pid,
          running: () => !exited(bg),
          outputText: () => text,
          stop: async () => {
            if (exited(bg)) return;
            bg.kill('SIGTERM');
            if (!(await waitExit(bg, 5000))) {
              bg.kill('SIGKILL');
              await waitExit(bg, 2000);
            }
          },
        };
      },
      stop: async () => {
        if (!exited(cp)) {
          cp.kill('SIGTERM');
          if (!(await waitExit(cp, 5000))) {
            cp.kill('SIGKILL');
            await waitExit(cp, 2000);
          }
        }
        return cp.exitCode;
      },
    };
    return handle;
  }

  /** Run busybox udhcpc once (DISCOVER → REQUEST → exit) in `host`. Never configures the interface. */
  async dhcpClient(host: string, opts: DhcpClientOptions = {}): Promise<DhcpClientResult> {
    this.assertLive();
    const b = bins();
    const h = this.host(host);
    const n = ++this.seq;
    const dir = join(this.tmpDir, `udhcpc-${host}-${n}`);
    await mkdir(dir, { recursive: true });
    const script = join(dir, 'script.sh');
    const envFile = join(dir, 'bound.env');
    const events = join(dir, 'events');
    // The script only records; it never touches addresses or routes, so runs are independent.
    await writeFile(
      script,
      [
        '#!/bin/sh',
        `echo "$1" >> '${events}'`,
        `case "$1" in bound|renew) env -0 > '${envFile}.tmp' && mv '${envFile}.tmp' '${envFile}' ;; esac`,
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(script, 0o755);

    if (opts.mac !== undefined) {
      if (!MAC_RE.test(opts.mac)) throw new Error(`netlab: bad MAC ${opts.mac}`);
      await ipOk(['-n', h.ns, 'link', 'set', 'dev', h.ifname, 'address', opts.mac]);
    }
    const tries = Math.max(1, Math.round(opts.timeoutSec ?? 5));
    const args = ['udhcpc', '-i', h.ifname, '-f', '-q', '-n', '-t', String(tries), '-T', '1', '-A', '1', '-s', script];
    for (const o of opts.requestOptions ?? []) {
      if (!Number.isInteger(o) || o < 1 || o > 254) throw new Error(`netlab: bad option code ${o}`);
      args.push('-O', String(o));
    }
    const cid = opts.sendClientId ?? 'mac';
    if (cid === 'none') args.push('-C');
    else if (cid !== 'mac') {
      const hex = cid.replace(/[:\s-]/g, '');
      if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new Error(`netlab: client id must be hex, got ${cid}`);
      args.push('-C', '-x', `0x3d:${hex}`);
    }
    if (opts.hostname !== undefined) args.push('-x', `hostname:${opts.hostname}`);
    if (opts.requestIp !== undefined) {
      assertLabAddress(opts.requestIp, 'requested address');
      args.push('-r', opts.requestIp);
    }
    if (opts.vendorClass !== undefined) args.push('-V', opts.vendorClass);
    if (opts.broadcast) args.push('-B');
    args.push(...(opts.extraArgs ?? []));

    const r = await this.track(b.ip, ['netns', 'exec', h.ns, b.busybox, ...args], (tries + 5) * 1000, dir);
    let eventsText = '';
    try {
      eventsText = await readFile(events, 'utf8');
    } catch {
      // no events
    }
    const log = `${r.stdout}${r.stderr}${eventsText ? `\n[events] ${eventsText.trim().split('\n').join(' ')}` : ''}`;
    let raw: string;
    try {
      raw = await readFile(envFile, 'utf8');
    } catch {
      return { ok: false, log };
    }
    const env: Record<string, string> = {};
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const k = entry.slice(0, eq);
      if (k === 'PATH' || k === 'PWD' || k === 'SHLVL' || k === '_' || k === 'LC_ALL' || k === 'OLDPWD') continue;
      env[k] = entry.slice(eq + 1);
    }
    const ip = env.ip;
    if (r.code !== 0 || ip === undefined) return { ok: false, log };
    return { ok: true, ip, serverId: env.serverid, env, log };
  }

  /** Kill all processes started (and any left in the lab's namespaces), delete namespaces and temp dir. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed && this.nsCreated.length === 0) return;
    this.destroyed = true;
    const b = bins();
    const errors: string[] = [];
    for (const cp of [...this.procs]) {
      if (!exited(cp)) cp.kill('SIGKILL');
    }
    await Promise.all([...this.procs].map((cp) => waitExit(cp, 3000)));
    // Hosts first, switch last (deleting a host ns removes its veth pair).
    const order = [...this.nsCreated.filter((n) => n !== this.switchNs), ...this.nsCreated.filter((n) => n === this.switchNs)];
    for (const ns of order) {
      await killNamespaceProcesses(b.ip, ns);
      const r = await run(b.ip, ['netns', 'del', ns]);
      if (r.code !== 0 && listNamespaces().includes(ns)) errors.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
      else this.nsCreated = this.nsCreated.filter((x) => x !== ns);
    }
    await rm(this.tmpDir, { recursive: true, force: true }).catch((e: unknown) => errors.push(String(e)));
    if (this.nsCreated.length === 0) liveLabs.delete(this);
    if (errors.length > 0) throw new Error(`netlab: destroy of ${this.name} incomplete:\n${errors.join('\n')}`);
  }

  /** Synchronous best-effort destroy, for process 'exit'. */
  destroySync(): void {
    this.destroyed = true;
    const b = findBins();
    for (const cp of this.procs) {
      if (!exited(cp) && cp.pid !== undefined) {
        try {
          process.kill(cp.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (typeof b !== 'string') {
      for (const ns of this.nsCreated) killAndDeleteSync(b.ip, ns);
    }
    this.nsCreated = [];
    try {
      rmSync(this.tmpDir, { recursive: true, force: true });
    } catch {
      // ignore
    }
    liveLabs.delete(this);
  }
}
