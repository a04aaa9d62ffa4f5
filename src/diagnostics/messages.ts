/**
 * The one place diagnostics are worded: a message (what is wrong) and a hint (what to do).
 * Codes are stable; tests assert codes, never this text.
 */
import type { Diagnostic } from './diagnostic.js';

type Args = Record<string, string | number>;
type Wording = (a: Args) => { message: string; hint?: string };

/**
 * Arguments often hold text from the Kea file: control characters (a line break, an ESC that would
 * drive the admin's terminal) are shown as \xNN so every message stays one plain line.
 */
const s = (v: unknown) => String(v ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

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
  GLOBAL_RESERVATIONS_UNUSED: (a) => ({ message: `${s(a.count)} global reservation(s) are not used by Kea (no subnet has reservations-global on) and were not converted` }),
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
  // check: safety (src/check/safety.ts)
  NAME_ILLEGAL: (a) => ({ message: `${s(a.what)} "${s(a.name)}" cannot be written into the dnsmasq config: ${s(a.problem)}`, hint: `shorten it to at most 128 bytes without control characters` }),
  BOOT_FIELD_ILLEGAL: (a) => ({ message: `"${s(a.key)}" "${s(a.value)}" cannot be given to dnsmasq: ${s(a.problem)}`, hint: 'fix the value; Kea sends it in the BOOTP header' }),
  SERVER_NAME_ILLEGAL: (a) => ({ message: `HA peer name "${s(a.name)}" cannot name a server: it becomes a directory under --out and a line in the config`, hint: 'give the pair names with --servers A,B (letters, digits, ".", "_", "-"), or rename the peer' }),
  SHARED_NETWORK_TAG_CLASH: (a) => ({ message: `shared network "${s(a.name)}" would get the dnsmasq tag ${s(a.tag)}, which "${s(a.other)}" already has`, hint: 'rename one of them so that the names differ in letters or digits' }),
  IDENTIFIER_TOO_LONG: (a) => ({ message: `this ${s(a.kind)} is ${s(a.bytes)} bytes; a DHCP client sends at most ${s(a.max)}`, hint: 'fix the identifier' }),
  RESERVATION_TAG_LEAK: (a) => ({ message: `${s(a.kind)} ${s(a.value)} is reserved in ${s(a.subnet)} and in another subnet with different options; dnsmasq tags a client by its ${s(a.kind)} in every subnet, so each reservation's options would reach it in both`, hint: 'give both reservations the same option-data (and boot fields and classes), or move the differing options to the subnets' }),
  CLIENT_ID_PREFIX: (a) => ({ message: `client-id ${s(a.value)} is the start of client-id ${s(a.other)}; dnsmasq matches client ids by prefix, so the tags of the first would reach the second`, hint: 'check the client ids: DHCP clients normally send a type byte and the whole MAC address' }),
  GENERATED_LINE_UNSAFE: (a) => ({ message: `internal check failed: generated ${s(a.path)} line ${s(a.line)} holds ${s(a.problem)}`, hint: 'please report this; nothing was written' }),
  MATCH_CLIENT_ID_PER_SUBNET: (a) => ({ message: `match-client-id is ${s(a.value)} for subnet ${s(a.subnet)} only; dnsmasq's dhcp-ignore-clid is global, so the global setting applies there`, hint: 'set match-client-id the same everywhere, or add id:* to the reservations that need it' }),
  BOOT_SIADDR_CHANGED: (a) => ({ message: `boot-file-name "${s(a.file)}" has no next-server: Kea sends siaddr 0.0.0.0, dnsmasq's dhcp-boot sends its own address`, hint: 'set next-server to the TFTP server\'s address (clients usually need it anyway)' }),
  BOOT_SNAME_NOT_CARRIED: (a) => ({ message: `server-hostname "${s(a.name)}" is not carried: no boot-file-name applies here, and kea2dnsmasq writes the server name only on a dhcp-boot line, which needs a file`, hint: 'set boot-file-name at the same level (clients that read sname usually need a file too), or drop server-hostname' }),
  GLOBAL_RESERVATION_EVERYWHERE: (a) => ({ message: `global reservation ${s(a.kind)} ${s(a.value)} has no address: dnsmasq applies it (its options, boot fields and classes) in every subnet, Kea only where reservations-global is on, which ${s(a.subnets)} do not have`, hint: 'give it an ip-address in the subnet where it belongs, or turn reservations-global on in every subnet' }),
  GLOBAL_RESERVATION_BOOT_SCOPE: (a) => ({ message: `global reservation ${s(a.kind)} ${s(a.value)} has no address and sets some boot fields: for the ones it leaves unset dnsmasq uses the global values, Kea those of the client's subnet, which differ in ${s(a.subnets)}`, hint: 'set all three boot fields (next-server, server-hostname, boot-file-name) on the reservation, or give it an ip-address' }),
  AUTHORITATIVE_NOT_CARRIED: () => ({ message: 'authoritative: true is not carried over: neither dnsmasq server is dhcp-authoritative', hint: 'measured: an authoritative dnsmasq NAKs every client of its peer on reboot; non-authoritative servers still serve new and rebooting clients' }),
  CLASS_NOT_CONVERTED: (a) => ({ message: `client class "${s(a.name)}" not converted: ${s(a.reason)}`, hint: 'clients of this class get what other clients get; express it by hand with dhcp-match / tag-if if it matters' }),
  CLASS_MATCH_PREFIX: (a) => ({ message: `client class "${s(a.name)}" compares a whole option; dnsmasq's dhcp-match compares a prefix, so longer values match too`, hint: 'use substring(option[N].hex,0,L) in Kea to say you mean a prefix' }),
  CLASS_UNKNOWN: (a) => ({ message: `client class "${s(a.name)}" is not defined or was not converted`, hint: 'the guard or assignment is dropped: every client is served here' }),
  // transform
  POOL_TOO_SMALL_TO_SPLIT: (a) => ({ message: `pool ${s(a.pool)} holds one address; it goes to ${s(a.server)} alone` }),
  // leases (src/leases/)
  LEASE_FILE_NOT_FOUND: (a) => ({ message: `lease file ${s(a.path)} does not exist`, hint: 'give the memfile lease CSV (usually /var/lib/kea/kea-leases4.csv) or a kea-admin lease-dump CSV' }),
  LEASE_FILE_UNREADABLE: (a) => ({ message: `cannot read lease file ${s(a.path)}: ${s(a.reason)}` }),
  LEASE_HEADER_UNUSABLE: (a) => ({ message: `${s(a.file)}: the header has no ${s(a.missing)} column(s)`, hint: 'this is not a Kea DHCPv4 lease CSV (a DHCPv6 file has duid and iaid columns)' }),
  LEASE_ROW_MALFORMED: (a) => ({ message: `lease row skipped: ${s(a.problem)}`, hint: 'that client gets a new address on its next DISCOVER; fix the row to carry its lease over' }),
  LEASE_TIME_ZONE_ASSUMED: (a) => ({ message: `${s(a.file)} gives expiry as a date and time without a zone (kea-admin lease-dump of an older SQL schema); read as UTC`, hint: 'dump with the database session in UTC, or use --at to shift "now" accordingly' }),
  LEASES_WILL_RENUMBER: (a) => ({ message: `${s(a.count)} live lease(s) cannot be carried over; those clients get a new address (listed in the migration report)` }),
  LEASE_CAPACITY_SHORT: (a) => ({ message: `${s(a.subnet)}: ${s(a.clients)} clients hold dynamic leases, but ${s(a.server)} alone can hand out ${s(a.capacity)} addresses`, hint: a.mode === 'equal' ? 'in equal mode each server must carry every client when the other is down: enlarge the pools, or use --mode failover' : 'the primary must carry every client: enlarge the pools or lower --failover-share' }),
  // cli / options
  BAD_FLAG: (a) => ({ message: `${s(a.flag)}: ${s(a.problem)}` }),
};

export function describe(d: Diagnostic): { message: string; hint?: string } {
  const w = WORDING[d.code];
  if (!w) return { message: `${d.code} ${JSON.stringify(d.args)}` };
  return w(d.args);
}

export const KNOWN_CODES: ReadonlySet<string> = new Set(Object.keys(WORDING));
