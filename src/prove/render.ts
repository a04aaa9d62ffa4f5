/**
 * The prove result as text: a summary table of the clients, the failover figures, and every
 * difference. Pure; colours come in as functions.
 */
import type { ProveResult } from './prove.js';

export interface ProvePaint {
  bold: (s: string) => string;
  ok: (s: string) => string;
  bad: (s: string) => string;
  dim: (s: string) => string;
}

const plain: ProvePaint = { bold: (s) => s, ok: (s) => s, bad: (s) => s, dim: (s) => s };

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function renderProve(r: ProveResult, p: ProvePaint = plain): string {
  const out: string[] = [];
  out.push(p.bold(`kea2dnsmasq prove: ${r.config}`));
  out.push(`  dnsmasq pair from ${r.out}: ${r.servers[0]} + ${r.servers[1]} (${r.mode} design); lab link ${r.lab.ifname}, Kea ${r.lab.kea}, dnsmasq ${r.lab.dnsmasq.join(' / ')}${r.lab.relays.length ? `, relays ${r.lab.relays.join(', ')}` : ''}`);
  for (const n of r.keaNotes) out.push(p.dim(`  Kea in the lab: ${n}`));
  out.push('');
  const kinds = ['reserved', 'dynamic', 'class', 'listed'] as const;
  const rows = [['clients', 'identical', 'different', 'unanswered']];
  for (const k of kinds) {
    const cs = r.clients.filter((c) => c.kind === k);
    if (cs.length === 0) continue;
    rows.push([k, ...(['identical', 'different', 'unanswered'] as const).map((v) => String(cs.filter((c) => c.verdict === v).length))]);
  }
  out.push(...table(rows).map((l) => `  ${l}`));
  out.push('');
  const f = r.failover;
  if (f) {
    out.push(p.bold(`  failover (${f.client}, first lease ${f.address} from ${f.owner})`));
    const frows = [
      ['reboots with both servers up', `${f.bothUp.naks} NAK(s), ${f.bothUp.changes} address change(s) in ${f.bothUp.reboots}`],
      [`${f.stopped} stopped`, f.failoverSeconds === undefined ? p.bad('no other server answered') : `served by ${f.failoverServer} after ${f.failoverSeconds} s with ${f.failoverAddress}${f.failoverInSurvivorRange ? ' (its own range)' : p.bad(' (outside its range)')}`],
      ...f.reservedWithOneDown.map((x) => [`${x.client.replace(/^reserved /, 'reserved ')}, ${x.down} down`, x.ok ? `${x.address} (reserved)` : p.bad(`${x.address ?? 'nothing'}, reserved ${x.expected}`)]),
      ...(f.primaryFirst ? [['primary answers first', `${f.primaryFirst.first} of ${f.primaryFirst.total} new clients`]] : []),
      [`failback (${f.stopped} back with its leases)`, `${f.failback.naks} NAK(s), ${f.failback.changes} address change(s) in ${f.failback.reboots} reboots`],
    ];
    out.push(...table(frows).map((l) => `    ${l}`));
    out.push('');
  }
  const noted = r.clients.filter((c) => c.notes.length > 0 && c.verdict === 'identical');
  for (const c of r.clients.filter((x) => x.verdict !== 'identical')) {
    out.push(p.bad(`  ${c.verdict}: ${c.name}`) + p.dim(` (Kea ${c.kea.address ?? '-'}, dnsmasq ${c.dnsmasq.address ?? '-'}${c.dnsmasq.server ? ` from ${c.dnsmasq.server}` : ''})`));
    for (const d of c.differences) out.push(`    ${d}`);
  }
  if (noted.length > 0) out.push(p.dim(`  ${noted.length} identical client(s) have remarks (pool differences, changes the report lists): see --json`));
  for (const pr of r.problems.filter((x) => !r.clients.some((c) => x.startsWith(`${c.name}:`)))) out.push(p.bad(`  ${pr}`));
  out.push('');
  out.push(r.ok ? p.ok(`OK: the dnsmasq pair answers like Kea (${r.seconds} s)`) : p.bad(`FAILED: ${r.problems.length} problem(s) (${r.seconds} s)`));
  return `${out.join('\n')}\n`;
}
