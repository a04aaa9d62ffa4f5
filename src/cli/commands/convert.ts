import { resolve } from 'node:path';
import { compileWithFlags } from '../run-compile.js';
import { ApplyError, applyPlan, isClean, planChanges, renderDiff } from '../../plan/plan.js';
import { makeChalk, reportPaint } from '../print.js';
import type { CompileFlags } from '../main.js';
import { REPORT_FORMATS } from '../../emit/report.js';

export interface ConvertFlags extends CompileFlags {
  out: string;
  dryRun: boolean;
  force: boolean;
  quiet: boolean;
}

export async function runConvert(config: string, f: ConvertFlags): Promise<number> {
  const err = makeChalk(process.stderr);
  const out = makeChalk(process.stdout);
  const result = compileWithFlags(config, f, 'written');
  if (result === 2) return 2;
  const dir = resolve(f.out);
  const plan = planChanges(dir, result.files);
  if (f.dryRun) {
    const diff = await renderDiff(plan);
    if (diff) process.stdout.write(colorDiff(diff, out));
    if (!f.quiet) console.error(isClean(plan) ? `${f.out} is up to date; nothing would change.` : `dry run: nothing was written to ${f.out}.`);
    return 0;
  }
  try {
    applyPlan(plan, { force: f.force });
  } catch (e) {
    if (e instanceof ApplyError) {
      console.error(err.red(`kea2dnsmasq: ${e.message}; nothing was written.`));
      for (const p of e.paths.slice(0, 20)) console.error(`  ${p}`);
      if (e.code === 'WOULD_OVERWRITE') console.error('  use --force to overwrite them, or choose another --out directory');
      return 2;
    }
    throw e;
  }
  if (!f.quiet) {
    process.stdout.write(REPORT_FORMATS.text.render(result.report!, reportPaint(out)));
    const servers = result.plan!.servers;
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    console.log(`Converted ${config} (${result.plan!.mode} design):`);
    for (const s of servers) console.log(`  ${out.bold(`${f.out}/${s}/`)}  copy onto ${s}'s / to install`);
    console.log(`  ${out.bold(`${f.out}/MIGRATION-REPORT.md`)}  what was converted, split, and not converted (${warnings} warning(s))`);
    console.log(`  ${out.bold(`${f.out}/report.json`)}, ${out.bold(`${f.out}/address-map.svg`)}  the same report for scripts, and the address map`);
  }
  return 0;
}

export function colorDiff(diff: string, c: ReturnType<typeof makeChalk>): string {
  return diff
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l))
    .join('\n');
}
