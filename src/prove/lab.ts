/**
 * The throwaway network `prove` runs in: network namespaces joined by Linux bridges, and the
 * processes started in them. Same rules as the test lab (test/support/netlab.ts), which this module
 * follows: links exist only between namespaces created here (veths are created inside a lab
 * namespace, their peer moved straight into the switch namespace, the root namespace is never
 * touched), only documentation/benchmark addresses (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 198.18.0.0/15) are ever configured, and destroy() kills every process started
 * here and deletes every namespace and the scratch directory; destroySync() does the same from an
 * 'exit' or signal handler. Namespace names are `k2p<pid>x<n>-<host>`, so leftovers of a crashed run
 * (pid gone) are removed by the next create().
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SEARCH_DIRS = CHILD_PATH.split(':');

const ALLOWED: ReadonlyArray<readonly [number, number]> = [
  [ipNum('192.0.2.0'), 24],
  [ipNum('198.51.100.0'), 24],
  [ipNum('203.0.113.0'), 24],
  [ipNum('198.18.0.0'), 15],
];

export function ipNum(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return Number.NaN;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return Number.NaN;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** True if `addr` (IPv4, optionally /len) lies wholly inside the lab ranges. */
export function isLabAddress(addr: string): boolean {
  const [a, lenText] = addr.split('/', 2);
  const n = ipNum(a ?? '');
  if (Number.isNaN(n)) return false;
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) return false;
  return ALLOWED.some(([base, plen]) => len >= plen && n >= base && n < base + 2 ** (32 - plen));
}

function assertLab(addr: string, what: string): void {
  if (!isLabAddress(addr)) {
    throw new LabError(`${what} ${addr} is outside the lab ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15)`);
  }
}

export class LabError extends Error {}

export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...SEARCH_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      const st = statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
  return new Promise((res) => {
    execFile(file, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 << 20, env: { PATH: CHILD_PATH, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      let code = 0;
      if (err) {
        const c = (err as { code?: unknown }).code;
        code = typeof c === 'number' ? c : 1;
        if (!stderr) stderr = err.message;
      }
      res({ code, stdout, stderr });
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function nsPidsSync(ip: string, ns: string): number[] {
  try {
    const out = execFileSync(ip, ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  } catch {
    return [];
  }
}

export function listNamespaces(): string[] {
  const ip = which('ip');
  if (!ip) return [];
  try {
    const out = execFileSync(ip, ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '');
  } catch {
    return [];
  }
}

/** SIGKILL every process inside `ns` until none is left (up to ~3 s). */
export async function killNamespaceProcesses(ip: string, ns: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const pids = nsPidsSync(ip, ns).filter((p) => p !== process.pid);
    if (pids.length === 0) return;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(100);
  }
}

/** Kill everything inside `ns` (SIGKILL, waiting up to ~2 s) and delete it. Sync: for exit and stale cleanup. */
export function killAndDeleteSync(ip: string, ns: string): void {
  for (let i = 0; i < 20; i++) {
    const pids = nsPidsSync(ip, ns).filter((p) => p !== process.pid);
    if (pids.length === 0) break;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  try {
    execFileSync(ip, ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // gone already
  }
}

const NS_RE = /^k2p(\d+)x\d+-/;
const live = new Set<Lab>();
let hooks = false;
let counter = 0;

function installExitHook(): void {
  if (hooks) return;
  hooks = true;
  process.on('exit', () => {
    for (const lab of [...live]) lab.destroySync();
  });
}

/** Remove namespaces and scratch dirs of labs whose process is gone. */
function cleanupStale(ip: string): void {
  for (const ns of listNamespaces()) {
    const m = NS_RE.exec(ns);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    killAndDeleteSync(ip, ns);
  }
  try {
    for (const d of readdirSync(tmpdir())) {
      const m = /^k2prove-(\d+)-/.exec(d);
      if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
      rmSync(join(tmpdir(), d), { recursive: true, force: true });
    }
  } catch {
    // best effort
  }
}

export interface Proc {
  readonly cp: ChildProcess;
  output(): string;
  running(): boolean;
  /** SIGTERM, SIGKILL after `ms`; resolves when the process has exited. */
  stop(ms?: number): Promise<void>;
}

export class Lab {
  readonly id: string;
  readonly switchNs: string;
  readonly dir: string;
  private readonly ip: string;
  private nsList: string[] = [];
  private readonly procs = new Set<ChildProcess>();
  private readonly bridges = new Set<string>();
  private vethSeq = 0;
  private destroyed = false;

  private constructor(ip: string, id: string, dir: string) {
    this.ip = ip;
    this.id = id;
    this.switchNs = `${id}-sw`;
    this.dir = dir;
  }

  static async create(): Promise<Lab> {
    const ip = which('ip');
    if (!ip) throw new LabError('ip (iproute2) is not installed');
    cleanupStale(ip);
    installExitHook();
    const id = `k2p${process.pid}x${++counter}`;
    const dir = await mkdtemp(join(tmpdir(), `k2prove-${process.pid}-`));
    const lab = new Lab(ip, id, dir);
    live.add(lab);
    try {
      await lab.addNs(lab.switchNs);
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  namespaces(): string[] {
    return [...this.nsList];
  }

  private async ipOk(args: string[]): Promise<string> {
    const r = await run(this.ip, args);
    if (r.code !== 0) throw new LabError(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  }

  private async addNs(ns: string): Promise<void> {
    await this.ipOk(['netns', 'add', ns]);
    this.nsList.push(ns);
    await this.ipOk(['-n', ns, 'link', 'set', 'lo', 'up']);
    // Keep the lab quiet: no IPv6 (DAD, router solicitations).
    await run(this.ip, ['netns', 'exec', ns, 'sh', '-c', 'f=/proc/sys/net/ipv6/conf/all/disable_ipv6; [ -w $f ] && echo 1 > $f; f=/proc/sys/net/ipv6/conf/default/disable_ipv6; [ -w $f ] && echo 1 > $f; exit 0']);
  }

  private async bridge(segment: string): Promise<string> {
    const name = `br-${segment}`;
    if (this.bridges.has(name)) return name;
    await this.ipOk(['-n', this.switchNs, 'link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await this.ipOk(['-n', this.switchNs, 'link', 'set', name, 'up']);
    this.bridges.add(name);
    return name;
  }

  /**
   * A namespace `<id>-<name>` whose interface `ifname` is plugged into bridge `segment`, with the
   * given addresses (CIDR) and on-link host routes (addresses reachable through `ifname`).
   */
  async addHost(name: string, o: { segment: string; ifname: string; addresses: string[]; onLink?: string[]; mac?: string }): Promise<string> {
    if (this.destroyed) throw new LabError('lab destroyed');
    if (!/^[a-z0-9]{1,8}$/.test(name) || !/^[a-z0-9]{1,8}$/.test(o.segment)) throw new LabError(`bad lab name ${name}/${o.segment}`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(o.ifname)) throw new LabError(`interface name ${o.ifname} cannot be used in the lab`);
    for (const a of o.addresses) assertLab(a, 'address');
    for (const a of o.onLink ?? []) assertLab(a, 'route');
    const br = await this.bridge(o.segment);
    const ns = `${this.id}-${name}`;
    await this.addNs(ns);
    const peer = `v${++this.vethSeq}`;
    const mac = o.mac ? ['address', o.mac] : [];
    await this.ipOk(['-n', ns, 'link', 'add', o.ifname, ...mac, 'type', 'veth', 'peer', 'name', peer, 'netns', this.switchNs]);
    await this.ipOk(['-n', this.switchNs, 'link', 'set', peer, 'master', br]);
    await this.ipOk(['-n', this.switchNs, 'link', 'set', peer, 'up']);
    for (const a of o.addresses) await this.ipOk(['-n', ns, 'addr', 'add', a, 'dev', o.ifname]);
    await this.ipOk(['-n', ns, 'link', 'set', o.ifname, 'up']);
    for (const r of o.onLink ?? []) await this.ipOk(['-n', ns, 'route', 'add', r.includes('/') ? r : `${r}/32`, 'dev', o.ifname]);
    return ns;
  }

  /** Start argv inside namespace `ns` (through `ip netns exec`); tracked for cleanup. */
  spawn(ns: string, argv: string[], o: { cwd?: string; env?: Record<string, string>; stdin?: boolean } = {}): Proc {
    if (this.destroyed) throw new LabError('lab destroyed');
    if (!this.nsList.includes(ns)) throw new LabError(`namespace ${ns} is not part of this lab`);
    const cp = spawn(this.ip, ['netns', 'exec', ns, ...argv], {
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: { PATH: CHILD_PATH, LC_ALL: 'C', ...(o.env ?? {}) },
      cwd: o.cwd ?? this.dir,
    });
    this.procs.add(cp);
    let out = '';
    const onData = (d: string): void => {
      if (out.length < 1 << 20) out += d;
    };
    cp.stderr?.setEncoding('utf8').on('data', onData);
    if (!o.stdin) cp.stdout?.setEncoding('utf8').on('data', onData);
    cp.on('error', (e) => onData(String(e)));
    cp.on('exit', () => this.procs.delete(cp));
    const exited = (): boolean => cp.exitCode !== null || cp.signalCode !== null;
    return {
      cp,
      output: () => out,
      running: () => !exited(),
      stop: async (ms = 3000) => {
        if (exited()) return;
        const done = new Promise<void>((r) => cp.once('exit', () => r()));
        cp.kill('SIGTERM');
        const t = setTimeout(() => cp.kill('SIGKILL'), ms);
        await done;
        clearTimeout(t);
      },
    };
  }

  /** Run to completion inside `ns`. */
  exec(ns: string, argv: string[], timeoutMs = 30_000): Promise<ExecResult> {
    return run(this.ip, ['netns', 'exec', ns, ...argv], timeoutMs);
  }

  scratch(name: string): string {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const cp of this.procs) if (cp.exitCode === null && cp.signalCode === null) cp.kill('SIGKILL');
    await Promise.all(
      [...this.procs].map((cp) => (cp.exitCode !== null || cp.signalCode !== null ? undefined : new Promise<void>((r) => {
        const t = setTimeout(r, 3000);
        cp.once('exit', () => {
          clearTimeout(t);
          r();
        });
      }))),
    );
    const order = [...this.nsList.filter((n) => n !== this.switchNs), ...this.nsList.filter((n) => n === this.switchNs)];
    for (const ns of order) {
      await killNamespaceProcesses(this.ip, ns);
      await run(this.ip, ['netns', 'del', ns]);
      if (!listNamespaces().includes(ns)) this.nsList = this.nsList.filter((x) => x !== ns);
    }
    await rm(this.dir, { recursive: true, force: true });
    if (this.nsList.length === 0) live.delete(this);
    else throw new LabError(`could not delete namespaces ${this.nsList.join(', ')}`);
  }

  destroySync(): void {
    this.destroyed = true;
    for (const cp of this.procs) {
      try {
        if (cp.pid !== undefined && cp.exitCode === null) process.kill(cp.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const ns of this.nsList) killAndDeleteSync(this.ip, ns);
    this.nsList = [];
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

/** Destroy every lab of this process synchronously (SIGINT/SIGTERM handlers). */
export function destroyAllLabsSync(): void {
  for (const lab of [...live]) lab.destroySync();
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
