/**
 * Shared by the hostile-input and property tests: compile text in memory, and the checks every
 * refused input and every generated tree must pass (see test/hostile.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileOptions, type CompileResult } from '../../src/compile.js';
import type { LoadHost } from '../../src/load/load.js';
import type { PlannedFile } from '../../src/emit/dnsmasq.js';
import { dnsmasqOptionBytes } from '../../src/options/dnsmasq-value.js';
import { dnsmasqTestSkipReason, dnsmasqTestTree } from './dnsmasq-test.js';
import { writeTree } from './tree.js';
import { readDnsmasqFile, splitTags } from './dnsmasq-readback.js';


/** Compile Kea text held in memory (includes, if any, come from disk). */
export function compileText(text: string, options: Partial<CompileOptions> = {}, name = '/virtual/kea-dhcp4.conf'): CompileResult {
  const host: LoadHost = {
    readFile: (p) => (p === name ? text : readFileSync(p)),
  };
  return compile(name, { ...DEFAULT_COMPILE_OPTIONS, ...options }, host);
}

export const kea = (d4: Record<string, unknown>) => `${JSON.stringify({ Dhcp4: d4 }, null, 2)}\n`;

/** A refused input: no files, at least one error, every error placed at file:line:col. */
export function expectRefused(r: CompileResult, label = ''): void {
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(r.ok, `${label}: should be refused`).toBe(false);
  expect(r.files, label).toEqual([]);
  expect(errors.length, label).toBeGreaterThan(0);
  for (const e of errors) {
    expect(e.at, `${label}: ${e.code} has no position`).toBeDefined();
    expect(e.at!.line, label).toBeGreaterThan(0);
    expect(e.at!.column, label).toBeGreaterThan(0);
  }
}

export const isDnsmasqFile = (f: PlannedFile) => /(^|\/)etc\/dnsmasq/.test(f.path);
export const isBare = (f: PlannedFile) => f.path.includes('dnsmasq.reservations.d/');

/**
 * How many lines of each directive each generated dnsmasq file has: a hostile value that is
 * accepted must give the same profile as a plain value in the same place (it added no line).
 */
export function directiveProfile(files: readonly PlannedFile[]): string[] {
  const out: string[] = [];
  for (const f of files.filter(isDnsmasqFile)) for (const l of readDnsmasqFile(f.contents, isBare(f))) out.push(`${f.path}: ${l.key}`);
  return out.sort();
}

/**
 * What every generated dnsmasq file must satisfy whatever the input: lines dnsmasq reads as one
 * line, only known directives, tag names of plain characters, every option line parsed by the
 * model of dnsmasq's parser without surprise. Returns the read lines for further checks.
 */
export type ReadBack = { file: string; key: string; rawArg: string; args: string[]; plainStart: boolean[] }[];
export function expectSafeOutput(files: readonly PlannedFile[]): ReadBack {
  const all: ReadBack = [];
  for (const f of files.filter(isDnsmasqFile)) {
    for (const [i, line] of f.contents.split('\n').entries()) {
      expect(Buffer.byteLength(line), `${f.path}:${i + 1} is longer than dnsmasq reads`).toBeLessThanOrEqual(1024);
      expect(line, `${f.path}:${i + 1}`).not.toMatch(/[\0\r]/);
    }
    for (const l of readDnsmasqFile(f.contents, isBare(f))) {
      const key = isBare(f) ? (f.path.includes('/hosts/') ? 'dhcp-host' : 'dhcp-option') : l.key!;
      expect(key, `${f.path}:${l.line}`).toMatch(/^[a-z][a-z0-9-]*$/);
      const { tags, sets } = splitTags(l);
      for (const t of [...tags, ...sets]) expect(t, `${f.path}:${l.line}`).toMatch(/^!?[a-z0-9][a-z0-9-]*$/);
      all.push({ file: f.path, key, rawArg: l.rawArg, args: l.args, plainStart: l.plainStart });
    }
  }
  return all;
}

/** The real dnsmasq --test on both servers (skipped where it cannot run: dnsmasqTestSkip says why). */
export function expectDnsmasqAccepts(r: CompileResult, servers = 2): void {
  if (dnsmasqTestSkipReason()) return;
  const tree = writeTree(r.files);
  try {
    for (const server of r.plan!.servers.slice(0, servers)) {
      const t = dnsmasqTestTree(join(tree.dir, server));
      expect(t.ok, t.output).toBe(true);
    }
  } finally {
    tree.remove();
  }
}

/** The bytes dnsmasq sends for each option line of the first server, keyed by file:tags:code. */
export function optionBytes(lines: ReturnType<typeof expectSafeOutput>) {
  return lines
    .filter((l) => l.key === 'dhcp-option' || l.key === 'dhcp-option-force')
    .map((l) => ({ l, r: dnsmasqOptionBytes(l.rawArg, '') }));
}

