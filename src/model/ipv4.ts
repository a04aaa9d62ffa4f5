/**
 * IPv4 helpers over ipaddr.js. Addresses are carried as unsigned 32-bit integers in the model;
 * parsing and printing go through ipaddr.js (strict four-part decimal only: Kea rejects
 * "10.1" and octal forms, and so do we).
 */
import ipaddr from 'ipaddr.js';

/**
 * Four decimal octets 0-255 without leading zeros ("10.0.0.1", not "10.0.0.01" or "10.1"): what
 * ipaddr.js's isValidFourPartDecimal + parse accept, without building an object or running a
 * regular expression (a big config has hundreds of thousands of addresses).
 */
export function parseIPv4(text: string): number | undefined {
  const n = text.length;
  let result = 0;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || text.charCodeAt(i) !== 46 /* . */) return undefined;
      i++;
    }
    const start = i;
    let octet = 0;
    while (i < n && i - start < 3) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      octet = octet * 10 + d;
      i++;
    }
    const digits = i - start;
    // No digits, a leading zero ("01"), or too big.
    if (digits === 0 || (digits > 1 && text.charCodeAt(start) === 48) || octet > 255) return undefined;
    result = result * 256 + octet;
  }
  return i === n ? result : undefined;
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`; // ipaddr.js's toString, without the object
}

function toU32(a: ipaddr.IPv4): number {
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = a.toByteArray();
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

/** "a.b.c.d/len" -> network (host bits cleared), length, and whether host bits were set. */
export function parseIPv4Cidr(
  text: string,
): { network: number; prefixLength: number; address: number; canonical: boolean } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addrText = text.slice(0, slash).trim();
  const lenText = text.slice(slash + 1).trim();
  if (!/^\d{1,2}$/.test(lenText)) return undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(addrText)) return undefined;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.IPv4.parseCIDR(`${addrText}/${lenText}`);
  } catch {
    return undefined;
  }
  const [addr, prefixLength] = parsed;
  if (addr.kind() !== 'ipv4') return undefined;
  const address = toU32(addr as ipaddr.IPv4);
  const network = toU32(ipaddr.IPv4.networkAddressFromCIDR(`${addrText}/${lenText}`));
  return { network, prefixLength, address, canonical: network === address };
}

export function netmaskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function broadcastOf(network: number, prefixLength: number): number {
  return (network | ~netmaskOf(prefixLength)) >>> 0;
}

export function inSubnet(addr: number, network: number, prefixLength: number): boolean {
  return ((addr & netmaskOf(prefixLength)) >>> 0) === network;
}

/**
 * Addresses in [start, end] that dnsmasq will hand out dynamically. Measured with dnsmasq 2.90
 * (../shared/reference/README.md): it never offers a dynamic address whose last octet is 0 or 255
 * inside 192.0.0.0-223.255.255.255, whatever the netmask; and never the subnet's own network or
 * broadcast address.
 */
export function dnsmasqUsableCount(start: number, end: number, network: number, prefixLength: number): number {
  let count = end - start + 1;
  const bcast = broadcastOf(network, prefixLength);
  if (network >= start && network <= end) count--;
  if (bcast >= start && bcast <= end && bcast !== network) count--;
  const classC = (a: number) => a >= 0xc0000000 && a <= 0xdfffffff;
  // Count addresses ending in .0 or .255 in the range (excluding the network/broadcast already removed).
  const firstBlock = Math.floor(start / 256);
  const lastBlock = Math.floor(end / 256);
  for (let block = firstBlock; block <= lastBlock; block++) {
    for (const last of [0, 255]) {
      const a = block * 256 + last;
      if (a < start || a > end || !classC(a) || a === network || a === bcast) continue;
      count--;
    }
  }
  return Math.max(0, count);
}
