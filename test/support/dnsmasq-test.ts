/**
 * Run the real `dnsmasq --test` on a generated server tree, seen at /etc as it will be installed
 * (read-only overlay of tree/etc on /etc in a private mount namespace; nothing on the host changes).
 * The reservation files in dhcp-hostsdir / dhcp-optsdir are only read by a running dnsmasq, so
 * they are also checked as dhcp-host= / dhcp-option= lines of a config file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function dnsmasqTestSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (overlay mounts need it)';
  const which = spawnSync('sh', ['-c', 'command -v dnsmasq && command -v unshare'], { encoding: 'utf8' });
  if (which.status !== 0) return 'dnsmasq or unshare not installed';
  return undefined;
}

/** Skip locally with a printed reason; in CI a missing capability is a failure. */
export function dnsmasqTestSkip(): string | undefined {
  const reason = dnsmasqTestSkipReason();
  if (reason && process.env.CI) throw new Error(`dnsmasq --test cannot run in CI: ${reason}`);
  if (reason) console.warn(`skipping dnsmasq --test checks: ${reason}`);
  return reason;
}

export interface DnsmasqTestResult {
  ok: boolean;
  output: string;
}

/** Interface names the config refers to (interface=, shared-network=<ifname>,...). */
function interfacesNamed(etc: string): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          const m = /^(?:interface|shared-network)=([^,\s]+)/.exec(line);
          if (m && !/^\d+\.\d+\.\d+\.\d+$/.test(m[1]!)) names.add(m[1]!);
        }
    }
  };
  walk(etc);
  return [...names].sort();
}

let nsCounter = 0;

/**
 * dnsmasq checks at parse time that an interface named in shared-network= exists, as the real
 * server will have it: run the check in a throwaway network namespace holding interfaces
 * with those names.
 */
export function dnsmasqTestTree(tree: string): DnsmasqTestResult {
  const etc = join(tree, 'etc');
  if (/[:,\\\s]/.test(etc)) throw new Error(`tree path unusable for overlayfs: ${etc}`);
  const scratch = mkdtempSync(join(tmpdir(), 'k2d-test-'));
  try {
    // The reservation directories' contents, as a config file dnsmasq --test does parse.
    const extra: string[] = [];
    const hostsDir = join(etc, 'dnsmasq.reservations.d', 'hosts');
    const optsDir = join(etc, 'dnsmasq.reservations.d', 'options');
    for (const [dir, key] of [
      [hostsDir, 'dhcp-host'],
      [optsDir, 'dhcp-option'],
    ] as const) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) {
        for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
          if (line.trim() === '' || line.startsWith('#')) continue;
          extra.push(`${key}=${line}`);
        }
      }
    }
    const extraFile = join(scratch, 'reservations-as-conf.conf');
    writeFileSync(extraFile, `${extra.join('\n')}\n`);
    const script = [
      'set -e',
      `mount -t overlay overlay -o lowerdir=${etc}:/etc /etc`,
      `dnsmasq --test --conf-file=/etc/dnsmasq.conf --conf-file=${extraFile}`,
    ].join('\n');
    const ns = `k2dt${process.pid}x${++nsCounter}`;
    const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
    const made = ip('netns', 'add', ns);
    if (made.status !== 0) throw new Error(`ip netns add failed: ${made.stderr}`);
    try {
      // veth pairs: this kernel has no dummy interface module.
      interfacesNamed(etc).forEach((name, i) => {
        const l = ip('-n', ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `k2dpeer${i}`);
        if (l.status !== 0) throw new Error(`cannot create interface ${name}: ${l.stderr}`);
      });
      const r = spawnSync('ip', ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
      return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
    } finally {
      ip('netns', 'del', ns);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
