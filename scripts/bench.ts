/**
 * `npm run bench`: how fast and how big kea2dnsmasq is on realistic configs of 1k to 1M
 * reservations, against Kea checking its own config and against a node process that only reads
 * and JSON.parses the same config. Every measurement is a whole process (startup included), run
 * several times; the table shows the median wall time and the median peak RSS, with the ratios
 * the targets of issue 8 are stated in. Writes the table into BENCHMARKS.md (between the
 * bench:start / bench:end markers) and prints it.
 *
 * Peak RSS is the kernel's maxrss of the process, read with GNU time (`apt-get install time`).
 * Wall time is taken around the spawned process here, so GNU time's own start-up (about 1 ms)
 * is included in every row alike.
 *
 * Usage: npm run bench -- [--sizes 1k,10k,100k,1M] [--runs 5] [--no-write] [--keep] [--no-build]
 *   --no-build measures the dist/ that is there instead of building the tree.
 *   --runs applies up to 100k; 1M gets at most 3 runs (each of its Kea checks takes a while).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import { CONFIG_NAME, formatSize, generateKeaConfig, parseSize, type GeneratedConfig } from './gen-kea-config.js';

const ROOT = resolve(import.meta.dirname, '..');
/**
 * The bench runs its own build, in node_modules/.cache (packages still resolve from the project's
 * node_modules): a `npm run build` elsewhere during the bench cannot swap the code under it.
 */
const SNAPSHOT = join(ROOT, 'node_modules', '.cache', 'kea2dnsmasq-bench');
const BIN = join(SNAPSHOT, 'bin', 'kea2dnsmasq');
const BENCHMARKS = join(ROOT, 'BENCHMARKS.md');
const GNU_TIME = '/usr/bin/time';
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

interface Args {
  sizes: number[];
  runs: number;
  write: boolean;
  keep: boolean;
  build: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: ['1k', '10k', '100k', '1M'].map(parseSize), runs: 5, write: true, keep: false, build: true };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--sizes') a.sizes = (argv[++i] ?? '').split(',').map(parseSize);
    else if (v === '--runs') a.runs = Math.max(1, Number(argv[++i]));
    else if (v === '--no-write') a.write = false;
    else if (v === '--keep') a.keep = true;
    else if (v === '--no-build') a.build = false;
    else throw new Error(`unknown argument ${v}`);
  }
  return a;
}

interface Sample {
  wall: number; // seconds
  rssKb: number;
  timedOut?: boolean;
  /** Exit status when the run failed (e.g. out of memory); wall and rssKb are then NaN. */
  failed?: string;
}

/** A run still going after this long is stopped and reported as not finished. */
const RUN_TIMEOUT_S = 900;

interface Measured {
  wall: number; // median seconds
  rssMb: number; // median MB (10^6 bytes)
  runs: number;
  /** Set when a run did not finish within RUN_TIMEOUT_S (wall and rssMb are then NaN). */
  timedOut?: boolean;
  /** Set when a run failed: why (wall and rssMb are then NaN). */
  failed?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Run one command as a whole process under GNU time; stdout to `stdoutFile`; checks the exit code. */
async function runOnce(cmd: string[], cwd: string, stdoutFile: string, okCodes: number[]): Promise<Sample> {
  const rssFile = join(os.tmpdir(), `kea2dnsmasq-bench-rss-${process.pid}`);
  const out = fs.openSync(stdoutFile, 'w');
  const err = fs.openSync(`${stdoutFile}.err`, 'w');
  const t0 = process.hrtime.bigint();
  let timedOut = false;
  const code = await new Promise<number>((res, rej) => {
    // Its own process group, so a run that overstays can be stopped with everything it started.
    const p = spawn(GNU_TIME, ['-f', '%M', '-o', rssFile, ...cmd], { cwd, stdio: ['ignore', out, err], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
    }, RUN_TIMEOUT_S * 1000);
    p.on('error', rej);
    p.on('exit', (c) => {
      clearTimeout(timer);
      res(c ?? -1);
    });
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(out);
  fs.closeSync(err);
  if (timedOut) {
    fs.rmSync(rssFile, { force: true });
    return { wall: NaN, rssKb: NaN, timedOut };
  }
  if (!okCodes.includes(code)) {
    const lines = fs.readFileSync(`${stdoutFile}.err`, 'utf8').split('\n');
    console.error(`${cmd.join(' ')} (in ${cwd}) exited ${code}:\n${lines.slice(-15).join('\n')}`);
    const oom = lines.some((l) => /heap out of memory|Allocation failed/.test(l));
    fs.rmSync(rssFile, { force: true });
    return { wall: NaN, rssKb: NaN, failed: oom ? `out of memory (exit ${code})` : `exit ${code}` };
  }
  // GNU time writes "Command exited with non-zero status N" before the numbers when it is not 0.
  const rssKb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  fs.rmSync(rssFile, { force: true });
  return { wall, rssKb };
}

async function measure(
  name: string,
  runs: number,
  cmd: string[],
  cwd: string,
  opts: { before?: () => void; okCodes?: number[]; stdout?: string } = {},
): Promise<Measured> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    opts.before?.();
    const sample = await runOnce(cmd, cwd, opts.stdout ?? join(cwd, `${name}.out`), opts.okCodes ?? [0]);
    if (sample.timedOut) {
      console.error(`    ${name.padEnd(10)} did not finish within ${RUN_TIMEOUT_S} s`);
      return { wall: NaN, rssMb: NaN, runs: i + 1, timedOut: true };
    }
    if (sample.failed) {
      console.error(`    ${name.padEnd(10)} failed: ${sample.failed}`);
      return { wall: NaN, rssMb: NaN, runs: i + 1, failed: sample.failed };
    }
    samples.push(sample);
  }
  const m = { wall: median(samples.map((s) => s.wall)), rssMb: median(samples.map((s) => s.rssKb)) / 1000 * 1.024, runs };
  console.error(`    ${name.padEnd(10)} ${m.wall.toFixed(3)} s  ${m.rssMb.toFixed(0)} MB  (${samples.map((s) => s.wall.toFixed(2)).join(' ')})`);
  return m;
}

/** True when this build has `kea2dnsmasq check CONFIG --against DIR`. */
function hasCheckCommand(): boolean {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  return /^\s+check\b/m.test(`${r.stdout}${r.stderr}`);
}

interface SizeResult {
  gen: GeneratedConfig;
  convert: Measured;
  check: Measured;
  dryRunDiff: Measured;
  diffLines: number;
  jsonParse: Measured;
  kea: Measured | undefined;
}

async function benchSize(n: number, dir: string, runs: number, checkCmd: boolean, kea: boolean): Promise<SizeResult> {
  console.error(`${formatSize(n)} reservations: generating in ${dir}`);
  const gen = generateKeaConfig(n, dir);
  console.error(`  ${gen.subnets} subnets, ${gen.sharedNetworks} shared networks, ${(gen.bytes / 1e6).toFixed(1)} MB`);
  const node = process.execPath;
  const deploy = join(dir, 'deployed');
  const scratch = join(dir, 'scratch');
  // Warm-up (file cache, not measured); it also leaves the deployment that check and diff use.
  await runOnce([node, BIN, 'convert', CONFIG_NAME, '--out', deploy], dir, join(dir, 'warmup.out'), [0]);

  const convert = await measure('convert', runs, [node, BIN, 'convert', CONFIG_NAME, '--out', scratch], dir, {
    before: () => fs.rmSync(scratch, { recursive: true, force: true }),
  });
  const check = checkCmd
    ? await measure('check', runs, [node, BIN, 'check', CONFIG_NAME, '--against', deploy], dir)
    : await measure('check*', runs, [node, BIN, 'convert', CONFIG_NAME, '--out', deploy, '--dry-run'], dir);
  const diffOut = join(dir, 'dry-run.diff');
  const dryRunDiff = await measure('diff 1%', runs, [node, BIN, 'convert', join('changed', CONFIG_NAME), '--out', deploy, '--dry-run'], dir, {
    stdout: diffOut,
  });
  const diffLines = Number.isFinite(dryRunDiff.wall) ? fs.readFileSync(diffOut, 'utf8').split('\n').length - 1 : 0;
  if (diffLines === 0 && Number.isFinite(dryRunDiff.wall)) throw new Error('the dry run of the changed config printed no diff');
  const jsonParse = await measure('JSON.parse', runs, [node, '-e', "JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'))", gen.plainJson], dir);
  // Kea resolves <?include?> against its working directory: run it in the config's directory.
  const keaM = kea ? await measure('kea -t', runs, ['kea-dhcp4', '-t', CONFIG_NAME], dir) : undefined;
  return { gen, convert, check, dryRunDiff, diffLines, jsonParse, kea: keaM };
}

const f2 = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratio = (a: number, b: number | undefined) => (b === undefined || b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? 'n/a' : `${(a / b).toFixed(2)}×`);

function machine(): string[] {
  const cpus = os.cpus();
  const kea = spawnSync('kea-dhcp4', ['-V'], { encoding: 'utf8' });
  const distro = fs.existsSync('/etc/os-release') ? (/^PRETTY_NAME="?([^"\n]*)/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '') : '';
  return [
    `- CPU: ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, no swap in use`,
    `- OS: ${distro} (Linux ${os.release()})`,
    `- Node.js ${process.version}; Kea ${kea.status === 0 ? kea.stdout.split('\n')[0]!.trim() : 'not installed'}`,
  ];
}

function render(results: SizeResult[], runs: number, checkCmd: boolean, date: string): string {
  const out: string[] = [];
  out.push(`Run on ${date} with \`npm run bench\` (${runs} runs per row up to 100k, ${Math.min(runs, 3)} at 1M; medians).`, '');
  out.push(...machine(), '');
  out.push('Wall time in seconds (peak RSS in MB):', '');
  out.push(
    '| Reservations | Config | convert | check' + (checkCmd ? '' : '*') + ' | dry-run diff, 1% changed | JSON.parse baseline | kea-dhcp4 -t |',
    '|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const cell = (m: Measured | undefined) =>
      !m ? 'n/a' : m.timedOut ? `> ${RUN_TIMEOUT_S} (stopped)` : m.failed ? `failed: ${m.failed}` : `${f2(m.wall)} (${m.rssMb.toFixed(0)})`;
    out.push(
      `| ${formatSize(r.gen.reservations)} | ${(r.gen.bytes / 1e6).toFixed(1)} MB, ${r.gen.subnets} subnets | ${cell(r.convert)} | ${cell(r.check)} | ${cell(r.dryRunDiff)} | ${cell(r.jsonParse)} | ${cell(r.kea)} |`,
    );
  }
  out.push('', `Dry-run diff size: ${results.map((r) => `${formatSize(r.gen.reservations)}: ${r.diffLines} lines`).join(', ')}.`);
  out.push('', 'Ratios (same run):', '');
  out.push('| Reservations | convert ÷ kea -t | convert ÷ JSON.parse | check ÷ convert | diff ÷ convert | convert ÷ previous size |', '|---|---|---|---|---|---|');
  results.forEach((r, i) => {
    const prev = results[i - 1];
    out.push(
      `| ${formatSize(r.gen.reservations)} | ${ratio(r.convert.wall, r.kea?.wall)} | ${ratio(r.convert.wall, r.jsonParse.wall)} | ${ratio(r.check.wall, r.convert.wall)} | ${ratio(r.dryRunDiff.wall, r.convert.wall)} | ${prev ? `${ratio(r.convert.wall, prev.convert.wall)} (for ${(r.gen.reservations / prev.gen.reservations).toFixed(0)}× the reservations)` : '-'} |`,
    );
  });
  if (!checkCmd) out.push('', '\\* no `check` subcommand in this build: measured `convert --dry-run` against the unchanged deployment, its closest equivalent.');

  const r100 = results.find((r) => r.gen.reservations === 100_000);
  const r1m = results.find((r) => r.gen.reservations === 1_000_000);
  if (r100) {
    const rows: [string, string, boolean | undefined][] = [];
    const met = (b: boolean | undefined) => (b === undefined ? 'not measured' : b ? 'met' : '**not met**');
    const kea = r100.kea;
    rows.push(['100k convert ≤ 0.15 × kea-dhcp4 -t', kea ? `${f2(r100.convert.wall)} s vs ${f2(0.15 * kea.wall)} s (${ratio(r100.convert.wall, kea.wall)})` : 'n/a', kea ? r100.convert.wall <= 0.15 * kea.wall : undefined]);
    rows.push(['100k convert ≤ 4 × JSON.parse baseline', `${f2(r100.convert.wall)} s vs ${f2(4 * r100.jsonParse.wall)} s (${ratio(r100.convert.wall, r100.jsonParse.wall)})`, r100.convert.wall <= 4 * r100.jsonParse.wall]);
    rows.push(['100k convert peak RSS ≤ 300 MB', `${r100.convert.rssMb.toFixed(0)} MB`, r100.convert.rssMb <= 300]);
    if (r1m) rows.push(['1M convert ≤ 12 × 100k convert, completes', `${f2(r1m.convert.wall)} s vs ${f2(12 * r100.convert.wall)} s (${ratio(r1m.convert.wall, r100.convert.wall)})`, r1m.convert.wall <= 12 * r100.convert.wall]);
    rows.push(['100k dry-run diff (1% changed) ≤ 1.5 × convert', `${f2(r100.dryRunDiff.wall)} s vs ${f2(1.5 * r100.convert.wall)} s (${ratio(r100.dryRunDiff.wall, r100.convert.wall)})`, r100.dryRunDiff.wall <= 1.5 * r100.convert.wall]);
    rows.push([`100k check${checkCmd ? '' : '*'} ≤ 1.2 × convert`, `${f2(r100.check.wall)} s vs ${f2(1.2 * r100.convert.wall)} s (${ratio(r100.check.wall, r100.convert.wall)})`, r100.check.wall <= 1.2 * r100.convert.wall]);
    out.push('', 'Targets (issue 8):', '', '| Target | Measured | |', '|---|---|---|');
    for (const [t, m, ok] of rows) out.push(`| ${t} | ${m} | ${met(ok)} |`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(GNU_TIME)) {
    console.error(`kea2dnsmasq bench: ${GNU_TIME} (GNU time) is needed for peak RSS: apt-get install time`);
    process.exit(2);
  }
  fs.rmSync(SNAPSHOT, { recursive: true, force: true });
  fs.mkdirSync(join(SNAPSHOT, 'bin'), { recursive: true });
  if (args.build) {
    console.error(`building this tree into ${SNAPSHOT} (tsc -p tsconfig.build.json)`);
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', join(SNAPSHOT, 'dist')], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) process.exit(2);
  } else {
    fs.cpSync(join(ROOT, 'dist'), join(SNAPSHOT, 'dist'), { recursive: true });
  }
  fs.copyFileSync(join(ROOT, 'bin', 'kea2dnsmasq'), BIN);
  fs.writeFileSync(join(SNAPSHOT, 'package.json'), '{ "type": "module", "private": true }\n');
  const kea = spawnSync('kea-dhcp4', ['-V'], { encoding: 'utf8' }).status === 0;
  if (!kea) console.error('kea-dhcp4 not found: its column stays empty');
  const checkCmd = hasCheckCommand();
  const tmp = fs.mkdtempSync(join(os.tmpdir(), 'kea2dnsmasq-bench-'));
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const results: SizeResult[] = [];
  try {
    for (const n of args.sizes) {
      const runs = n >= 1_000_000 ? Math.min(args.runs, 3) : args.runs;
      results.push(await benchSize(n, join(tmp, formatSize(n)), runs, checkCmd, kea));
      // Configs of 1M are 250 MB: free the disk as soon as a size is done.
      if (!args.keep) fs.rmSync(join(tmp, formatSize(n)), { recursive: true, force: true });
    }
  } finally {
    if (!args.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else console.error(`kept ${tmp}`);
  }
  const table = render(results, args.runs, checkCmd, date);
  console.log(table);
  if (args.write) {
    const doc = fs.existsSync(BENCHMARKS) ? fs.readFileSync(BENCHMARKS, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
    const a = doc.indexOf(START);
    const b = doc.indexOf(END);
    const next = a >= 0 && b > a ? `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}` : `${doc.trimEnd()}\n\n${START}\n${table}\n${END}\n`;
    fs.writeFileSync(BENCHMARKS, next);
    console.error(`wrote ${BENCHMARKS}`);
  }
}

await main();
