/**
 * dnsmasq's side of an option: which `dhcp-option=<token>,<value>` makes dnsmasq 2.90 send given
 * bytes, and a model of what dnsmasq sends for such a line.
 *
 * Everything here comes from the dnsmasq 2.90 source (src/option.c read_file, parse_dhcp_opt,
 * split_chr, hide_meta/unhide_metas, opt_string_alloc, canonicalise_opt; src/util.c parse_hex,
 * canonicalise, check_name; src/dhcp-common.c opttab, lookup_dhcp_opt, lookup_dhcp_len;
 * src/rfc2131.c do_options, do_opt) and was checked against the real binary where it could be
 * (`dnsmasq --test`, and a DHCP exchange in test/options-wire.test.ts).
 *
 * Formatting contract for a DnsmasqOption `{token, value}`: the config line is
 * `dhcp-option=[<tags>,]<token>,<value>`, except when `value` is '' — then it is the value-less
 * `dhcp-option=[<tags>,]<token>` (no trailing comma: `N,` is an empty *string*, which dnsmasq
 * rejects for address options and NUL-terminates for some clients). Use `dhcpOptionArg`.
 */
import type { OptionDef } from './kea-option-defs.js';
import type { Encoded } from './encode-kea.js';
import { bytesEqual, colonHex, concat, formatIPv4, fromUtf8, parseIPv4Strict, utf8 } from './bytes.js';
import {
  OT_ADDR_LIST,
  OT_CSTRING,
  OT_INTERNAL,
  OT_NAME,
  OT_RFC1035_NAME,
  OT_TIME,
  lookupDhcpLen,
  opttabByCode,
  opttabByName,
} from './dnsmasq-opttab.js';

export type DnsmasqOption =
  | {
      ok: true;
      /** 'option:dns-server' or a decimal code like '42' */
      token: string;
      /** the text after 'token,' — may be '' (then write the value-less form, see dhcpOptionArg) */
      value: string;
      /** set when dnsmasq will send different bytes than Kea (e.g. 119 compressed): a short explanation */
      changed?: string;
    }
  | { ok: false; reason: string };

/** The argument of a dhcp-option line for a converted option: `token,value`, or just `token` when value is ''. */
export function dhcpOptionArg(opt: { token: string; value: string }): string {
  return opt.value === '' ? opt.token : `${opt.token},${opt.value}`;
}

/**
 * dnsmasq reads its config with fgets(buff, MAXDNAME=1025) (src/option.c read_file,
 * src/dns-protocol.h): a line of more than 1024 bytes (newline not counted) is cut and the rest read
 * as another line. Checked with dnsmasq 2.90 --test: 1024 bytes pass, 1025 fail.
 */
export const DNSMASQ_MAX_LINE_BYTES = 1024;

/** Codes for which an empty dhcp-option means "don't send" (rfc2131.c do_options). */
const SUPPRESS_WHEN_EMPTY = new Set([1, 28, 3, 6, 15, 12]);
/** Codes do_options never sends from configuration (81, 57, 52, PAD, END; T1/T2 handled separately). */
const NEVER_SENT: ReadonlyMap<number, string> = new Map([
  [0, 'code 0 is PAD'],
  [255, 'code 255 is END (dnsmasq uses option:server-ip-address/255 only to set siaddr)'],
  [52, 'dnsmasq never sends a configured option 52 (option-overload); it decides overloading itself'],
  [57, 'dnsmasq never sends a configured option 57 (max-message-size)'],
  [81, 'dnsmasq ignores a configured option 81 (client FQDN); it builds 81 from the client request and dhcp-host names'],
]);
/** Codes dnsmasq always puts in the reply itself: a configured copy would be sent as a second instance. */
const DUPLICATED: ReadonlyMap<number, string> = new Map([
  [51, 'dnsmasq always sends its own lease time (51) from dhcp-range/dhcp-host; a configured 51 would be a second copy'],
  [53, 'dnsmasq always sends its own message type (53); a configured 53 would be a second copy'],
  [54, 'dnsmasq always sends its own server identifier (54); a configured 54 would be a second copy'],
  [82, 'dnsmasq echoes the relay agent information (82) verbatim; a configured 82 would be a second copy'],
  [118, 'dnsmasq echoes subnet-selection (118) itself when the request carried it; a configured 118 would be a second copy'],
]);

// =============================================================================================
// The model: what dnsmasq sends for `dhcp-option=<token>,<value>`

export type ModelResult = { ok: true; code: number; bytes: Uint8Array } | { ok: false; problem: string };

class ModelError extends Error {}
function mfail(problem: string): never {
  throw new ModelError(problem);
}

/**
 * What dnsmasq would send for `dhcp-option=<token>,<value>` (value '' = the value-less line
 * `dhcp-option=<token>`): a model of read_file + parse_dhcp_opt + do_opt for the forms this module
 * emits (and common others). `token` may carry dnsmasq's own prefixes (`tag:x,`, `encap:N,`,
 * `vendor:...,`, `vi-encap:N,`) before the code.
 *
 * Modelled send-time effects: options 66/67 given as text get a NUL appended (do_opt forces
 * null_term for them, unless the text is 255 bytes); an empty value for 1/3/6/12/15/28 suppresses the
 * option (ok:false); 0.0.0.0 in an address list is replaced by dnsmasq's own address (ok:false,
 * since the bytes depend on the server); codes never sent from config are ok:false.
 * Not modelled (client-dependent): the extra NUL dnsmasq appends to every text option for clients
 * that NUL-terminate their own hostname option (borken_opt/null_term in rfc2131.c).
 */
export function dnsmasqOptionBytes(token: string, value: string): ModelResult {
  try {
    const line = `dhcp-option=${token}${value === '' ? '' : `,${value}`}`;
    const arg = readConfigLine(line);
    return parseDhcpOpt(arg);
  } catch (e) {
    if (e instanceof ModelError) return { ok: false, problem: e.message };
    throw e;
  }
}

// ---- src/option.c read_file (one line) -------------------------------------------------------

/** meta[] from src/option.c: quoted characters are "hidden" as their index in this table. */
const META = [0, ...utf8('123456 \b\t\n78\r90abcdefABCDE\x1bF:,.')];
const HIDE = new Map<number, number>(META.map((c, i) => [c, i]));
const hideMeta = (c: number): number => HIDE.get(c) ?? c;
const unhideMeta = (c: number): number => (c < META.length ? (META[c] as number) : c);

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** Returns the argument bytes (after `=`) as read_file hands them to one_opt, NUL-terminated. */
function readConfigLine(line: string): number[] {
  if (/[\n\0]/.test(line)) mfail('the value contains a line break or NUL byte, which cannot be written into a config line');
  const raw = utf8(`${line}\n`);
  if (raw.length - 1 > DNSMASQ_MAX_LINE_BYTES) {
    mfail(`the line is ${raw.length - 1} bytes; dnsmasq reads at most ${DNSMASQ_MAX_LINE_BYTES} bytes per line`);
  }
  const b = [...raw, 0];
  const remove = (i: number): void => {
    b.splice(i, 1);
  };
  let white = true;
  for (let p = 0; b[p] !== 0; p++) {
    if (b[p] === 0x22) {
      remove(p);
      for (; p < b.length && b[p] !== 0 && b[p] !== 0x22; p++) {
        const next = b[p + 1] as number;
        if (b[p] === 0x5c && (next === 0 || utf8('"tnebr\\').includes(next))) {
          if (next === 0x74) b[p + 1] = 0x09;
          else if (next === 0x6e) b[p + 1] = 0x0a;
          else if (next === 0x62) b[p + 1] = 0x08;
          else if (next === 0x72) b[p + 1] = 0x0d;
          else if (next === 0x65) b[p + 1] = 0x1b;
          remove(p);
        }
        b[p] = hideMeta(b[p] as number);
      }
      if (p >= b.length || b[p] === 0) mfail('missing "');
      remove(p);
      if (b[p] === 0) break; // (C reads past the end here; lines always end in \n so this is unreachable)
    }
    if (isSpace(b[p] as number)) {
      b[p] = 0x20;
      white = true;
    } else {
      if (white && b[p] === 0x23) {
        b[p] = 0;
        break;
      }
      white = false;
    }
  }
  let end = b.indexOf(0);
  let start = 0;
  while (start < end && b[start] === 0x20) start++;
  while (end > start && b[end - 1] === 0x20) end--;
  const s = b.slice(start, end);
  const eq = s.indexOf(0x3d);
  if (eq < 0) mfail('no "=" in the line');
  let a = eq + 1;
  while (s[a] === 0x20) a++;
  const name = String.fromCharCode(...s.slice(0, eq)).replace(/[ =]+$/, '');
  if (name !== 'dhcp-option') mfail('not a dhcp-option line');
  return [...s.slice(a), 0];
}

// ---- src/option.c parse_dhcp_opt -------------------------------------------------------------

function strlen(s: number[], i: number): number {
  let n = 0;
  while (s[i + n] !== 0 && i + n < s.length) n++;
  return n;
}
function str(s: number[], i: number): string {
  return String.fromCharCode(...s.slice(i, i + strlen(s, i)));
}
function startsWith(s: number[], i: number, prefix: string): boolean {
  for (let k = 0; k < prefix.length; k++) if (s[i + k] !== prefix.charCodeAt(k)) return false;
  return true;
}

/** split_chr: terminate at the next `c`, trim spaces on both sides; index after it or -1. */
function splitChr(s: number[], i: number, c: number): number {
  if (i < 0) return -1;
  let comma = -1;
  for (let k = i; s[k] !== 0 && k < s.length; k++) {
    if (s[k] === c) {
      comma = k;
      break;
    }
  }
  if (comma < 0) return -1;
  let p = comma;
  s[comma] = 0x20;
  for (; s[comma] === 0x20; comma++);
  for (; p >= i && s[p] === 0x20; p--) s[p] = 0;
  return comma;
}
const split = (s: number[], i: number): number => splitChr(s, i, 0x2c);

/** atoi as glibc does it: (int) strtol(s, NULL, 10). */
function atoi(s: number[], i: number): number {
  let k = i;
  while (isSpace(s[k] ?? 0)) k++;
  let neg = false;
  if (s[k] === 0x2d || s[k] === 0x2b) {
    neg = s[k] === 0x2d;
    k++;
  }
  let v = 0n;
  const max = 2n ** 63n;
  let over = false;
  while ((s[k] ?? 0) >= 0x30 && (s[k] ?? 0) <= 0x39) {
    v = v * 10n + BigInt((s[k] as number) - 0x30);
    if (v > max) over = true;
    k++;
  }
  if (over) v = neg ? max : max - 1n; // strtol clamps to LONG_MIN/LONG_MAX
  if (neg) v = -v;
  return Number(BigInt.asIntN(32, v));
}

/** inet_pton(AF_INET) on hidden-meta-free text. */
function inetPton(s: number[], i: number): Uint8Array | undefined {
  return parseIPv4Strict(str(s, i));
}

const DHOPT_STRING = 1;
const DHOPT_HEX = 2;
const DHOPT_ADDR = 4;

function parseDhcpOpt(s: number[]): ModelResult {
  let flags = 0;
  let vendor = false;
  let encap = false;
  let rfc3925 = false;
  let opt = 0;
  let optLen = 0;
  let optionOk = false;
  let arg = 0;
  let comma = -1;

  while (arg >= 0) {
    comma = split(s, arg);
    let cp = arg;
    while (s[cp] !== 0 && (s[cp] as number) >= 0x30 && (s[cp] as number) <= 0x39) cp++;
    if (s[cp] === 0) {
      opt = atoi(s, arg);
      optLen = 0;
      optionOk = true;
      break;
    }
    if (startsWith(s, arg, 'option:')) {
      const e = opttabByName(str(s, arg + 7));
      if (e) {
        opt = e.code;
        optLen = lookupDhcpLen(e.code);
        if (!(optLen & OT_INTERNAL)) optionOk = true;
      }
      break;
    }
    if (startsWith(s, arg, 'option6:')) mfail('a DHCPv6 option (option6:) is outside this model');
    if (startsWith(s, arg, 'vendor:')) {
      vendor = true;
      if (encap) mfail('inappropriate vendor:');
    } else if (startsWith(s, arg, 'encap:')) {
      encap = true;
      if (vendor) mfail('inappropriate encap:');
    } else if (startsWith(s, arg, 'vi-encap:')) {
      rfc3925 = true;
    }
    // anything else is a tag
    arg = comma;
  }
  const encapsulated = vendor || encap || rfc3925;
  if (optLen === 0 && !encapsulated) optLen = lookupDhcpLen(opt);
  if (!optionOk) mfail('bad dhcp-option');

  let val: number[] = [];
  let len = 0;
  if (comma >= 0) {
    // characterise the value
    let isAddr = true;
    let isHex = true;
    let isDec = true;
    let isString = true;
    let addrs = 1;
    let digs = 1;
    let dots = 0;
    let foundDig = false;
    let lenchar = 0;
    for (let cp = comma; s[cp] !== 0 && cp < s.length; cp++) {
      const c = s[cp] as number;
      if (c === 0x2c) {
        addrs++;
        isDec = isHex = false;
      } else if (c === 0x3a) {
        digs++;
        isDec = isAddr = false;
      } else if (c === 0x2f) {
        isDec = isHex = false;
        if (cp === comma) isAddr = false;
      } else if (c === 0x2e) {
        isDec = isHex = false;
        dots++;
      } else if (c === 0x2d) {
        isHex = isAddr = false;
      } else if (c === 0x20) {
        isDec = isHex = false;
      } else if (!(c >= 0x30 && c <= 0x39)) {
        isAddr = false;
        if (s[cp + 1] === 0 && isDec && (c === 0x62 || c === 0x73 || c === 0x69)) {
          lenchar = c;
          s[cp] = 0;
        } else {
          isDec = false;
        }
        if (!((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) isHex = false;
      } else {
        foundDig = true;
      }
    }
    if (!foundDig) isDec = isAddr = false;

    if (optLen & OT_ADDR_LIST) {
      isString = isDec = isHex = false;
      if (!isAddr || dots === 0) mfail('bad IP address');
    } else if (optLen & (OT_NAME | OT_RFC1035_NAME | OT_CSTRING)) {
      isAddr = isDec = isHex = false;
    }

    const valueLen = strlen(s, comma);
    if (foundDig && optLen & OT_TIME && valueLen > 0) {
      let fac = 1;
      const last = s[comma + valueLen - 1] as number;
      const suffix = String.fromCharCode(last).toLowerCase();
      if ('wdhms'.includes(suffix)) {
        if (suffix === 'w') fac = 7 * 24 * 60 * 60;
        else if (suffix === 'd') fac = 24 * 60 * 60;
        else if (suffix === 'h') fac = 60 * 60;
        else if (suffix === 'm') fac = 60;
        s[comma + valueLen - 1] = 0;
      }
      const v = BigInt.asUintN(32, BigInt(atoi(s, comma)) * BigInt(fac));
      val = [Number(v >> 24n), Number((v >> 16n) & 0xffn), Number((v >> 8n) & 0xffn), Number(v & 0xffn)];
      len = 4;
    } else if (isHex && digs > 1) {
      val = parseHex(s, comma, digs);
      len = digs;
      flags |= DHOPT_HEX;
    } else if (isDec) {
      const v = atoi(s, comma);
      if (optLen !== 0) len = optLen;
      else if (v & 0xffff0000) len = 4;
      else if (v & 0xff00) len = 2;
      else len = 1;
      if (lenchar === 0x62) len = 1;
      else if (lenchar === 0x73) len = 2;
      else if (lenchar === 0x69) len = 4;
      if (len > 255) mfail('dhcp-option too long');
      val = [];
      for (let i = 0; i < len; i++) {
        const shift = (len - i - 1) * 8;
        val.push(shift >= 32 ? (v < 0 ? 0xff : 0) : (v >> shift) & 0xff);
      }
    } else if (isAddr) {
      flags |= DHOPT_ADDR;
      if (!encapsulated && opt === 120) {
        val.push(1); // RFC 3361 enc byte
        flags &= ~DHOPT_ADDR;
      }
      let cur = comma;
      while (addrs-- > 0) {
        const cp = cur;
        cur = split(s, cp);
        const slash = splitChr(s, cp, 0x2f);
        const a = inetPton(s, cp);
        if (!a) mfail('bad IPv4 address');
        if (slash < 0) {
          val.push(...a);
        } else {
          const netsize = atoi(s, slash);
          val.push(netsize & 0xff);
          if (netsize > 0) val.push(a[0] as number);
          if (netsize > 8) val.push(a[1] as number);
          if (netsize > 16) val.push(a[2] as number);
          if (netsize > 24) val.push(a[3] as number);
          flags &= ~DHOPT_ADDR; // cannot re-write descriptor format
        }
      }
      len = val.length;
    } else if (isString) {
      if ((opt === 119 || opt === 120) && !encapsulated) {
        val = rfc1035NameList(s, comma, opt === 119 ? 0 : 1);
        len = val.length;
      } else {
        len = strlen(s, comma);
        val = s.slice(comma, comma + len).map(unhideMeta);
        flags |= DHOPT_STRING;
      }
    }
  }

  if (len > 255 || (len > 253 && (vendor || encap)) || (len > 250 && rfc3925)) mfail('dhcp-option too long');

  // ---- what do_options/do_opt put on the wire (src/rfc2131.c)
  if (!encapsulated) {
    const never = NEVER_SENT.get(opt);
    if (never) mfail(never);
    if (len === 0 && SUPPRESS_WHEN_EMPTY.has(opt)) {
      mfail(`an empty value for option ${opt} means "do not send option ${opt}" in dnsmasq`);
    }
    if (flags & DHOPT_ADDR) {
      for (let j = 0; j + 4 <= len; j += 4) {
        if (val.slice(j, j + 4).every((x) => x === 0)) {
          mfail(`0.0.0.0 in the value of option ${opt} is replaced by dnsmasq's own address when sent`);
        }
      }
    }
    if (flags & DHOPT_STRING && (opt === 66 || opt === 67) && len !== 255) {
      val = [...val, 0];
      len++;
    }
    if ((opt === 58 || opt === 59) && len !== 4) mfail(`option ${opt} (T${opt - 57}) needs a 4-byte value`);
  }
  return { ok: true, code: opt, bytes: Uint8Array.from(val.slice(0, len)) };
}

/** util.c parse_hex with maxlen = digs (the number of colon-separated groups). */
function parseHex(s: number[], start: number, maxlen: number): number[] {
  const out: number[] = [];
  let i = start;
  let done = false;
  while (!done && out.length < maxlen) {
    let r = i;
    while (s[r] !== 0 && s[r] !== 0x3a && s[r] !== 0x2d && s[r] !== 0x20) r++;
    if (s[r] === 0) done = true;
    if (r !== i) {
      const group = String.fromCharCode(...s.slice(i, r));
      const bytes = Math.floor((1 + group.length) / 2);
      for (let j = 0; j < bytes && out.length < maxlen; j++) out.push(parseInt(group.slice(j * 2, j * 2 + 2), 16));
    }
    i = r + 1;
  }
  if (out.length < maxlen) mfail('malformed colon-separated hex (empty group)');
  return out;
}

/** The 119/120 text branch: names in RFC 1035 format, each tail-compressed against earlier names. */
function rfc1035NameList(s: number[], start: number, headerSize: number): number[] {
  const m: number[] = new Array<number>(headerSize).fill(0);
  let len = 0;
  let arg = start;
  let comma = split(s, arg);
  while (arg >= 0 && s[arg] !== 0) {
    const raw = s.slice(arg, arg + strlen(s, arg)).map(unhideMeta);
    let dom: number[] = [];
    const isRoot = raw.length === 1 && raw[0] === 0x2e;
    if (!isRoot) dom = canonicalise(raw);
    // add the name on the end in RFC 1035 format
    const p = headerSize;
    let q = p + len;
    m.length = q;
    let k = 0;
    while (k < dom.length) {
      const cp = q++;
      let j = 0;
      for (; k < dom.length && dom[k] !== 0x2e; k++, j++) m[q++] = dom[k] as number;
      m[cp] = j;
      if (k < dom.length) k++;
    }
    m[q++] = 0;
    // tail-compress using earlier names (strcmp over the label bytes)
    let newlen = q - p;
    const at = (x: number): number => (x < m.length ? (m[x] as number) : 0);
    const strcmpEq = (a: number, b: number): boolean => {
      for (let t = 0; ; t++) {
        const ca = at(a + t);
        if (ca !== at(b + t)) return false;
        if (ca === 0) return true;
      }
    };
    outer: for (let tail = p + len; at(tail) !== 0; tail += at(tail) + 1) {
      for (let r = p; r - p < len; r += at(r) + 1) {
        if (strcmpEq(r, tail)) {
          const ptr = (r - p) | 0xc000;
          m[tail] = ptr >> 8;
          m[tail + 1] = ptr & 0xff;
          newlen = tail - p + 2;
          break outer;
        }
      }
    }
    len = newlen;
    m.length = p + len;
    arg = comma;
    comma = split(s, arg);
  }
  if (headerSize === 1 && m.length > 0) m[0] = 0;
  return m.slice(0, headerSize + len);
}

/**
 * canonicalise() for ASCII names: fails on an empty name, a label over 63 bytes or control
 * characters; strips one trailing dot. A name with upper-case letters goes through libidn2
 * (idn2_to_ascii_lz, IDN2_NONTRANSITIONAL: UTS #46 mapping), which lower-cases it; names with
 * non-ASCII bytes are IDN-encoded, which this model does not reproduce.
 */
function canonicalise(raw: number[]): number[] {
  let name = raw;
  if (name.length === 0 || name.length > 1025) mfail('bad domain in dhcp-option');
  let nowhite = false;
  if (name[name.length - 1] === 0x2e) {
    name = name.slice(0, -1);
    nowhite = true;
  }
  let gap = 0;
  let upper = false;
  for (const c of name) {
    if (c === 0x2e) gap = 0;
    else if (++gap > 63) mfail('bad domain in dhcp-option');
    else if (c < 0x20 || c === 0x7f) mfail('bad domain in dhcp-option');
    else if (c >= 0x80) mfail('a non-ASCII name is IDN-encoded by dnsmasq (not modelled)');
    else if (c !== 0x20) {
      nowhite = true;
      if (c >= 0x41 && c <= 0x5a) upper = true;
    }
  }
  if (!nowhite) mfail('bad domain in dhcp-option');
  return upper ? name.map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c)) : name;
}

// =============================================================================================
// Quoting

/**
 * Quote `s` so that dnsmasq's config reader yields exactly `s` (read_file: inside "..." it turns
 * \\ \" \t \n \r \b \e into characters; everything else is kept literally, and `#`, `,`, spaces,
 * `:` and `.` lose their meaning). Returns undefined for what cannot survive: NUL, and control
 * characters other than \t \n \r \b \e (dnsmasq's hide/unhide of metacharacters maps bytes 1..31
 * onto "123456 78 90abcdefABCDEF:,." when it reads them back).
 */
export function quoteDnsmasqString(s: string): string | undefined {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\b') out += '\\b';
    else if (c === 0x1b) out += '\\e';
    else if (c < 0x20) return undefined;
    else out += ch;
  }
  return `${out}"`;
}

// =============================================================================================
// Kea bytes -> dnsmasq value

interface Candidate {
  value: string;
  /** the bytes dnsmasq must produce for this candidate to be accepted (default: Kea's bytes) */
  expect?: Uint8Array;
  changed?: string;
}

const SIGNED = new Set(['int8', 'int16', 'int32']);
const INT_SIZES: Record<string, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, boolean: 1 };

function readUint(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

function decimalOf(b: Uint8Array, signed: boolean): string {
  const u = readUint(b);
  if (signed && b.length > 0 && ((b[0] as number) & 0x80) !== 0) return String(u - 2 ** (8 * b.length));
  return String(u);
}

/** Hex (2+ bytes) or a 1-byte decimal: dnsmasq's "binary" forms. */
function binaryCandidates(b: Uint8Array): Candidate[] {
  if (b.length >= 2) return [{ value: colonHex(b) }];
  if (b.length === 1) return [{ value: String(b[0]) }, { value: `${b[0]}b` }];
  return [];
}

function intCandidates(b: Uint8Array, signed: boolean): Candidate[] {
  const out: Candidate[] = [];
  const suffix = b.length === 1 ? 'b' : b.length === 2 ? 's' : b.length === 4 ? 'i' : undefined;
  const dec = decimalOf(b, signed);
  const fitsAtoi = Number(dec) >= -(2 ** 31) && Number(dec) <= 2 ** 31 - 1;
  if (fitsAtoi) {
    out.push({ value: dec });
    if (suffix) out.push({ value: `${dec}${suffix}` });
  }
  // A value above INT_MAX: atoi would overflow; the signed spelling is exact for 4-byte fields.
  if (!fitsAtoi && b.length === 4) {
    out.push(...binaryCandidates(b));
    const s = decimalOf(b, true);
    out.push({ value: s }, { value: `${s}i` });
  }
  return out;
}

function quadList(b: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(formatIPv4(b, i));
  return out;
}

/**
 * Address-list forms. A list containing 0.0.0.0 is sent literally only when the line has at least
 * one `a.b.c.d/n` descriptor (which clears DHOPT_ADDR): 0.0.0.0/0 is one zero byte, so the first
 * 0.0.0.0 becomes four of them.
 */
function addressCandidates(b: Uint8Array, allowHex: boolean): Candidate[] {
  const out: Candidate[] = [];
  if (b.length % 4 === 0 && b.length > 0) {
    const quads = quadList(b);
    out.push({ value: quads.join(',') }); // rejected by the model if a 0.0.0.0 would be rewritten
    if (allowHex) out.push(...binaryCandidates(b));
    const zero = quads.indexOf('0.0.0.0');
    if (zero >= 0) {
      const q = [...quads];
      q.splice(zero, 1, '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0');
      out.push({ value: q.join(',') });
    }
  } else if (allowHex) {
    out.push(...binaryCandidates(b));
  } else {
    const d = descriptorDecomposition(b);
    if (d) out.push({ value: d });
  }
  return out;
}

/** Address-list text for arbitrary bytes: plain quads (4 bytes) and `a.b.c.d/n` descriptors (1-5 bytes). */
function descriptorDecomposition(b: Uint8Array): string | undefined {
  const L = (n: number): number => 1 + (n > 0 ? 1 : 0) + (n > 8 ? 1 : 0) + (n > 16 ? 1 : 0) + (n > 24 ? 1 : 0);
  const n = b.length;
  const best: ({ cost: number; parts: string[] } | undefined)[] = new Array(n + 1).fill(undefined);
  best[0] = { cost: 0, parts: [] };
  for (let i = 0; i < n; i++) {
    const cur = best[i];
    if (!cur) continue;
    const relax = (j: number, cost: number, part: string): void => {
      const prev = best[j];
      if (j <= n && (!prev || prev.cost > cost)) best[j] = { cost, parts: [...cur.parts, part] };
    };
    if (i + 4 <= n) relax(i + 4, cur.cost, formatIPv4(b, i));
    const w = b[i] as number;
    const l = L(w);
    if (i + l <= n) {
      const oct = [0, 0, 0, 0];
      for (let k = 1; k < l; k++) oct[k - 1] = b[i + k] as number;
      relax(i + l, cur.cost + 1, `${oct.join('.')}/${w}`);
    }
  }
  const r = best[n];
  if (!r || r.cost === 0) return undefined;
  return r.parts.join(',');
}

function textCandidate(b: Uint8Array): Candidate | undefined {
  const t = fromUtf8(b);
  if (t === undefined) return undefined;
  const q = quoteDnsmasqString(t);
  return q === undefined ? undefined : { value: q };
}

/** Parse uncompressed wire names; undefined if the bytes are not a clean name list. */
function wireNames(b: Uint8Array): number[][][] | undefined {
  const names: number[][][] = [];
  let i = 0;
  while (i < b.length) {
    const labels: number[][] = [];
    for (;;) {
      if (i >= b.length) return undefined;
      const l = b[i] as number;
      if (l === 0) {
        i++;
        break;
      }
      if (l > 63 || i + 1 + l > b.length) return undefined;
      labels.push(Array.from(b.subarray(i + 1, i + 1 + l)));
      i += 1 + l;
    }
    names.push(labels);
  }
  return names;
}

function namesText(names: number[][][]): string | undefined {
  const parts: string[] = [];
  for (const labels of names) {
    if (labels.length === 0) {
      parts.push('.');
      continue;
    }
    let t = '';
    for (const lab of labels) {
      const s = fromUtf8(Uint8Array.from(lab));
      if (s === undefined || /[.,\\"#\s\x00-\x1f]/.test(s)) return undefined;
      t += (t ? '.' : '') + s;
    }
    parts.push(t);
  }
  return parts.join(',');
}

/** Undo RFC 1035 compression (for comparing dnsmasq's 119 bytes with Kea's). */
function decompressNames(b: Uint8Array): Uint8Array | undefined {
  const out: number[] = [];
  let pos = 0;
  while (pos < b.length) {
    let i = pos;
    let jumped = false;
    for (let hops = 0; ; hops++) {
      if (i >= b.length || hops > 255) return undefined;
      const l = b[i] as number;
      if (l === 0) {
        out.push(0);
        if (!jumped) pos = i + 1;
        break;
      }
      if (l >= 0xc0) {
        if (i + 1 >= b.length) return undefined;
        if (!jumped) pos = i + 2;
        jumped = true;
        i = ((l & 0x3f) << 8) | (b[i + 1] as number);
        continue;
      }
      if (i + 1 + l > b.length) return undefined;
      out.push(...b.subarray(i, i + 1 + l));
      i += 1 + l;
    }
  }
  return Uint8Array.from(out);
}

function lower(b: Uint8Array): Uint8Array {
  return b.map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
}

function routeCandidate(b: Uint8Array): Candidate | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i < b.length) {
    const w = b[i] as number;
    if (w > 32) return undefined;
    const sig = Math.ceil(w / 8);
    if (i + 1 + sig + 4 > b.length) return undefined;
    const net = [0, 0, 0, 0];
    for (let k = 0; k < sig; k++) net[k] = b[i + 1 + k] as number;
    parts.push(`${net.join('.')}/${w}`, formatIPv4(b, i + 1 + sig));
    i += 1 + sig + 4;
  }
  return parts.length ? { value: parts.join(',') } : undefined;
}

/**
 * The dnsmasq prefix that puts a sub-option of `space` where Kea puts it, as used by the model:
 * `vi-encap:<enterprise>` for `vendor-<enterprise>`, `vendor:` (any vendor class) for option 43's
 * space, `encap:0` (a stand-in for the encapsulating option's code) for other spaces; undefined for dhcp4.
 */
export function encapPrefix(space: string): string | undefined {
  if (space === 'dhcp4') return undefined;
  const vi = /^vendor-(\d+)$/.exec(space);
  if (vi) return `vi-encap:${vi[1]}`;
  if (space === 'vendor-encapsulated-options-space') return 'vendor:';
  return 'encap:0';
}

/**
 * A dnsmasq dhcp-option token and value that make dnsmasq send Kea's bytes (verified against the
 * dnsmasqOptionBytes model), the closest form with `changed` set, or the reason there is none.
 * For a definition outside the dhcp4 space the result is a sub-option (`encap:`/`vendor:`/`vi-encap:`
 * is the caller's prefix): dnsmasq then applies no opttab typing and a 253 (250 for vi-encap) limit.
 */
export interface ToDnsmasqOptions {
  /**
   * Write text-typed options that dnsmasq does not force to text as colon-hex instead of a quoted
   * string. Quoted text is readable, but dnsmasq appends a NUL to text options for clients whose own
   * hostname option ends in NUL (rfc2131.c borken_opt/null_term); hex is exact for every client.
   */
  textAsHex?: boolean;
}

export function toDnsmasqOption(
  def: OptionDef | undefined,
  code: number,
  encoded: Extract<Encoded, { ok: true }>,
  options: ToDnsmasqOptions = {},
): DnsmasqOption {
  const bytes = encoded.bytes;
  const space = def?.space ?? 'dhcp4';
  const prefix = encapPrefix(space);
  if (!Number.isInteger(code) || code < 0 || code > 255) return { ok: false, reason: `option code ${code} is not 0..255` };
  if (!prefix) {
    const never = NEVER_SENT.get(code);
    if (never) return { ok: false, reason: never };
    const dup = DUPLICATED.get(code);
    if (dup) return { ok: false, reason: dup };
  }
  const max = prefix?.startsWith('vi-encap') ? 250 : prefix ? 253 : 255;
  if (bytes.length > max) {
    return {
      ok: false,
      reason: `the option is ${bytes.length} bytes; dnsmasq accepts at most ${max} bytes for one ${prefix ? 'sub-option' : 'option'} and cannot split long options (RFC 3396) as Kea does`,
    };
  }
  const entry = prefix ? undefined : opttabByCode(code);
  const size = entry?.size ?? 0;
  const token = entry && !(size & OT_INTERNAL) ? `option:${entry.name}` : String(code);
  const modelToken = prefix ? `${prefix},${token}` : token;

  if (bytes.length === 0) {
    if (!prefix && SUPPRESS_WHEN_EMPTY.has(code)) {
      return {
        ok: false,
        reason: `Kea sends option ${code} with no data, but a value-less dhcp-option=${code} means "do not send option ${code}" in dnsmasq`,
      };
    }
    const r = dnsmasqOptionBytes(modelToken, '');
    if (r.ok && r.bytes.length === 0) return finish({ ok: true, token, value: '' }, code, prefix);
    return { ok: false, reason: `dnsmasq cannot send an empty option ${code}${r.ok ? '' : `: ${r.problem}`}` };
  }

  const type = def?.type;
  const candidates: Candidate[] = [];
  let forced: string | undefined;
  if (size & OT_ADDR_LIST) {
    forced = 'an IPv4 address list';
    candidates.push(...addressCandidates(bytes, false));
  } else if (size & OT_NAME) {
    forced = 'text';
    const t = textCandidate(bytes);
    if (code === 66 || code === 67) {
      // do_opt NUL-terminates 66/67 text (unless it is 255 bytes long).
      if (bytes.length >= 2 && bytes[bytes.length - 1] === 0) {
        const trimmed = textCandidate(bytes.subarray(0, -1));
        if (trimmed) candidates.push(trimmed);
      }
      if (t && bytes.length === 255) candidates.push(t);
      else if (t) {
        candidates.push({
          ...t,
          expect: concat([bytes, [0]]),
          changed: `dnsmasq appends a NUL byte to option ${code} (always for ${code === 66 ? 'tftp-server' : 'bootfile-name'}, for PXE ROMs); and a client that does not request ${code} gets the text in the BOOTP ${code === 66 ? 'sname' : 'file'} field instead unless the line is dhcp-option-force`,
        });
      }
    } else if (t) candidates.push(t);
  } else if (size & OT_RFC1035_NAME) {
    forced = 'domain names';
    const names = wireNames(bytes);
    const text = names && namesText(names);
    if (text !== undefined && text !== '') {
      const r = dnsmasqOptionBytes(modelToken, text);
      if (r.ok) {
        if (bytesEqual(r.bytes, bytes)) return finish({ ok: true, token, value: text }, code, prefix);
        const d = decompressNames(r.bytes);
        if (d && bytesEqual(d, bytes)) {
          return finish({ ok: true, token, value: text, changed: 'dnsmasq compresses the domain-search list (RFC 1035 pointers); Kea sends it uncompressed. Same names.' }, code, prefix);
        }
        if (d && bytesEqual(d, lower(bytes))) {
          return finish(
            {
              ok: true,
              token,
              value: text,
              changed: `dnsmasq lower-cases the names${bytesEqual(r.bytes, lower(bytes)) ? '' : ' and compresses the list (RFC 1035 pointers)'}; Kea sends them as written, uncompressed. Same names (DNS names are case-insensitive).`,
            },
            code,
            prefix,
          );
        }
      }
    }
  } else if (size & OT_TIME) {
    forced = 'a 32-bit number of seconds';
    if (bytes.length === 4) candidates.push({ value: decimalOf(bytes, readUint(bytes) > 0x7fffffff) });
  } else {
    // Free-form (or a fixed-size integer entry, which still accepts hex and suffixed decimals).
    const fixed = size & 0xff;
    if (code === 121 && !prefix) {
      const r = routeCandidate(bytes);
      if (r) candidates.push(r);
    }
    if (code === 120 && !prefix && bytes[0] === 1 && bytes.length > 1 && (bytes.length - 1) % 4 === 0) {
      candidates.push({ value: quadList(bytes.subarray(1)).join(',') });
    }
    if (type && INT_SIZES[type] === bytes.length) {
      candidates.push(...intCandidates(bytes, SIGNED.has(type)));
    } else if (fixed && fixed === bytes.length && (!type || type === 'binary')) {
      candidates.push(...intCandidates(bytes, false));
    }
    if (type === 'ipv4-address' || (type === 'record' && def?.recordTypes?.every((t) => t === 'ipv4-address'))) {
      candidates.push(...addressCandidates(bytes, true));
    }
    if (type === 'string' && !options.textAsHex) {
      const t = textCandidate(bytes);
      if (t) candidates.push(t);
    }
    candidates.push(...binaryCandidates(bytes));
  }

  for (const c of candidates) {
    const r = dnsmasqOptionBytes(modelToken, c.value);
    if (r.ok && bytesEqual(r.bytes, c.expect ?? bytes)) {
      return finish({ ok: true, token, value: c.value, ...(c.changed ? { changed: c.changed } : {}) }, code, prefix);
    }
  }
  return { ok: false, reason: unrepresentable(code, bytes, forced, entry?.name) };
}

function finish(o: Extract<DnsmasqOption, { ok: true }>, code: number, prefix: string | undefined): DnsmasqOption {
  if (prefix) return o;
  const notes: string[] = o.changed ? [o.changed] : [];
  if (code === 58 || code === 59) {
    notes.push(
      `dnsmasq always sends T1/T2 itself (0.5/0.875 of the lease) and uses a configured T${code - 57} only when it is above 2 s and below the lease time, minus a per-client random fuzz`,
    );
  }
  if (code === 60) {
    notes.push('for clients that send option 93 (PXE) dnsmasq replaces a configured option 60 with its own "PXEClient"');
  }
  return notes.length ? { ...o, changed: notes.join('; ') } : o;
}

function unrepresentable(code: number, bytes: Uint8Array, forced: string | undefined, name: string | undefined): string {
  const what = `option ${code}${name ? ` (${name})` : ''}`;
  if (forced === 'an IPv4 address list') {
    return `dnsmasq only accepts ${forced} for ${what} and no address list yields these ${bytes.length} bytes (${colonHex(bytes)})`;
  }
  if (forced === 'text') {
    return `dnsmasq only accepts text for ${what}, and these bytes are not expressible as dnsmasq text (NUL, control characters other than \\t \\n \\r \\b \\e, or invalid UTF-8): ${colonHex(bytes)}`;
  }
  if (forced === 'domain names') {
    return `dnsmasq only accepts domain names for ${what} (it rejects hex), and these bytes are not a list of plain ASCII names it can reproduce: ${colonHex(bytes)}`;
  }
  if (forced) return `dnsmasq only accepts ${forced} for ${what}; these ${bytes.length} bytes do not fit (${colonHex(bytes)})`;
  return `no dnsmasq value for ${what} reproduces these bytes (${colonHex(bytes)})`;
}
