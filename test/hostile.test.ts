/**
 * Hostile input: no value from a Kea file can end a dnsmasq line, start a new directive or change
 * what a line means. Every nasty value in every place a Kea string reaches a generated file is
 * either refused with a located diagnostic, or written so that dnsmasq reads back exactly Kea's
 * value: checked by reading the generated lines back the way dnsmasq does
 * (test/support/dnsmasq-readback.ts, dnsmasqOptionBytes for option values) and by the real
 * `dnsmasq --test`. The corpus of whole files is fixtures/hostile/<case>/ (goldens).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileOptions, type CompileResult } from '../src/compile.js';
import { dnsmasqOptionBytes } from '../src/options/dnsmasq-value.js';
import { describe as describeDiagnostic } from '../src/diagnostics/messages.js';
import { colonHex } from '../src/model/hex.js';
import { checkChosenNames, SERVER_NAME, unsafeGeneratedLines } from '../src/check/safety.js';
import { networkTag } from '../src/emit/tags.js';
import { dnsmasqTestSkip } from './support/dnsmasq-test.js';
import { readDnsmasqLine, splitTags } from './support/dnsmasq-readback.js';
import { compileText, directiveProfile, expectDnsmasqAccepts, expectRefused, expectSafeOutput, isDnsmasqFile, kea, optionBytes } from './support/hostile.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'fixtures');
dnsmasqTestSkip(); // prints why the real dnsmasq checks are skipped here (and fails in CI)

// ---------------------------------------------------------------------------------------------
// The injection corpus

const NASTY: Record<string, string> = {
  newline: 'a\ndhcp-script=/tmp/evil.sh',
  cr: 'a\rdhcp-script=/tmp/evil.sh',
  nul: 'a\0b',
  comma: 'a,b',
  hash: 'a #b',
  quotes: `a"b'c`,
  backslash: 'a\\b\\',
  equals: 'a=b',
  'leading-dash': '-a',
  'tag-prefix': 'tag:x',
  long: 'x'.repeat(1100),
  unicode: 'ünï€😀',
  'escaped-comma': 'a\\,b',
};

const SUBNET = { id: 1, subnet: '192.0.2.0/24', pools: [{ pool: '192.0.2.100 - 192.0.2.199' }] };
const HOST = { 'hw-address': '00:16:3e:00:00:01', 'ip-address': '192.0.2.10' };

interface Slot {
  build: (v: string) => { text: string; options?: Partial<CompileOptions> };
  /** For an accepted value: check that dnsmasq reads exactly Kea's value back. */
  readBack?: (v: string, lines: ReturnType<typeof expectSafeOutput>, r: CompileResult) => void;
}

const bootArgs = (lines: ReturnType<typeof expectSafeOutput>) => lines.filter((l) => l.key === 'dhcp-boot').map((l) => splitTags(l).rest);

/** Option lines for `code` send the model's (Kea's) bytes for it, and, for a plain value, the value's UTF-8. */
const optionReadBack = (code: number) => (v: string, lines: ReturnType<typeof expectSafeOutput>, r: CompileResult) => {
  const kea = [
    ...r.model!.options,
    ...r.model!.subnets.flatMap((s) => [...s.options, ...s.reservations.flatMap((h) => h.options)]),
  ].filter((o) => o.code === code);
  expect(kea.length).toBeGreaterThan(0);
  const sent = optionBytes(lines).filter((x) => x.r.ok && x.r.code === code);
  expect(sent.length).toBe(kea.filter((o) => o.dnsmasq).length);
  for (const { r: b } of sent) {
    if (!b.ok) continue;
    expect(kea.map((o) => o.wireHex)).toContain(Buffer.from(b.bytes).toString('hex'));
    if (!/[,\\]/.test(v) && v.trim() === v) expect(Buffer.from(b.bytes).toString('utf8')).toBe(v);
  }
};

const SLOTS: Record<string, Slot> = {
  hostname: {
    build: (v) => ({ text: kea({ subnet4: [{ ...SUBNET, reservations: [{ ...HOST, hostname: v }] }] }) }),
    readBack: (v, lines) => expect(lines.filter((l) => l.key === 'dhcp-host').map((l) => l.args[2])).toContain(v.split('.')[0]),
  },
  'shared-network name': {
    build: (v) => ({ text: kea({ 'shared-networks': [{ name: v, subnet4: [{ ...SUBNET, 'option-data': [{ name: 'routers', data: '192.0.2.1' }] }] }] }) }),
  },
  'boot-file-name (global)': {
    build: (v) => ({ text: kea({ 'boot-file-name': v, subnet4: [SUBNET] }) }),
    readBack: (v, lines) => expect(bootArgs(lines).map((a) => a[0])).toEqual([v]),
  },
  'server-hostname (global)': {
    build: (v) => ({ text: kea({ 'boot-file-name': 'pxelinux.0', 'server-hostname': v, subnet4: [SUBNET] }) }),
    readBack: (v, lines) => expect(bootArgs(lines).map((a) => a[1])).toEqual([v]),
  },
  'boot-file-name (reservation)': {
    build: (v) => ({ text: kea({ subnet4: [{ ...SUBNET, reservations: [{ ...HOST, 'boot-file-name': v }] }] }) }),
    readBack: (v, lines) => expect(bootArgs(lines).map((a) => a[0])).toEqual([v]),
  },
  'option string (global root-path)': {
    build: (v) => ({ text: kea({ 'option-data': [{ name: 'root-path', data: v }], subnet4: [SUBNET] }) }),
    readBack: optionReadBack(17),
  },
  'option string (reservation host-name, folded into a tag named from it)': {
    build: (v) => ({ text: kea({ subnet4: [{ ...SUBNET, reservations: [{ ...HOST, 'option-data': [{ name: 'host-name', data: v }] }] }] }) }),
    readBack: optionReadBack(12),
  },
  'client-id (quoted text)': {
    build: (v) => ({ text: kea({ subnet4: [{ ...SUBNET, reservations: [{ 'client-id': `'${v}'`, 'ip-address': '192.0.2.10' }] }] }) }),
    readBack: (v, lines) =>
      expect(lines.filter((l) => l.key === 'dhcp-host').map((l) => l.args[0])).toEqual([`id:${colonHex(new TextEncoder().encode(v))}`]),
  },
  'interface name': {
    build: (v) => ({ text: kea({ 'interfaces-config': { interfaces: [v] }, subnet4: [SUBNET] }) }),
  },
  'HA peer name (server name)': {
    build: (v) => ({
      text: kea({
        'hooks-libraries': [
          {
            library: '/usr/lib/kea/hooks/libdhcp_ha.so',
            parameters: {
              'high-availability': [
                {
                  'this-server-name': v,
                  mode: 'hot-standby',
                  peers: [
                    { name: v, role: 'primary', url: 'http://192.0.2.1:8000/' },
                    { name: 'dhcp2', role: 'standby', url: 'http://192.0.2.2:8000/' },
                  ],
                },
              ],
            },
          },
        ],
        subnet4: [SUBNET],
      }),
    }),
    readBack: (v, _lines, r) => expect(r.plan!.servers[0]).toBe(v),
  },
  'client-class name': {
    build: (v) => ({
      text: kea({
        'client-classes': [{ name: v, test: "substring(option[60].text,0,4) == 'voip'", 'option-data': [{ name: 'routers', data: '192.0.2.1' }] }],
        subnet4: [SUBNET],
      }),
    }),
  },
  'vendor class text in a class test': {
    build: (v) => ({
      text: kea({ 'client-classes': [{ name: 'c', test: `option[60].text == '${v.replace(/'/g, '')}'` }], subnet4: [SUBNET] }),
    }),
  },
};

describe('injection corpus: every nasty value in every slot is refused with a located diagnostic, or read back exactly', () => {
  let accepted = 0;
  let refused = 0;
  for (const [slotName, slot] of Object.entries(SLOTS)) {
    describe(slotName, () => {
      for (const [valueName, v] of Object.entries(NASTY)) {
        it(valueName, () => {
          const { text, options } = slot.build(v);
          const r = compileText(text, options);
          if (!r.ok) {
            refused++;
            expectRefused(r, `${slotName}/${valueName}`);
            // The message shows the value on one plain line: no line break, no terminal escape.
            for (const d of r.diagnostics) {
              const { message, hint } = describeDiagnostic(d);
              expect(`${message} ${hint ?? ''}`).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
            }
            return;
          }
          accepted++;
          const lines = expectSafeOutput(r.files.filter((f) => f.path.startsWith(`${r.plan!.servers[0]}/`)));
          // The same directive lines, file by file, as for a plain value in the same place: nothing added, nothing cut.
          const plain = compileText(slot.build('plain0').text, slot.build('plain0').options);
          expect(plain.ok).toBe(true);
          const got = directiveProfile(r.files.filter((f) => f.path.startsWith(`${r.plan!.servers[0]}/`)));
          const want = directiveProfile(plain.files.filter((f) => f.path.startsWith(`${plain.plan!.servers[0]}/`)));
          if (r.diagnostics.some((d) => d.code === 'OPTION_NOT_CONVERTED')) {
            // An option dnsmasq cannot send as Kea does is reported and left out (with its tag): lines fewer, never more.
            for (const l of got) {
              expect(want, l).toContain(l);
              want.splice(want.indexOf(l), 1);
            }
            expect(want.length).toBeGreaterThan(0);
          } else expect(got).toEqual(want);
          slot.readBack?.(v, lines, r);
          // The raw value itself never shows up unquoted in a directive line.
          if (/[\n\r,#"\\=]/.test(v)) {
            for (const l of lines) expect(l.rawArg.includes(v) && !l.rawArg.includes(`"`), `${l.file}: ${l.rawArg}`).toBe(false);
          }
          expectDnsmasqAccepts(r, 1); // the value is in the files both servers share
        });
      }
    });
  }
  it('tried both outcomes', () => {
    console.log(`injection corpus: ${accepted} accepted and read back, ${refused} refused with a diagnostic`);
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });
});

describe('values that must be refused, by slot', () => {
  const refusedIn = (slot: string, value: string) => {
    const { text, options } = SLOTS[slot]!.build(NASTY[value]!);
    return compileText(text, options);
  };
  it.each([
    ['hostname', 'newline', 'HOSTNAME_ILLEGAL'],
    ['hostname', 'comma', 'HOSTNAME_ILLEGAL'],
    ['hostname', 'leading-dash', 'HOSTNAME_ILLEGAL'],
    ['shared-network name', 'newline', 'NAME_ILLEGAL'],
    ['shared-network name', 'long', 'NAME_ILLEGAL'],
    ['boot-file-name (global)', 'nul', 'BOOT_FIELD_ILLEGAL'],
    ['boot-file-name (reservation)', 'long', 'BOOT_FIELD_ILLEGAL'],
    ['server-hostname (global)', 'long', 'BOOT_FIELD_ILLEGAL'],
    ['client-id (quoted text)', 'long', 'IDENTIFIER_TOO_LONG'],
    ['interface name', 'comma', 'INTERFACE_NAME_ILLEGAL'],
    ['HA peer name (server name)', 'newline', 'SERVER_NAME_ILLEGAL'],
    ['HA peer name (server name)', 'leading-dash', 'SERVER_NAME_ILLEGAL'],
    ['client-class name', 'newline', 'NAME_ILLEGAL'],
  ])('%s with a %s value: %s', (slot, value, code) => {
    const r = refusedIn(slot, value);
    expectRefused(r);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toContain(code);
  });

  it('an option value dnsmasq cannot read back (NUL) is reported as not converted, never written', () => {
    const r = compileText(kea({ 'option-data': [{ name: 'root-path', data: 'a\0b' }], subnet4: [SUBNET] }));
    expect(r.ok).toBe(true);
    expect(r.diagnostics.find((d) => d.code === 'OPTION_NOT_CONVERTED')?.at?.line).toBeGreaterThan(0);
    expect(r.files.filter(isDnsmasqFile).some((f) => f.contents.includes('root-path'))).toBe(false);
  });

  it('two shared networks whose names slug to one tag are refused, pointing at both', () => {
    const r = compileText(
      kea({
        'shared-networks': [
          { name: 'Lab #1', subnet4: [SUBNET] },
          { name: 'lab-1', subnet4: [{ id: 2, subnet: '198.51.100.0/24', pools: [{ pool: '198.51.100.10 - 198.51.100.20' }] }] },
        ],
      }),
    );
    expectRefused(r);
    const d = r.diagnostics.find((x) => x.code === 'SHARED_NETWORK_TAG_CLASH')!;
    expect(d.related?.[0]?.at?.line).toBeGreaterThan(0);
  });

  it('checkChosenNames uses the emitter\'s own tag function, so the clash check cannot drift from the output', () => {
    const r = compileText(kea({ 'shared-networks': [{ name: 'A b', subnet4: [SUBNET] }] }));
    expect(r.files.find((f) => f.path.endsWith('10-subnets.conf'))!.contents).toContain(`set:${networkTag('A b')},`);
    expect(checkChosenNames(r.model!, r.plan!, networkTag)).toEqual([]);
  });

  it('a --servers name given to compile() directly is checked too (the CLI checks it first)', () => {
    for (const bad of ['../x', 'a\nb', '-a', '', 'a/b']) {
      expect(SERVER_NAME.test(bad)).toBe(false);
      const r = compileText(kea({ subnet4: [SUBNET] }), { servers: [bad, 'b'] });
      expect(r.ok).toBe(false);
      expect(r.files).toEqual([]);
      expect(r.diagnostics.map((d) => d.code)).toContain('BAD_FLAG');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The committed corpus: fixtures/hostile/<case>/

interface ExpectedDiagnostic {
  code: string;
  file: string;
  line: number;
  column: number;
}

const HOSTILE = join(FIXTURES, 'hostile');
const hostileCases = readdirSync(HOSTILE).sort();

describe('fixtures/hostile', () => {
  it('has the corpus', () => expect(hostileCases.length).toBeGreaterThanOrEqual(30));
  for (const c of hostileCases) {
    const dir = join(HOSTILE, c);
    const legal = existsSync(join(dir, 'expected'));
    it(`${c}: ${legal ? 'converts to the expected dnsmasq files, read back exactly' : 'reports the expected diagnostics and produces no files'}`, async () => {
      const r = compile(join(dir, 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
      if (!legal) {
        expectRefused(r, c);
        const got: ExpectedDiagnostic[] = r.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => ({ code: d.code, file: d.at ? relative(dir, d.at.file) : '', line: d.at?.line ?? 0, column: d.at?.column ?? 0 }));
        await expect(`${JSON.stringify(got, null, 2)}\n`).toMatchFileSnapshot(join(dir, 'expected-diagnostics.json'));
        return;
      }
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const first = r.plan!.servers[0];
      const mine = r.files.filter((f) => f.path.startsWith(`${first}/`) && isDnsmasqFile(f));
      for (const f of mine) await expect(f.contents).toMatchFileSnapshot(join(dir, 'expected', f.path));
      const lines = expectSafeOutput(mine);
      // Every option line sends exactly the bytes Kea would (the model's wire bytes).
      const keaBytes = new Set(
        [
          ...r.model!.options,
          ...r.model!.classes.flatMap((k) => k.options),
          ...r.model!.sharedNetworks.flatMap((n) => n.options),
          ...r.model!.subnets.flatMap((s) => [...s.options, ...s.pools.flatMap((p) => p.options), ...s.reservations.flatMap((h) => h.options)]),
        ].map((o) => `${o.code}:${o.wireHex}`),
      );
      for (const { l, r: b } of optionBytes(lines)) {
        if (!b.ok || [3, 6, 28, 255].includes(b.code)) continue;
        const hex = Buffer.from(b.bytes).toString('hex');
        // 66/67 as text: dnsmasq appends a NUL (reported as OPTION_ENCODING_CHANGED).
        const trimmed = (b.code === 66 || b.code === 67) && hex.endsWith('00') ? hex.slice(0, -2) : hex;
        expect(keaBytes.has(`${b.code}:${hex}`) || keaBytes.has(`${b.code}:${trimmed}`), `${l.file}: ${l.rawArg}`).toBe(true);
      }
      expectDnsmasqAccepts(r);
    });
  }

  it('legal-strings: the strings come back exactly as Kea has them', () => {
    const r = compile(join(HOSTILE, 'legal-strings', 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
    const doc = JSON.parse(readFileSync(join(HOSTILE, 'legal-strings', 'kea-dhcp4.conf'), 'utf8')) as { Dhcp4: Record<string, unknown> };
    const lines = expectSafeOutput(r.files.filter((f) => f.path.startsWith('primary/')));
    const boots = lines.filter((l) => l.key === 'dhcp-boot').map((l) => splitTags(l).rest);
    expect(boots[0]).toEqual([doc.Dhcp4['boot-file-name'], doc.Dhcp4['server-hostname']]);
    expect(boots.map((b) => b[0])).toContain('-efi,#"x"');
    // The client id in quotes: the bytes of the text between the single quotes.
    const hosts = lines.filter((l) => l.key === 'dhcp-host').map((l) => l.args[0]);
    expect(hosts).toContain(`id:${colonHex(new TextEncoder().encode('a,b#"c\\\\'))}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Paths: nothing is written outside DIR

describe('paths: a server name or planned path cannot write outside DIR', () => {
  it('refuses ../, absolute and empty path parts, and symbolic links inside DIR, writing nothing', async () => {
    const { planChanges, applyPlan, ApplyError } = await import('../src/plan/plan.js');
    const base = mkdtempSync(join(tmpdir(), 'k2d-paths-'));
    try {
      const dir = join(base, 'out');
      const outside = join(base, 'outside');
      mkdirSync(dir);
      mkdirSync(outside);
      for (const bad of ['../outside/x', '/tmp/k2d-abs', 'a//b', './a', 'a/../../outside/y']) {
        const plan = planChanges(dir, [{ path: bad, contents: 'x' }]);
        let err: unknown;
        try {
          applyPlan(plan, { force: true });
        } catch (e) {
          err = e;
        }
        expect(err, bad).toBeInstanceOf(ApplyError);
        expect((err as InstanceType<typeof ApplyError>).code, bad).toBe('UNSAFE_PATH');
      }
      // A symbolic link already in DIR is not followed on write.
      const { symlinkSync } = await import('node:fs');
      symlinkSync(outside, join(dir, 'primary'));
      const plan = planChanges(dir, [{ path: 'primary/etc/dnsmasq.conf', contents: 'x' }, { path: 'secondary/etc/dnsmasq.conf', contents: 'y' }]);
      expect(() => applyPlan(plan, { force: true })).toThrow(/symbolic link/);
      expect(readdirSync(outside)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['primary']);
      // A manifest naming a file outside DIR does not make the tool delete it.
      writeFileSync(join(outside, 'victim'), 'keep me');
      rmSync(join(dir, 'primary'));
      const { createHash } = await import('node:crypto');
      writeFileSync(
        join(dir, '.kea2dnsmasq-manifest.json'),
        JSON.stringify({ tool: 'kea2dnsmasq', files: { '../outside/victim': createHash('sha256').update('keep me').digest('hex') } }),
      );
      const del = planChanges(dir, [{ path: 'primary/etc/dnsmasq.conf', contents: 'x' }]);
      expect(() => applyPlan(del, { force: true })).toThrow(ApplyError);
      expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('keep me');
      expect(existsSync(join(dir, 'primary'))).toBe(false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('server names from HA peers that would leave DIR are refused before anything is planned', () => {
    for (const name of ['..', '../../etc', '/etc', 'a/b', '.hidden', 'a b']) {
      const r = compileText(SLOTS['HA peer name (server name)']!.build(name).text);
      expectRefused(r, name);
      expect(r.diagnostics.map((d) => d.code)).toContain('SERVER_NAME_ILLEGAL');
    }
  });

  it('every planned path of a real conversion is a plain relative path under a server or the report', () => {
    const r = compile(join(FIXTURES, 'ha-hot-standby', 'kea-dhcp4.conf'), DEFAULT_COMPILE_OPTIONS);
    for (const f of r.files) {
      expect(f.path.startsWith('/')).toBe(false);
      expect(f.path.split('/').every((p) => p !== '' && p !== '.' && p !== '..')).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The generated-line guard and the file names in comments

describe('defence in depth', () => {
  it('a config file name with a line break does not break a comment line', () => {
    const r = compileText(kea({ subnet4: [SUBNET] }), {}, '/virtual/kea\nconf-file=/tmp/evil.conf');
    expect(r.ok).toBe(true);
    expectSafeOutput(r.files);
    for (const f of r.files.filter(isDnsmasqFile)) expect(f.contents).not.toMatch(/^conf-file/m);
    expect(directiveProfile(r.files)).toEqual(directiveProfile(compileText(kea({ subnet4: [SUBNET] })).files));
  });

  it('the last-resort guard over generated lines finds an over-long line, a CR and a NUL, in dnsmasq files only', () => {
    const files = [
      { path: 'primary/etc/dnsmasq.d/20-options.conf', contents: `ok\n${'x'.repeat(1024)}\n${'y'.repeat(1025)}\na\rb\nc\0d\n` },
      { path: 'MIGRATION-REPORT.md', contents: `${'z'.repeat(5000)}\n` },
    ];
    expect(unsafeGeneratedLines(files).map((u) => u.line)).toEqual([3, 4, 5]);
  });

  it('readDnsmasqLine reads quoting as dnsmasq does (checked against the model of dnsmasq\'s parser)', () => {
    const l = readDnsmasqLine('dhcp-option=tag:x,option:root-path,"a,b #c \\"d\\" \\\\ \\n" # comment');
    expect(l.key).toBe('dhcp-option');
    expect(l.args).toEqual(['tag:x', 'option:root-path', 'a,b #c "d" \\ \n']);
    const b = dnsmasqOptionBytes(l.rawArg, '');
    expect(b.ok && Buffer.from(b.bytes).toString()).toBe('a,b #c "d" \\ \n');
    expect(readDnsmasqLine('dhcp-boot=a#b,c').args).toEqual(['a#b', 'c']);
    expect(readDnsmasqLine('  # only a comment').key).toBeUndefined();
    expect(splitTags(readDnsmasqLine('dhcp-boot="tag:x",y'))).toEqual({ tags: [], sets: [], rest: ['tag:x', 'y'] });
  });
});
