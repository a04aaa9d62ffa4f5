/**
 * The pure pipeline: load -> normalize -> check -> transform -> emit.
 * (sources, options) -> { files, diagnostics }. Returns values for bad input; never throws for it,
 * never prints, never writes.
 */
import { basename, dirname, relative } from 'node:path';
import type { Diagnostic, JsonPath } from './diagnostics/diagnostic.js';
import { hasErrors } from './diagnostics/diagnostic.js';
import { loadKeaConfig, type LoadHost, type LoadedSource } from './load/load.js';
import { normalize } from './normalize/normalize.js';
import { check } from './check/rules.js';
import { planPair, type Mode, type PairPlan } from './transform/plan-pair.js';
import { foldSharedOptions, type Folding } from './transform/fold-options.js';
import { emitServers, groupHostBoot, networkTag, poolTag, subnetTag, type PlannedFile, type Where } from './emit/dnsmasq.js';
import { renderReport } from './emit/report.js';
import type { Model } from './model/model.js';

export interface CompileOptions {
  mode?: Mode | undefined;
  servers?: [string, string] | undefined;
  failoverShare: number;
  failoverLease: number;
  replyDelay: number;
  keepDns: boolean;
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
  source: LoadedSource | undefined;
  model?: Model;
  plan?: PairPlan;
  folding?: Folding;
}

export function compile(configPath: string, options: CompileOptions = DEFAULT_COMPILE_OPTIONS, host?: LoadHost): CompileResult {
  const loaded = loadKeaConfig(configPath, host);
  const source = loaded.source;
  if (!source || hasErrors(loaded.diagnostics) || source.value === undefined) {
    return fail(sniffNotKea(loaded.diagnostics, source), source);
  }
  const norm = normalize(source.value);
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
  const m = pair.model;
  const reservedNames = new Set<string>([
    ...m.subnets.flatMap((s) => [subnetTag(s), ...s.pools.map((p) => poolTag(s, p.index))]),
    ...m.sharedNetworks.map((n) => networkTag(n.name)),
    ...m.interfaces.map((i) => i.name),
    'known',
    'bootp',
  ]);
  const folding = foldSharedOptions(m, pair.plan.floatingReservations, reservedNames);
  const taken = new Set([...reservedNames, ...folding.tags.map((t) => t.name)]);
  const hostBoot = groupHostBoot(m, pair.plan.floatingReservations, taken);

  const located = locateAll(diagnostics, source);
  const configDir = dirname(configPath);
  const displayFile = (file: string) => relative(configDir, file).split('\\').join('/');
  const where: Where = (p: JsonPath) => {
    const l = source.locate(p);
    return l ? `${displayFile(l.at.file)}:${l.at.line}` : undefined;
  };
  const sourceName = basename(configPath);
  const emitOpts = { keepDns: options.keepDns, replyDelay: options.replyDelay, sourceName };
  const files = emitServers(m, pair.plan, folding, hostBoot, emitOpts, where);
  const firstServer = pair.plan.servers[0];
  const dnsmasqLines = files
    .filter((f) => f.path.startsWith(`${firstServer}/`))
    .reduce((n, f) => n + f.contents.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).length, 0);
  const keaLines = source.files.reduce((n, f) => n + source.lineCount(f), 0);
  files.push({
    path: 'MIGRATION-REPORT.md',
    contents: renderReport({
      model: m,
      plan: pair.plan,
      folding,
      diagnostics: located,
      sourceName,
      keaLines,
      dnsmasqLines,
      failoverShare: options.failoverShare,
      replyDelay: options.replyDelay,
      where,
      displayFile,
    }),
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ok: true, files, diagnostics: located, source, model: m, plan: pair.plan, folding };
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
