/**
 * Broken input: wrong types for every key the converter reads (found by watching normalize read
 * a config that uses them all), out-of-range numbers, invalid JSON at every token, a 64 MB file,
 * and the real CLI on representative cases: each is a diagnostic at file:line:col, exit code 2,
 * no stack trace, nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileResult } from '../src/compile.js';
import { normalize } from '../src/normalize/normalize.js';
import type { LoadHost } from '../src/load/load.js';
import { expectRefused } from './support/hostile.js';

const ROOT = join(import.meta.dirname, '..');
const NAME = '/virtual/kea-dhcp4.conf';

function compileText(text: string): CompileResult {
  const host: LoadHost = { readFile: (p) => (p === NAME ? text : Buffer.from('')) };
  return compile(NAME, DEFAULT_COMPILE_OPTIONS, host);
}


/** A config that uses every key normalize reads, at every level. */
const BASE = {
  Dhcp4: {
    'valid-lifetime': 3600,
    'renew-timer': 900,
    'rebind-timer': 1800,
    't1-percent': 0.5,
    't2-percent': 0.8,
    'calculate-tee-times': false,
    'next-server': '192.0.2.2',
    'server-hostname': 'tftp',
    'boot-file-name': 'pxelinux.0',
    authoritative: false,
    'match-client-id': true,
    'reservation-mode': 'all',
    'reservations-global': true,
    'reservations-in-subnet': true,
    'reservations-out-of-pool': false,
    'interfaces-config': { interfaces: ['eth0'] },
    'option-def': [{ name: 'my-opt', code: 224, type: 'string', space: 'dhcp4', array: false, 'record-types': '', encapsulate: '' }],
    'option-data': [
      { name: 'domain-name-servers', data: '192.0.2.53', 'csv-format': true, 'always-send': false, 'never-send': false, space: 'dhcp4' },
      { code: 224, data: 'x' },
    ],
    'client-classes': [
      { name: 'voip', test: "substring(option[60].text,0,4) == 'voip'", 'option-data': [{ name: 'routers', data: '192.0.2.1' }], 'next-server': '192.0.2.3', 'server-hostname': 's', 'boot-file-name': 'f', 'only-if-required': false },
    ],
    'hooks-libraries': [
      {
        library: '/usr/lib/kea/hooks/libdhcp_ha.so',
        parameters: {
          'high-availability': [
            {
              'this-server-name': 'dhcp1',
              mode: 'hot-standby',
              peers: [
                { name: 'dhcp1', role: 'primary', url: 'http://192.0.2.1:8000/' },
                { name: 'dhcp2', role: 'standby', url: 'http://192.0.2.2:8000/' },
              ],
            },
          ],
        },
      },
    ],
    reservations: [{ 'hw-address': '00:16:3e:00:00:09', 'ip-address': '192.0.2.9', hostname: 'g' }],
    subnet4: [
      {
        id: 1,
        subnet: '192.0.2.0/24',
        interface: 'eth0',
        relay: { 'ip-addresses': ['192.0.2.254'] },
        'client-class': 'voip',
        'option-data': [{ name: 'routers', data: '192.0.2.1' }],
        pools: [{ pool: '192.0.2.100 - 192.0.2.199', 'option-data': [{ name: 'ntp-servers', data: '192.0.2.123' }], 'client-classes': ['voip'] }],
        reservations: [
          {
            'hw-address': '00:16:3e:00:00:01',
            'ip-address': '192.0.2.10',
            hostname: 'pc1',
            'option-data': [{ name: 'domain-name', data: 'example.org' }],
            'next-server': '192.0.2.4',
            'server-hostname': 'h',
            'boot-file-name': 'b',
            'client-classes': ['voip'],
          },
          { 'client-id': '01:00:16:3e:00:00:02', 'ip-address': '192.0.2.11' },
        ],
      },
    ],
    'shared-networks': [
      {
        name: 'office',
        interface: 'eth0',
        relay: { 'ip-address': '198.51.100.254' },
        'option-data': [{ name: 'domain-name', data: 'office.example' }],
        subnet4: [{ id: 2, subnet: '198.51.100.0/24', pools: [{ pool: '198.51.100.10/31' }] }],
      },
    ],
  },
};

type Path = (string | number)[];

/** Every (object path, key) normalize reads from `doc`, by watching it through proxies. */
function keysRead(doc: unknown): Path[] {
  const seen = new Map<string, Path>();
  const wrap = (v: unknown, path: Path): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    return new Proxy(v as object, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof key !== 'string') return value;
        if (Array.isArray(target)) {
          return /^\d+$/.test(key) ? wrap(value, [...path, Number(key)]) : value;
        }
        if (Object.hasOwn(target, key)) {
          const p = [...path, key];
          seen.set(JSON.stringify(p), p);
          return wrap(value, p);
        }
        return value;
      },
    });
  };
  normalize(wrap(doc, []));
  return [...seen.values()];
}

const getAt = (doc: unknown, p: Path): unknown => p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc);
function setAt(doc: unknown, p: Path, v: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const parent = getAt(copy, p.slice(0, -1)) as Record<string | number, unknown>;
  parent[p[p.length - 1]!] = v;
  return copy;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);
const WRONG: Record<string, unknown[]> = {
  string: [42, true, null, [], {}],
  number: ['3600', true, null, [], {}],
  boolean: ['true', 1, null, [], {}],
  list: ['x', 1, true, null, {}],
  object: ['x', 1, true, null, []],
};

describe('the base config of this test converts cleanly', () => {
  it('has no errors', () => {
    const r = compileText(JSON.stringify(BASE, null, 2));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('wrong types for every key the converter reads', () => {
  const keys = keysRead(BASE).filter((p) => getAt(BASE, p) !== undefined && p[0] === 'Dhcp4');
  it('found the keys normalize reads', () => {
    console.log(`wrong types: ${keys.length} keys read by normalize, each given every other JSON type`);
    expect(keys.length).toBeGreaterThan(60);
    expect(keys.map((k) => k.join('.'))).toContain('Dhcp4.subnet4.0.reservations.0.hostname');
  });
  for (const p of keys) {
    const base = getAt(BASE, p);
    it(`${p.join('.')} (${typeOf(base)})`, () => {
      for (const wrong of WRONG[typeOf(base)]!) {
        const text = JSON.stringify(setAt(BASE, p, wrong), null, 2);
        const r = compileText(text);
        expectRefused(r, `${p.join('.')} = ${JSON.stringify(wrong)}`);
        // The diagnostic points at the key's own line.
        const line = text.split('\n').findIndex((l) => l.includes(`"${p[p.length - 1]}": ${JSON.stringify(wrong)}`)) + 1;
        if (line > 0) expect(r.diagnostics.some((d) => d.severity === 'error' && d.at?.line === line), `${p.join('.')} = ${JSON.stringify(wrong)}`).toBe(true);
      }
    });
  }
});

describe('out-of-range numbers for every numeric key the converter reads', () => {
  const numeric = keysRead(BASE).filter((p) => typeof getAt(BASE, p) === 'number');
  for (const p of numeric) {
    it(`${p.join('.')}`, () => {
      for (const v of [-1, 1.5, 4294967296, 1e20]) {
        expectRefused(compileText(JSON.stringify(setAt(BASE, p, v), null, 2)), `${p.join('.')} = ${v}`);
      }
      // Larger than a double: the text itself, as a JSON parser sees it.
      const text = JSON.stringify(setAt(BASE, p, 424242), null, 2).replace('424242', '1e400');
      expectRefused(compileText(text), `${p.join('.')} = 1e400`);
    });
  }
});

const parsesAsJson = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe('invalid JSON at every token', () => {
  it('deleting any token, inserting a stray character or quote before it, or cutting the file there: a located diagnostic', () => {
    const text = JSON.stringify(BASE, null, 2);
    const scanner = createScanner(text, false);
    const starts: { offset: number; length: number }[] = [];
    for (let k = scanner.scan(); k !== 17; k = scanner.scan()) {
      // skip trivia (whitespace 15, line breaks 14)
      if (k !== 14 && k !== 15) starts.push({ offset: scanner.getTokenOffset(), length: scanner.getTokenLength() });
    }
    let cases = 0;
    const lineOf = (o: number) => text.slice(0, o).split('\n').length;
    for (const { offset, length } of starts) {
      const mutants = [
        text.slice(0, offset) + text.slice(offset + length),
        `${text.slice(0, offset)}@${text.slice(offset)}`,
        `${text.slice(0, offset)}"${text.slice(offset)}`,
        text.slice(0, offset),
      ];
      for (const m of mutants) {
        if (m.trim() === '') continue;
        if (parsesAsJson(m)) continue; // e.g. the only element of a list deleted: still JSON, judged by the other tests
        cases++;
        const r = compileText(m);
        expectRefused(r, `mutation at offset ${offset}`);
        const first = r.diagnostics.find((d) => d.severity === 'error')!;
        // The error is never reported before the place that was broken.
        if (first.code === 'JSON_SYNTAX') expect(first.at!.line).toBeGreaterThanOrEqual(lineOf(offset));
      }
    }
    console.log(`invalid JSON: ${cases} mutated files, each refused with a located diagnostic`);
    expect(cases).toBeGreaterThan(1000);
  });
});

// ---------------------------------------------------------------------------------------------
// Big files and the real CLI

describe('the real CLI on broken input', () => {
  let scratch: string;
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'kea2dnsmasq'), ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });

  beforeAll(() => {
    // bin/kea2dnsmasq runs dist/: build it from the current sources (type errors elsewhere do not stop tsc emitting).
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
    scratch = mkdtempSync(join(tmpdir(), 'k2d-cli-'));
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const cases: [string, string, RegExp][] = [
    ['a syntax error', 'fixtures/hostile/json-missing-comma/kea-dhcp4.conf', /kea-dhcp4\.conf:4:9: error JSON_SYNTAX/],
    ['10,000-deep nesting', 'fixtures/hostile/deep-nesting/kea-dhcp4.conf', /kea-dhcp4\.conf:1:\d+: error JSON_TOO_DEEP/],
    ['an empty file', 'fixtures/errors/empty/kea-dhcp4.conf', /kea-dhcp4\.conf:1:1: error FILE_EMPTY/],
    ['an ISC dhcpd.conf', 'fixtures/errors/not-kea-dhcpd/kea-dhcp4.conf', /error NOT_KEA_CONFIG: .*ISC dhcpd\.conf/],
    ['a dnsmasq config', 'fixtures/errors/not-kea-dnsmasq/kea-dhcp4.conf', /error NOT_KEA_CONFIG: .*dnsmasq configuration/],
    ['an include cycle', 'fixtures/errors/include-cycle/kea-dhcp4.conf', /b\.json:3:1: error INCLUDE_CYCLE/],
    ['an include of a directory', 'fixtures/hostile/include-directory/kea-dhcp4.conf', /kea-dhcp4\.conf:3:9: error INCLUDE_IS_DIRECTORY/],
    ['an include of a binary file', 'fixtures/hostile/include-binary/kea-dhcp4.conf', /kea-dhcp4\.conf:3:9: error FILE_NOT_TEXT/],
    ['an HA peer named ../../etc', 'fixtures/hostile/ha-peer-path-traversal/kea-dhcp4.conf', /kea-dhcp4\.conf:13:45: error SERVER_NAME_ILLEGAL/],
    ['a hostname that would inject a line', 'fixtures/hostile/hostname-newline/kea-dhcp4.conf', /kea-dhcp4\.conf:16:37: error HOSTNAME_ILLEGAL/],
    ['a wrong type', 'fixtures/hostile/valid-lifetime-negative/kea-dhcp4.conf', /kea-dhcp4\.conf:3:27: error NUMBER_OUT_OF_RANGE/],
  ];
  for (const [what, file, message] of cases) {
    it(`${what}: exit 2, file:line:col, no stack trace, nothing written`, () => {
      const out = join(scratch, what.replace(/[^a-z0-9]+/gi, '-'));
      const r = cli('convert', file, '--out', out);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(r.stderr).toContain('nothing was written');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('terminal escapes in the Kea file (a comment on the failing line) do not reach the terminal', () => {
    const file = join(scratch, 'esc.conf');
    writeFileSync(file, '{ "Dhcp4": {\n  "valid-lifetime": yes # \u001b]0;owned\u0007\u001b[2J\n} }\n');
    const r = cli('convert', file, '--out', join(scratch, 'esc-out'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/esc\.conf:2:21: error JSON_SYNTAX/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('a --servers name that would leave --out: exit 2, nothing written', () => {
    const out = join(scratch, 'servers');
    const r = cli('convert', 'fixtures/article/kea-dhcp4.conf', '--out', out, '--servers', '../x,b');
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(scratch, 'x'))).toBe(false);
  });

  it('a 64 MB config: converts when valid, and a located error when it is broken at its last line', () => {
    const big = join(scratch, 'big');
    mkdirSync(big);
    const pad = 'x'.repeat(64 * 1024 * 1024);
    const valid = `{ "Dhcp4": {\n  "comment": "${pad}",\n  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] } ]\n} }\n`;
    writeFileSync(join(big, 'valid.conf'), valid);
    writeFileSync(join(big, 'broken.conf'), valid.replace(/\} \}\n$/, '}\n'));
    const t0 = Date.now();
    const ok = cli('convert', join(big, 'valid.conf'), '--out', join(big, 'out-valid'), '-q');
    expect(ok.status, ok.stderr).toBe(0);
    expect(existsSync(join(big, 'out-valid', 'primary', 'etc', 'dnsmasq.conf'))).toBe(true);
    const bad = cli('convert', join(big, 'broken.conf'), '--out', join(big, 'out-broken'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/broken\.conf:5:1: error JSON_SYNTAX/);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(big, 'out-broken'))).toBe(false);
    console.log(`64 MB config: both conversions took ${Date.now() - t0} ms`);
  }, 120_000);
});
