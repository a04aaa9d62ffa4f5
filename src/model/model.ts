/**
 * The normalized model: what kea2dnsmasq reasons about. Addresses are unsigned 32-bit integers
 * (ordering and range math are integer math; ipaddr.js parses and prints them), every inherited
 * Kea parameter is resolved, and every value keeps the JSON path of the Kea text it came from so
 * later stages can point back into the source.
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';

/** One Kea option-data entry, resolved to wire bytes and to a dnsmasq rendering. */
export interface ModelOption {
  code: number;
  /** Kea's name for it when known (for tag names and the report). */
  name: string | undefined;
  /** Kea option space; only 'dhcp4' options are emitted by this converter version. */
  space: string;
  /** The exact bytes Kea puts on the wire, as lower-case hex without separators (comparable, hashable). */
  wireHex: string;
  alwaysSend: boolean;
  neverSend: boolean;
  /** dnsmasq `<token>,<value>`; undefined when not expressible (then the option was reported). */
  dnsmasq: { token: string; value: string; changed?: string } | undefined;
  path: JsonPath;
}

export interface BootFields {
  nextServer?: { value: string; path: JsonPath };
  serverHostname?: { value: string; path: JsonPath };
  bootFileName?: { value: string; path: JsonPath };
}

export interface Lifetimes {
  /** Seconds; 0xffffffff means infinite (Kea's encoding). */
  valid: number;
  validPath: JsonPath | undefined;
  renew: number | undefined;
  rebind: number | undefined;
}

export interface Pool {
  /** 1-based position in Kea's `pools` list (stable name for tags). */
  index: number;
  start: number;
  end: number;
  options: ModelOption[];
  /** Kea client-class guard (OR list), as written. */
  clientClasses: string[];
  path: JsonPath;
}

export interface Subnet {
  id: number;
  /** Network address and prefix length. */
  network: number;
  prefixLength: number;
  /** As written in Kea, e.g. "192.0.2.0/24". */
  text: string;
  sharedNetwork: string | undefined;
  interface: string | undefined;
  relayAddresses: number[];
  pools: Pool[];
  options: ModelOption[];
  lifetimes: Lifetimes;
  boot: BootFields;
  authoritative: boolean;
  matchClientId: boolean;
  clientClasses: string[];
  reservations: Reservation[];
  path: JsonPath;
}

export interface SharedNetwork {
  name: string;
  interface: string | undefined;
  options: ModelOption[];
  path: JsonPath;
}

export type IdentifierKind = 'hw-address' | 'client-id';

export interface Reservation {
  /** 0 for a global reservation (Kea's convention). */
  subnetId: number;
  identifier: { kind: IdentifierKind; /** lower-case colon hex, e.g. "01:aa:bb" */ hex: string };
  ip: number | undefined;
  hostname: string | undefined;
  options: ModelOption[];
  boot: BootFields;
  clientClasses: string[];
  path: JsonPath;
}

/** A Kea client class that converts to dnsmasq tags (see src/kea/expression.ts). */
export interface ModelClass {
  name: string;
  /** The dnsmasq tag clients of this class carry. */
  tag: string;
  /** The test in disjunctive normal form; undefined when the class has no test (assigned by reservations only). */
  dnf: import('../kea/expression.js').Literal[][] | undefined;
  options: ModelOption[];
  boot: BootFields;
  path: JsonPath;
}

export type HaMode = 'load-balancing' | 'hot-standby' | 'passive-backup';

export interface HaConfig {
  mode: HaMode;
  thisServer: string;
  peers: { name: string; role: string; url: string; host: string | undefined }[];
  path: JsonPath;
}

export interface Model {
  options: ModelOption[];
  lifetimes: Lifetimes;
  boot: BootFields;
  authoritative: boolean;
  /** Where Kea set authoritative: true (global), for the report. */
  authoritativePath: JsonPath | undefined;
  matchClientId: boolean;
  interfaces: { name: string; address: string | undefined; path: JsonPath }[];
  sharedNetworks: SharedNetwork[];
  /** In subnet-id order. */
  subnets: Subnet[];
  /** Converted client classes, in Kea's definition order (later ones may test earlier ones). */
  classes: ModelClass[];
  /** Global reservations Kea would use (reservations-global on somewhere), before being placed into subnets. */
  globalReservations: Reservation[];
  ha: HaConfig | undefined;
}

export const INFINITE_LIFETIME = 0xffffffff;
