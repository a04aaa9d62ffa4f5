/**
 * `kea2dnsmasq diff CONFIG --against DIR`: the unified diff between what convert would write and
 * DIR as it is — the same plan and rendering as `convert --dry-run`. Only the files convert plans
 * are compared, plus deletions of files the manifest in DIR says kea2dnsmasq wrote before; any
 * other file in DIR (a real /etc has many) is left out. With --server NAME, DIR is that server's
 * root and only that server's files are compared (the report files are not).
 */
import { resolve } from 'node:path';
import { compileWithFlags } from '../run-compile.js';
import { filesForServer, isClean, planChanges, renderDiff, type Plan } from '../../plan/plan.js';
import type { CompileFlags } from '../main.js';
import { makeChalk } from '../print.js';
import { colorDiff } from './convert.js';

export interface CompareFlags extends CompileFlags {
  against: string;
  server: string | undefined;
  quiet: boolean;
}

/** Compile and plan against DIR; a number is the exit code of a failure already printed (2). */
export function planAgainst(config: string, f: CompareFlags): Plan | number {
  const err = makeChalk(process.stderr);
  const result = compileWithFlags(config, f, 'compared');
  if (result === 2) return 2;
  let files = result.files;
  if (f.server !== undefined) {
    const servers = result.plan!.servers;
    if (!servers.includes(f.server)) {
      console.error(err.red(`kea2dnsmasq: --server ${f.server}: the servers are ${servers.join(' and ')}`));
      return 2;
    }
    files = filesForServer(files, f.server);
  }
  return planChanges(resolve(f.against), files, { trackDeletions: f.server === undefined });
}

export async function printPlanDiff(p: Plan): Promise<void> {
  const diff = await renderDiff(p);
  if (diff) process.stdout.write(colorDiff(diff, makeChalk(process.stdout)));
}

export async function runDiff(config: string, f: CompareFlags): Promise<number> {
  const p = planAgainst(config, f);
  if (typeof p === 'number') return p;
  await printPlanDiff(p);
  if (!f.quiet && isClean(p)) console.error(`${f.against} is up to date: no differences.`);
  return 0;
}
