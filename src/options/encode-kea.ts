/**
 * Kea's side of an option-data entry: the exact bytes Kea (3.x std option code; 2.2 parses the same
 * way) puts on the wire for `data` + `csv-format` under a definition.
 *
 * Mirrors, from the Kea source:
 *  - src/lib/dhcpsrv/parsers/option_data_parser.cc  OptionDataParser::createOption (csv vs. hex)
 *  - src/lib/util/str.cc  tokens (csv split, `\,` escape), quotedStringToBinary, decodeFormattedHexString
 *  - src/lib/dhcp/option_definition.cc  optionFactory (values -> buffer via writeToBuffer, then the
 *    buffer through the same factory a received option goes through), lexicalCastWithRangeCheck,
 *    convertToBool, factorySpecialFormatOption, factoryFqdnList
 *  - src/lib/dhcp/option_data_types.cc  writeFqdn/writeTuple/writePrefix/writePsid/writeBinary
 *  - src/lib/dns/name.cc  stringParse (text -> wire name)
 *  - option_string.cc (trailing NULs trimmed, empty rejected), option_int(_array).h, option4_addrlst.cc,
 *    option_custom.cc (createBuffers), option_classless_static_route.cc, option_vendor(_class).cc,
 *    option_opaque_data_tuples.cc
 *
 * Deliberate simplifications (reported as problems instead of guessing Kea's re-packing):
 *  - an IPv6 address written into an ipv4-address field (Kea would write 16 bytes) is an error;
 *  - hex data longer than a single integer option (Kea parses the rest as sub-options) is an error;
 *  - option 125 hex data must be one vendor block (data-len + sub-options) or just the enterprise id;
 *  - option 162 (v4-dnr) is only accepted as hex (csv-format false).
 */
import { STANDARD_OPTION_DEFS, type KeaOptionType, type OptionDef } from './kea-option-defs.js';
import { concat, parseIPv4Strict, parseIPv6Strict, utf8 } from './bytes.js';

export type Encoded =
  | {
      ok: true;
      bytes: Uint8Array;
      /** for csv data: the parsed field values, e.g. ['192.0.2.1','192.0.2.2'] */
      values?: string[];
    }
  | { ok: false; problem: string };

class KeaDataError extends Error {}

function fail(problem: string): never {
  throw new KeaDataError(problem);
}

export function encodeKeaOptionData(def: OptionDef | undefined, data: string, csvFormat: boolean | undefined): Encoded {
  try {
    if (!def) {
      if (csvFormat === true) {
        return {
          ok: false,
          problem: 'csv-format is true but Kea has no definition for this option (add an option-def or give the data as hex)',
        };
      }
      return { ok: true, bytes: decodeKeaBinaryData(data) };
    }
    if (csvFormat === false) {
      return { ok: true, bytes: keaFactory(def, decodeKeaBinaryData(data), false) };
    }
    return encodeCsv(def, data);
  } catch (e) {
    if (e instanceof KeaDataError) return { ok: false, problem: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Text helpers (src/lib/util/str.cc)

/** util::str::trim: strips " \t\n" only. */
export function keaTrim(s: string): string {
  return s.replace(/^[ \t\n]+/, '').replace(/[ \t\n]+$/, '');
}

/**
 * util::str::tokens(text, ",", escape=true): runs of delimiters are eaten, empty tokens dropped,
 * `\,` keeps a comma, `\\` keeps one backslash, any other `\x` stays `\x`, a trailing `\` stays.
 */
export function keaTokens(text: string, delim = ',', escape = true): string[] {
  const result: string[] = [];
  let token = '';
  let inToken = false;
  let escaped = false;
  for (const c of text) {
    if (delim.includes(c)) {
      if (!inToken) {
        // eat
      } else if (escaped) {
        escaped = false;
        token += c;
      } else {
        if (token !== '') result.push(token);
        inToken = false;
        token = '';
      }
    } else if (escape && c === '\\') {
      if (!inToken) inToken = true;
      if (escaped) {
        escaped = false;
        token += c;
      } else {
        escaped = true;
      }
    } else {
      if (!inToken) inToken = true;
      if (escaped) {
        escaped = false;
        token += `\\${c}`;
      } else {
        token += c;
      }
    }
  }
  if (escaped) token += '\\';
  if (token !== '') result.push(token);
  return result;
}

const HEX_HELP = "Kea accepts aa:bb:cc, a:b:c, aa bb cc, aabbcc, 0xaabbcc or 'quoted text'";

/**
 * Data of a csv-format:false option (or an option without definition): 'quoted text'
 * (quotedStringToBinary: outer blanks and blanks inside the quotes trimmed) or hex in any of the
 * spellings decodeFormattedHexString accepts. Empty data is zero bytes.
 */
export function decodeKeaBinaryData(data: string): Uint8Array {
  const t = keaTrim(data);
  if (t.length > 1 && t.startsWith("'") && t.endsWith("'")) {
    const inner = keaTrim(t.slice(1, -1));
    if (inner !== '') return utf8(inner);
    // Kea falls through to the hex decoder, which rejects the quotes.
  }
  const bytes = decodeFormattedHex(data);
  if (!bytes) fail(`'${data}' is not valid hex data (${HEX_HELP})`);
  return bytes;
}

function decodeFormattedHex(h: string): Uint8Array | undefined {
  const sep = h.includes(':') ? ':' : h.includes(' ') ? ' ' : undefined;
  if (sep) {
    const parts = h.split(sep);
    const out: number[] = [];
    for (const p of parts) {
      if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined; // empty part = two separators; >2 digits
      out.push(parseInt(p, 16));
    }
    return Uint8Array.from(out);
  }
  // Odd length (counted on the whole text, "0x" included) gets a leading 0.
  let s = h.length % 2 !== 0 ? '0' : '';
  s += h.length > 2 && h.startsWith('0x') ? h.slice(2) : h;
  s = s.replace(/[\t\n\v\f\r ]/g, ''); // decodeHex skips white space
  if (!/^[0-9a-fA-F]*$/.test(s) || s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// ---------------------------------------------------------------------------------------------
// csv-format true

function encodeCsv(def: OptionDef, data: string): Encoded {
  const values = keaTokens(data);
  const buf: number[] = [];
  const used: string[] = [];
  const t = def.type;
  let convenient = false;
  const put = (v: string, ft: KeaOptionType): void => {
    const tv = keaTrim(v);
    used.push(tv);
    writeField(buf, tv, ft, def);
  };
  if (!def.array && t !== 'record') {
    if (values.length === 0) {
      if (t !== 'empty') fail(`no value given for this ${t} option (data is empty)`);
    } else if (t === 'internal') {
      // Kea re-joins the tokens (restoring escaped commas) and hands the text to the option class.
      const joined = values.map((v) => v.replaceAll(',', '\\,')).join(',');
      used.push(joined);
      buf.push(...utf8(joined));
      convenient = true;
    } else if (t === 'empty') {
      fail(`an option of type empty takes no data, got '${data}'`);
    } else {
      // Only the first value is used; Kea ignores the rest (an unescaped comma ends a string).
      put(values[0] ?? '', t);
    }
  } else if (t !== 'record') {
    for (const v of values) put(v, t);
  } else {
    const fields = def.recordTypes ?? [];
    if (fields.length === 0) fail('record option definition without record-types');
    if (fields.length > values.length) {
      fail(`this record needs ${fields.length} comma-separated values (${fields.join(', ')}), got ${values.length}`);
    }
    fields.forEach((ft, i) => put(values[i] ?? '', ft));
    if (def.array) {
      const last = fields[fields.length - 1] as KeaOptionType;
      for (let i = fields.length; i < values.length; i++) put(values[i] ?? '', last);
    }
  }
  const bytes = keaFactory(def, Uint8Array.from(buf), convenient);
  return { ok: true, bytes, values: convenient && def.code === 121 && def.space === 'dhcp4' ? routeValues(used[0] ?? '') : used };
}

function routeValues(text: string): string[] {
  return keaTokens(text, ',', false).map((r) => keaTrim(r));
}

// ---------------------------------------------------------------------------------------------
// OptionDefinition::writeToBuffer

function writeField(buf: number[], value: string, type: KeaOptionType, def: OptionDef): void {
  switch (type) {
    case 'binary': {
      const s = value.replace(/[\t\n\v\f\r ]/g, '');
      if (!/^[0-9a-fA-F]*$/.test(s) || s.length % 2 !== 0) fail(`'${value}' is not valid hex for a binary field`);
      for (let i = 0; i < s.length; i += 2) buf.push(parseInt(s.slice(i, i + 2), 16));
      return;
    }
    case 'boolean':
      buf.push(parseKeaBool(value) ? 1 : 0);
      return;
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32': {
      const v = parseKeaInt(value, type);
      const size = INT_SIZE[type];
      const u = BigInt.asUintN(size * 8, v);
      for (let i = size - 1; i >= 0; i--) buf.push(Number((u >> BigInt(8 * i)) & 0xffn));
      return;
    }
    case 'ipv4-address': {
      const a = parseIPv4Strict(value);
      if (!a) {
        if (parseIPv6Strict(value)) fail(`'${value}' is an IPv6 address, expected an IPv4 address`);
        fail(`'${value}' is not a valid IPv4 address`);
      }
      buf.push(...a);
      return;
    }
    case 'ipv6-address': {
      const a = parseIPv6Strict(value);
      if (!a) fail(`'${value}' is not a valid IPv6 address`);
      buf.push(...a);
      return;
    }
    case 'ipv6-prefix': {
      const txt = value.replace(/[ \t]/g, '');
      const pos = txt.indexOf('/');
      if (pos < 0) fail(`'${value}' is not a valid IPv6 prefix (expected address/length)`);
      const addr = parseIPv6Strict(txt.slice(0, pos));
      if (!addr) fail(`'${txt.slice(0, pos)}' is not a valid IPv6 address`);
      let len: number;
      try {
        len = Number(parseKeaInt(txt.slice(pos + 1), 'uint8'));
      } catch {
        fail(`prefix length '${txt.slice(pos + 1)}' is not valid`);
      }
      if (len > 128) fail(`prefix length ${len} is larger than 128`);
      const nbytes = Math.ceil(len / 8);
      const pb = Array.from(addr.slice(0, nbytes));
      const pad = (8 - (len % 8)) % 8;
      if (pad && pb.length > 0) pb[pb.length - 1] = ((pb[pb.length - 1] ?? 0) >> pad) << pad;
      buf.push(len, ...pb);
      return;
    }
    case 'psid': {
      const txt = value.replace(/[ \t]/g, '');
      const pos = txt.indexOf('/');
      if (pos < 0) fail(`'${value}' is not a valid PSID (expected psid/length)`);
      let psid: number;
      let plen: number;
      try {
        psid = Number(parseKeaInt(txt.slice(0, pos), 'uint16'));
      } catch {
        fail(`PSID '${txt.slice(0, pos)}' is not valid`);
      }
      try {
        plen = Number(parseKeaInt(txt.slice(pos + 1), 'uint8'));
      } catch {
        fail(`PSID length '${txt.slice(pos + 1)}' is not valid`);
      }
      if (plen > 16) fail(`PSID length ${plen} is out of range 0..16`);
      if (plen > 0 && psid > 0xffff >> (16 - plen)) fail(`PSID ${psid} does not fit in ${plen} bits`);
      const shifted = (psid << (16 - plen)) & 0xffff;
      buf.push(plen, shifted >> 8, shifted & 0xff);
      return;
    }
    case 'string':
      buf.push(...utf8(value));
      return;
    case 'fqdn':
      buf.push(...fqdnToWire(value));
      return;
    case 'tuple': {
      const b = utf8(value);
      if (def.code === 143) {
        if (b.length > 0xffff) fail(`tuple value is longer than 65535 bytes`);
        buf.push(b.length >> 8, b.length & 0xff, ...b);
      } else {
        if (b.length > 255) fail(`tuple value '${value}' is longer than 255 bytes`);
        buf.push(b.length, ...b);
      }
      return;
    }
    default:
      fail(`a field of type ${type} cannot hold a value ('${value}')`);
  }
}

const INT_SIZE = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4 } as const;
type IntType = keyof typeof INT_SIZE;
const INT_RANGE: Record<IntType, [bigint, bigint]> = {
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-32768n, 32767n],
  uint16: [0n, 65535n],
  int32: [-2147483648n, 2147483647n],
  uint32: [0n, 4294967295n],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * lexicalCastWithRangeCheck: boost::lexical_cast<int64_t> (optional sign, decimal digits), else a
 * std::hex stream read (optional sign, optional 0x/0X, hex digits, whole text consumed; so "ff" and
 * "1e3" are hex), then a range check for the field type.
 */
export function parseKeaInt(text: string, type: IntType): bigint {
  let v: bigint | undefined;
  if (/^[+-]?\d+$/.test(text)) {
    v = BigInt(text.replace(/^\+/, ''));
    if (v < INT64_MIN || v > INT64_MAX) v = undefined;
  }
  if (v === undefined) {
    const m = /^([+-]?)(?:0[xX])?([0-9a-fA-F]+)$/.exec(text);
    if (!m) fail(`'${text}' is not a valid integer`);
    const mag = BigInt(`0x${m[2] ?? ''}`);
    v = m[1] === '-' ? -mag : mag;
    if (v < INT64_MIN || v > INT64_MAX) fail(`'${text}' is out of range for ${type}`);
  }
  const [lo, hi] = INT_RANGE[type];
  if (v < lo || v > hi) fail(`'${text}' is out of range for ${type} (${lo}..${hi})`);
  return v;
}

/** convertToBool: true/false (any case), else an int that must be 0 or 1. */
function parseKeaBool(text: string): boolean {
  if (text.toLowerCase() === 'true') return true;
  if (text.toLowerCase() === 'false') return false;
  if (/^[+-]?\d+$/.test(text)) {
    const n = BigInt(text.replace(/^\+/, ''));
    if (n === 0n) return false;
    if (n === 1n) return true;
  }
  fail(`'${text}' is not a valid boolean (true, false, 1 or 0)`);
}

/**
 * isc::dns::Name text -> uncompressed wire format (case kept, as Kea writes it with downcase=false):
 * "." or "@" is the root; `\X` is a literal X, `\DDD` a decimal byte; labels <= 63 bytes, name <= 255.
 */
export function fqdnToWire(text: string): Uint8Array {
  const s = utf8(text);
  if (s.length === 0) fail(`'' is not a valid domain name (empty)`);
  if ((s.length === 1 && s[0] === 0x2e) || (s.length === 1 && s[0] === 0x40)) return Uint8Array.of(0);
  const out: number[] = [];
  let label: number[] = [];
  const endLabel = (): void => {
    if (label.length === 0) fail(`'${text}' is not a valid domain name (empty label)`);
    out.push(label.length, ...label);
    label = [];
  };
  let i = 0;
  if (s[0] === 0x2e) fail(`'${text}' is not a valid domain name (empty label)`);
  let terminated = false;
  while (i < s.length) {
    const c = s[i++] as number;
    if (c === 0x2e) {
      endLabel();
      if (i === s.length) terminated = true;
      continue;
    }
    if (c === 0x5c) {
      if (i >= s.length) fail(`'${text}' is not a valid domain name (incomplete escape)`);
      const d = s[i] as number;
      if (label.length === 0 && d === 0x5b) fail(`'${text}' is not a valid domain name (bitstring label)`);
      if (d >= 0x30 && d <= 0x39) {
        const digits = s.slice(i, i + 3);
        if (digits.length < 3 || !Array.from(digits).every((x) => x >= 0x30 && x <= 0x39)) {
          fail(`'${text}' is not a valid domain name (bad \\DDD escape)`);
        }
        const v = (digits[0]! - 48) * 100 + (digits[1]! - 48) * 10 + (digits[2]! - 48);
        if (v > 255) fail(`'${text}' is not a valid domain name (escaped decimal too large)`);
        label.push(v);
        i += 3;
      } else {
        label.push(d);
        i += 1;
      }
    } else {
      label.push(c);
    }
    if (label.length > 63) fail(`'${text}' is not a valid domain name (label longer than 63 bytes)`);
  }
  if (!terminated) endLabel();
  out.push(0);
  if (out.length > 255) fail(`'${text}' is not a valid domain name (longer than 255 bytes in wire format)`);
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// The option classes a buffer goes through (OptionDefinition::optionFactory(begin, end)).

function keaFactory(def: OptionDef, b: Uint8Array, convenient: boolean): Uint8Array {
  // The option classes of factorySpecialFormatOption apply to Kea's own definitions of these codes
  // (Kea 3 refuses custom definitions of standard codes; Kea 2.2 has none for 121/143/162, which a
  // config then defines itself and which are handled by their declared type).
  const std = STANDARD_OPTION_DEFS.find((d) => d.space === def.space && d.code === def.code);
  if (def.space === 'dhcp4' && std && std.type === def.type && std.array === def.array) {
    switch (def.code) {
      case 79: // Option4SlpServiceScope: mandatory flag byte + scope list
        if (b.length < 1) fail('slp-service-scope needs at least the mandatory flag byte');
        return b;
      case 81: // Option4ClientFqdn: flags, rcode1, rcode2, name
        if (b.length < 3) fail('fqdn option is truncated (needs flags and two rcode bytes)');
        return b;
      case 121:
        return convenient ? classlessFromText(new TextDecoder().decode(b)) : classlessCheckWire(b);
      case 124:
        return vendorClassCheck(b);
      case 125:
        return vendorOptsCheck(b);
      case 143:
        return tuplesCheck(b, 2);
      case 162:
        if (convenient) {
          fail('v4-dnr (162) in csv format is not supported by this converter; give the option as hex (csv-format false)');
        }
        return b;
    }
  }
  if (def.type === 'fqdn' && def.array) return fqdnListFromWire(b);
  switch (def.type) {
    case 'empty':
      return def.encapsulate ? b : new Uint8Array(0); // factoryEmpty drops any data
    case 'binary':
    case 'internal':
      return b;
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32': {
      const size = INT_SIZE[def.type];
      if (def.array) {
        if (b.length === 0) fail(`an ${def.type} array option needs at least one value`);
        if (b.length % size !== 0) fail(`${b.length} bytes is not a whole number of ${def.type} values`);
        return b;
      }
      if (b.length < size) fail(`${b.length} byte(s) is too short for a ${def.type} (${size} bytes)`);
      if (b.length > size) {
        fail(`${b.length} bytes is longer than a ${def.type} (${size} bytes); Kea would parse the rest as sub-options`);
      }
      return b;
    }
    case 'ipv4-address':
      if (def.array) {
        if (b.length % 4 !== 0) fail(`${b.length} bytes is not a whole number of IPv4 addresses`);
        return b;
      }
      break;
    case 'ipv6-address':
      if (def.array) {
        if (b.length % 16 !== 0) fail(`${b.length} bytes is not a whole number of IPv6 addresses`);
        return b;
      }
      break;
    case 'string': {
      let end = b.length;
      while (end > 0 && b[end - 1] === 0) end--; // OptionString trims trailing NULs
      if (end === 0) fail('a string option must not be empty (or only NUL bytes)');
      return b.slice(0, end);
    }
    case 'tuple':
      if (def.array) return tuplesCheck(b, 1);
      break;
    default:
      break;
  }
  return optionCustom(def, b);
}

/** OptionCustom::createBuffers: split into fields; what is left over is dropped (kept if encapsulating). */
function optionCustom(def: OptionDef, b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let off = 0;
  const take = (n: number): void => {
    parts.push(b.slice(off, off + n));
    off += n;
  };
  const rest = (): Uint8Array => b.subarray(off);
  const keepRest = (): void => {
    if (off < b.length && def.encapsulate) take(b.length - off);
  };
  if (def.type === 'record') {
    const fields = def.recordTypes ?? [];
    for (const f of fields) {
      const n = fieldLength(f, false, rest());
      if (b.length - off < n) fail(`option data is truncated (${f} field)`);
      take(n);
    }
    if (def.array) {
      const last = fields[fields.length - 1] as KeaOptionType;
      while (off < b.length) {
        const n = fieldLength(last, true, rest(), true);
        if (n <= 0 || b.length - off < n) break;
        take(n);
      }
    } else {
      keepRest();
    }
  } else if (def.type !== 'empty') {
    const fixed = FIXED_LEN[def.type] ?? 0;
    if (b.length < fixed) fail(`option data is truncated (${b.length} byte(s) for a ${def.type})`);
    if (def.array) {
      while (off < b.length) {
        const n = fieldLength(def.type, true, rest(), true);
        if (n <= 0 || b.length - off < n) break;
        take(n);
      }
    } else {
      const n = fieldLength(def.type, false, rest());
      if (n > 0 && b.length - off >= n) take(n);
      else fail(`option data is truncated (${def.type})`);
      keepRest();
    }
  } else {
    keepRest();
  }
  return concat(parts);
}

const FIXED_LEN: Partial<Record<KeaOptionType, number>> = {
  boolean: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  'ipv4-address': 4,
  'ipv6-address': 16,
  psid: 3,
};

/** OptionCustom::bufferLength. With `lenient` (array tail) a malformed element ends the array (-1). */
function fieldLength(t: KeaOptionType, inArray: boolean, r: Uint8Array, lenient = false): number {
  const fixed = FIXED_LEN[t];
  if (fixed) return fixed;
  try {
    switch (t) {
      case 'fqdn':
        return wireNameLength(r);
      case 'binary':
      case 'string':
        if (!inArray) return r.length;
        break;
      case 'ipv6-prefix': {
        if (r.length === 0 && !inArray) return 0;
        if (r.length === 0) fail('truncated prefix');
        const len = r[0] as number;
        if (len > 128) fail(`prefix length ${len} is larger than 128`);
        return 1 + Math.ceil(len / 8);
      }
      case 'tuple': {
        if (r.length < 1 || r.length < 1 + (r[0] as number)) fail('tuple is truncated');
        return 1 + (r[0] as number);
      }
      default:
        break;
    }
    fail(`option data is truncated (${t})`);
  } catch (e) {
    if (lenient && e instanceof KeaDataError) return -1;
    throw e;
  }
}

/** Length of an uncompressed wire name at the start of `r` (pointers are rejected). */
function wireNameLength(r: Uint8Array): number {
  let i = 0;
  for (;;) {
    if (i >= r.length) fail('domain name in option data is truncated');
    const l = r[i] as number;
    if (l === 0) return i + 1;
    if (l >= 0xc0) fail('compressed domain name in option data is not supported here');
    if (l > 63) fail(`bad label length ${l} in option data`);
    i += 1 + l;
    if (i > 255) fail('domain name in option data is longer than 255 bytes');
  }
}

/** factoryFqdnList: names read one after another (compression pointers allowed), written uncompressed. */
function fqdnListFromWire(b: Uint8Array): Uint8Array {
  if (b.length === 0) fail('a domain name list needs at least one name');
  const out: number[] = [];
  let pos = 0;
  while (pos < b.length) {
    const name: number[] = [];
    let i = pos;
    let jumped = false;
    let hops = 0;
    for (;;) {
      if (i >= b.length) fail('domain name list is truncated');
      const l = b[i] as number;
      if (l === 0) {
        name.push(0);
        if (!jumped) pos = i + 1;
        break;
      }
      if (l >= 0xc0) {
        if (i + 1 >= b.length) fail('domain name list is truncated (compression pointer)');
        const target = ((l & 0x3f) << 8) | (b[i + 1] as number);
        if (!jumped) pos = i + 2;
        jumped = true;
        if (target >= i || ++hops > 128) fail('bad compression pointer in domain name list');
        i = target;
        continue;
      }
      if (l > 63) fail(`bad label length ${l} in domain name list`);
      if (i + 1 + l > b.length) fail('domain name list is truncated');
      name.push(...b.subarray(i, i + 1 + l));
      if (name.length > 255) fail('domain name longer than 255 bytes');
      i += 1 + l;
    }
    out.push(...name);
  }
  return Uint8Array.from(out);
}

function tuplesCheck(b: Uint8Array, lenBytes: 1 | 2): Uint8Array {
  let i = 0;
  while (i < b.length) {
    if (i + lenBytes > b.length) fail('opaque data tuple is truncated');
    const n = lenBytes === 1 ? (b[i] as number) : ((b[i] as number) << 8) | (b[i + 1] as number);
    i += lenBytes + n;
    if (i > b.length) fail('opaque data tuple is truncated');
  }
  return b;
}

/** OptionClasslessStaticRoute::parseConfigData: "net/len - router, ..." -> RFC 3442 wire format. */
function classlessFromText(text: string): Uint8Array {
  if (utf8(text).length < 5) fail(`'${text}' is not a valid classless-static-route value (too short)`);
  const out: number[] = [];
  for (const route of keaTokens(text, ',', false)) {
    const parts = keaTokens(keaTrim(route), '-', false);
    if (parts.length !== 2) {
      fail(`'${keaTrim(route)}' is not a valid route; expected comma-separated "net/len - router" entries, e.g. 10.229.0.128/25 - 10.229.0.1`);
    }
    const prefix = keaTrim(parts[0] ?? '');
    const slash = prefix.indexOf('/');
    if (slash < 0) fail(`'${prefix}' is not a valid IPv4 prefix (expected net/len)`);
    const net = parseIPv4Strict(prefix.slice(0, slash));
    if (!net) fail(`'${prefix.slice(0, slash)}' is not a valid IPv4 address`);
    const lenText = prefix.slice(slash + 1);
    if (!/^[+-]?\d+$/.test(lenText)) fail(`prefix length '${lenText}' is not valid`);
    const len = Number(lenText);
    if (len < 0 || len > 32) fail(`prefix length ${len} is out of range 0..32`);
    const gw = parseIPv4Strict(keaTrim(parts[1] ?? ''));
    if (!gw) fail(`'${keaTrim(parts[1] ?? '')}' is not a valid IPv4 router address`);
    out.push(len, ...net.subarray(0, Math.ceil(len / 8)), ...gw);
  }
  return Uint8Array.from(out);
}

function classlessCheckWire(b: Uint8Array): Uint8Array {
  if (b.length < 5) fail(`classless-static-route data must be at least 5 bytes, got ${b.length}`);
  let i = 0;
  while (i < b.length) {
    if (b.length - i < 5) fail('classless-static-route data is truncated');
    const w = b[i] as number;
    if (w > 32) fail(`classless-static-route has an invalid prefix length ${w}`);
    i += 1 + Math.ceil(w / 8) + 4;
    if (i > b.length) fail('classless-static-route data is truncated');
  }
  return b;
}

/** OptionVendorClass (124), v4: enterprise-id, tuple, [enterprise-id (same), tuple]... */
function vendorClassCheck(b: Uint8Array): Uint8Array {
  if (b.length < 4) fail('vivco-suboptions needs at least the 4-byte enterprise id');
  const ent = b.subarray(0, 4);
  let i = 4;
  while (i < b.length) {
    const n = b[i] as number;
    if (i + 1 + n > b.length) fail('vivco-suboptions tuple is truncated');
    i += 1 + n;
    if (i < b.length) {
      if (i + 4 > b.length || b.subarray(i, i + 4).some((x, k) => x !== ent[k])) {
        fail('vivco-suboptions: Kea accepts one enterprise id per option');
      }
      i += 4;
      if (i + 1 >= b.length) fail('vivco-suboptions is truncated after an enterprise id');
    }
  }
  return b;
}

/** OptionVendor (125), v4: enterprise-id then data-len + sub-options (re-computed when packing). */
function vendorOptsCheck(b: Uint8Array): Uint8Array {
  if (b.length < 4) fail('vivso-suboptions needs the 4-byte enterprise id');
  if (b.length === 4) return concat([b, [0]]);
  const dl = b[4] as number;
  if (dl !== b.length - 5) {
    fail('vivso-suboptions hex must hold exactly one vendor block (data-len byte followed by that many bytes of sub-options)');
  }
  let i = 5;
  while (i < b.length) {
    if (i + 2 > b.length || i + 2 + (b[i + 1] as number) > b.length) fail('vivso-suboptions sub-option is truncated');
    i += 2 + (b[i + 1] as number);
  }
  return b;
}
