/**
 * Safety rules: no Kea value may end a dnsmasq line, start a new directive, or change what a line
 * means. dnsmasq runs as root and its config can run programs (dhcp-script), so every string that
 * reaches a generated file is either checked here or encoded so that dnsmasq reads Kea's value back.
 *
 * Where Kea strings go (audit, dnsmasq 2.90 src/option.c read_file / one_opt):
 * - hostnames: dhcp-host fields, checked by legalHostnames (rules.ts);
 * - MACs and client ids: decoded to bytes by normalize, written as colon hex;
 * - option data: encoded to wire bytes, then to a dnsmasq value that the model of dnsmasq's parser
 *   (src/options/dnsmasq-value.ts) reads back to the same bytes, or reported as not converted;
 * - interface names: interface= and shared-network= lines, checked by legalInterfaceNames;
 * - boot-file-name / server-hostname: quoted in dhcp-boot (quoteDnsmasqString), checked here;
 * - shared-network names, class names, subnet prefixes: in comments and (slugged) in tag names,
 *   checked here: a line break would end the comment, and dnsmasq cuts lines at 1024 bytes
 *   (fgets into a MAXDNAME buffer) and reads the rest as a new line;
 * - server names (HA peers, --servers): directory names and a comment, checked in compile via
 *   checkChosenNames.
 */
import { diagnostic, type Diagnostic, type JsonPath } from '../diagnostics/diagnostic.js';
import type { BootFields, Model, Reservation } from '../model/model.js';
import type { PlannedFile } from '../emit/dnsmasq.js';
import { DNSMASQ_MAX_LINE_BYTES, quoteDnsmasqString } from '../options/dnsmasq-value.js';
import type { PairPlan } from '../transform/plan-pair.js';
import type { Rule } from './rules.js';

/** Longest name (in UTF-8 bytes) that may go into a comment or, slugged, into a tag. */
export const MAX_NAME_BYTES = 128;
/** Kea (dhcp_parsers.cc, Pkt4::MAX_SNAME_LEN / MAX_FILE_LEN) and the BOOTP header: sname 64, file 128 bytes with the NUL. */
const MAX_SERVER_HOSTNAME_BYTES = 63;
const MAX_BOOT_FILE_BYTES = 127;
/** Server names become directory names and appear in a comment; the same rule as --servers. */
export const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const CONTROL = /[\u0000-\u001f\u007f]/;
const NUL_OR_CR = /[\u0000\r]/;

/** Show a hostile value on one line: control characters as \xNN, cut after `max` characters. */
export function printable(s: string, max = 60): string {
  const shown = [...s]
    .slice(0, max)
    .map((c) => (CONTROL.test(c) ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c))
    .join('');
  return [...s].length > max ? `${shown}...` : shown;
}

function nameProblem(name: string, max: number): string | undefined {
  if (CONTROL.test(name)) return 'it holds a control character (line break, tab, NUL, ...), which would end or cut the dnsmasq line it is written on';
  if (bytes(name) > max) return `it is ${bytes(name)} bytes long; at most ${max} are allowed, as dnsmasq cuts config lines after ${DNSMASQ_MAX_LINE_BYTES} bytes`;
  return undefined;
}

/** Shared-network and class names are written into comments and, slugged, into tag names. */
const namesFitALine: Rule = (m) => {
  const out: Diagnostic[] = [];
  const check = (what: string, name: string, path: JsonPath, max = MAX_NAME_BYTES) => {
    const problem = nameProblem(name, max);
    if (problem) out.push(diagnostic('NAME_ILLEGAL', 'error', { what, name: printable(name), problem }, path));
  };
  for (const n of m.sharedNetworks) check('shared network name', n.name, [...n.path, 'name']);
  for (const c of m.classes) check('client class name', c.name, [...c.path, 'name']);
  for (const s of m.subnets) check('subnet', s.text, [...s.path, 'subnet'], 64);
  return out;
};

const BOOT_FIELDS = [
  ['bootFileName', 'boot-file-name', MAX_BOOT_FILE_BYTES],
  ['serverHostname', 'server-hostname', MAX_SERVER_HOSTNAME_BYTES],
] as const;

/**
 * dhcp-boot takes the file and server names quoted; dnsmasq's reader turns \n \t \r \b \e back
 * into characters but no other control character survives (quoteDnsmasqString). Kea itself
 * refuses a server-hostname over 63 and a boot-file-name over 127 bytes (they are BOOTP header
 * fields), and dnsmasq would cut them there.
 */
const bootFieldsFit: Rule = (m, scan) => {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const visit = (b: BootFields) => {
    for (const [field, key, max] of BOOT_FIELDS) {
      const f = b[field];
      if (!f) continue;
      const id = JSON.stringify(f.path);
      if (seen.has(id)) continue;
      seen.add(id);
      const problem =
        quoteDnsmasqString(f.value) === undefined
          ? 'it holds a NUL or a control character dnsmasq cannot read from its config (only \\t \\n \\r \\b \\e can be written)'
          : bytes(f.value) > max
            ? `it is ${bytes(f.value)} bytes long; Kea allows at most ${max} (the BOOTP header field)`
            : undefined;
      if (problem) out.push(diagnostic('BOOT_FIELD_ILLEGAL', 'error', { key, value: printable(f.value), problem }, f.path));
    }
  };
  visit(m.boot);
  for (const s of m.subnets) visit(s.boot);
  for (const { r } of scan.withBoot) visit(r.boot);
  for (const c of m.classes) visit(c.boot);
  return out;
};

/**
 * A client-id is the payload of DHCP option 61, at most 255 bytes (RFC 2132 9.14, one option);
 * a longer one can never match, and its dhcp-host line (3 characters a byte) would outgrow the
 * 1024 bytes dnsmasq reads as one line.
 */
const clientIdsFitAnOption: Rule = (_m, scan) => {
  const out: Diagnostic[] = [];
  if (scan.clientIdHexMax <= 3 * 255 - 1) return out; // "xx:" per byte, without the last ':'
  for (const r of scan.clientIds) {
    const bytes = (r.identifier.hex.length + 1) / 3;
    if (bytes > 255) out.push(diagnostic('IDENTIFIER_TOO_LONG', 'error', { kind: 'client-id', bytes, max: 255 }, [...r.path, 'client-id']));
  }
  return out;
};

/** What a reservation makes dnsmasq tag its client with: its own options, boot fields and classes. */
function tagProfile(r: Reservation): string {
  const own = new Map<number, string>();
  for (const o of r.options) if (o.dnsmasq) own.set(o.code, o.wireHex);
  return JSON.stringify([
    [...own.entries()].sort(([a], [b]) => a - b),
    [r.boot.bootFileName?.value, r.boot.serverHostname?.value, r.boot.nextServer?.value],
    [...r.clientClasses].sort(),
  ]);
}

/**
 * Kea scopes a reservation to its subnet; dnsmasq tags a reserved client by MAC (dhcp-mac) or
 * client id (dhcp-match on option 61) wherever it shows up. Found by test/property.test.ts: one
 * client reserved in two subnets with different options got the options of both reservations in
 * each subnet. Refused until the tags are scoped per subnet, rather than converted with a
 * changed meaning.
 */
const reservationTagsStayInScope: Rule = (_m, scan) =>
  scan.otherScope
    .filter(({ r, first }) => tagProfile(first) !== tagProfile(r))
    .map(({ r, first, scope }) => ({
      ...diagnostic('RESERVATION_TAG_LEAK', 'error', { kind: r.identifier.kind, value: r.identifier.hex, subnet: scope }, [...r.path, r.identifier.kind]),
      related: [{ path: [...first.path, first.identifier.kind], label: 'also reserved here, with other options' }],
    }));

/**
 * dnsmasq's dhcp-match compares a prefix of option 61 (rfc2131.c match_bytes), so the tag of a
 * reservation by client id 01:aa also lands on a client 01:aa:bb; Kea matches the whole id.
 */
const clientIdsNotPrefixes: Rule = (_m, scan) => {
  const ids = scan.clientIds;
  // Ids that are all one length cannot start with one another, the usual case ("01:" and a MAC).
  if (scan.clientIdHexMin === scan.clientIdHexMax || !anyIdExtendsAnother(ids)) return [];
  // Ids that start with a given prefix are adjacent once sorted: binary search instead of a scan
  // per id (quadratic at a million reservations). `longer` is still the first such id in `ids`.
  const sorted = ids.map((r, i) => ({ hex: r.identifier.hex, i })).sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : a.i - b.i));
  const firstWithPrefix = (prefix: string): Reservation | undefined => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]!.hex < prefix) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    for (let k = lo; k < sorted.length && sorted[k]!.hex.startsWith(prefix); k++) if (best < 0 || sorted[k]!.i < best) best = sorted[k]!.i;
    return best < 0 ? undefined : ids[best];
  };
  const out: Diagnostic[] = [];
  for (const p of ids) {
    const longer = firstWithPrefix(`${p.identifier.hex}:`);
    if (longer) {
      out.push({
        ...diagnostic('CLIENT_ID_PREFIX', 'error', { value: p.identifier.hex, other: longer.identifier.hex }, [...p.path, 'client-id']),
        related: [{ path: [...longer.path, 'client-id'], label: 'this client id starts with it' }],
      });
    }
  }
  return out;
};

/**
 * Whether some id starts with another, longer one (a cheap superset of what clientIdsNotPrefixes
 * reports, which also wants the ':' after the prefix). Sorted, every string that starts with `p`
 * follows `p` directly (anything between them starts with `p` too), so comparing neighbours
 * finds one whenever there is one: a plain string sort instead of a binary search per id.
 */
function anyIdExtendsAnother(ids: readonly Reservation[]): boolean {
  const hexes = ids.map((r) => r.identifier.hex).sort();
  for (let i = 1; i < hexes.length; i++) {
    if (hexes[i]!.length > hexes[i - 1]!.length && hexes[i]!.startsWith(hexes[i - 1]!)) return true;
  }
  return false;
}

export const SAFETY_RULES: readonly Rule[] = [namesFitALine, bootFieldsFit, clientIdsFitAnOption, reservationTagsStayInScope, clientIdsNotPrefixes];

/**
 * Names chosen when the pair is planned: the two server names become directories under --out and
 * appear in the scope file's header, and shared networks must keep distinct tags (two networks
 * whose names slug to one tag would share each other's options). `networkTag` is the emitter's
 * naming function, passed in so this stage does not import a later one.
 */
export function checkChosenNames(m: Model, plan: PairPlan, networkTag: (name: string) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const server of plan.servers) {
    if (SERVER_NAME.test(server)) continue;
    const i = m.ha?.peers.findIndex((p) => p.name === server) ?? -1;
    if (m.ha && i >= 0) {
      out.push(diagnostic('SERVER_NAME_ILLEGAL', 'error', { name: printable(server) }, [...m.ha.path, 'peers', i, 'name']));
    } else {
      out.push(diagnostic('BAD_FLAG', 'error', { flag: '--servers', problem: `"${printable(server)}" is not a usable server name (letters, digits, ".", "_", "-"; at most 63)` }));
    }
  }
  const byTag = new Map<string, string>();
  for (const n of m.sharedNetworks) {
    const tag = networkTag(n.name);
    const first = byTag.get(tag);
    if (first !== undefined) {
      const firstNet = m.sharedNetworks.find((x) => x.name === first)!;
      out.push({
        ...diagnostic('SHARED_NETWORK_TAG_CLASH', 'error', { name: printable(n.name), other: printable(first), tag }, [...n.path, 'name']),
        related: [{ path: [...firstNet.path, 'name'], label: 'same tag as this shared network' }],
      });
    } else byTag.set(tag, n.name);
  }
  return out;
}

/**
 * Last line of defence, over the generated dnsmasq files: no line longer than dnsmasq reads as
 * one line, and no NUL or CR (which dnsmasq would take as part of a line it then misreads).
 * Every rule above should make this unreachable; it exists so that a future emitter bug fails
 * loudly instead of writing a config that means something else.
 */
export function unsafeGeneratedLines(files: readonly PlannedFile[]): { path: string; line: number; problem: string }[] {
  const out: { path: string; line: number; problem: string }[] = [];
  // Both servers' copies of a shared file are one string: each text is looked at once.
  const byText = new Map<string, readonly LineProblem[]>();
  for (const f of files) {
    if (!/\/etc\//.test(`/${f.path}`)) continue;
    let found = byText.get(f.contents);
    if (found === undefined) byText.set(f.contents, (found = lineProblems(f.contents)));
    for (const { line, problem } of found) out.push({ path: f.path, line, problem });
  }
  return out;
}

interface LineProblem {
  line: number;
  problem: string;
}

const NO_PROBLEMS: readonly LineProblem[] = [];
/** A line can only exceed the limit in UTF-8 bytes if it is longer than this in UTF-16 code units (no code unit takes more than 3 bytes). */
const SAFE_LINE_UNITS = Math.floor(DNSMASQ_MAX_LINE_BYTES / 3);

function lineProblems(text: string): readonly LineProblem[] {
  // The texts are megabytes: two memchr-speed searches and a walk that skips from line break to
  // line break, SAFE_LINE_UNITS at a time, clear almost every text; only a text they do not clear
  // is walked line by line (looking for a NUL or CR in each line only if the text has one).
  const nulOrCr = text.includes('\0') || text.includes('\r');
  if (!nulOrCr && linesAtMost(text, SAFE_LINE_UNITS)) return NO_PROBLEMS;
  const out: LineProblem[] = [];
  let start = 0;
  for (let line = 1; ; line++) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (nulOrCr || end - start > SAFE_LINE_UNITS) {
      const l = text.slice(start, end);
      if (NUL_OR_CR.test(l)) out.push({ line, problem: 'a NUL or carriage return' });
      else if (bytes(l) > DNSMASQ_MAX_LINE_BYTES) out.push({ line, problem: `${bytes(l)} bytes (dnsmasq reads ${DNSMASQ_MAX_LINE_BYTES})` });
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

/**
 * Whether no line of `text` is longer than `max` code units. A line starting at `start` is short
 * enough exactly when a line break lies within the next `max` units (or the text ends there),
 * and then so is every line up to the last such break: one lastIndexOf covers several lines.
 */
function linesAtMost(text: string, max: number): boolean {
  let start = 0;
  while (text.length - start > max) {
    const nl = text.lastIndexOf('\n', start + max);
    if (nl < start) return false;
    start = nl + 1;
  }
  return true;
}
