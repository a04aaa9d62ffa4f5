/**
 * The migration report: one ReportData, rendered as Markdown, JSON, SVG address map and terminal
 * text. Each section is checked against a fixture whose numbers are known; the SVG of every
 * fixture is well-formed XML; the JSON keys are all documented in docs/report-schema.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileOptions, type CompileResult } from '../src/compile.js';
import { formatJson, NO_PAINT, REPORT_FORMATS, REPORT_SCHEMA_VERSION, renderMarkdown, renderText, type Paint, type ReportData } from '../src/emit/report.js';
import { renderAddressMapSvg, shortRange, subnetBar, subnetBarAndUse, subnetUse } from '../src/emit/report-map.js';
import { ReportReservations, type ReportSubnet } from '../src/emit/report-data.js';
import { xmlProblems } from './support/xml-wellformed.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'fixtures');
const cases = readdirSync(FIXTURES)
  .filter((c) => c !== 'errors' && existsSync(join(FIXTURES, c, 'kea-dhcp4.conf')))
  .sort();
/** As the golden test: a case's options.json over the defaults. */
function caseOptions(dir: string): CompileOptions {
  const p = join(dir, 'options.json');
  return existsSync(p) ? { ...DEFAULT_COMPILE_OPTIONS, ...(JSON.parse(readFileSync(p, 'utf8')) as Partial<CompileOptions>) } : DEFAULT_COMPILE_OPTIONS;
}
const compiled = new Map<string, CompileResult>();
function run(c: string): CompileResult {
  let r = compiled.get(c);
  if (!r) {
    r = compile(join(FIXTURES, c, 'kea-dhcp4.conf'), caseOptions(join(FIXTURES, c)));
    compiled.set(c, r);
  }
  return r;
}
const report = (c: string): ReportData => run(c).report!;
const file = (c: string, path: string) => run(c).files.find((f) => f.path === path)?.contents ?? '';

describe('report data', () => {
  it('summary: counts of subnets, pools, reservations, options, classes and lines', () => {
    const r = report('multi-subnet');
    expect(r.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(r.summary).toMatchObject({ subnets: 4, sharedNetworks: 1, pools: 4, reservations: 10, options: 14, warnings: 2, notes: 7 });
    expect(r.summary.keaLines).toBe(readFileSync(join(FIXTURES, 'multi-subnet', 'kea-dhcp4.conf'), 'utf8').split('\n').length - 1);
    const primaryLines = run('multi-subnet')
      .files.filter((f) => f.path.startsWith('primary/etc/dnsmasq'))
      .flatMap((f) => f.contents.split('\n'))
      .filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
    expect(r.summary.dnsmasqLines).toBe(primaryLines);
  });

  it('per-server split: ranges, sizes, lease times, and why neither server is authoritative', () => {
    const r = report('multi-subnet');
    expect(r.design).toMatchObject({ mode: 'equal', modeSource: 'default', servers: ['primary', 'secondary'], failoverShare: null });
    expect(r.design.authoritative).toMatchObject({ kea: true, dnsmasq: false });
    expect(r.design.authoritative.why).toContain('NAK');
    const s10 = r.subnets.find((s) => s.id === 10)!;
    expect(s10.pools).toEqual([
      {
        start: '198.51.100.20',
        end: '198.51.100.120',
        size: 101,
        how: 'split in two equal halves',
        ranges: [
          { server: 'primary', start: '198.51.100.20', end: '198.51.100.70', size: 51, usable: 51, leaseSeconds: 28800, lease: '8h' },
          { server: 'secondary', start: '198.51.100.71', end: '198.51.100.120', size: 50, usable: 50, leaseSeconds: 28800, lease: '8h' },
        ],
      },
    ]);
  });

  it('failover design: taken from the HA hook, with the failover share and reply delay', () => {
    const r = report('ha-hot-standby');
    expect(r.design).toMatchObject({ mode: 'failover', modeSource: 'ha-hook', failoverShare: 0.2, replyDelay: 2 });
    expect(r.design.why).toContain('hot-standby');
    expect(file('ha-hot-standby', 'MIGRATION-REPORT.md')).toContain('dhcp-reply-delay');
  });

  it('folded tags: the shared option and how many hosts carry it', () => {
    expect(report('article').optionTags).toEqual([{ name: 'dns-192-168-1-1', options: ['option:dns-server,192.168.1.1,192.168.1.254'], hosts: 8 }]);
  });

  it('not-converted items: Kea file:line:col, the reason and what to do', () => {
    const items = report('multi-subnet').items;
    const warnings = items.filter((i) => i.severity === 'warning');
    expect(warnings.map((w) => w.code).sort()).toEqual(['AUTHORITATIVE_NOT_CARRIED', 'OPTION_ENCODING_CHANGED']);
    for (const i of items) {
      expect(i.where).toMatch(/^kea-dhcp4\.conf:\d+:\d+$/);
      expect(i.where).toBe(`${i.file}:${i.line}:${i.column}`);
      expect(i.message.length).toBeGreaterThan(10);
    }
    expect(warnings.find((w) => w.code === 'AUTHORITATIVE_NOT_CARRIED')!.advice).toContain('NAK');
    // Items from included files name the included file, relative to the config.
    expect(report('includes').items.map((i) => i.file)).toContain('hosts/reservations.json');
  });

  it('capacity: the Kea pool against what each server hands out alone', () => {
    expect(report('article').subnets[0]!.capacity).toEqual({ keaPool: 150, alone: [75, 75] });
    const s20 = report('multi-subnet').subnets.find((s) => s.id === 20)!;
    expect(s20.capacity.alone[0] + s20.capacity.alone[1]).toBeLessThanOrEqual(s20.capacity.keaPool);
  });
});

describe('report formats', () => {
  it('writes the Markdown, JSON and SVG files, the same data in each', () => {
    const paths = run('article').files.map((f) => f.path);
    for (const f of Object.values(REPORT_FORMATS)) if (f.file) expect(paths).toContain(f.file);
    // The report's JSON form (ReportReservations is compact in memory and plain in JSON).
    expect(JSON.parse(file('article', 'report.json'))).toEqual(JSON.parse(JSON.stringify(report('article'))));
    expect(file('article', 'MIGRATION-REPORT.md')).toBe(renderMarkdown(report('article')));
  });

  it('JSON: any value round-trips, and a reservation or item is one line (small diffs)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(formatJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
    // The compact reservation list writes the same text as its plain JSON form, whatever the hostnames hold.
    const hostnames = ['plain', null, 'quo"te', 'back\\slash', 'tab\tnl\n\u0001', 'lone \ud800', 'pair \ud83d\ude00', 'ünï', ''];
    const list = new ReportReservations(Uint32Array.from(hostnames, (_, i) => 0xc0000200 + i * 300), hostnames);
    expect(formatJson({ a: [{ reservations: list }] })).toBe(formatJson({ a: [{ reservations: list.toJSON() }] }));
    expect(formatJson(list)).toBe(JSON.stringify(list.toJSON(), null, 2).replace(/\{\n\s+"address": (.*),\n\s+"hostname": (.*)\n\s+\}/g, '{"address":$1,"hostname":$2}'));
    expect(formatJson(new ReportReservations(new Uint32Array(0), []))).toBe('[]');
    const json = file('multi-subnet', 'report.json');
    expect(json).toContain('\n        {"address":"198.51.100.10","hostname":"reception-pc"},\n');
    expect(json.split('\n').filter((l) => l.includes('"code":')).length).toBe(report('multi-subnet').items.length);
  });

  it('Markdown: every section, and the embedded address map', () => {
    const md = file('multi-subnet', 'MIGRATION-REPORT.md');
    for (const h of ['## Summary', '## The two servers', '## Subnets and how each pool was split', '## Capacity', '## Reservations', '## Changed meaning', '## Not converted', '## Not needed with dnsmasq']) {
      expect(md).toContain(`\n${h}\n`);
    }
    expect(md).toContain('](address-map.svg)');
    expect(md).toMatch(/\| kea-dhcp4\.conf:\d+:\d+ \| AUTHORITATIVE_NOT_CARRIED \|/);
  });

  it('JSON: every key it uses is documented in docs/report-schema.md', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'report-schema.md'), 'utf8');
    const keys = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (keys.add(k), walk(x));
    };
    for (const c of cases) walk(JSON.parse(file(c, 'report.json')));
    const missing = [...keys].filter((k) => !doc.includes(`\`${k}\``));
    expect(missing).toEqual([]);
    expect(doc).toContain(`schemaVersion\` | ${REPORT_SCHEMA_VERSION}`);
  });

  it('text: no escape codes without colour, the paint applied with it', () => {
    const plain = renderText(report('article'), NO_PAINT);
    expect(plain).not.toContain('\u001b');
    expect(plain.endsWith('\n')).toBe(true);
    const mark = (tag: string) => (s: string) => `<${tag}>${s}</${tag}>`;
    const paint: Paint = { bold: mark('b'), dim: mark('d'), warn: mark('w'), ok: mark('o'), server: [mark('s0'), mark('s1')], reserved: mark('r') };
    const painted = renderText(report('article'), paint);
    expect(painted).toContain('<s0>1</s0>');
    expect(painted).toContain('<s1>2</s1>');
    expect(painted).toContain('<r>R</r>');
  });
});

describe('address map', () => {
  const subnet = (over: Partial<ReportSubnet> = {}): ReportSubnet => ({
    id: 1,
    prefix: '192.0.2.0/24',
    network: '192.0.2.0',
    broadcast: '192.0.2.255',
    size: 256,
    sharedNetwork: null,
    pools: [
      {
        start: '192.0.2.0',
        end: '192.0.2.255',
        size: 256,
        how: 'test',
        ranges: [
          { server: 'a', start: '192.0.2.0', end: '192.0.2.127', size: 128, usable: 127, leaseSeconds: 3600, lease: '1h' },
          { server: 'b', start: '192.0.2.128', end: '192.0.2.191', size: 64, usable: 64, leaseSeconds: 3600, lease: '1h' },
        ],
      },
    ],
    reservations: ReportReservations.from([{ address: '192.0.2.200', hostname: 'printer' }]),
    capacity: { keaPool: 256, alone: [127, 64] },
    liveLeases: [],
    ...over,
  });

  it('terminal bar: each cell shows what most of its addresses are; a reservation keeps its cell', () => {
    const cells = subnetBar(subnet(), 48);
    expect(cells).toHaveLength(48);
    expect(cells.slice(0, 24).every((c) => c === 'server0')).toBe(true);
    expect(cells.slice(24, 36).every((c) => c === 'server1')).toBe(true);
    expect(cells[Math.floor((200 * 48) / 256)]).toBe('reserved');
    expect(cells.filter((c) => c === 'free')).toHaveLength(11);
  });

  it('bar and counts agree however the reservations are ordered, and parsed once for both', () => {
    const reservations = ['192.0.2.250', '192.0.2.5', '192.0.2.200', '192.0.2.140'].map((address) => ({ address, hostname: null }));
    const sorted = subnet({ reservations: ReportReservations.from([...reservations].sort((a, b) => Number(a.address.split('.')[3]) - Number(b.address.split('.')[3]))) });
    const unsorted = subnet({ reservations: ReportReservations.from(reservations) });
    for (const width of [1, 7, 48, 300]) expect(subnetBar(unsorted, width)).toEqual(subnetBar(sorted, width));
    expect(subnetBarAndUse(unsorted, 48)).toEqual({ bar: subnetBar(sorted, 48), use: subnetUse(sorted) });
    expect(subnetUse(unsorted)).toEqual({ dynamic: [128, 64], reservedOutside: 2, reserved: 4, free: 254 - 192 - 2 });
  });

  it('counts dynamic, reserved and free addresses', () => {
    expect(subnetUse(subnet())).toEqual({ dynamic: [128, 64], reservedOutside: 1, reserved: 1, free: 254 - 192 - 1 });
    const inside = subnet({ reservations: ReportReservations.from([{ address: '192.0.2.5', hostname: null }]) });
    expect(subnetUse(inside).free).toBe(254 - 192);
  });

  it('shortens a range to its differing octets', () => {
    expect(shortRange('192.0.2.100', '192.0.2.174')).toBe('192.0.2.100–.174');
    expect(shortRange('198.18.0.1', '198.19.255.254')).toBe('198.18.0.1–.19.255.254');
    expect(shortRange('10.0.0.1', '11.0.0.1')).toBe('10.0.0.1–11.0.0.1');
  });

  for (const c of cases) {
    it(`${c}: the SVG is well-formed, one labelled row per subnet naming every colour`, () => {
      const svg = file(c, 'address-map.svg');
      expect(xmlProblems(svg)).toEqual([]);
      const r = report(c);
      expect(svg.match(/<g>/g)?.length ?? 0).toBe(r.subnets.length);
      for (const s of r.subnets) expect(svg).toContain(`Subnet ${s.id}: ${s.prefix}`);
      for (const name of r.design.servers) expect(svg).toContain(`■ ${name}</tspan>`);
      expect(svg).toContain('reserved');
      expect(svg).toContain('free');
      expect(renderAddressMapSvg(r)).toBe(svg);
    });
  }

  it('escapes names that are not XML-safe', () => {
    const r = report('multi-subnet');
    const hostile: ReportData = {
      ...r,
      source: 'a<&>"\'.conf',
      subnets: r.subnets.map((s) => ({ ...s, sharedNetwork: '<net & "x">', reservations: new ReportReservations(s.reservations.addresses, s.reservations.hostnames.map(() => 'h&<>')) })),
    };
    const svg = renderAddressMapSvg(hostile);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('&lt;net &amp; &quot;x&quot;&gt;');
  });

  it('stays small with many reservations: a run of reserved addresses is one mark, at most one per pixel column', () => {
    const marks = (svg: string) => (svg.match(/<(line|rect) [^>]*(stroke|fill)="#111827"/g) ?? []).length;
    const big = (reservations: Parameters<typeof ReportReservations.from>[0]) =>
      renderAddressMapSvg({
        ...report('article'),
        subnets: [subnet({ prefix: '198.18.0.0/16', network: '198.18.0.0', broadcast: '198.18.255.255', size: 65536, pools: [], reservations: ReportReservations.from(reservations) })],
      });
    const at = (i: number) => ({ address: `198.18.${i >> 8}.${i & 255}`, hostname: null });
    const contiguous = big(Array.from({ length: 65_534 }, (_, i) => at(i + 1)));
    expect(xmlProblems(contiguous)).toEqual([]);
    expect(marks(contiguous)).toBe(1);
    expect(contiguous).toContain('65534 reserved: 198.18.0.1 … 198.18.255.254');
    const scattered = big(Array.from({ length: 20_000 }, (_, i) => at(i * 3 + 1)));
    expect(xmlProblems(scattered)).toEqual([]);
    expect(marks(scattered)).toBeLessThanOrEqual(880);
    expect(scattered.length).toBeLessThan(200_000);
  });

  it('draws a single reservation as a tick and adjacent ones as one band', () => {
    const svg = renderAddressMapSvg({
      ...report('article'),
      subnets: [
        subnet({
          reservations: ReportReservations.from([
            { address: '192.0.2.5', hostname: 'a' },
            { address: '192.0.2.6', hostname: 'b' },
            { address: '192.0.2.40', hostname: 'c' },
          ]),
        }),
      ],
    });
    expect(svg).toContain('<title>2 reserved: 192.0.2.5 … 192.0.2.6</title></rect>');
    expect(svg).toContain('<title>reserved 192.0.2.40 c</title></line>');
  });
});

describe('the XML well-formedness check itself', () => {
  const cases: [string, string][] = [
    ['unclosed element', '<svg><g></svg>'],
    ['unquoted attribute', '<svg width=10/>'],
    ['stray ampersand', '<svg><text>a & b</text></svg>'],
    ['raw < in attribute', '<svg><text x="<">a</text></svg>'],
    ['two roots', '<a/><b/>'],
    ['text outside root', '<a/>hello'],
    ['repeated attribute', '<a x="1" x="2"/>'],
    ['unknown entity', '<a>&nbsp;</a>'],
  ];
  for (const [name, xml] of cases) it(`rejects ${name}`, () => expect(xmlProblems(xml)).not.toEqual([]));
  it('accepts a small well-formed document', () => {
    expect(xmlProblems('<?xml version="1.0"?>\n<!-- c --><a x=\'1\' y="&amp;&#60;&#x3C;"><b/>text &lt; more</a>\n')).toEqual([]);
  });
});
