/**
 * The pure pipeline: load -> normalize -> check -> transform -> emit.
 * (sources, options) -> { files, diagnostics }. Returns values for bad input; never throws for it,
 * never prints, never writes.
 */
import { basename, dirname, relative, resolve } from 'node:path';
import type { Diagnostic, JsonPath } from './diagnostics/diagnostic.js';
import { hasErrors } from './diagnostics/diagnostic.js';
import { loadKeaConfig, type LoadHost, type LoadedSource } from './load/load.js';
import { normalize } from './normalize/normalize.js';
import { check } from './check/rules.js';
import { checkChosenNames, printable, unsafeGeneratedLines } from './check/safety.js';
import { planPair, type Mode, type PairPlan } from './transform/plan-pair.js';
import { foldSharedOptions, type Folding } from './transform/fold-options.js';
import { emitServers, groupHostBoot, networkTag, poolTag, subnetTag, type PlannedFile, type Where } from './emit/dnsmasq.js';
import { buildReport, reportFiles, type ReportData } from './emit/report.js';
import type { Model } from './model/model.js';
import { DEFAULT_SYNC_MODE, emitSync, type SyncMode } from './emit/sync.js';
import { emitLeaseHook } from './emit/lease-hook.js';
import { nodeHost } from './load/read-source.js';
import { inSubnet } from './model/ipv4.js';
import { readLeaseFiles } from './leases/lease-files.js';
import { readKeaLeases } from './leases/kea-csv.js';
import { placeLeases, renderDnsmasqLeases, renderLeasesElsewhere } from './leases/place.js';

export interface CompileOptions {
  mode?: Mode | undefined;
  servers?: [string, string] | undefined;
  failoverShare: number;
  failoverLease: number;
  replyDelay: number;
  keepDns: boolean;
  /** --strict: every warning (a Kea setting not converted, or converted with changed meaning) is an error. */
  strict?: boolean;
  /** Reservation sync (src/emit/sync.ts): the other server's host, the ssh account there, root or unprivileged. */
  peer?: string | undefined;
  syncUser?: string | undefined;
  syncMode?: SyncMode | undefined;
  /** --leases: Kea's lease CSV (its LFC companions are read too); relative to the config's directory. */
  leases?: string | undefined;
  /** --at: "now" in epoch seconds for lease expiry; required with `leases` (the pipeline never reads the clock). */
  at?: number | undefined;
}

export const DEFAULT_COMPILE_OPTIONS: CompileOptions = {
  mode: undefined,
  servers: undefined,
  failoverShare: 0.2,
  failoverLease: 3600,
  replyDelay: 2,
  keepDns: false,
};

export interface CompileResult {
  ok: boolean;
  files: PlannedFile[];
  diagnostics: Diagnostic[];
  /** The loaded text, for positions; its parsed `value` is dropped once normalized (load the config again for it). */
  source: LoadedSource | undefined;
  model?: Model;
  plan?: PairPlan;
  folding?: Folding;
  report?: ReportData;
}

export function compile(configPath: string, options: CompileOptions = DEFAULT_COMPILE_OPTIONS, host?: LoadHost): CompileResult {
  const loaded = loadKeaConfig(configPath, host);
  const source = loaded.source;
  if (!source || hasErrors(loaded.diagnostics) || source.value === undefined) {
    return fail(sniffNotKea(loaded.diagnostics, source), source);
  }
  const norm = normalize(source.value);
  const keaClientClasses = countKeaClasses(source.value);
  // Nothing past normalize reads the parsed document (positions come from the text), and at 100k
  // reservations it is ~100 MB that would otherwise stay alive until the files are written: drop
  // it. Callers that need the document (prove) load the config themselves.
  source.value = undefined;
  const diagnostics = [...loaded.diagnostics, ...norm.diagnostics];
  if (!norm.model || hasErrors(diagnostics)) return fail(diagnostics, source);
  const model = norm.model;
  diagnostics.push(...check(model));
  if (hasErrors(diagnostics)) return fail(diagnostics, source);

  const pair = planPair(model, {
    mode: options.mode,
    servers: options.servers,
    failoverShare: options.failoverShare,
    failoverLease: options.failoverLease,
  });
  diagnostics.push(...pair.diagnostics);
  diagnostics.push(...checkChosenNames(pair.model, pair.plan, networkTag));
  if (hasErrors(diagnostics)) return fail(diagnostics, source);
  const m = pair.model;
  const reservedNames = new Set<string>([
    ...m.subnets.flatMap((s) => [subnetTag(s), ...s.pools.map((p) => poolTag(s, p.index))]),
    ...m.sharedNetworks.map((n) => networkTag(n.name)),
    ...m.classes.map((c) => c.tag),
    ...m.interfaces.map((i) => i.name),
    'known',
    'bootp',
  ]);
  const folding = foldSharedOptions(m, pair.plan.floatingReservations, reservedNames);
  const taken = new Set([...reservedNames, ...folding.tags.map((t) => t.name)]);
  const hostBoot = groupHostBoot(m, pair.plan.floatingReservations, taken);

  // --- leases (src/leases/): read Kea's lease files, place each live lease on the server whose range holds it
  let leases: { files: string[]; at: number; read: ReturnType<typeof readKeaLeases>; placement: ReturnType<typeof placeLeases> } | undefined;
  if (options.leases !== undefined) {
    const lf = readLeaseFiles(resolve(dirname(configPath), options.leases), host ?? nodeHost);
    diagnostics.push(...lf.diagnostics);
    if (hasErrors(diagnostics)) return fail(diagnostics, source);
    const at = options.at ?? 0;
    const read = readKeaLeases(lf.files, at);
    const placement = placeLeases(m, pair.plan, read.active);
    diagnostics.push(...read.diagnostics, ...placement.diagnostics);
    if (hasErrors(diagnostics)) return fail(diagnostics, source);
    leases = { files: lf.files.map((f) => f.file), at, read, placement };
  }
  // --- end leases
  const located = locateAll(diagnostics, source);
  if (options.strict && located.some((d) => d.severity === 'warning')) {
    return { ok: false, files: [], diagnostics: located.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d)), source };
  }
  const configDir = dirname(configPath);
  // File names go into generated comments: keep them on one line (printable) and short.
  const displayNames = new Map<string, string>(); // per file, not per citation: the report cites thousands
  const displayFile = (file: string) => {
    let name = displayNames.get(file);
    if (name === undefined) displayNames.set(file, (name = printable(relative(configDir, file).split('\\').join('/'), 240)));
    return name;
  };
  const where: Where = (p: JsonPath) => {
    const l = source.locate(p);
    return l ? `${displayFile(l.at.file)}:${l.at.line}` : undefined;
  };
  const sourceName = printable(basename(configPath), 240);
  const emitOpts = { keepDns: options.keepDns, replyDelay: options.replyDelay, sourceName };
  const files = emitServers(m, pair.plan, folding, hostBoot, emitOpts);
  const unsafe = unsafeGeneratedLines(files);
  if (unsafe.length > 0) {
    const at = { file: configPath, line: 1, column: 1, offset: 0 };
    return fail([...diagnostics, ...unsafe.map((u): Diagnostic => ({ code: 'GENERATED_LINE_UNSAFE', severity: 'error', args: u, at }))], source);
  }
  const firstServer = pair.plan.servers[0];
  const keaLines = source.files.reduce((n, f) => n + source.lineCount(f), 0);
  // --- reservation sync (src/emit/sync.ts)
  files.push(...emitSync(m, pair.plan, { peer: options.peer, user: options.syncUser, mode: options.syncMode ?? DEFAULT_SYNC_MODE, sourceName }));
  // --- end reservation sync
  // --- lease hook (src/emit/lease-hook.ts): each server drops its stale lease of a client the peer now serves
  files.push(...emitLeaseHook(m, pair.plan, sourceName, options.peer));
  // --- end lease hook
  // --- leases: each server's dnsmasq lease file
  if (leases) {
    const matchClientId = (l: { address: number }) => m.subnets.find((x) => inSubnet(l.address, x.network, x.prefixLength))?.matchClientId ?? m.matchClientId;
    let tag = 'lease-on-peer';
    for (let n = 2; taken.has(tag); n++) tag = `lease-on-peer-${n}`;
    pair.plan.servers.forEach((server, i) => {
      const peer = i === 0 ? 1 : 0;
      files.push({ path: `${server}/var/lib/misc/dnsmasq.leases`, contents: renderDnsmasqLeases(leases.placement.perServer[i as 0 | 1], matchClientId) });
      // Let the server holding a migrated lease offer first: equal mode 1 s; in failover mode the
      // primary waits past the failover server's own delay, and the failover server already waits.
      const delay = pair.plan.mode === 'equal' ? 1 : i === 0 ? options.replyDelay + 1 : options.replyDelay > 0 ? undefined : 1;
      const header = [
        'Migrated Kea leases held by the other server: answer their DISCOVER late, so the other server offers them their old address first.',
        `Generated by kea2dnsmasq from ${sourceName} and its lease file for server "${server}".`,
      ];
      files.push({ path: `${server}/etc/dnsmasq.d/35-leases-elsewhere.conf`, contents: renderLeasesElsewhere(leases.placement.dynamicOn[peer], tag, delay, header) });
    });
  }
  // --- end leases
  // --- report (src/emit/report*.ts): computed once, written in every file format of the registry
  // dnsmasq configuration lines of the first server (every emitter has run): conf files and reservation dirs.
  const dnsmasqLines = files.filter((f) => f.path.startsWith(`${firstServer}/etc/dnsmasq`)).reduce((n, f) => n + configLineCount(f.contents), 0);
  const report = buildReport({
    model: m,
    plan: pair.plan,
    folding,
    diagnostics: located,
    sourceName,
    keaLines,
    dnsmasqLines,
    keaClientClasses,
    failoverShare: options.failoverShare,
    replyDelay: options.replyDelay,
    where,
    displayFile,
    leases,
  });
  files.push(...reportFiles(report));
  // --- end report
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ok: true, files, diagnostics: located, source, model: m, plan: pair.plan, folding, report };
}

/** Lines that are neither blank nor comments (`#` first), counted without splitting the text. */
export function configLineCount(text: string): number {
  let n = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(start);
    // A printable ASCII first character other than '#' decides it without looking further.
    if (c !== 0x23 /* # */ && ((c > 0x20 && c < 0x7f) || text.slice(start, end).trim() !== '')) n++;
    start = end + 1;
  }
  return n;
}

/** Client classes Kea defines: the model does not carry them (not converted), the report counts them. */
function countKeaClasses(doc: unknown): number {
  const d4 = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).Dhcp4 : undefined;
  const cc = typeof d4 === 'object' && d4 !== null ? (d4 as Record<string, unknown>)['client-classes'] : undefined;
  return Array.isArray(cc) ? cc.length : 0;
}

function fail(diagnostics: Diagnostic[], source: LoadedSource | undefined): CompileResult {
  return { ok: false, files: [], diagnostics: source ? locateAll(diagnostics, source) : diagnostics, source };
}

/** Fill `at` from `path` for every diagnostic that has only a path. */
export function locateAll(ds: readonly Diagnostic[], source: LoadedSource): Diagnostic[] {
  return ds.map((d) => {
    let out = d;
    if (!d.at && d.path) {
      const l = source.locate(d.path) ?? source.locate(d.path.slice(0, -1));
      if (l) out = { ...d, at: l.at, length: l.length };
    }
    if (out.related?.some((r) => !r.at)) {
      out = { ...out, related: out.related!.map((r) => (r.at ? r : { ...r, ...(source.locate(r.path) ? { at: source.locate(r.path)!.at } : {}) })) };
    }
    return out;
  });
}

/**
 * A file that fails to parse as JSON may be another DHCP server's config; say which, since
 * "syntax error at 1:1" helps nobody who pointed the tool at the wrong file.
 */
function sniffNotKea(ds: Diagnostic[], source: LoadedSource | undefined): Diagnostic[] {
  const syntax = ds.find((d) => d.code === 'JSON_SYNTAX');
  if (!syntax || !source) return ds;
  const text = source.text;
  let looksLike: string | undefined;
  if (/^\s*(dhcp-range|dhcp-host|dhcp-option|interface|port|conf-dir|domain|server|listen-address)\s*=/m.test(text)) {
    looksLike = 'a dnsmasq configuration (key=value lines)';
  } else if (/\bsubnet\s+\d+\.\d+\.\d+\.\d+\s+netmask\b/.test(text) || /^\s*(default-lease-time|max-lease-time|ddns-update-style|authoritative\s*;)/m.test(text)) {
    looksLike = 'an ISC dhcpd.conf (ISC DHCP server)';
  }
  if (!looksLike) return ds;
  return [{ ...syntax, code: 'NOT_KEA_CONFIG', args: { looksLike } }, ...ds.filter((d) => d !== syntax && d.code !== 'JSON_SYNTAX')];
}
