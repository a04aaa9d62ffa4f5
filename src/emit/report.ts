/**
 * Report formats: pure renderers of the one ReportData (./report-data.ts). A small registry —
 * Markdown and JSON become files in the output directory, the SVG address map too, and the
 * terminal text is printed by convert. Colour is a parameter (a Paint of style functions); chalk
 * stays in cli/.
 */
import type { ReportData } from './report-data.js';
import { renderAddressMapSvg, subnetBarAndUse, type BarCell } from './report-map.js';

export { buildReport, REPORT_SCHEMA_VERSION, type ReportData, type ReportInput } from './report-data.js';

/** Style functions for the terminal form; identity when colour is off. */
export interface Paint {
  bold: (s: string) => string;
  dim: (s: string) => string;
  warn: (s: string) => string;
  ok: (s: string) => string;
  /** Colour of each server's range in the bar, in server order. */
  server: [(s: string) => string, (s: string) => string];
  reserved: (s: string) => string;
}

const id = (s: string) => s;
export const NO_PAINT: Paint = { bold: id, dim: id, warn: id, ok: id, server: [id, id], reserved: id };

export interface ReportFormat {
  /** File written into the output directory, or undefined for a terminal-only format. */
  file: string | undefined;
  render: (r: ReportData, paint: Paint) => string;
}

export const REPORT_FORMATS = {
  markdown: { file: 'MIGRATION-REPORT.md', render: (r) => renderMarkdown(r) },
  json: { file: 'report.json', render: (r) => jsonDocument(r) },
  svg: { file: 'address-map.svg', render: (r) => renderAddressMapSvg(r) },
  text: { file: undefined, render: (r, paint) => renderText(r, paint) },
} satisfies Record<string, ReportFormat>;

export type ReportFormatName = keyof typeof REPORT_FORMATS;

/** The report files for the output directory, in registry order. */
export function reportFiles(r: ReportData): { path: string; contents: string }[] {
  return Object.values(REPORT_FORMATS).flatMap((f: ReportFormat) => (f.file ? [{ path: f.file, contents: f.render(r, NO_PAINT) }] : []));
}

/**
 * JSON.stringify(v, null, 2), except that an object of plain values inside a list (a reservation,
 * a lease, an item) stays on one line: 100,000 reservations are 100,000 lines, so a small Kea
 * change is a small, fast diff. A value with toJSON() is written as what that returns, as
 * JSON.stringify does; a list that also offers jsonRow(k) (ReportReservations) gives each element's
 * one-line text itself, without an object per element.
 */
export function formatJson(v: unknown): string {
  if (!isJsonContainer(v)) return JSON.stringify(v);
  const out: string[] = [];
  writeJson(v, '', out);
  return out.join('');
}

/** formatJson(v) and a newline, as one string (report.json). */
function jsonDocument(v: unknown): string {
  const out: string[] = [];
  writeJson(v, '', out);
  out.push('\n');
  return out.join('');
}

/** A list whose elements write their own one-line JSON text (the same as JSON.stringify(toJSON()[k])). */
interface JsonRows {
  readonly length: number;
  jsonRow(k: number): string;
}

const hasToJson = (v: object): v is { toJSON: () => unknown } => typeof (v as { toJSON?: unknown }).toJSON === 'function';
const isJsonRows = (v: object): v is JsonRows => typeof (v as { jsonRow?: unknown }).jsonRow === 'function';
const isJsonContainer = (v: unknown): v is object => v !== null && typeof v === 'object';

/**
 * One walk pushing the text's pieces onto one list, joined once at the end: no string is built for
 * a list or an object and then copied again into its parent's. (A single string appended to piece
 * by piece was measured slower: V8 then flattens a rope of hundreds of thousands of pieces.)
 */
function writeJson(v: unknown, indent: string, out: string[]): void {
  if (isJsonContainer(v) && hasToJson(v)) {
    if (isJsonRows(v)) {
      writeRows(v, indent, out);
      return;
    }
    v = v.toJSON();
  }
  if (!isJsonContainer(v)) {
    out.push(`${JSON.stringify(v)}`); // `${}`: "undefined" as before, not ''
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push('[]');
      return;
    }
    const sep = `,\n${inner}`;
    out.push(`[\n${inner}`);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(sep);
      const x: unknown = v[i];
      if (isFlatObject(x)) out.push(JSON.stringify(x));
      else writeJson(x, inner, out);
    }
    out.push(`\n${indent}]`);
    return;
  }
  let first = true;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue; // as JSON.stringify: no value, no key
    out.push(first ? `{\n${inner}` : `,\n${inner}`, JSON.stringify(k), ': ');
    first = false;
    writeJson(x, inner, out);
  }
  out.push(first ? '{}' : `\n${indent}}`);
}

/** A JsonRows list as formatJson writes the array of its elements: one element per line. */
function writeRows(rows: JsonRows, indent: string, out: string[]): void {
  if (rows.length === 0) {
    out.push('[]');
    return;
  }
  const inner = `${indent}  `;
  const sep = `,\n${inner}`;
  // The rows of one list joined on their own (measured faster than pushing each row and separator
  // onto the document's list: a small array per list, and join's separator path).
  const lines = new Array<string>(rows.length);
  for (let k = 0; k < lines.length; k++) lines[k] = rows.jsonRow(k);
  out.push(`[\n${inner}`, lines.join(sep));
  out.push(`\n${indent}]`);
}

/** An object of plain values (no object or array inside, no toJSON): written on one line inside a list. */
function isFlatObject(x: unknown): x is object {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || hasToJson(x)) return false;
  for (const k in x) {
    const y = (x as Record<string, unknown>)[k];
    if (y !== null && typeof y === 'object') return false;
  }
  return true;
}

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: ReportData): string {
  const [s0, s1] = r.design.servers;
  const out: string[] = [];
  const sum = r.summary;
  out.push(`# Migration report: ${r.source}`, '');
  out.push('## Summary', '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| Subnets | ${sum.subnets} |`);
  out.push(`| Shared networks | ${sum.sharedNetworks} |`);
  out.push(`| Pools | ${sum.pools} |`);
  out.push(`| Reservations converted | ${sum.reservations} |`);
  out.push(`| Kea option-data entries | ${sum.options} |`);
  out.push(`| Option tags shared by reservations | ${sum.optionTags} |`);
  out.push(`| Kea client classes | ${sum.clientClasses} |`);
  out.push(`| Kea lines in | ${sum.keaLines} |`);
  out.push(`| dnsmasq lines out (per server, without comments) | ${sum.dnsmasqLines} |`);
  out.push(`| Not converted or changed (warnings) | ${sum.warnings} |`);
  out.push(`| Not needed with dnsmasq (notes) | ${sum.notes} |`, '');

  out.push('## The two servers', '');
  out.push(`- Design: **${r.design.mode === 'equal' ? 'equal' : 'primary/failover'}**, ${r.design.why}.`);
  out.push(`- Servers: **${s0}** (configuration master) and **${s1}**.`);
  if (r.design.mode === 'failover') {
    out.push(
      `- ${s1} holds ${Math.round((r.design.failoverShare ?? 0) * 100)}% of each pool with short leases and waits ${r.design.replyDelay} s (dhcp-reply-delay) before offering, so clients prefer ${s0} and return to it.`,
    );
  }
  out.push(
    `- dhcp-authoritative: **off on both servers**${r.design.authoritative.kea ? ' (Kea had authoritative: true)' : ''}. ${r.design.authoritative.why}`,
    `- Reservations are identical on both servers, in /etc/dnsmasq.reservations.d/ (hosts/ and options/): dnsmasq re-reads new and changed files there by itself, and a SIGHUP applies removals.`,
    // --- lease hook (src/emit/lease-hook.ts)
    `- Failback: a dnsmasq that still holds a lease for a client NAKs that client's reboot for any other address, so after a failover the returning server would NAK its former clients on every reboot. Each server's dhcp-script (/usr/local/sbin/kea2dnsmasq-lease-hook, bash) therefore asks the other server, at the address in /etc/kea2dnsmasq/lease-hook.peer (check it), to drop its stale lease of a dynamic client it has just served. Measured with \`kea2dnsmasq prove\`: after a failover and the server's return, at most one NAK and at most one address change in 5 reboots (without the hook: a NAK on every reboot).`,
    // --- end lease hook
    '',
  );

  out.push('## Subnets and how each pool was split', '');
  out.push(`![Address map: per subnet, reserved addresses, each server's dynamic range and the free addresses](address-map.svg)`, '');
  out.push(`| Subnet | Pool | ${s0} | ${s1} | How |`, '|---|---|---|---|---|');
  for (const s of r.subnets) {
    if (s.pools.length === 0) {
      out.push(`| ${s.id}: ${s.prefix} | (no pool) | reservations only | reservations only | static range |`);
      continue;
    }
    for (const p of s.pools) {
      const cell = (i: 0 | 1) => {
        const rg = p.ranges[i];
        return rg ? `${rg.start}-${rg.end} (${rg.usable} usable, lease ${rg.lease})` : '-';
      };
      out.push(`| ${s.id}: ${s.prefix} | ${p.start}-${p.end} | ${cell(0)} | ${cell(1)} | ${esc(p.how)} |`);
    }
  }
  out.push('');

  out.push('## Capacity', '');
  out.push(
    "Addresses each server can hand out alone, against the Kea pools they replace. dnsmasq never hands out an address ending in .0 or .255 (in 192.0.0.0-223.255.255.255) nor a subnet's network or broadcast address, where Kea does.",
    '',
  );
  out.push(`| Subnet | Kea pool addresses | ${s0} alone | ${s1} alone |`, '|---|---|---|---|');
  for (const s of r.subnets) out.push(`| ${s.id}: ${s.prefix} | ${s.capacity.keaPool} | ${s.capacity.alone[0]} | ${s.capacity.alone[1]} |`);
  out.push('');

  if (r.leases) renderLeasesMarkdown(r, out);

  out.push('## Reservations', '');
  for (const s of r.subnets) {
    if (s.reservations.length) out.push(`- Subnet ${s.id} (${s.prefix}): ${s.reservations.length}`);
  }
  if (r.floatingReservations) out.push(`- Global, without an address: ${r.floatingReservations}`);
  if (sum.reservations === 0) out.push('- none');
  out.push('');
  if (r.optionTags.length > 0) {
    out.push('### Option tags', '', 'Option-data that Kea repeats in each reservation is written once, on a tag each host sets.', '');
    out.push('| Tag | Options | Hosts |', '|---|---|---|');
    for (const t of r.optionTags) out.push(`| ${t.name} | \`${esc(t.options.join('<br>'))}\` | ${t.hosts} |`);
    out.push('');
  }
  if (r.redundantOptions.length > 0) {
    out.push(
      '### Redundant reservation options dropped',
      '',
      'These reservation options equal what the host inherits from its subnet, pool or the global level, so they are not repeated:',
      '',
    );
    for (const x of r.redundantOptions) out.push(`- ${x.option} on ${x.host}${x.where ? ` (${x.where})` : ''}`);
    out.push('');
  }

  out.push('## Changed meaning', '');
  for (const c of r.changedMeaning) out.push(`- ${c}`);
  out.push('');

  const section = (title: string, sev: 'warning' | 'note', intro: string) => {
    const items = r.items.filter((d) => d.severity === sev);
    out.push(`## ${title}`, '');
    if (items.length === 0) {
      out.push('None.', '');
      return;
    }
    out.push(intro, '');
    out.push('| Where | Code | What | What to do |', '|---|---|---|---|');
    for (const d of items) out.push(`| ${d.where ?? ''} | ${d.code} | ${esc(d.message)} | ${esc(d.advice ?? '')} |`);
    out.push('');
  };
  section('Not converted', 'warning', 'Each of these changes what some client receives, or is not carried over. Read them before cutting over.');
  section('Not needed with dnsmasq', 'note', 'Kea settings with no effect on what clients receive from dnsmasq, or handled differently on purpose.');
  return out.join('\n');
}

function renderLeasesMarkdown(r: ReportData, out: string[]): void {
  const l = r.leases!;
  const [s0, s1] = r.design.servers;
  out.push('## Live leases', '');
  out.push(
    `Read ${l.files.map((f) => `\`${f}\``).join(', ')} (in Kea's replay order) as of ${l.at}: ${l.rows} row(s), ${l.active} active lease(s). Not carried: ${l.dropped.expired} expired, ${l.dropped.declined} declined, ${l.dropped.reclaimed} reclaimed, ${l.dropped.released} released, ${l.dropped.deleted} deleted by a later row.`,
    '',
  );
  out.push(
    `- ${s0}/var/lib/misc/dnsmasq.leases: ${l.carried[0]} lease(s); ${s1}/var/lib/misc/dnsmasq.leases: ${l.carried[1]} lease(s). Each dynamic lease goes to the server whose range holds its address; the ${l.reservedOnBoth} lease(s) of reserved hosts go to both, so whichever server answers a rebooting client ACKs it and neither NAKs it.`,
    `- A client that starts over with a DISCOVER gets offers from both servers; the one without its lease answers it ${r.design.mode === 'equal' ? '1 s' : 'a second'} late (/etc/dnsmasq.d/35-leases-elsewhere.conf), so the offer of the old address arrives first. With the lease holder down, the other server still answers.`,
    `- Measured with dnsmasq 2.90 (test/leases-network.test.ts): a client rebooting with INIT-REBOOT, as most operating systems do (ISC dhclient), is ACKed its address by the server holding its lease while the other stays silent, and a client asking for it in a DISCOVER (busybox udhcpc -r) is offered it first: each kept its address, 0 NAKs. Without the delay, the DISCOVER client lost its address in about half the runs.`,
    `- Install each file before starting dnsmasq on that server (dnsmasq reads it only at startup).`,
    '',
  );
  out.push('### Capacity from the live leases', '');
  out.push(
    r.design.mode === 'equal'
      ? 'In equal mode each server must carry every dynamic client while the other is down.'
      : `In failover mode ${s0} must carry every dynamic client.`,
    '',
  );
  out.push(`| Subnet | Dynamic clients | Reserved clients | ${s0} alone | ${s1} alone | Enough |`, '|---|---|---|---|---|---|');
  for (const x of l.subnets) {
    const ok = x.enough[0] && x.enough[1];
    out.push(`| ${x.id}: ${x.prefix} | ${x.dynamicClients} | ${x.reservedClients} | ${x.alone[0]} | ${x.alone[1]} | ${ok ? 'yes' : '**no**'} |`);
  }
  out.push('');
  out.push('### Will renumber', '');
  if (l.renumber.length === 0) {
    out.push('None: every active lease is carried over.', '');
    return;
  }
  out.push(`${l.renumber.length} client(s) get a new address on their next request:`, '');
  out.push('| Address | MAC | Hostname | Why | Kea lease row |', '|---|---|---|---|---|');
  for (const x of l.renumber) out.push(`| ${x.address} | ${x.hwaddr || '-'} | ${esc(x.hostname) || '-'} | ${esc(x.reason)} | ${esc(x.where)} |`);
  out.push('');
}

const BAR_WIDTH = 48;
const BAR_CHAR: Record<BarCell, string> = { free: '·', reserved: 'R', server0: '1', server1: '2' };

/** The terminal form: summary, the split with one bar per subnet, capacity and the warnings. */
export function renderText(r: ReportData, p: Paint): string {
  const [s0, s1] = r.design.servers;
  const sum = r.summary;
  const out: string[] = [];
  out.push(
    `${p.bold('Summary')}: ${sum.subnets} subnet(s), ${sum.pools} pool(s), ${sum.reservations} reservation(s), ${sum.options} option(s), ${sum.optionTags} shared option tag(s), ${sum.clientClasses} client class(es); ${sum.keaLines} Kea lines -> ${sum.dnsmasqLines} dnsmasq lines per server`,
  );
  out.push(`${p.bold('Design')}: ${r.design.mode === 'equal' ? 'equal' : 'primary/failover'} — ${r.design.why}; ${s0} and ${s1}, neither dhcp-authoritative`);
  if (r.subnets.length > 0) {
    out.push(
      `${p.bold('Address map')} (${p.server[0]('1')} = ${s0}'s range, ${p.server[1]('2')} = ${s1}'s range, ${p.reserved('R')} = reserved, · = free):`,
    );
    const label = (s: (typeof r.subnets)[number]) => `${s.id}: ${s.prefix}`;
    const wide = Math.max(...r.subnets.map((s) => label(s).length));
    // Each kind of cell painted once, not once per cell (500 subnets are 24,000 cells).
    const painted: Record<BarCell, string> = {
      server0: p.server[0](BAR_CHAR.server0),
      server1: p.server[1](BAR_CHAR.server1),
      reserved: p.reserved(BAR_CHAR.reserved),
      free: p.dim(BAR_CHAR.free),
    };
    for (const s of r.subnets) {
      const { bar: cells, use } = subnetBarAndUse(s, BAR_WIDTH);
      let bar = '';
      for (const c of cells) bar += painted[c];
      const cap = s.capacity;
      const split = cap.keaPool === 0 ? 'reservations only' : `${s0} ${cap.alone[0]}, ${s1} ${cap.alone[1]} of ${cap.keaPool} Kea pool addresses`;
      const live = r.leases ? `, ${s.liveLeases.length} live lease(s)` : '';
      out.push(`  ${label(s).padEnd(wide)} [${bar}] ${split}; ${use.reserved} reserved, ${use.free} free${live}`);
    }
  }
  if (r.leases) {
    const l = r.leases;
    out.push(
      `${p.bold('Leases')} (as of ${l.at}): ${l.active} active; ${s0} gets ${l.carried[0]}, ${s1} gets ${l.carried[1]} (${l.reservedOnBoth} reserved host(s) on both); ${l.renumber.length === 0 ? p.ok('none will renumber') : p.warn(`${l.renumber.length} will renumber`)}`,
    );
  }
  const warnings = r.items.filter((i) => i.severity === 'warning');
  if (warnings.length > 0) {
    out.push(p.warn(`${warnings.length} Kea setting(s) not converted or converted with changed meaning:`));
    for (const w of warnings) out.push(`  ${w.where ?? '-'} ${p.dim(w.code)}`);
  } else {
    out.push(p.ok('Every Kea setting that affects clients was converted.'));
  }
  return `${out.join('\n')}\n`;
}
