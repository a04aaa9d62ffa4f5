/**
 * `kea2dnsmasq check CONFIG --against DIR`, for CI next to the Kea config in git: exit 0 when DIR
 * holds exactly what convert would write (the planned files, and none of the files kea2dnsmasq
 * wrote before and would now delete), 1 when it differs (the diff on stdout), 2 on bad input.
 */
import { isClean } from '../../plan/plan.js';
import { planAgainst, printPlanDiff, type CompareFlags } from './diff.js';

export async function runCheck(config: string, f: CompareFlags): Promise<number> {
  const p = planAgainst(config, f);
  if (typeof p === 'number') return p;
  if (isClean(p)) {
    if (!f.quiet) console.error(`${f.against} matches ${config}.`);
    return 0;
  }
  await printPlanDiff(p);
  const n = p.changes.filter((c) => c.kind !== 'same').length;
  if (!f.quiet) console.error(`${f.against} differs from what convert would write: ${n} file(s) (run kea2dnsmasq convert to update it).`);
  return 1;
}
