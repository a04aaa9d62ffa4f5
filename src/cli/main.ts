/**
 * The command line: declares options, normalizes them into one typed object with all defaults in
 * one place, calls the core, prints, and sets the exit code. Exit codes: 0 success, 1 check found
 * differences, 2 bad input or refused write, 70 internal error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runConvert } from './commands/convert.js';

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
  program
    .command('convert')
    .description('convert a Kea DHCPv4 config into two dnsmasq server trees and a migration report')
    .argument('<config>', 'the Kea DHCPv4 configuration (e.g. /etc/kea/kea-dhcp4.conf)')
    .requiredOption('-o, --out <dir>', 'output directory: gets <server>/ trees and MIGRATION-REPORT.md')
    .addOption(new Option('--mode <mode>', 'equal halves, or a primary with a small failover server').choices(['equal', 'failover']))
    .option('--servers <a,b>', 'the two server names; the first is the configuration master', parseServers)
    .option('--failover-share <percent>', 'failover server\'s share of each pool (failover mode)', parsePercent, 0.2)
    .option('--failover-lease <duration>', 'failover server\'s lease time (failover mode)', parseDuration, 3600)
    .option('--reply-delay <seconds>', 'seconds the failover server waits before offering (failover mode)', parseSeconds, 2)
    .option('--keep-dns', 'keep dnsmasq\'s DNS service (default: port=0, DHCP only)', false)
    .option('--dry-run', 'write nothing; print a unified diff of what would change in --out', false)
    .option('--force', 'overwrite files in --out that kea2dnsmasq did not write', false)
    .option('-q, --quiet', 'print errors only', false)
    .action(async (config: string, o: Record<string, unknown>) => {
      process.exitCode = await runConvert(config, {
        out: o.out as string,
        mode: o.mode as 'equal' | 'failover' | undefined,
        servers: o.servers as [string, string] | undefined,
        failoverShare: o.failoverShare as number,
        failoverLease: o.failoverLease as number,
        replyDelay: o.replyDelay as number,
        keepDns: o.keepDns as boolean,
        dryRun: o.dryRun as boolean,
        force: o.force as boolean,
        quiet: o.quiet as boolean,
      });
    });
  return program;
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
