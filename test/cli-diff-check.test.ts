/**
 * The command line around the plan: convert's terminal report, --strict, `convert --dry-run` on
 * new, changed and deleted files, `diff --against` and the CI `check` exit codes (0 same, 1
 * differs, 2 bad input), with and without --server.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MANIFEST } from '../src/plan/plan.js';
import { runCli } from './support/run-cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const ESC = '\u001b[';
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'k2d-cli-'));
  temps.push(d);
  return d;
}

/** A private copy of a fixture's input, so a test can edit it. */
function copyCase(name: string): string {
  const d = temp();
  cpSync(join(FIXTURES, name, 'kea-dhcp4.conf'), join(d, 'kea-dhcp4.conf'));
  return join(d, 'kea-dhcp4.conf');
}

function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = readFileSync(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

const ARTICLE = join(FIXTURES, 'article-doc', 'kea-dhcp4.conf');
const WITH_WARNINGS = join(FIXTURES, 'multi-subnet', 'kea-dhcp4.conf');

describe('convert prints the report', () => {
  it('prints the summary, one bar per subnet and where the files went, without colour when piped', async () => {
    const out = join(temp(), 'out');
    const r = await runCli(['convert', WITH_WARNINGS, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Summary: 4 subnet(s), 4 pool(s), 10 reservation(s)');
    expect(r.stdout.match(/^ {2}\d+: \S+ +\[[12R·]{48}\]/gm)).toHaveLength(4);
    expect(r.stdout).toContain('2 Kea setting(s) not converted');
    expect(r.stdout).toContain('address-map.svg');
    expect(r.stdout).not.toContain(ESC);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
  });

  it('colours the report on a terminal, and not with NO_COLOR', async () => {
    const colour = await runCli(['convert', ARTICLE, '--out', join(temp(), 'a')], { tty: true, env: { NO_COLOR: undefined, TERM: 'xterm' } });
    expect(colour.code).toBe(0);
    expect(colour.stdout).toContain(ESC);
    const plain = await runCli(['convert', ARTICLE, '--out', join(temp(), 'b')], { tty: true, env: { NO_COLOR: '1', TERM: 'xterm' } });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(ESC);
  });

  it('prints nothing but errors with --quiet', async () => {
    const r = await runCli(['convert', ARTICLE, '--out', join(temp(), 'q'), '--quiet']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('--strict', () => {
  it('turns every not-converted setting into an error: exit 2, nothing written', async () => {
    const out = join(temp(), 'out');
    const r = await runCli(['convert', WITH_WARNINGS, '--out', out, '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kea-dhcp4\.conf:\d+:\d+: error OPTION_ENCODING_CHANGED/);
    expect(r.stderr).toMatch(/kea-dhcp4\.conf:\d+:\d+: error AUTHORITATIVE_NOT_CARRIED/);
    expect(r.stderr).toContain('nothing was written');
    expect(existsSync(out)).toBe(false);
  });

  it('leaves notes alone: a config with only notes converts', async () => {
    const r = await runCli(['convert', ARTICLE, '--out', join(temp(), 'out'), '--strict']);
    expect(r.code).toBe(0);
  });

  it('applies to check as well', async () => {
    const out = join(temp(), 'out');
    expect((await runCli(['convert', WITH_WARNINGS, '--out', out])).code).toBe(0);
    expect((await runCli(['check', WITH_WARNINGS, '--against', out])).code).toBe(0);
    expect((await runCli(['check', WITH_WARNINGS, '--against', out, '--strict'])).code).toBe(2);
  });
});

describe('convert into a directory with files it did not write', () => {
  it('refuses without --force (exit 2, nothing changed) and overwrites with it', async () => {
    const out = join(temp(), 'out');
    mkdirSync(join(out, 'primary', 'etc'), { recursive: true });
    writeFileSync(join(out, 'primary', 'etc', 'dnsmasq.conf'), '# hand-written\n');
    const before = snapshotDir(out);
    const r = await runCli(['convert', ARTICLE, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('primary/etc/dnsmasq.conf');
    expect(r.stderr).toContain('--force');
    expect(snapshotDir(out)).toEqual(before);
    expect((await runCli(['convert', ARTICLE, '--out', out, '--force', '-q'])).code).toBe(0);
    expect(readFileSync(join(out, 'primary', 'etc', 'dnsmasq.conf'), 'utf8')).not.toContain('hand-written');
  });
});

describe('convert --dry-run', () => {
  it('shows every file as new against an empty directory, and writes nothing', async () => {
    const out = join(temp(), 'out');
    const r = await runCli(['convert', ARTICLE, '--out', out, '--dry-run']);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(false);
    const added = [...r.stdout.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((m) => m[1]);
    expect(added).toContain('primary/etc/dnsmasq.d/30-scope.conf');
    expect(added).toContain('MIGRATION-REPORT.md');
    expect(added).toContain('address-map.svg');
    expect(r.stdout.match(/^--- \/dev\/null$/gm)?.length).toBe(added.length);
    expect(r.stderr).toContain('dry run: nothing was written');
  });

  it('shows a changed file as a hunk of - and + lines, and leaves the directory as it was', async () => {
    const config = copyCase('article-doc');
    const out = join(temp(), 'out');
    expect((await runCli(['convert', config, '--out', out, '-q'])).code).toBe(0);
    const before = snapshotDir(out);
    writeFileSync(config, readFileSync(config, 'utf8').replace('"valid-lifetime": 86400', '"valid-lifetime": 43200'));
    const r = await runCli(['convert', config, '--out', out, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- a/secondary/etc/dnsmasq.d/30-scope.conf\n+++ b/secondary/etc/dnsmasq.d/30-scope.conf');
    expect(r.stdout).toMatch(/^-dhcp-range=set:subnet-1-pool-2,192\.0\.2\.175,192\.0\.2\.249,255\.255\.255\.0,24h$/m);
    expect(r.stdout).toMatch(/^\+dhcp-range=set:subnet-1-pool-2,192\.0\.2\.175,192\.0\.2\.249,255\.255\.255\.0,12h$/m);
    expect(r.stdout).not.toContain('b/primary/etc/dnsmasq.conf');
    expect(snapshotDir(out)).toEqual(before);
  });

  it('shows files it wrote before and no longer writes as deleted', async () => {
    const out = join(temp(), 'out');
    expect((await runCli(['convert', ARTICLE, '--out', out, '--servers', 'dhcp1,dhcp2', '-q'])).code).toBe(0);
    const r = await runCli(['convert', ARTICLE, '--out', out, '--servers', 'dhcp1,dhcp3', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- a/dhcp2/etc/dnsmasq.conf\n+++ /dev/null');
    expect(r.stdout).toContain('--- /dev/null\n+++ b/dhcp3/etc/dnsmasq.conf');
    expect(existsSync(join(out, 'dhcp2', 'etc', 'dnsmasq.conf'))).toBe(true);
    expect(existsSync(join(out, 'dhcp3'))).toBe(false);
  });

  it('colours the diff on a terminal only', async () => {
    const out = join(temp(), 'out');
    const tty = await runCli(['convert', ARTICLE, '--out', out, '--dry-run'], { tty: true, env: { NO_COLOR: undefined, TERM: 'xterm' } });
    expect(tty.stdout).toContain(`${ESC}32m+`);
    const piped = await runCli(['convert', ARTICLE, '--out', out, '--dry-run']);
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(tty.stdout.replace(/\u001b\[[0-9;]*m/g, ''));
  });

  it('says so when nothing would change', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    const r = await runCli(['convert', ARTICLE, '--out', out, '--dry-run']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('is up to date');
  });
});

describe('diff --against', () => {
  it('prints the same diff as convert --dry-run', async () => {
    const config = copyCase('article-doc');
    const out = join(temp(), 'out');
    await runCli(['convert', config, '--out', out, '-q']);
    writeFileSync(config, readFileSync(config, 'utf8').replace('"hostname": "nas"', '"hostname": "nas2"'));
    const dry = await runCli(['convert', config, '--out', out, '--dry-run']);
    const diff = await runCli(['diff', config, '--against', out]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('+00:11:32:5c:8e:01,192.0.2.10,nas2');
    expect(diff.stdout).toBe(dry.stdout);
  });
});

describe('check --against (CI)', () => {
  it('exits 0 when the directory is exactly what convert writes', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    const r = await runCli(['check', ARTICLE, '--against', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('exits 1 with the diff when a generated file was edited', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    const scope = join(out, 'primary', 'etc', 'dnsmasq.d', '30-scope.conf');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}dhcp-authoritative\n`);
    const r = await runCli(['check', ARTICLE, '--against', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('-dhcp-authoritative');
    expect(r.stderr).toContain('differs');
  });

  it('exits 1 when a planned file is missing, or a file it wrote before is still there', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    rmSync(join(out, 'address-map.svg'));
    expect((await runCli(['check', ARTICLE, '--against', out])).code).toBe(1);
    await runCli(['convert', ARTICLE, '--out', out, '-q', '--servers', 'primary,backup']);
    const leftover = await runCli(['check', ARTICLE, '--against', out, '--servers', 'primary,secondary']);
    expect(leftover.code).toBe(1);
    expect(leftover.stdout).toContain('--- /dev/null\n+++ b/secondary/etc/dnsmasq.conf');
    // After the rename to backup, files under secondary/ are gone and backup/ ones are tracked:
    // checking with the old names must report backup/ as to be deleted.
    expect(leftover.stdout).toContain('--- a/backup/etc/dnsmasq.conf\n+++ /dev/null');
  });

  it('ignores files in the directory that convert neither writes nor wrote', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    mkdirSync(join(out, 'primary', 'etc', 'ssh'), { recursive: true });
    writeFileSync(join(out, 'primary', 'etc', 'ssh', 'sshd_config'), 'Port 22\n');
    writeFileSync(join(out, 'NOTES.txt'), 'ours\n');
    expect((await runCli(['check', ARTICLE, '--against', out])).code).toBe(0);
  });

  it('exits 2 on bad input, and on a missing --against', async () => {
    const out = temp();
    const bad = await runCli(['check', join(FIXTURES, 'errors', 'pool-outside-subnet', 'kea-dhcp4.conf'), '--against', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('POOL_OUTSIDE_SUBNET');
    expect((await runCli(['check', ARTICLE])).code).toBe(2);
    expect((await runCli(['check', join(out, 'no-such.conf'), '--against', out])).code).toBe(2);
  });

  it('with --server compares one server root (e.g. a copy of its /), ignoring everything else there', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    const root = temp();
    cpSync(join(out, 'secondary'), root, { recursive: true });
    writeFileSync(join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
    expect((await runCli(['check', ARTICLE, '--against', root, '--server', 'secondary'])).code).toBe(0);
    const wrong = await runCli(['check', ARTICLE, '--against', root, '--server', 'primary']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('--- a/etc/dnsmasq.d/30-scope.conf\n+++ b/etc/dnsmasq.d/30-scope.conf');
    expect((await runCli(['check', ARTICLE, '--against', root, '--server', 'nosuch'])).code).toBe(2);
  });

  it('does not count the manifest as a difference', async () => {
    const out = join(temp(), 'out');
    await runCli(['convert', ARTICLE, '--out', out, '-q']);
    expect(existsSync(join(out, MANIFEST))).toBe(true);
    const r = await runCli(['diff', ARTICLE, '--against', out]);
    expect(r.stdout).not.toContain(MANIFEST);
  });
});
