/**
 * The one place diagnostics are worded: a message (what is wrong) and a hint (what to do).
 * Codes are stable; tests assert codes, never this text.
 */
import type { Diagnostic } from './diagnostic.js';

type Args = Record<string, string | number>;
type Wording = (a: Args) => { message: string; hint?: string };

const s = (v: unknown) => String(v ?? '');

const WORDING: Record<string, Wording> = {
  // load
  FILE_NOT_FOUND: (a) => ({ message: `cannot read ${s(a.path)}: no such file`, hint: 'check the path to the Kea config' }),
  FILE_UNREADABLE: (a) => ({ message: `cannot read ${s(a.path)}: ${s(a.reason)}`, hint: 'check the file\'s permissions' }),
  FILE_EMPTY: (a) => ({ message: `${s(a.path)} is empty`, hint: 'point the converter at the Kea config (usually /etc/kea/kea-dhcp4.conf)' }),
  FILE_TOO_LARGE: (a) => ({ message: `${s(a.path)} is larger than the ${s(a.limit)} bytes allowed` }),
  FILE_NOT_TEXT: (a) => ({ message: `${s(a.path)} is not a text file`, hint: 'Kea configs are UTF-8 JSON text' }),
  INCLUDE_NOT_FOUND: (a) => ({ message: `included file ${s(a.path)} does not exist`, hint: 'relative include paths are resolved against the directory of the main config file, as Kea started from that directory would' }),
  FILE_IS_DIRECTORY: (a) => ({ message: `${s(a.path)} is a directory`, hint: 'give the path of the Kea config file itself' }),
  INCLUDE_MALFORMED: () => ({ message: 'malformed include directive', hint: 'write it as <?include "path"?>' }),
  INCLUDE_IS_DIRECTORY: (a) => ({ message: `included path ${s(a.path)} is a directory`, hint: 'include a file' }),
  INCLUDE_CYCLE: (a) => ({ message: `include cycle: ${s(a.chain)}`, hint: 'remove the include that leads back to a file already being read' }),
  INCLUDE_TOO_DEEP: (a) => ({ message: `includes nest deeper than ${s(a.limit)} levels (Kea's limit)`, hint: 'flatten the includes' }),
  COMMENT_NOT_CLOSED: () => ({ message: 'a /* comment is never closed', hint: 'add the closing */' }),
  JSON_SYNTAX: (a) => ({ message: `syntax error: ${s(a.problem)}`, hint: 'fix the JSON at this spot (kea-dhcp4 -t shows the same error)' }),
  JSON_TOO_DEEP: (a) => ({ message: `the JSON nests deeper than ${s(a.limit)} levels`, hint: 'this is not a Kea configuration' }),
  DUPLICATE_KEY: (a) => ({ message: `"${s(a.key)}" appears twice in this map`, hint: 'Kea rejects duplicate keys: keep one' }),
  NOT_KEA_CONFIG: (a) => ({ message: `this is not a Kea configuration: it looks like ${s(a.looksLike)}`, hint: 'give the converter the Kea DHCPv4 config (kea-dhcp4.conf)' }),
  // normalize
  NO_DHCP4: (a) => ({ message: `no "Dhcp4" map at the top level (found: ${s(a.found)})`, hint: 'a Kea DHCPv4 config is {"Dhcp4": {...}}' }),
  TYPE_MISMATCH: (a) => ({ message: `"${s(a.key)}" must be ${s(a.expected)}, not a ${s(a.got)}`, hint: 'fix the value; Kea rejects it too' }),
  NUMBER_OUT_OF_RANGE: (a) => ({ message: `"${s(a.key)}" is ${s(a.value)}, outside ${s(a.min)}..${s(a.max)}` }),
  MISSING_KEY: (a) => ({ message: `this ${s(a.context)} entry has no "${s(a.key)}"`, hint: `add "${s(a.key)}"` }),
  BAD_ENUM: (a) => ({ message: `"${s(a.key)}" is "${s(a.value)}"; Kea accepts ${s(a.allowed)}` }),
  BAD_PREFIX: (a) => ({ message: `"${s(a.value)}" is not an IPv4 prefix like 192.0.2.0/24` }),
  BAD_POOL: (a) => ({ message: `"${s(a.value)}" is not a pool: write "first - last" (first <= last) or a prefix like 192.0.2.64/26` }),
  BAD_ADDRESS: (a) => ({ message: `"${s(a.value)}" is not an IPv4 address (in "${s(a.key)}")` }),
  BAD_MAC: (a) => ({ message: `"${s(a.value)}" is not a hardware address`, hint: 'write it as colon-separated hex octets, e.g. 00:16:3e:12:34:56' }),
  BAD_CLIENT_ID: (a) => ({ message: `"${s(a.value)}" is not a client identifier`, hint: 'write the whole option 61 payload as hex, type byte first, e.g. 01:00:16:3e:12:34:56' }),
  SUBNET_NOT_CANONICAL: (a) => ({ message: `subnet "${s(a.value)}" has host bits set; using its network address` }),
  SUBNET_TOO_SMALL: (a) => ({ message: `subnet "${s(a.value)}" is too small to serve DHCP clients`, hint: 'use a /30 or larger' }),
  SUBNET_ID_MISSING: (a) => ({ message: `subnet ${s(a.subnet)} has no "id"; numbered ${s(a.id)}`, hint: 'give every subnet an explicit id (Kea 3 requires it) so tags stay stable' }),
  SUBNET_RESERVATIONS_DISABLED: (a) => ({ message: `${s(a.count)} reservation(s) in ${s(a.subnet)} are not used by Kea (reservations-in-subnet is off) and were not converted` }),
  GLOBAL_RESERVATIONS_UNUSED: (a) => ({ message: `${s(a.count)} global reservation(s) are not used by Kea (reservations-global is off everywhere) and were not converted` }),
  GLOBAL_RESERVATION_UNUSED: (a) => ({ message: `global reservation for ${s(a.address)} is not used by Kea: the subnet holding it (${s(a.subnet)}) does not enable reservations-global`, hint: 'enable reservations-global there, or move the reservation into a subnet' }),
  RESERVATION_NO_IDENTIFIER: () => ({ message: 'this reservation has no identifier', hint: 'add "hw-address" or "client-id"' }),
  RESERVATION_MANY_IDENTIFIERS: (a) => ({ message: `this reservation has several identifiers (${s(a.keys)})`, hint: 'Kea allows exactly one' }),
  RESERVATION_NOT_CONVERTED: (a) => ({ message: `reservation by ${s(a.identifier)} not converted: ${s(a.reason)}`, hint: 'reserve this client by hw-address or client-id instead' }),
  UNKNOWN_KEY: (a) => ({ message: `unknown key "${s(a.key)}" in ${s(a.context)}; not converted`, hint: 'check the spelling; Kea would reject an unknown key' }),
  KEY_IGNORED: (a) => ({ message: `"${s(a.key)}" in ${s(a.context)} is not needed with dnsmasq: ${s(a.why)}`, ...(a.advice ? { hint: s(a.advice) } : {}) }),
  KEY_NOT_CONVERTED: (a) => ({ message: `"${s(a.key)}" in ${s(a.context)} is not converted: ${s(a.why)}`, ...(a.advice ? { hint: s(a.advice) } : {}) }),
  OPTION_UNIDENTIFIED: () => ({ message: 'option-data entry has neither "name" nor "code"' }),
  OPTION_UNKNOWN_NAME: (a) => ({ message: `no option named "${s(a.name)}" in space "${s(a.space)}"`, hint: 'use the code, or add an option-def' }),
  OPTION_NAME_CODE_MISMATCH: (a) => ({ message: `option "${s(a.name)}" has code ${s(a.defCode)}, not ${s(a.code)}` }),
  OPTION_NO_DEFINITION: (a) => ({ message: `option ${s(a.code)} in "${s(a.space)}" has no definition, so csv-format must be false`, hint: 'add an option-def or give the data as hex with "csv-format": false' }),
  OPTION_DATA_INVALID: (a) => ({ message: `option ${s(a.option)} (${s(a.code)}): ${s(a.problem)}` }),
  OPTION_NOT_CONVERTED: (a) => ({ message: `option ${s(a.option)} (${s(a.code)}) not converted: ${s(a.reason)}`, hint: 'add the option to dnsmasq by hand if clients need it' }),
  OPTION_ENCODING_CHANGED: (a) => ({ message: `option ${s(a.option)} (${s(a.code)}) converted with a different encoding: ${s(a.change)}` }),
  HA_MANY_RELATIONSHIPS: (a) => ({ message: `${s(a.count)} HA relationships; only the first is used to name the server pair` }),
  HA_PASSIVE_BACKUP: () => ({ message: 'Kea passive-backup has no failover; converted to the primary/failover design so the backup serves when the primary is down' }),
  // check
  DUPLICATE_SUBNET_ID: (a) => ({ message: `subnet id ${s(a.id)} of ${s(a.subnet)} is already used by ${s(a.other)}`, hint: 'give each subnet a unique id' }),
  SUBNETS_OVERLAP: (a) => ({ message: `subnet ${s(a.subnet)} overlaps ${s(a.other)}`, hint: 'dnsmasq chooses a range by the client\'s network, so subnets must not overlap' }),
  POOL_OUTSIDE_SUBNET: (a) => ({ message: `pool ${s(a.pool)} is not inside subnet ${s(a.subnet)}`, hint: 'move the pool into the subnet or fix the subnet prefix' }),
  POOLS_OVERLAP: (a) => ({ message: `pool ${s(a.pool)} overlaps pool ${s(a.other)}`, hint: 'pools in one subnet must not overlap' }),
  RESERVATION_OUTSIDE_SUBNET: (a) => ({ message: `reserved address ${s(a.address)} is not inside subnet ${s(a.subnet)}`, hint: 'move the reservation to the subnet that holds its address' }),
  DUPLICATE_RESERVED_ADDRESS: (a) => ({ message: `${s(a.address)} is reserved twice`, hint: 'dnsmasq refuses two dhcp-host lines with one address: keep one reservation' }),
  DUPLICATE_IDENTIFIER: (a) => ({ message: `${s(a.kind)} ${s(a.value)} is reserved twice in this scope`, hint: 'keep one reservation per client' }),
  HOSTNAME_ILLEGAL: (a) => ({ message: `hostname "${s(a.hostname)}" cannot be given to dnsmasq: ${s(a.problem)}`, hint: 'rename the host to letters, digits and "-"' }),
  LEASE_TOO_SHORT: (a) => ({ message: `valid-lifetime ${s(a.value)}s is below dnsmasq's minimum of 120s; 120s is used` }),
  INTERFACE_NAME_ILLEGAL: (a) => ({ message: `"${s(a.name)}" is not a valid interface name`, hint: 'use the Linux interface name (at most 15 characters, no spaces, commas or slashes)' }),
  AUTHORITATIVE_NOT_CARRIED: () => ({ message: 'authoritative: true is not carried over: neither dnsmasq server is dhcp-authoritative', hint: 'measured: an authoritative dnsmasq NAKs every client of its peer on reboot; non-authoritative servers still serve new and rebooting clients' }),
  // transform
  POOL_TOO_SMALL_TO_SPLIT: (a) => ({ message: `pool ${s(a.pool)} holds one address; it goes to ${s(a.server)} alone` }),
  POOL_CLASS_GUARD_DROPPED: (a) => ({ message: `pool is limited to client class(es) ${s(a.classes)} in Kea; dnsmasq serves it to every client`, hint: 'restrict the range by hand with tag: filters if that matters' }),
  SUBNET_CLASS_GUARD_DROPPED: (a) => ({ message: `subnet is limited to client class(es) ${s(a.classes)} in Kea; dnsmasq serves it to every client` }),
  // cli / options
  BAD_FLAG: (a) => ({ message: `${s(a.flag)}: ${s(a.problem)}` }),
};

export function describe(d: Diagnostic): { message: string; hint?: string } {
  const w = WORDING[d.code];
  if (!w) return { message: `${d.code} ${JSON.stringify(d.args)}` };
  return w(d.args);
}

export const KNOWN_CODES: ReadonlySet<string> = new Set(Object.keys(WORDING));
