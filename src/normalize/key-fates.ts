/**
 * What becomes of each Kea key that does not turn into dnsmasq lines. Keys the converter reads are
 * listed as handled in normalize.ts; everything else must be named here (or it is reported as an
 * unknown key). Sources: Kea ARM (dhcp4-srv, hooks, ddns) and dnsmasq(8).
 */
import type { KeyFate } from './reader.js';

const ignored = (why: string, advice?: string): KeyFate => (advice ? { fate: 'ignored', why, advice } : { fate: 'ignored', why });
const unsupported = (why: string, advice?: string): KeyFate =>
  advice ? { fate: 'unsupported', why, advice } : { fate: 'unsupported', why };

const DDNS = unsupported(
  'dnsmasq has no RFC 2136 dynamic DNS client',
  'keep Kea\'s D2 role elsewhere, or enable dnsmasq\'s own DNS (--keep-dns) so it answers for its clients\' names',
);
const COMMENT = ignored('comments and user-context are documentation only');
const LIFETIME_BOUNDS = unsupported(
  'dnsmasq has no minimum/maximum lease time per scope: it grants the range\'s lease time or less when a client asks for less (down to 120 s)',
);
const NOT_IN_DNSMASQ_STATS = ignored('statistics and caching tune Kea internals, not what clients receive');

/** Keys of the top-level Dhcp4 map. */
export const DHCP4_FATES: Record<string, KeyFate> = {
  comment: COMMENT,
  'user-context': COMMENT,
  loggers: ignored('dnsmasq logs DHCP to syslog (add log-dhcp for detail)'),
  'control-socket': ignored('dnsmasq has no command channel; reload it with SIGHUP (systemctl reload dnsmasq)'),
  'control-sockets': ignored('dnsmasq has no command channel; reload it with SIGHUP (systemctl reload dnsmasq)'),
  'lease-database': ignored(
    'dnsmasq keeps its leases in /var/lib/misc/dnsmasq.leases',
    'carry the live leases over separately; clients that cannot keep their address will get a new one on their next DISCOVER',
  ),
  'hosts-database': unsupported(
    'reservations stored in a database are not in this file, so they cannot be converted',
    'export them into the config file (kea-shell reservation-get-all) and convert again',
  ),
  'hosts-databases': unsupported(
    'reservations stored in a database are not in this file, so they cannot be converted',
    'export them into the config file (kea-shell reservation-get-all) and convert again',
  ),
  'config-control': unsupported('the configuration backend holds settings this file does not', 'fetch the full config with config-get and convert that'),
  'server-tag': ignored('only used by the configuration backend'),
  'expired-leases-processing': ignored('dnsmasq expires leases itself'),
  'dhcp4o6-port': ignored('DHCPv4-over-DHCPv6 is not a DHCPv4 server feature dnsmasq offers'),
  'sanity-checks': ignored('lease file sanity checks are Kea-internal'),
  'multi-threading': ignored('Kea-internal performance tuning'),
  'dhcp-queue-control': ignored('Kea-internal performance tuning'),
  'parked-packet-limit': ignored('Kea-internal performance tuning'),
  'statistic-default-sample-count': NOT_IN_DNSMASQ_STATS,
  'statistic-default-sample-age': NOT_IN_DNSMASQ_STATS,
  'cache-threshold': NOT_IN_DNSMASQ_STATS,
  'cache-max-age': NOT_IN_DNSMASQ_STATS,
  'store-extended-info': ignored('dnsmasq does not store relay information in its lease file'),
  'decline-probation-period': unsupported('dnsmasq backs off a declined address for a fixed 10 minutes'),
  'min-valid-lifetime': LIFETIME_BOUNDS,
  'max-valid-lifetime': LIFETIME_BOUNDS,
  'offer-lifetime': unsupported('dnsmasq does not hold offered addresses for a set time'),
  allocator: ignored('dnsmasq picks a free address from a hash of the client\'s MAC, so a returning client tends to get the same address'),
  'dhcp-ddns': DDNS,
  'hostname-char-set': DDNS,
  'hostname-char-replacement': DDNS,
  'early-global-reservations-lookup': ignored('dnsmasq looks up all reservations at once'),
  'ip-reservations-unique': ignored('dnsmasq requires reserved addresses to be unique; the converter checks this'),
  'reservations-lookup-first': ignored('a Kea lookup-order optimisation with no effect on results'),
  'host-reservation-identifiers': ignored('dnsmasq matches a reservation by MAC address or client-id, whichever it names'),
  'echo-client-id': ignored('reported once in the migration report (dnsmasq never echoes option 61)'),
  compatibility: unsupported('Kea packet-parsing compatibility switches have no dnsmasq equivalent'),
  'hooks-libraries': unsupported('Kea hook libraries have no dnsmasq equivalent'),
  'ddns-send-updates': DDNS,
  'calculate-tee-times': ignored('handled together with t1-percent/t2-percent'),
};

export const DHCP4_PREFIX_FATES: [string, KeyFate][] = [['ddns-', DDNS]];

/** Keys shared by subnet4, shared-networks and pools that do not convert. */
export const SCOPE_FATES: Record<string, KeyFate> = {
  comment: COMMENT,
  'user-context': COMMENT,
  'min-valid-lifetime': LIFETIME_BOUNDS,
  'max-valid-lifetime': LIFETIME_BOUNDS,
  'offer-lifetime': DHCP4_FATES['offer-lifetime']!,
  'store-extended-info': DHCP4_FATES['store-extended-info']!,
  'cache-threshold': NOT_IN_DNSMASQ_STATS,
  'cache-max-age': NOT_IN_DNSMASQ_STATS,
  allocator: DHCP4_FATES.allocator!,
  'hostname-char-set': DDNS,
  'hostname-char-replacement': DDNS,
  '4o6-interface': ignored('DHCPv4-over-DHCPv6 is not converted'),
  '4o6-interface-id': ignored('DHCPv4-over-DHCPv6 is not converted'),
  '4o6-subnet': ignored('DHCPv4-over-DHCPv6 is not converted'),
  'pool-id': ignored('pool ids only label Kea statistics'),
  'calculate-tee-times': DHCP4_FATES['calculate-tee-times']!,
  'evaluate-additional-classes': unsupported('additional (required) client classes are not converted by this version'),
  'require-client-classes': unsupported('required client classes are not converted by this version'),
};

export const SCOPE_PREFIX_FATES: [string, KeyFate][] = [['ddns-', DDNS]];

export const RESERVATION_FATES: Record<string, KeyFate> = {
  comment: COMMENT,
  'user-context': COMMENT,
};

export const INTERFACES_CONFIG_FATES: Record<string, KeyFate> = {
  comment: COMMENT,
  'user-context': COMMENT,
  'dhcp-socket-type': ignored('dnsmasq uses a raw socket for local clients and UDP for relayed ones itself'),
  'outbound-interface': ignored('dnsmasq replies through the interface the request came in on'),
  're-detect': ignored('dnsmasq follows interface changes itself (use bind-dynamic for hot-plugged interfaces)'),
  'service-sockets-require-all': ignored('socket retry policy is Kea-internal'),
  'service-sockets-max-retries': ignored('socket retry policy is Kea-internal'),
  'service-sockets-retry-wait-time': ignored('socket retry policy is Kea-internal'),
};

export const OPTION_DATA_FATES: Record<string, KeyFate> = {
  comment: COMMENT,
  'user-context': COMMENT,
  'client-classes': unsupported('option class-tagging is not converted by this version'),
};

/** Top-level siblings of Dhcp4 in old all-in-one files. */
export const TOP_LEVEL_FATES: Record<string, KeyFate> = {
  Dhcp6: ignored('DHCPv6 is not converted (this tool migrates DHCPv4)'),
  DhcpDdns: DDNS,
  'Dhcp-ddns': DDNS,
  Logging: ignored('dnsmasq logs to syslog'),
  'Control-agent': ignored('dnsmasq has no REST control agent'),
  Netconf: ignored('dnsmasq has no NETCONF agent'),
};
