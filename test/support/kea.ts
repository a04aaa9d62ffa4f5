/**
 * Run the real kea-dhcp4 (2.2) with a fixture's config inside a NetLab host: the config is made
 * safe for the lab (lease file, loggers and pid/lock files in a scratch dir; control sockets and
 * hooks dropped; interfaces pointed at the lab interface); the original file is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKeaConfig } from '../../src/load/load.js';
import type { NetLab } from './netlab.js';

export function keaSkipReason(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v kea-dhcp4'], { encoding: 'utf8' });
  if (r.status !== 0) {
    if (process.env.CI) throw new Error('kea-dhcp4 is not installed in CI');
    return 'kea-dhcp4 is not installed';
  }
  return undefined;
}

export interface KeaHandle {
  stop(): Promise<void>;
  logText(): string;
}

export async function startKea(lab: NetLab, host: string, configPath: string, ifname = 'eth0'): Promise<KeaHandle> {
  const loaded = loadKeaConfig(configPath);
  if (!loaded.source?.value) throw new Error(`cannot load ${configPath}`);
  const doc = structuredClone(loaded.source.value) as { Dhcp4: Record<string, unknown> };
  const scratch = mkdtempSync(join(tmpdir(), 'k2d-kea-'));
  const d4 = doc.Dhcp4;
  d4['interfaces-config'] = { interfaces: [ifname] };
  d4['lease-database'] = { type: 'memfile', persist: true, name: join(scratch, 'leases.csv'), 'lfc-interval': 0 };
  d4.loggers = [{ name: 'kea-dhcp4', output_options: [{ output: join(scratch, 'kea.log') }], severity: 'DEBUG', debuglevel: 40 }];
  delete d4['control-socket'];
  delete d4['control-sockets'];
  delete d4['hooks-libraries'];
  delete d4['hosts-database'];
  delete d4['hosts-databases'];
  const conf = join(scratch, 'kea-dhcp4.json');
  writeFileSync(conf, JSON.stringify(doc, null, 2));
  const ns = lab.host(host).ns;
  const cp: ChildProcess = spawn('ip', ['netns', 'exec', ns, 'kea-dhcp4', '-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', KEA_PIDFILE_DIR: scratch, KEA_LOCKFILE_DIR: scratch },
  });
  let output = '';
  cp.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  cp.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const logText = () => {
    try {
      return readFileSync(join(scratch, 'kea.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 10_000;
  while (!/DHCP4_STARTED/.test(logText())) {
    if (cp.exitCode !== null || Date.now() > deadline) {
      cp.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
      throw new Error(`kea-dhcp4 did not start:\n${output}\n${logText()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Kea opens its raw socket right after DHCP4_STARTED; give it a moment.
  await new Promise((r) => setTimeout(r, 200));
  return {
    logText,
    stop: async () => {
      if (cp.exitCode === null && cp.signalCode === null) {
        cp.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            cp.kill('SIGKILL');
            r(undefined);
          }, 5000);
          cp.on('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
