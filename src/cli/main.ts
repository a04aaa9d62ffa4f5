/**
 * The command line: declares options, normalizes them into one typed object with all defaults in
 * one place, calls the core, prints, and sets the exit code. Exit codes: 0 success, 1 check found
 * differences, 2 bad input or refused write, 70 internal error.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isSafeHost, SAFE_USER } from '../emit/sync.js';
// The commands are imported when run, not at start: a convert does not load the prove lab, the
// packet codec or the diff engine, which saves start-up time on every run (measured by npm run bench).

export const EXIT = { ok: 0, differs: 1, badInput: 2, internal: 70 } as const;

function parseServers(v: string): [string, string] {
  const parts = v.split(',').map((s) => s.trim());
  const ok = (s: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(s) && s !== '.' && s !== '..';
  if (parts.length !== 2 || !parts.every(ok) || parts[0] === parts[1]) {
    throw new InvalidArgumentError('give two different server names, e.g. dhcp1,dhcp2 (letters, digits, ".", "_", "-")');
  }
  return [parts[0]!, parts[1]!];
}

function parsePercent(v: string): number {
  const n = Number(v.replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n >= 100) throw new InvalidArgumentError('a percentage between 0 and 100, e.g. 20');
  return n / 100;
}

export function parseDuration(v: string): number {
  const m = /^(\d+)([smhdw]?)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('a duration like 3600, 45m, 1h or 1d');
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  const n = Number(m[1]) * mult;
  if (n < 120) throw new InvalidArgumentError('dnsmasq\'s shortest lease is 120 s (2m)');
  return n;
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 60) throw new InvalidArgumentError('whole seconds, 0 to 60');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('kea2dnsmasq')
    .description('Migrate an ISC Kea DHCPv4 configuration to a pair of redundant dnsmasq DHCP servers')
    .showHelpAfterError()
    .exitOverride();
  const convert = program
    .command('convert')
    .description('convert a Kea DHCPv4 config into two dnsmasq server trees and a migration report')
    .argument('<config>', 'the Kea DHCPv4 configuration (e.g. /etc/kea/kea-dhcp4.conf)')
    .requiredOption('-o, --out <dir>', 'output directory: gets <server>/ trees and MIGRATION-REPORT.md');
  addCompileOptions(convert);
  convert
    .option('--dry-run', 'write nothing; print a unified diff of what would change in --out', false)
    .option('--force', 'overwrite files in --out that kea2dnsmasq did not write', false)
    .option('-q, --quiet', 'print errors only', false)
    .action(async (config: string, o: Record<string, unknown>) => {
      const { runConvert } = await import('./commands/convert.js');
      process.exitCode = await runConvert(config, {
        out: o.out as string,
        ...compileFlagsOf(o),
        dryRun: o.dryRun as boolean,
        force: o.force as boolean,
        quiet: o.quiet as boolean,
      });
    });
  // --- diff and check (src/cli/commands/{diff,check}.ts): the same plan as --dry-run, against an existing DIR
  for (const [name, description] of [
    ['diff', 'print a unified diff between what convert would write and an existing output dir (or, with --server, a server\'s root)'],
    ['check', 'CI check: exit 0 when DIR is exactly what convert would write, 1 when it differs (with the diff), 2 on bad input'],
  ] as const) {
    const cmd = program
      .command(name)
      .description(description)
      .argument('<config>', 'the Kea DHCPv4 configuration')
      .requiredOption('--against <dir>', 'a convert output dir, or with --server a server\'s root (e.g. a copy of its /)')
      .option('--server <name>', 'compare only this server\'s files, with <dir> as that server\'s root');
    addCompileOptions(cmd);
    cmd.option('-q, --quiet', 'print errors only', false).action(async (config: string, o: Record<string, unknown>) => {
      const flags = { against: o.against as string, server: o.server as string | undefined, quiet: o.quiet as boolean, ...compileFlagsOf(o) };
      const run = name === 'diff' ? (await import('./commands/diff.js')).runDiff : (await import('./commands/check.js')).runCheck;
      process.exitCode = await run(config, flags);
    });
  }
  // --- end diff and check
  // --- prove (src/cli/commands/prove.ts): the real Kea and the generated pair in a throwaway lab
  program
    .command('prove')
    .description('run the real Kea and the two generated dnsmasq servers in network namespaces, replay clients against both, measure failover (Linux, root)')
    .argument('<config>', 'the Kea DHCPv4 configuration')
    .requiredOption('-o, --out <dir>', 'the output dir written by convert (holds the two server trees)')
    .option('--clients <file>', 'more clients: JSON array of { "mac": "..", "clientId"?: "01..", "relay"?: "giaddr" }')
    .option('--dynamic <n>', 'unknown clients per subnet with a pool', parseCount, 3)
    .option('--json', 'print the full result as JSON', false)
    .action(async (config: string, o: Record<string, unknown>) => {
      const { runProve } = await import('./commands/prove.js');
      process.exitCode = await runProve(config, { out: o.out as string, clients: o.clients as string | undefined, dynamic: o.dynamic as number, json: o.json as boolean });
    });
  // --- end prove
  return program;
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 200) throw new InvalidArgumentError('a whole number, 0 to 200');
  return n;
}

/** The options that decide what convert writes; diff and check take the same ones, so they plan the same files. */
function addCompileOptions(cmd: Command): void {
  cmd
    .addOption(new Option('--mode <mode>', 'equal halves, or a primary with a small failover server').choices(['equal', 'failover']))
    .option('--servers <a,b>', 'the two server names; the first is the configuration master', parseServers)
    .option('--failover-share <percent>', 'failover server\'s share of each pool (failover mode)', parsePercent, 0.2)
    .option('--failover-lease <duration>', 'failover server\'s lease time (failover mode)', parseDuration, 3600)
    .option('--reply-delay <seconds>', 'seconds the failover server waits before offering (failover mode)', parseSeconds, 2)
    .option('--keep-dns', 'keep dnsmasq\'s DNS service (default: port=0, DHCP only)', false)
    .option('--strict', 'treat every Kea setting that is not converted (a warning) as an error: exit 2, write nothing', false)
    // --- leases (src/leases/)
    .option('--leases <file>', 'Kea\'s lease CSV (kea-leases4.csv; its .completed/.2/.1 are read too; or a kea-admin lease-dump): write each server\'s dnsmasq.leases')
    .option('--at <time>', '"now" for lease expiry: epoch seconds or ISO 8601 like 2026-01-01T12:00:00Z (default: the current time)', parseTime)
    // --- reservation sync (src/emit/sync.ts)
    .option('--peer <host>', 'the other server\'s host name or address for the sync (default: Kea HA peer URL, else its server name)', parsePeer)
    .option('--sync-user <user>', 'ssh account on the other server (default: kea2dnsmasq, or root with --sync-mode root)', parseSyncUser)
    .addOption(new Option('--sync-mode <mode>', 'sync as root on the other server, or as an unprivileged account (recommended)').choices(['root', 'unprivileged']).default('unprivileged'));
}

/** --at: epoch seconds, or an ISO 8601 date (UTC) or date-time with a zone. */
export function parseTime(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const ms = iso.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError('epoch seconds, or an ISO 8601 time with a zone, e.g. 2026-01-01T12:00:00Z');
  return Math.floor(ms / 1000);
}

function parsePeer(v: string): string {
  if (!isSafeHost(v)) throw new InvalidArgumentError('a host name or IP address, e.g. dhcp2.example.org or 192.0.2.3');
  return v;
}

function parseSyncUser(v: string): string {
  if (!SAFE_USER.test(v)) throw new InvalidArgumentError('a user name: letters, digits, "_" and "-", up to 32');
  return v;
}

export interface CompileFlags {
  mode: 'equal' | 'failover' | undefined;
  servers: [string, string] | undefined;
  failoverShare: number;
  failoverLease: number;
  replyDelay: number;
  keepDns: boolean;
  strict: boolean;
  peer: string | undefined;
  syncUser: string | undefined;
  syncMode: 'root' | 'unprivileged';
  /** Absolute path of the Kea lease file, and "now" in epoch seconds (the clock is read here, in cli/, only when --at is absent). */
  leases: string | undefined;
  at: number | undefined;
}

function compileFlagsOf(o: Record<string, unknown>): CompileFlags {
  return {
    mode: o.mode as 'equal' | 'failover' | undefined,
    servers: o.servers as [string, string] | undefined,
    failoverShare: o.failoverShare as number,
    failoverLease: o.failoverLease as number,
    replyDelay: o.replyDelay as number,
    keepDns: o.keepDns as boolean,
    strict: o.strict as boolean,
    peer: o.peer as string | undefined,
    syncUser: o.syncUser as string | undefined,
    syncMode: o.syncMode as 'root' | 'unprivileged',
    leases: typeof o.leases === 'string' ? resolve(o.leases) : undefined,
    at: typeof o.at === 'number' ? o.at : typeof o.leases === 'string' ? Math.floor(Date.now() / 1000) : undefined,
  };
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.badInput;
      return;
    }
    console.error(`kea2dnsmasq: internal error: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = EXIT.internal;
  }
}
