/**
 * dnsmasq 2.90's DHCPv4 option table, transcribed from src/dhcp-common.c `opttab[]` (the table
 * `lookup_dhcp_opt` searches by name, case-insensitively, and `lookup_dhcp_len` by code, returning
 * `size & ~OT_DEC`). Flag values from src/dnsmasq.h. Note 2.90 has no entries for 91/92 (added later).
 */
export const OT_ADDR_LIST = 0x8000;
export const OT_RFC1035_NAME = 0x4000;
export const OT_INTERNAL = 0x2000;
export const OT_NAME = 0x1000;
export const OT_CSTRING = 0x0800;
export const OT_DEC = 0x0400;
export const OT_TIME = 0x0200;

export interface OpttabEntry {
  code: number;
  name: string;
  /** opttab `size` field: low bits = fixed integer size, high bits = OT_* flags. */
  size: number;
}

export const OPTTAB: readonly OpttabEntry[] = [
  { code: 1, name: 'netmask', size: OT_ADDR_LIST },
  { code: 2, name: 'time-offset', size: 4 },
  { code: 3, name: 'router', size: OT_ADDR_LIST },
  { code: 6, name: 'dns-server', size: OT_ADDR_LIST },
  { code: 7, name: 'log-server', size: OT_ADDR_LIST },
  { code: 9, name: 'lpr-server', size: OT_ADDR_LIST },
  { code: 12, name: 'hostname', size: OT_INTERNAL | OT_NAME },
  { code: 13, name: 'boot-file-size', size: 2 | OT_DEC },
  { code: 15, name: 'domain-name', size: OT_NAME },
  { code: 16, name: 'swap-server', size: OT_ADDR_LIST },
  { code: 17, name: 'root-path', size: OT_NAME },
  { code: 18, name: 'extension-path', size: OT_NAME },
  { code: 19, name: 'ip-forward-enable', size: 1 },
  { code: 20, name: 'non-local-source-routing', size: 1 },
  { code: 21, name: 'policy-filter', size: OT_ADDR_LIST },
  { code: 22, name: 'max-datagram-reassembly', size: 2 | OT_DEC },
  { code: 23, name: 'default-ttl', size: 1 | OT_DEC },
  { code: 26, name: 'mtu', size: 2 | OT_DEC },
  { code: 27, name: 'all-subnets-local', size: 1 },
  { code: 28, name: 'broadcast', size: OT_INTERNAL | OT_ADDR_LIST },
  { code: 31, name: 'router-discovery', size: 1 },
  { code: 32, name: 'router-solicitation', size: OT_ADDR_LIST },
  { code: 33, name: 'static-route', size: OT_ADDR_LIST },
  { code: 34, name: 'trailer-encapsulation', size: 1 },
  { code: 35, name: 'arp-timeout', size: 4 | OT_DEC },
  { code: 36, name: 'ethernet-encap', size: 1 },
  { code: 37, name: 'tcp-ttl', size: 1 },
  { code: 38, name: 'tcp-keepalive', size: 4 | OT_DEC },
  { code: 40, name: 'nis-domain', size: OT_NAME },
  { code: 41, name: 'nis-server', size: OT_ADDR_LIST },
  { code: 42, name: 'ntp-server', size: OT_ADDR_LIST },
  { code: 43, name: 'vendor-encap', size: OT_INTERNAL },
  { code: 44, name: 'netbios-ns', size: OT_ADDR_LIST },
  { code: 45, name: 'netbios-dd', size: OT_ADDR_LIST },
  { code: 46, name: 'netbios-nodetype', size: 1 },
  { code: 47, name: 'netbios-scope', size: 0 },
  { code: 48, name: 'x-windows-fs', size: OT_ADDR_LIST },
  { code: 49, name: 'x-windows-dm', size: OT_ADDR_LIST },
  { code: 50, name: 'requested-address', size: OT_INTERNAL | OT_ADDR_LIST },
  { code: 51, name: 'lease-time', size: OT_INTERNAL | OT_TIME },
  { code: 52, name: 'option-overload', size: OT_INTERNAL },
  { code: 53, name: 'message-type', size: OT_INTERNAL | OT_DEC },
  { code: 54, name: 'server-identifier', size: OT_INTERNAL | OT_ADDR_LIST },
  { code: 55, name: 'parameter-request', size: OT_INTERNAL },
  { code: 56, name: 'message', size: OT_INTERNAL },
  { code: 57, name: 'max-message-size', size: OT_INTERNAL },
  { code: 58, name: 'T1', size: OT_TIME },
  { code: 59, name: 'T2', size: OT_TIME },
  { code: 60, name: 'vendor-class', size: 0 },
  { code: 61, name: 'client-id', size: OT_INTERNAL },
  { code: 64, name: 'nis+-domain', size: OT_NAME },
  { code: 65, name: 'nis+-server', size: OT_ADDR_LIST },
  { code: 66, name: 'tftp-server', size: OT_NAME },
  { code: 67, name: 'bootfile-name', size: OT_NAME },
  { code: 68, name: 'mobile-ip-home', size: OT_ADDR_LIST },
  { code: 69, name: 'smtp-server', size: OT_ADDR_LIST },
  { code: 70, name: 'pop3-server', size: OT_ADDR_LIST },
  { code: 71, name: 'nntp-server', size: OT_ADDR_LIST },
  { code: 74, name: 'irc-server', size: OT_ADDR_LIST },
  { code: 77, name: 'user-class', size: 0 },
  { code: 80, name: 'rapid-commit', size: 0 },
  { code: 81, name: 'FQDN', size: OT_INTERNAL },
  { code: 82, name: 'agent-id', size: OT_INTERNAL },
  { code: 93, name: 'client-arch', size: 2 | OT_DEC },
  { code: 94, name: 'client-interface-id', size: 0 },
  { code: 97, name: 'client-machine-id', size: 0 },
  { code: 100, name: 'posix-timezone', size: OT_NAME },
  { code: 101, name: 'tzdb-timezone', size: OT_NAME },
  { code: 108, name: 'ipv6-only', size: 4 | OT_DEC },
  { code: 118, name: 'subnet-select', size: OT_INTERNAL },
  { code: 119, name: 'domain-search', size: OT_RFC1035_NAME },
  { code: 120, name: 'sip-server', size: 0 },
  { code: 121, name: 'classless-static-route', size: 0 },
  { code: 125, name: 'vendor-id-encap', size: 0 },
  { code: 150, name: 'tftp-server-address', size: OT_ADDR_LIST },
  { code: 255, name: 'server-ip-address', size: OT_ADDR_LIST },
];

const byCode = new Map(OPTTAB.map((e) => [e.code, e]));

export function opttabByCode(code: number): OpttabEntry | undefined {
  return byCode.get(code);
}

/** lookup_dhcp_opt: strcasecmp over the names. */
export function opttabByName(name: string): OpttabEntry | undefined {
  const n = name.toLowerCase();
  return OPTTAB.find((e) => e.name.toLowerCase() === n);
}

/** lookup_dhcp_len: size with OT_DEC masked off; 0 when the code is not in the table. */
export function lookupDhcpLen(code: number): number {
  const e = byCode.get(code);
  return e ? e.size & ~OT_DEC : 0;
}
