/**
 * DHCPv4 messages (RFC 2131 / RFC 2132): the BOOTP header, the magic cookie and the options area,
 * encoded and decoded by the project so `prove` can compare servers byte for byte.
 *
 * Decoding follows RFC 2131 §4.1 and RFC 2132 §9.3: pad (0) is skipped, end (255) stops an area,
 * option overload (52) continues the options in `file` (1), `sname` (2) or both (3, file first), and
 * a code that appears more than once is concatenated in order (RFC 3396). The header fields `sname`
 * and `file` are only text when overload does not claim them.
 */

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const MAGIC_COOKIE = 0x63825363;
/** Offset of the options area (after the magic cookie). */
export const OPTIONS_OFFSET = 240;
const SNAME_OFFSET = 44;
const FILE_OFFSET = 108;

export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageTypeName = keyof typeof MessageType;

export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTERS: 3,
  HOSTNAME: 12,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  MESSAGE: 56,
  MAX_SIZE: 57,
  T1: 58,
  T2: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  USER_CLASS: 77,
  AGENT_INFO: 82,
  END: 255,
} as const;

export interface DhcpOption {
  code: number;
  data: Uint8Array;
}

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  /** Dotted quads. */
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Hardware address, lower-case colon hex of the first `hlen` bytes of chaddr. */
  chaddr: string;
  /** Text of the `sname` field up to its first NUL ('' when overload uses the field). */
  sname: string;
  /** Text of the `file` field up to its first NUL ('' when overload uses the field). */
  file: string;
  /** Options in wire order, after merging split options (RFC 3396); pad, end and overload (52) are not listed. */
  options: DhcpOption[];
}

export class DhcpDecodeError extends Error {}

export function ipToBytes(ip: string): Uint8Array {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${JSON.stringify(ip)}`);
  }
  return Uint8Array.from(parts);
}

export function bytesToIp(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

export function macToBytes(mac: string): Uint8Array {
  const hex = mac.replace(/[:\-.]/g, '');
  if (!/^([0-9a-fA-F]{2}){1,16}$/.test(hex)) throw new Error(`not a hardware address: ${JSON.stringify(mac)}`);
  return hexToBytes(hex);
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[:\s]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`not hex: ${JSON.stringify(hex)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array, sep = ''): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(sep);
}

/** A 32-bit unsigned big-endian option value (lease time, T1, T2). */
export function optionUint32(p: DhcpPacket, code: number): number | undefined {
  const o = findOption(p, code);
  if (!o || o.data.length !== 4) return undefined;
  return ((o.data[0]! << 24) >>> 0) + (o.data[1]! << 16) + (o.data[2]! << 8) + o.data[3]!;
}

export function findOption(p: DhcpPacket, code: number): DhcpOption | undefined {
  return p.options.find((o) => o.code === code);
}

export function messageType(p: DhcpPacket): number | undefined {
  const o = findOption(p, Opt.MESSAGE_TYPE);
  return o && o.data.length === 1 ? o.data[0] : undefined;
}

export function messageTypeName(t: number | undefined): string {
  const e = Object.entries(MessageType).find(([, v]) => v === t);
  return e ? e[0] : `type-${t ?? 'none'}`;
}

/** The address in a 4-byte option (server identifier, requested address). */
export function optionIp(p: DhcpPacket, code: number): string | undefined {
  const o = findOption(p, code);
  return o && o.data.length === 4 ? bytesToIp(o.data) : undefined;
}

function cstring(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return Buffer.from(nul < 0 ? b : b.subarray(0, nul)).toString('latin1');
}

/** Walk one options area up to its end option (a missing end is tolerated); throws on a truncated option. */
function walk(area: Uint8Array, where: string, sink: (code: number, data: Uint8Array) => void): void {
  let i = 0;
  while (i < area.length) {
    const code = area[i]!;
    if (code === Opt.PAD) {
      i++;
      continue;
    }
    if (code === Opt.END) return;
    if (i + 1 >= area.length) throw new DhcpDecodeError(`option ${code} in ${where} has no length byte`);
    const len = area[i + 1]!;
    if (i + 2 + len > area.length) throw new DhcpDecodeError(`option ${code} in ${where} runs past the end (${len} bytes at offset ${i})`);
    sink(code, area.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
}

export function decodeDhcp(buf: Uint8Array): DhcpPacket {
  if (buf.length < OPTIONS_OFFSET) throw new DhcpDecodeError(`packet too short: ${buf.length} bytes (BOOTP header + cookie is 240)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(236) !== MAGIC_COOKIE) throw new DhcpDecodeError(`no DHCP magic cookie (found 0x${dv.getUint32(236).toString(16)})`);
  const hlen = buf[2]!;
  const merged = new Map<number, Uint8Array[]>();
  const order: number[] = [];
  const sink = (code: number, data: Uint8Array): void => {
    const list = merged.get(code);
    if (list) list.push(data);
    else {
      merged.set(code, [data]);
      order.push(code);
    }
  };
  walk(buf.subarray(OPTIONS_OFFSET), 'options', sink);
  const overload = merged.get(Opt.OVERLOAD)?.[0]?.[0] ?? 0;
  const sname = buf.subarray(SNAME_OFFSET, SNAME_OFFSET + 64);
  const file = buf.subarray(FILE_OFFSET, FILE_OFFSET + 128);
  // RFC 2131 §4.1: with overload, options continue in 'file' first, then 'sname'.
  if (overload & 1) walk(file, 'file', sink);
  if (overload & 2) walk(sname, 'sname', sink);
  const options: DhcpOption[] = order
    .filter((c) => c !== Opt.OVERLOAD)
    .map((code) => {
      const parts = merged.get(code)!;
      return { code, data: parts.length === 1 ? Uint8Array.from(parts[0]!) : Uint8Array.from(Buffer.concat(parts)) };
    });
  return {
    op: buf[0]!,
    htype: buf[1]!,
    hlen,
    hops: buf[3]!,
    xid: dv.getUint32(4),
    secs: dv.getUint16(8),
    flags: dv.getUint16(10),
    ciaddr: bytesToIp(buf, 12),
    yiaddr: bytesToIp(buf, 16),
    siaddr: bytesToIp(buf, 20),
    giaddr: bytesToIp(buf, 24),
    chaddr: bytesToHex(buf.subarray(28, 28 + Math.min(hlen, 16)), ':'),
    sname: overload & 2 ? '' : cstring(sname),
    file: overload & 1 ? '' : cstring(file),
    options,
  };
}

export interface EncodeInput {
  op?: number;
  htype?: number;
  /** Hardware address; hlen is its length. */
  chaddr: string;
  hops?: number;
  xid: number;
  secs?: number;
  flags?: number;
  ciaddr?: string;
  yiaddr?: string;
  siaddr?: string;
  giaddr?: string;
  sname?: string;
  file?: string;
  /** Written in this order; an option longer than 255 bytes is split (RFC 3396). End is added. */
  options: DhcpOption[];
  /** Pad the message with zeros to at least this many bytes (BOOTP minimum is 300). */
  minLength?: number;
}

export function encodeDhcp(p: EncodeInput): Uint8Array {
  const opts: number[] = [];
  for (const o of p.options) {
    if (o.code === Opt.PAD || o.code === Opt.END || o.code < 0 || o.code > 255) throw new Error(`cannot encode option code ${o.code}`);
    let at = 0;
    do {
      const chunk = o.data.subarray(at, at + 255);
      opts.push(o.code, chunk.length, ...chunk);
      at += 255;
    } while (at < o.data.length);
  }
  opts.push(Opt.END);
  const len = Math.max(OPTIONS_OFFSET + opts.length, p.minLength ?? 300);
  const buf = new Uint8Array(len);
  const dv = new DataView(buf.buffer);
  const hw = macToBytes(p.chaddr);
  if (hw.length > 16) throw new Error('chaddr longer than 16 bytes');
  buf[0] = p.op ?? BOOTREQUEST;
  buf[1] = p.htype ?? 1;
  buf[2] = hw.length;
  buf[3] = p.hops ?? 0;
  dv.setUint32(4, p.xid >>> 0);
  dv.setUint16(8, p.secs ?? 0);
  dv.setUint16(10, p.flags ?? 0);
  buf.set(ipToBytes(p.ciaddr ?? '0.0.0.0'), 12);
  buf.set(ipToBytes(p.yiaddr ?? '0.0.0.0'), 16);
  buf.set(ipToBytes(p.siaddr ?? '0.0.0.0'), 20);
  buf.set(ipToBytes(p.giaddr ?? '0.0.0.0'), 24);
  buf.set(hw, 28);
  const text = (s: string | undefined, at: number, max: number, what: string): void => {
    if (!s) return;
    const b = Buffer.from(s, 'latin1');
    if (b.length >= max) throw new Error(`${what} longer than ${max - 1} bytes`);
    buf.set(b, at);
  };
  text(p.sname, SNAME_OFFSET, 64, 'sname');
  text(p.file, FILE_OFFSET, 128, 'file');
  dv.setUint32(236, MAGIC_COOKIE);
  buf.set(opts, OPTIONS_OFFSET);
  return buf;
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}
