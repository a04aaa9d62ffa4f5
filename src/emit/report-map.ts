/**
 * The address map: per subnet, which addresses are reserved, which belong to each server's
 * dynamic range and which are left free — drawn as an SVG file (one labelled row per subnet,
 * readable without a legend: every colour is named in the row's own caption) and as a compact
 * terminal bar. Pure string building; numbers are printed with fixed rounding so the output is
 * byte-stable.
 */
import type { ReportData, ReportSubnet } from './report-data.js';

/** The report's own dotted quads (always well-formed: formatIPv4 wrote them) back to integers, fast. */
const ipBySplit = (s: string): number => {
  const [a = 0, b = 0, c = 0, d = 0] = s.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
};
/** ipBySplit without the arrays (called per reservation: a big config has hundreds of thousands). */
const ip = (s: string): number => {
  let n = 0;
  let octet = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + octet;
      octet = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && octet < 26) {
      octet = octet * 10 + (c - 48);
    } else {
      return ipBySplit(s);
    }
    if (octet > 255) return ipBySplit(s);
  }
  return dots === 3 ? (n * 256 + octet) >>> 0 : ipBySplit(s);
};

/** Counts of one subnet's addresses, network and broadcast excluded. */
export interface SubnetUse {
  /** Dynamic addresses per server (range sizes, in server order). */
  dynamic: [number, number];
  /** Reserved addresses outside every dynamic range. */
  reservedOutside: number;
  reserved: number;
  free: number;
}

/** Intervals [start, end] of each server's ranges in this subnet. */
function serverIntervals(s: ReportSubnet, i: 0 | 1): [number, number][] {
  return s.pools.flatMap((p) => {
    const r = p.ranges[i];
    return r ? [[ip(r.start), ip(r.end)] as [number, number]] : [];
  });
}

export function subnetUse(s: ReportSubnet): SubnetUse {
  const a = serverIntervals(s, 0);
  const b = serverIntervals(s, 1);
  const inAny = (n: number) => [...a, ...b].some(([x, y]) => n >= x && n <= y);
  const sum = (iv: [number, number][]) => iv.reduce((n, [x, y]) => n + (y - x + 1), 0);
  const reservedOutside = s.reservations.filter((r) => !inAny(ip(r.address))).length;
  const hosts = Math.max(0, s.size - 2);
  return {
    dynamic: [sum(a), sum(b)],
    reservedOutside,
    reserved: s.reservations.length,
    free: Math.max(0, hosts - sum(a) - sum(b) - reservedOutside),
  };
}

// ---------------------------------------------------------------- terminal bar

export type BarCell = 'free' | 'reserved' | 'server0' | 'server1';

/**
 * The subnet in `width` cells; each cell shows what most of its addresses are (a reserved
 * address wins its cell, so single reservations stay visible).
 */
export function subnetBar(s: ReportSubnet, width: number): BarCell[] {
  const base = ip(s.network);
  const a = serverIntervals(s, 0);
  const b = serverIntervals(s, 1);
  const reserved = s.reservations.map((r) => ip(r.address));
  const overlap = (iv: [number, number][], lo: number, hi: number) =>
    iv.reduce((n, [x, y]) => n + Math.max(0, Math.min(y, hi) - Math.max(x, lo) + 1), 0);
  const cells: BarCell[] = [];
  for (let c = 0; c < width; c++) {
    const lo = base + Math.floor((c * s.size) / width);
    const hi = Math.max(lo, base + Math.floor(((c + 1) * s.size) / width) - 1);
    if (reserved.some((r) => r >= lo && r <= hi)) {
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

export function xmlEscape(s: string): string {
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
  const rows: string[] = [];
  let y = PAD;
  const servers = r.design.servers;
  for (const s of r.subnets) {
    const use = subnetUse(s);
    const base = ip(s.network);
    const x = (addr: number) => PAD + ((addr - base) / s.size) * BAR_W;
    const out: string[] = [];
    const title = `Subnet ${s.id}: ${s.prefix}${s.sharedNetwork ? ` (shared network ${s.sharedNetwork})` : ''}`;
    out.push(`<text x="${PAD}" y="${num(y + 14)}" font-weight="bold">${xmlEscape(title)}</text>`);
    const barY = y + 22;
    out.push(`<rect x="${PAD}" y="${num(barY)}" width="${BAR_W}" height="24" fill="${COLORS.free}"/>`);
    for (const i of [0, 1] as const) {
      for (const p of s.pools) {
        const rg = p.ranges[i];
        if (!rg) continue;
        const x0 = x(ip(rg.start));
        const w = Math.max(2, x(ip(rg.end) + 1) - x0);
        out.push(`<rect x="${num(x0)}" y="${num(barY)}" width="${num(w)}" height="24" fill="${i === 0 ? COLORS.server0 : COLORS.server1}"><title>${xmlEscape(`${servers[i]}: ${rg.start}-${rg.end} (${rg.size} addresses, lease ${rg.lease})`)}</title></rect>`);
        if (w >= servers[i].length * 7 + 8) {
          out.push(`<text x="${num(x0 + w / 2)}" y="${num(barY + 16)}" text-anchor="middle" fill="#ffffff">${xmlEscape(servers[i])}</text>`);
        }
      }
    }
    // Reserved addresses as dark marks: a run of adjacent addresses (or of addresses sharing a pixel
    // column) is one mark, so 100,000 reservations stay a small file.
    const runs: { from: string; to: string; n: number; x0: number; x1: number; first: string }[] = [];
    for (const rv of s.reservations) {
      const a = ip(rv.address);
      const x0 = x(a);
      const x1 = x(a + 1);
      const last = runs[runs.length - 1];
      if (last && (ip(last.to) + 1 === a || Math.round(x0) <= Math.round(last.x1))) {
        last.to = rv.address;
        last.n++;
        last.x1 = x1;
      } else {
        runs.push({ from: rv.address, to: rv.address, n: 1, x0, x1, first: `${rv.address}${rv.hostname ? ` ${rv.hostname}` : ''}` });
      }
    }
    for (const run of runs) {
      const tip = run.n === 1 ? `reserved ${run.first}` : `${run.n} reserved: ${run.from} … ${run.to}`;
      const w = run.x1 - run.x0;
      if (run.n === 1 || w < 3) {
        const px = num((run.x0 + run.x1) / 2);
        out.push(`<line x1="${px}" y1="${num(barY - 4)}" x2="${px}" y2="${num(barY + 28)}" stroke="${COLORS.reserved}" stroke-width="1.5"><title>${xmlEscape(tip)}</title></line>`);
      } else {
        out.push(`<rect x="${num(run.x0)}" y="${num(barY - 4)}" width="${num(w)}" height="32" fill="${COLORS.reserved}"><title>${xmlEscape(tip)}</title></rect>`);
      }
    }
    if (r.leases) {
      // Live leases: a green dot under the bar, one per pixel column at most.
      const dots = new Map<number, number>();
      for (const a of s.liveLeases) {
        const px = Math.round(x(ip(a) + 0.5));
        dots.set(px, (dots.get(px) ?? 0) + 1);
      }
      for (const [px, n] of [...dots].sort((p, q) => p[0] - q[0])) {
        out.push(`<circle cx="${px}" cy="${num(barY + 32)}" r="2.5" fill="${COLORS.lease}"><title>${n} live lease(s)</title></circle>`);
      }
    }
    const axisY = barY + 42 + (r.leases ? 6 : 0);
    out.push(`<text x="${PAD}" y="${num(axisY)}" fill="${COLORS.dim}" font-size="11">${xmlEscape(s.network)}</text>`);
    out.push(`<text x="${PAD + BAR_W}" y="${num(axisY)}" fill="${COLORS.dim}" font-size="11" text-anchor="end">${xmlEscape(s.broadcast)}</text>`);
    let cy = axisY + 18;
    for (const i of [0, 1] as const) {
      const ranges = s.pools.map((p) => p.ranges[i]).filter((rg) => rg !== null);
      const text =
        ranges.length === 0
          ? 'no dynamic range (reservations only)'
          : `${use.dynamic[i]} dynamic address(es): ${ranges.map((rg) => `${shortRange(rg.start, rg.end)} (lease ${rg.lease})`).join(', ')}`;
      out.push(
        `<text x="${PAD}" y="${num(cy)}"><tspan fill="${i === 0 ? COLORS.server0 : COLORS.server1}" font-weight="bold">${xmlEscape(`■ ${servers[i]}`)}</tspan> ${xmlEscape(text)}</text>`,
      );
      cy += 18;
    }
    out.push(
      `<text x="${PAD}" y="${num(cy)}"><tspan font-weight="bold">${xmlEscape('| reserved')}</tspan> ${use.reserved} (black marks)   <tspan fill="${COLORS.free}" stroke="${COLORS.dim}" stroke-width="0.5">■</tspan> <tspan font-weight="bold">free</tspan> ${use.free} address(es) in neither range (grey)</text>`,
    );
    cy += 18;
    if (r.leases) {
      out.push(`<text x="${PAD}" y="${num(cy)}"><tspan fill="${COLORS.lease}" font-weight="bold">● live leases</tspan> ${s.liveLeases.length} (green dots under the bar)</text>`);
      cy += 18;
    }
    rows.push(`<g>\n${out.map((l) => `  ${l}`).join('\n')}\n</g>`);
    y = cy + 12;
  }
  if (r.subnets.length === 0) {
    rows.push(`<text x="${PAD}" y="${PAD + 14}">No subnets.</text>`);
    y = PAD + 30;
  }
  const height = Math.ceil(y);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="13" fill="${COLORS.text}">`,
    `<title>${xmlEscape(`Address map: ${r.source} split between ${servers[0]} and ${servers[1]}`)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${height}" fill="#ffffff"/>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
