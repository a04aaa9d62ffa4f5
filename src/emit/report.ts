/**
 * The migration report (Markdown): what was converted, how the pools were split, what changed
 * meaning and what could not be converted, each with its Kea file:line. Pure: diagnostics arrive
 * already located.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { describe } from '../diagnostics/messages.js';
import type { Model } from '../model/model.js';
import { formatIPv4 } from '../model/ipv4.js';
import type { Folding } from '../transform/fold-options.js';
import type { PairPlan } from '../transform/plan-pair.js';
import { formatLease, type Where } from './dnsmasq.js';

export interface ReportInput {
  model: Model;
  plan: PairPlan;
  folding: Folding;
  diagnostics: readonly Diagnostic[];
  sourceName: string;
  keaLines: number;
  dnsmasqLines: number;
  failoverShare: number;
  replyDelay: number;
  where: Where;
  /** How a source file is named in the report (relative to the config's directory: no machine paths). */
  displayFile: (file: string) => string;
}

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderReport(x: ReportInput): string {
  const { model: m, plan } = x;
  const pos = (d: Diagnostic) => (d.at ? `${x.displayFile(d.at.file)}:${d.at.line}:${d.at.column}` : '');
  const out: string[] = [];
  const reservations = m.subnets.reduce((n, s) => n + s.reservations.length, 0) + plan.floatingReservations.length;
  out.push(`# Migration report: ${x.sourceName}`, '');
  out.push('## Summary', '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| Subnets | ${m.subnets.length} |`);
  out.push(`| Shared networks | ${m.sharedNetworks.length} |`);
  out.push(`| Pools | ${m.subnets.reduce((n, s) => n + s.pools.length, 0)} |`);
  out.push(`| Reservations converted | ${reservations} |`);
  out.push(`| Option tags shared by reservations | ${x.folding.tags.length} |`);
  out.push(`| Kea lines in | ${x.keaLines} |`);
  out.push(`| dnsmasq lines out (per server, without comments) | ${x.dnsmasqLines} |`);
  const warnings = x.diagnostics.filter((d) => d.severity === 'warning').length;
  const notes = x.diagnostics.filter((d) => d.severity === 'note').length;
  out.push(`| Not converted or changed (warnings) | ${warnings} |`);
  out.push(`| Not needed with dnsmasq (notes) | ${notes} |`, '');

  out.push('## The two servers', '');
  const source = plan.modeSource === 'flag' ? 'chosen with --mode' : plan.modeSource === 'ha-hook' ? `taken from Kea's HA hook (${m.ha?.mode})` : 'the default (no HA hook, no --mode)';
  out.push(`- Design: **${plan.mode === 'equal' ? 'equal' : 'primary/failover'}**, ${source}.`);
  out.push(`- Servers: **${plan.servers[0]}** (configuration master) and **${plan.servers[1]}**.`);
  if (plan.mode === 'failover') {
    out.push(
      `- ${plan.servers[1]} holds ${Math.round(x.failoverShare * 100)}% of each pool with short leases and waits ${x.replyDelay} s (dhcp-reply-delay) before offering, so clients prefer ${plan.servers[0]} and return to it.`,
    );
  }
  out.push(
    `- dhcp-authoritative: **off on both servers**${m.authoritative || m.subnets.some((s) => s.authoritative) ? ' (Kea had authoritative: true)' : ''}. Measured with dnsmasq 2.90: an authoritative server NAKs every client of its peer on reboot (6 of 6 reboots, 4 lost their lease); with neither authoritative there were 0 NAKs and a client whose server died moved to the other in about 14 s.`,
    `- Reservations are identical on both servers, in /etc/dnsmasq.reservations.d/ (hosts/ and options/): dnsmasq re-reads new and changed files there by itself, and a SIGHUP applies removals.`,
    '',
  );

  out.push('## Subnets and how each pool was split', '');
  out.push(`| Subnet | Pool | ${plan.servers[0]} | ${plan.servers[1]} | How |`, '|---|---|---|---|---|');
  for (const s of m.subnets) {
    const splits = plan.splits.filter((sp) => sp.subnet.id === s.id);
    if (splits.length === 0) {
      out.push(`| ${s.id}: ${s.text} | (no pool) | reservations only | reservations only | static range |`);
      continue;
    }
    for (const sp of splits) {
      const cell = (i: 0 | 1) => {
        const r = sp.ranges[i];
        return r ? `${formatIPv4(r.start)}-${formatIPv4(r.end)} (${r.usable} usable, lease ${formatLease(r.lease)})` : '-';
      };
      out.push(`| ${s.id}: ${s.text} | ${formatIPv4(sp.pool.start)}-${formatIPv4(sp.pool.end)} | ${cell(0)} | ${cell(1)} | ${esc(sp.how)} |`);
    }
  }
  out.push('');

  out.push('## Capacity', '');
  out.push('Addresses each server can hand out alone, against the Kea pools they replace. dnsmasq never hands out an address ending in .0 or .255 (in 192.0.0.0-223.255.255.255) nor a subnet\'s network or broadcast address, where Kea does.', '');
  out.push(`| Subnet | Kea pool addresses | ${plan.servers[0]} alone | ${plan.servers[1]} alone |`, '|---|---|---|---|');
  for (const s of m.subnets) {
    const splits = plan.splits.filter((sp) => sp.subnet.id === s.id);
    const kea = s.pools.reduce((n, p) => n + (p.end - p.start + 1), 0);
    const a = splits.reduce((n, sp) => n + (sp.ranges[0]?.usable ?? 0), 0);
    const b = splits.reduce((n, sp) => n + (sp.ranges[1]?.usable ?? 0), 0);
    out.push(`| ${s.id}: ${s.text} | ${kea} | ${a} | ${b} |`);
  }
  out.push('');

  out.push('## Reservations', '');
  for (const s of m.subnets) {
    if (s.reservations.length) out.push(`- Subnet ${s.id} (${s.text}): ${s.reservations.length}`);
  }
  if (plan.floatingReservations.length) out.push(`- Global, without an address: ${plan.floatingReservations.length}`);
  if (reservations === 0) out.push('- none');
  out.push('');
  if (x.folding.tags.length > 0) {
    out.push('### Option tags', '', 'Option-data that Kea repeats in each reservation is written once, on a tag each host sets.', '');
    out.push('| Tag | Options | Hosts |', '|---|---|---|');
    for (const t of x.folding.tags) {
      const opts = t.options.map((o) => `${o.dnsmasq?.token},${o.dnsmasq?.value}`).join('<br>');
      out.push(`| ${t.name} | \`${esc(opts)}\` | ${t.hosts.length} |`);
    }
    out.push('');
  }
  if (x.folding.redundant.length > 0) {
    out.push('### Redundant reservation options dropped', '', 'These reservation options equal what the host inherits from its subnet, pool or the global level, so they are not repeated:', '');
    for (const r of x.folding.redundant) {
      const w = x.where(r.option.path);
      out.push(`- ${r.option.name ?? r.option.code} on ${r.reservation.hostname ?? r.reservation.identifier.hex}${w ? ` (${w})` : ''}`);
    }
    out.push('');
  }

  out.push('## Changed meaning', '');
  out.push('- Kea echoes the client identifier (option 61) back to clients (RFC 6842); dnsmasq never does.');
  out.push('- dnsmasq always sends T1/T2 (0.5 and 0.875 of the lease) where Kea leaves them out; the client renews at the same times.');
  out.push('- Options in the reservations options directory are sent when the client asks for them; Kea sends routers, DNS servers and domain name even unasked (dhcp-optsfile lines cannot force).');
  out.push('');

  const section = (title: string, sev: Diagnostic['severity'], intro: string) => {
    const ds = x.diagnostics.filter((d) => d.severity === sev);
    out.push(`## ${title}`, '');
    if (ds.length === 0) {
      out.push('None.', '');
      return;
    }
    out.push(intro, '');
    out.push('| Where | Code | What | What to do |', '|---|---|---|---|');
    for (const d of ds) {
      const w = describe(d);
      out.push(`| ${pos(d)} | ${d.code} | ${esc(w.message)} | ${esc(w.hint ?? '')} |`);
    }
    out.push('');
  };
  section('Not converted', 'warning', 'Each of these changes what some client receives, or is not carried over. Read them before cutting over.');
  section('Not needed with dnsmasq', 'note', 'Kea settings with no effect on what clients receive from dnsmasq, or handled differently on purpose.');
  return out.join('\n');
}
