/** Shared by convert, diff and check: compile with the command's flags and print the diagnostics. */
import { resolve } from 'node:path';
import { compile, type CompileResult } from '../compile.js';
import type { CompileFlags } from './main.js';
import { formatDiagnostic, makeChalk } from './print.js';

/**
 * Returns the result, or 2 after printing the errors ("nothing was <done>"). Warnings are shown
 * unless quiet.
 */
export function compileWithFlags(config: string, f: CompileFlags & { quiet: boolean }, done: 'written' | 'compared'): CompileResult | 2 {
  const err = makeChalk(process.stderr);
  const result = compile(resolve(config), {
    mode: f.mode,
    servers: f.servers,
    failoverShare: f.failoverShare,
    failoverLease: f.failoverLease,
    replyDelay: f.replyDelay,
    keepDns: f.keepDns,
    strict: f.strict,
    peer: f.peer,
    syncUser: f.syncUser,
    syncMode: f.syncMode,
    leases: f.leases,
    at: f.at,
  });
  const shown = result.diagnostics.filter((d) => d.severity === 'error' || (!f.quiet && d.severity === 'warning'));
  for (const d of shown) console.error(formatDiagnostic(d, result.source, err));
  if (!result.ok) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    console.error(err.red(`kea2dnsmasq: ${n} error(s)${f.strict ? ' (--strict: settings not converted count as errors)' : ''}; nothing was ${done}.`));
    return 2;
  }
  return result;
}
