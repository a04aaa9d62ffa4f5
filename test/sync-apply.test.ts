/**
 * The generated sync artifacts without a network: kea2dnsmasq-apply run for real (real dnsmasq
 * --test) in a private mount namespace where a server tree is overlaid on /etc (writable upper
 * layer) and /usr/local/sbin, with reload/restart replaced by commands that log. Proves: a
 * reservation change is installed and reloaded, a conf-dir change (reservation tags) restarts,
 * a broken file is rejected before it goes live, a failure after install restores the previous
 * files, the unprivileged account cannot hand over links or unexpected files. Also: shellcheck
 * on every script, systemd-analyze verify on the units, file modes, peer selection.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../src/compile.js';
import { SYNC_PATHS } from '../src/emit/sync.js';
import { applyPlan, planChanges } from '../src/plan/plan.js';
import { dnsmasqTestSkip } from './support/dnsmasq-test.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const ARTICLE = join(FIXTURES, 'article-doc', 'kea-dhcp4.conf');
const HOSTS = 'etc/dnsmasq.reservations.d/hosts/reservations';
const TAGS = 'etc/dnsmasq.d/40-reservation-tags.conf';

/** Skip locally with a printed reason; under CI a missing tool is a failure. */
function toolSkip(tool: string, why: string): string | undefined {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0) return undefined;
  const reason = `${tool} not installed (${why})`;
  if (process.env.CI) throw new Error(`${reason}: .ci/run installs it`);
  console.warn(`skipping: ${reason}`);
  return reason;
}

describe('sync artifacts', () => {
  const result = compile(ARTICLE, DEFAULT_COMPILE_OPTIONS);
  const [master, other] = result.plan!.servers;

  it('puts the sync command and cron job on the master, the path unit pair on the other server, the apply script on both', () => {
    const paths = result.files.map((f) => f.path);
    for (const p of [SYNC_PATHS.apply, SYNC_PATHS.sync, SYNC_PATHS.cron]) expect(paths).toContain(`${master}/${p}`);
    for (const p of [SYNC_PATHS.apply, SYNC_PATHS.pathUnit, SYNC_PATHS.serviceUnit, SYNC_PATHS.tmpfiles, SYNC_PATHS.openwrtInit]) expect(paths).toContain(`${other}/${p}`);
    expect(paths).not.toContain(`${other}/${SYNC_PATHS.sync}`);
    const file = (p: string) => result.files.find((f) => f.path === p)!;
    expect(file(`${master}/${SYNC_PATHS.apply}`).contents).toBe(file(`${other}/${SYNC_PATHS.apply}`).contents);
    for (const p of [`${master}/${SYNC_PATHS.sync}`, `${master}/${SYNC_PATHS.apply}`, `${master}/${SYNC_PATHS.cron}`, `${other}/${SYNC_PATHS.openwrtInit}`]) {
      expect(file(p).mode, p).toBe(0o755);
    }
  });

  it('root mode writes no units', () => {
    const r = compile(ARTICLE, { ...DEFAULT_COMPILE_OPTIONS, syncMode: 'root' });
    expect(r.files.some((f) => f.path.includes('systemd'))).toBe(false);
    expect(r.files.find((f) => f.path === `${master}/${SYNC_PATHS.sync}`)!.contents).toContain('SYNC_USER=${KEA2DNSMASQ_SYNC_USER:-root}');
  });

  it.each([
    ['the HA hook peer URL host', 'ha-hot-standby', {}, '192.0.2.3'],
    ['--peer', 'ha-hot-standby', { peer: 'dhcp2.example.org' }, 'dhcp2.example.org'],
    ['the server name without HA hook', 'article-doc', {}, 'secondary'],
  ])('takes the peer from %s', (_what, fixture, extra, want) => {
    const r = compile(join(FIXTURES, fixture, 'kea-dhcp4.conf'), { ...DEFAULT_COMPILE_OPTIONS, ...extra });
    const sync = r.files.find((f) => f.path === `${r.plan!.servers[0]}/${SYNC_PATHS.sync}`)!;
    expect(sync.contents).toContain(`PEER=\${KEA2DNSMASQ_PEER:-${want}}`);
  });

  it('applies the file modes when writing the output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k2d-sync-modes-'));
    try {
      applyPlan(planChanges(dir, result.files), { force: false });
      expect(statSync(join(dir, master!, SYNC_PATHS.sync)).mode & 0o777).toBe(0o755);
      expect(statSync(join(dir, other!, SYNC_PATHS.pathUnit)).mode & 0o111).toBe(0);
      // A lost exec bit is a change to make.
      chmodSync(join(dir, master!, SYNC_PATHS.sync), 0o644);
      expect(planChanges(dir, result.files).changes.find((c) => c.path === `${master}/${SYNC_PATHS.sync}`)!.kind).toBe('change');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const noShellcheck = toolSkip('shellcheck', 'Debian package shellcheck');
  it.skipIf(noShellcheck !== undefined)('every script passes shellcheck as POSIX sh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k2d-sync-sc-'));
    try {
      const scripts = result.files.filter((f) => f.contents.startsWith('#!/bin/sh'));
      expect(scripts.length).toBe(5);
      for (const f of scripts) {
        const p = join(dir, f.path);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, f.contents);
        const r = spawnSync('shellcheck', ['-s', 'sh', '-S', 'style', p], { encoding: 'utf8' });
        expect(r.status, `${f.path}\n${r.stdout}${r.stderr}`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const noAnalyze = toolSkip('systemd-analyze', 'systemd');
  it.skipIf(noAnalyze !== undefined)('the units pass systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k2d-sync-units-'));
    try {
      for (const f of result.files.filter((x) => x.path.startsWith(`${other}/`))) {
        const p = join(dir, f.path.slice(other!.length + 1));
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, f.contents, { mode: f.mode ?? 0o644 });
      }
      // The root needs the system's own units (sysinit.target and the like) for the dependencies.
      cpSync('/usr/lib/systemd/system', join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
      const units = [SYNC_PATHS.pathUnit, SYNC_PATHS.serviceUnit].map((u) => join(dir, u));
      const r = spawnSync('systemd-analyze', ['verify', `--root=${dir}`, ...units], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).toBe(0);
      expect(out.split('\n').filter((l) => l.includes('kea2dnsmasq'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const skip = dnsmasqTestSkip();

describe.skipIf(skip !== undefined)('kea2dnsmasq-apply with the real dnsmasq --test', () => {
  const result = compile(ARTICLE, DEFAULT_COMPILE_OPTIONS);
  const peer = result.plan!.servers[1]!;
  const master = result.plan!.servers[0]!;
  let out: string;
  let scratch: string;
  let state: string;
  let log: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'k2d-sync-out-'));
    applyPlan(planChanges(out, result.files), { force: false });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  /** A fresh "installed" server: empty upper layer, empty state dir. */
  function fresh(): void {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = mkdtempSync(join(tmpdir(), 'k2d-sync-sb-'));
    for (const d of ['upper', 'work', 'state/inbox']) mkdirSync(join(scratch, d), { recursive: true });
    state = join(scratch, 'state');
    log = join(scratch, 'service.log');
    writeFileSync(log, '');
  }
  afterAll(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  /** Run `cmd` as the installed server `server` sees it (its tree on /etc and /usr/local/sbin). */
  function onServer(server: string, cmd: string): { code: number; out: string } {
    const tree = join(out, server);
    const script = [
      'set -e',
      `mount -t overlay overlay -o lowerdir=${tree}/etc:/etc,upperdir=${scratch}/upper,workdir=${scratch}/work /etc`,
      `mount -t overlay overlay -o lowerdir=${tree}/usr/local/sbin:/usr/local/sbin /usr/local/sbin`,
      'exec sh -c "$1"',
    ].join('\n');
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sandbox', cmd], {
      encoding: 'utf8',
      env: {
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        KEA2DNSMASQ_STATE: state,
        KEA2DNSMASQ_RELOAD: `echo reload >> ${log}`,
        KEA2DNSMASQ_RESTART: `echo restart >> ${log}`,
      },
    });
    return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
  }

  const services = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const live = (server: string, rel: string) => onServer(server, `cat /${rel}`).out;
  const statusLine = () => readFileSync(join(state, 'status'), 'utf8');

  /** Hand over a push as kea2dnsmasq-sync does: the master's synced files, edited, as inbox/ready. */
  function push(token: string, edits: Record<string, string | null> = {}): void {
    const ready = join(state, 'inbox', 'ready');
    const files: Record<string, string | null> = {
      'dnsmasq.reservations.d/hosts/reservations': readFileSync(join(out, master, HOSTS), 'utf8'),
      'dnsmasq.reservations.d/options/reservations': readFileSync(join(out, master, 'etc/dnsmasq.reservations.d/options/reservations'), 'utf8'),
      'dnsmasq.d/20-options.conf': readFileSync(join(out, master, 'etc/dnsmasq.d/20-options.conf'), 'utf8'),
      'dnsmasq.d/40-reservation-tags.conf': readFileSync(join(out, master, TAGS), 'utf8'),
      token: `${token}\n`,
      ...edits,
    };
    for (const [rel, text] of Object.entries(files)) {
      if (text === null) continue;
      mkdirSync(dirname(join(ready, rel)), { recursive: true });
      writeFileSync(join(ready, rel), text);
    }
  }

  it('local: restarts when it cannot know what dnsmasq read, then reloads', () => {
    fresh();
    const first = onServer(master, 'kea2dnsmasq-apply local');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('dnsmasq restarted');
    const second = onServer(master, 'kea2dnsmasq-apply local');
    expect(second.code, second.out).toBe(0);
    expect(services()).toEqual(['restart', 'reload']);
    // An edited tag file is only read at start-up: restart.
    const third = onServer(master, `echo 'dhcp-mac=set:dns-192-0-2-1,02:00:00:00:00:99' >> /${TAGS} && kea2dnsmasq-apply local`);
    expect(third.code, third.out).toBe(0);
    expect(services()).toEqual(['restart', 'reload', 'restart']);
  });

  it('local: refuses a broken hosts file and touches nothing', () => {
    fresh();
    const r = onServer(master, `echo 'this is broken' >> /${HOSTS} && kea2dnsmasq-apply local`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad DHCP host name at line \d+ of reservations\.d\/hosts\/reservations/);
    expect(services()).toEqual([]);
  });

  it('inbox: installs a changed reservation and reloads; a tag change restarts', () => {
    fresh();
    expect(onServer(peer, 'kea2dnsmasq-apply local').code).toBe(0); // first start: records the conf
    const before = live(peer, HOSTS);
    push('t1', { 'dnsmasq.reservations.d/hosts/reservations': before.replace('192.0.2.31,hifiberry1', '192.0.2.33,hifiberry1') });
    const r = onServer(peer, 'kea2dnsmasq-apply inbox');
    expect(r.code, r.out).toBe(0);
    expect(statusLine()).toBe('t1 ok reloaded\n');
    expect(live(peer, HOSTS)).toContain('a0:ae:a1:87:e7:a0,192.0.2.33,hifiberry1');
    expect(existsSync(join(state, 'inbox', 'ready'))).toBe(false);
    expect(services()).toEqual(['restart', 'reload']);

    const tags = live(peer, TAGS);
    push('t2', { 'dnsmasq.d/40-reservation-tags.conf': `${tags}dhcp-mac=set:dns-192-0-2-1,02:00:00:00:00:99\n` });
    expect(onServer(peer, 'kea2dnsmasq-apply inbox').code).toBe(0);
    expect(statusLine()).toBe('t2 ok restarted\n');
    expect(live(peer, TAGS)).toContain('02:00:00:00:00:99');
    expect(services()).toEqual(['restart', 'reload', 'restart']);

    // A file the master no longer has is removed on the peer.
    push('t3', { 'dnsmasq.d/40-reservation-tags.conf': null });
    expect(onServer(peer, 'kea2dnsmasq-apply inbox').code).toBe(0);
    expect(statusLine()).toBe('t3 ok restarted\n');
    expect(onServer(peer, `test -e /${TAGS}`).code).toBe(1);
  });

  it('inbox: rejects a broken reservations file before it goes live', () => {
    fresh();
    expect(onServer(peer, 'kea2dnsmasq-apply local').code).toBe(0);
    const before = live(peer, HOSTS);
    push('bad1', { 'dnsmasq.reservations.d/hosts/reservations': `${before}this is broken\n` });
    const r = onServer(peer, 'kea2dnsmasq-apply inbox');
    expect(r.code).toBe(1);
    const line = before.split('\n').length; // the appended line's number
    expect(statusLine()).toMatch(new RegExp(`^bad1 failed: dnsmasq --test rejected the pushed files, nothing changed: .*bad DHCP host name at line ${line} of reservations\\.d/hosts/reservations`));
    expect(live(peer, HOSTS)).toBe(before);
    expect(services()).toEqual(['restart']);
  });

  it('inbox: restores the previous files when the live test fails after installing', () => {
    fresh();
    // A main config that names its files itself (no conf-dir line): the candidate test cannot
    // put the pushed conf files in place, only the test after installing sees them.
    const main = ['00-housekeeping', '10-subnets', '20-options', '30-scope', '40-reservation-tags'].map((n) => `conf-file=/etc/dnsmasq.d/${n}.conf`).join('\n');
    expect(onServer(peer, `printf '%s\\n' '${main.split('\n').join("' '")}' > /etc/dnsmasq.conf && kea2dnsmasq-apply local`).code).toBe(0);
    const options = live(peer, 'etc/dnsmasq.d/20-options.conf');
    push('bad2', { 'dnsmasq.d/20-options.conf': `${options}dhcp-option=option:not-an-option,1\n` });
    const r = onServer(peer, 'kea2dnsmasq-apply inbox');
    expect(r.code).toBe(1);
    expect(statusLine()).toMatch(/^bad2 failed: dnsmasq --test failed after installing, previous files restored: .*bad dhcp-option/);
    expect(live(peer, 'etc/dnsmasq.d/20-options.conf')).toBe(options);
    // The restore is followed by a reload, dropping anything dnsmasq read by itself.
    expect(services()).toEqual(['restart', 'reload']);
  });

  it.each([
    ['a symbolic link', (ready: string) => symlinkSync('/etc/shadow', join(ready, 'dnsmasq.reservations.d/hosts/shadow')), /refused: .*hosts\/shadow is not a plain file/],
    ['an unexpected file', (ready: string) => writeFileSync(join(ready, 'dnsmasq.d/00-housekeeping.conf'), 'port=53\n'), /refused: unexpected file \/dnsmasq\.d\/00-housekeeping\.conf/],
    ['a hidden file', (ready: string) => writeFileSync(join(ready, 'dnsmasq.reservations.d/hosts/.x'), ''), /refused: unexpected file/],
  ])('inbox: refuses %s from the account', (_what, tamper, want) => {
    fresh();
    expect(onServer(peer, 'kea2dnsmasq-apply local').code).toBe(0);
    push('evil');
    tamper(join(state, 'inbox', 'ready'));
    const r = onServer(peer, 'kea2dnsmasq-apply inbox');
    expect(r.code).toBe(1);
    expect(statusLine()).toMatch(want);
    expect(services()).toEqual(['restart']);
    expect(onServer(peer, 'ls /etc/dnsmasq.reservations.d/hosts').out.trim()).toBe('reservations');
  });
});
