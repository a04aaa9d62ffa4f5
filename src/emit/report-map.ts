/**
 * The address map: per subnet, which addresses are reserved, which belong to each server's
 * dynamic range and which are left free — drawn as an SVG file (one labelled row per subnet,
 * readable without a legend: every colour is named in the row's own caption) and as a compact
 * terminal bar. Pure string building; numbers are printed with fixed rounding so the output is
 * byte-stable.
 */
import { parseIPv4 } from '../model/ipv4.js';
import type { ReportData, ReportSubnet } from './report-data.js';

/** The report's own dotted quads (always well-formed: formatIPv4 wrote them) back to integers. */
const ip = (s: string): number => parseIPv4(s) ?? 0;

/** Counts of one subnet's addresses, network and broadcast excluded. */
export interface SubnetUse {
  /** Dynamic addresses per server (range sizes, in server order). */
  dynamic: [number, number];
  /** Reservations outside every dynamic range. */
  reservedOutside: number;
  reserved: number;
  free: number;
}

type Interval = [number, number];

/**
 * A subnet's addresses as integers, for every figure drawn from them (the report carries its
 * ranges as dotted quads, parsed here once; the reservations are integers already).
 */
interface ParsedSubnet {
  base: number;
  /** Intervals [start, end] of each server's ranges, in server order. */
  ranges: [Interval[], Interval[]];
  /** The reservations' addresses, in the report's order (by address). */
  reserved: Uint32Array;
}

function parseSubnet(s: ReportSubnet): ParsedSubnet {
  const ranges: [Interval[], Interval[]] = [[], []];
  for (const p of s.pools) {
    for (const i of [0, 1] as const) {
      const r = p.ranges[i];
      if (r) ranges[i].push([ip(r.start), ip(r.end)]);
    }
  }
  return { base: ip(s.network), ranges, reserved: s.reservations.addresses };
}

// Indexed loops: these run per reservation, where an iterator and a destructuring per interval add up.
const inAnyOf = (iv: Interval[], n: number): boolean => {
  for (let i = 0; i < iv.length; i++) if (n >= iv[i]![0] && n <= iv[i]![1]) return true;
  return false;
};
const sizeOf = (iv: Interval[]): number => {
  let n = 0;
  for (const [x, y] of iv) n += y - x + 1;
  return n;
};

export function subnetUse(s: ReportSubnet): SubnetUse {
  return useOf(s, parseSubnet(s));
}

function useOf(s: ReportSubnet, p: ParsedSubnet): SubnetUse {
  const [a, b] = p.ranges;
  let reservedOutside = 0;
  const reserved = p.reserved;
  for (let k = 0; k < reserved.length; k++) if (!inAnyOf(a, reserved[k]!) && !inAnyOf(b, reserved[k]!)) reservedOutside++;
  const dynamic: [number, number] = [sizeOf(a), sizeOf(b)];
  const hosts = Math.max(0, s.size - 2);
  return { dynamic, reservedOutside, reserved: s.reservations.length, free: Math.max(0, hosts - dynamic[0] - dynamic[1] - reservedOutside) };
}

// ---------------------------------------------------------------- terminal bar

export type BarCell = 'free' | 'reserved' | 'server0' | 'server1';

/** Sorted numbers: whether one lies in lo..hi (binary search for the first >= lo). */
function anyIn(sorted: Uint32Array, lo: number, hi: number): boolean {
  let l = 0;
  let h = sorted.length;
  while (l < h) {
    const m = (l + h) >>> 1;
    if (sorted[m]! < lo) l = m + 1;
    else h = m;
  }
  return l < sorted.length && sorted[l]! <= hi;
}

/**
 * The subnet in `width` cells; each cell shows what most of its addresses are (a reserved
 * address wins its cell, so single reservations stay visible).
 */
export function subnetBar(s: ReportSubnet, width: number): BarCell[] {
  return barOf(s, parseSubnet(s), width);
}

/** subnetBar and subnetUse of one subnet, its addresses parsed once for both. */
export function subnetBarAndUse(s: ReportSubnet, width: number): { bar: BarCell[]; use: SubnetUse } {
  const parsed = parseSubnet(s);
  return { bar: barOf(s, parsed, width), use: useOf(s, parsed) };
}

function barOf(s: ReportSubnet, p: ParsedSubnet, width: number): BarCell[] {
  const { base, ranges: [a, b], reserved } = p;
  // The report's reservations are by address already; sort only when given otherwise.
  let sorted = reserved;
  for (let k = 1; k < reserved.length; k++) {
    if (reserved[k]! < reserved[k - 1]!) {
      sorted = reserved.slice().sort();
      break;
    }
  }
  const overlap = (iv: Interval[], lo: number, hi: number) => {
    let n = 0;
    for (const [x, y] of iv) n += Math.max(0, Math.min(y, hi) - Math.max(x, lo) + 1);
    return n;
  };
  const cells: BarCell[] = [];
  for (let c = 0; c < width; c++) {
    const lo = base + Math.floor((c * s.size) / width);
    const hi = Math.max(lo, base + Math.floor(((c + 1) * s.size) / width) - 1);
    if (anyIn(sorted, lo, hi)) {
      cells.push('reserved');
      continue;
    }
    const na = overlap(a, lo, hi);
    const nb = overlap(b, lo, hi);
    const size = hi - lo + 1;
    const free = size - na - nb;
    cells.push(na === 0 && nb === 0 ? 'free' : na >= nb && na >= free / 2 ? 'server0' : nb > na && nb >= free / 2 ? 'server1' : 'free');
  }
  return cells;
}

// ---------------------------------------------------------------- SVG

const W = 880;
const PAD = 16;
const BAR_W = W - 2 * PAD;
const COLORS = { server0: '#2563eb', server1: '#d97706', free: '#e5e7eb', reserved: '#111827', text: '#111827', dim: '#4b5563', lease: '#059669' };

const num = (n: number) => {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
};

const XML_SPECIAL = /[&<>"']/;

export function xmlEscape(s: string): string {
  if (!XML_SPECIAL.test(s)) return s; // the usual case: nothing to replace, no five copies
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** "192.0.2.100-192.0.2.174" as "192.0.2.100–.174" when the first three octets agree. */
export function shortRange(start: string, end: string): string {
  const a = start.split('.');
  const b = end.split('.');
  let same = 0;
  while (same < 3 && a[same] === b[same]) same++;
  return same === 0 ? `${start}–${end}` : `${start}–.${b.slice(same).join('.')}`;
}

/** One row per subnet: title, bar, the subnet's first and last address, and a caption naming every colour. */
export function renderAddressMapSvg(r: ReportData): string {
  // One list of lines for the whole file, joined once; the first four (the header, which needs the
  // height) are filled in at the end.
  const lines: string[] = ['', '', '', ''];
  let y = PAD;
  const servers = r.design.servers;
  for (const s of r.subnets) {
    const parsed = parseSubnet(s);
    const use = useOf(s, parsed);
    const base = parsed.base;
    const x = (addr: number) => PAD + ((addr - base) / s.size) * BAR_W;
    const title = `Subnet ${s.id}: ${s.prefix}${s.sharedNetwork ? ` (shared network ${s.sharedNetwork})` : ''}`;
    lines.push('<g>', `  <text x="${PAD}" y="${num(y + 14)}" font-weight="bold">${xmlEscape(title)}</text>`);
    const barY = y + 22;
    lines.push(`  <rect x="${PAD}" y="${num(barY)}" width="${BAR_W}" height="24" fill="${COLORS.free}"/>`);
    for (const i of [0, 1] as const) {
      for (const p of s.pools) {
        const rg = p.ranges[i];
        if (!rg) continue;
        const x0 = x(ip(rg.start));
        const w = Math.max(2, x(ip(rg.end) + 1) - x0);
        lines.push(`  <rect x="${num(x0)}" y="${num(barY)}" width="${num(w)}" height="24" fill="${i === 0 ? COLORS.server0 : COLORS.server1}"><title>${xmlEscape(`${servers[i]}: ${rg.start}-${rg.end} (${rg.size} addresses, lease ${rg.lease})`)}</title></rect>`);
        if (w >= servers[i].length * 7 + 8) {
          lines.push(`  <text x="${num(x0 + w / 2)}" y="${num(barY + 16)}" text-anchor="middle" fill="#ffffff">${xmlEscape(servers[i])}</text>`);
        }
      }
    }
    // Reserved addresses as dark marks: a run of adjacent addresses (or of addresses sharing a pixel
    // column) is one mark, so 100,000 reservations stay a small file. A run is drawn when the next
    // reservation does not extend it (and after the last one).
    const markTop = num(barY - 4);
    const markBottom = num(barY + 28);
    const mark = (from: number, to: number, n: number, x0: number, x1: number) => {
      const first = s.reservations.address(from);
      const hostname = s.reservations.hostnames[from];
      const tip = n === 1 ? `reserved ${first}${hostname ? ` ${hostname}` : ''}` : `${n} reserved: ${first} … ${s.reservations.address(to)}`;
      const w = x1 - x0;
      if (n === 1 || w < 3) {
        const px = num((x0 + x1) / 2);
        lines.push(`  <line x1="${px}" y1="${markTop}" x2="${px}" y2="${markBottom}" stroke="${COLORS.reserved}" stroke-width="1.5"><title>${xmlEscape(tip)}</title></line>`);
      } else {
        lines.push(`  <rect x="${num(x0)}" y="${markTop}" width="${num(w)}" height="32" fill="${COLORS.reserved}"><title>${xmlEscape(tip)}</title></rect>`);
      }
    };
    // A run runFrom..k-1 goes on while reservation k is the next address or starts in the pixel
    // column where the run ends; edges are computed only where a run may end (a run of adjacent
    // addresses needs no arithmetic per address).
    const reserved = parsed.reserved;
    let runFrom = 0;
    for (let k = 1; k <= reserved.length; k++) {
      const last = reserved[k - 1]!;
      if (k < reserved.length) {
        const a = reserved[k]!;
        if (a === last + 1 || Math.round(x(a)) <= Math.round(x(last + 1))) continue;
      }
      mark(runFrom, k - 1, k - runFrom, x(reserved[runFrom]!), x(last + 1));
      runFrom = k;
    }
    if (r.leases) {
      // Live leases: a green dot under the bar, one per pixel column at most.
      const dots = new Map<number, number>();
      for (const a of s.liveLeases) {
        const px = Math.round(x(ip(a) + 0.5));
        dots.set(px, (dots.get(px) ?? 0) + 1);
      }
      for (const [px, n] of [...dots].sort((p, q) => p[0] - q[0])) {
        lines.push(`  <circle cx="${px}" cy="${num(barY + 32)}" r="2.5" fill="${COLORS.lease}"><title>${n} live lease(s)</title></circle>`);
      }
    }
    const axisY = barY + 42 + (r.leases ? 6 : 0);
    lines.push(`  <text x="${PAD}" y="${num(axisY)}" fill="${COLORS.dim}" font-size="11">${xmlEscape(s.network)}</text>`);
    lines.push(`  <text x="${PAD + BAR_W}" y="${num(axisY)}" fill="${COLORS.dim}" font-size="11" text-anchor="end">${xmlEscape(s.broadcast)}</text>`);
    let cy = axisY + 18;
    for (const i of [0, 1] as const) {
      const ranges = s.pools.map((p) => p.ranges[i]).filter((rg) => rg !== null);
      const text =
        ranges.length === 0
          ? 'no dynamic range (reservations only)'
          : `${use.dynamic[i]} dynamic address(es): ${ranges.map((rg) => `${shortRange(rg.start, rg.end)} (lease ${rg.lease})`).join(', ')}`;
      lines.push(
        `  <text x="${PAD}" y="${num(cy)}"><tspan fill="${i === 0 ? COLORS.server0 : COLORS.server1}" font-weight="bold">${xmlEscape(`■ ${servers[i]}`)}</tspan> ${xmlEscape(text)}</text>`,
      );
      cy += 18;
    }
    lines.push(
      `  <text x="${PAD}" y="${num(cy)}"><tspan font-weight="bold">${xmlEscape('| reserved')}</tspan> ${use.reserved} (black marks)   <tspan fill="${COLORS.free}" stroke="${COLORS.dim}" stroke-width="0.5">■</tspan> <tspan font-weight="bold">free</tspan> ${use.free} address(es) in neither range (grey)</text>`,
    );
    cy += 18;
    if (r.leases) {
      lines.push(`  <text x="${PAD}" y="${num(cy)}"><tspan fill="${COLORS.lease}" font-weight="bold">● live leases</tspan> ${s.liveLeases.length} (green dots under the bar)</text>`);
      cy += 18;
    }
    lines.push('</g>');
    y = cy + 12;
  }
  if (r.subnets.length === 0) {
    lines.push(`<text x="${PAD}" y="${PAD + 14}">No subnets.</text>`);
    y = PAD + 30;
  }
  const height = Math.ceil(y);
  lines[0] = '<?xml version="1.0" encoding="UTF-8"?>';
  lines[1] = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="13" fill="${COLORS.text}">`;
  lines[2] = `<title>${xmlEscape(`Address map: ${r.source} split between ${servers[0]} and ${servers[1]}`)}</title>`;
  lines[3] = `<rect x="0" y="0" width="${W}" height="${height}" fill="#ffffff"/>`;
  lines.push('</svg>', '');
  return lines.join('\n');
}
