/**
 * Kea-as-written -> Model. The only module that knows both Kea's key names and the model.
 * Inheritance follows the Kea ARM ("Parameters inheritance"): global -> shared-network -> subnet
 * for lifetimes, timers, boot fields, authoritative, match-client-id, interface and relay, and the
 * reservations-* flags. Option-data stays per level; precedence is applied when emitting.
 */
import type { Diagnostic, JsonPath } from '../diagnostics/diagnostic.js';
import {
  INFINITE_LIFETIME,
  type BootFields,
  type HaConfig,
  type HaMode,
  type Lifetimes,
  type Model,
  type ModelOption,
  type Pool,
  type Reservation,
  type SharedNetwork,
  type Subnet,
} from '../model/model.js';
import { parseIPv4, parseIPv4Cidr } from '../model/ipv4.js';
import { canonicalColonHexLength, colonHex, decodeKeaHex } from '../model/hex.js';
import type { OptionDef } from '../options/kea-option-defs.js';
import {
  DHCP4_FATES,
  DHCP4_PREFIX_FATES,
  INTERFACES_CONFIG_FATES,
  RESERVATION_FATES,
  SCOPE_FATES,
  SCOPE_PREFIX_FATES,
  TOP_LEVEL_FATES,
} from './key-fates.js';
import { childPath, isObject, Reader, type JsonObject } from './reader.js';
import { NO_OPTIONS, readOptionData, readOptionDefs } from './options.js';
import { readClasses } from './classes.js';
import { NO_BOOT_FIELDS, readOwnBootFields } from './boot.js';

export interface NormalizeResult {
  model: Model | undefined;
  diagnostics: Diagnostic[];
}

/** Kea's defaults (simple_parser4.cc). */
const DEFAULT_VALID_LIFETIME = 7200;

interface ReservationFlags {
  global: boolean;
  inSubnet: boolean;
  outOfPool: boolean;
}

/** Parameters that flow from global to shared network to subnet. */
interface Inherited {
  lifetimes: Lifetimes;
  t1Percent: number | undefined;
  t2Percent: number | undefined;
  calculateTee: boolean;
  boot: BootFields;
  authoritative: boolean;
  matchClientId: boolean;
  interface: string | undefined;
  relayAddresses: number[];
  flags: ReservationFlags;
  clientClasses: string[];
}

/** Keys inherit() reads at every level (Kea's inherited parameters), plus option-data. */
const INHERITED_KEYS = [
  'valid-lifetime',
  'renew-timer',
  'rebind-timer',
  't1-percent',
  't2-percent',
  'calculate-tee-times',
  'next-server',
  'server-hostname',
  'boot-file-name',
  'authoritative',
  'match-client-id',
  'option-data',
  'reservation-mode',
  'reservations-global',
  'reservations-in-subnet',
  'reservations-out-of-pool',
];
const GLOBAL_HANDLED = new Set([
  ...INHERITED_KEYS,
  'interfaces-config',
  'option-def',
  'subnet4',
  'shared-networks',
  'reservations',
  'hooks-libraries',
  'client-classes',
]);
const SCOPE_HANDLED = [...INHERITED_KEYS, 'interface', 'relay', 'client-class', 'client-classes'];
const SHARED_NETWORK_HANDLED = new Set([...SCOPE_HANDLED, 'name', 'subnet4']);
const SUBNET_HANDLED = new Set([...SCOPE_HANDLED, 'id', 'subnet', 'pools', 'reservations']);
const POOL_HANDLED = new Set(['pool', 'option-data', 'client-class', 'client-classes']);
const RESERVATION_HANDLED = new Set([
  'hw-address',
  'client-id',
  'duid',
  'circuit-id',
  'flex-id',
  'ip-address',
  'hostname',
  'option-data',
  'next-server',
  'server-hostname',
  'boot-file-name',
  'client-classes',
]);

export function normalize(doc: unknown): NormalizeResult {
  const r = new Reader();
  const model = normalizeDocument(r, doc);
  return { model, diagnostics: r.diagnostics };
}

function normalizeDocument(r: Reader, doc: unknown): Model | undefined {
  if (!isObject(doc)) {
    r.error('NOT_KEA_CONFIG', [], { looksLike: Array.isArray(doc) ? 'a JSON list' : `a JSON ${typeof doc}` });
    return undefined;
  }
  for (const key of Object.keys(doc)) {
    if (key === 'Dhcp4') continue;
    const fate = TOP_LEVEL_FATES[key];
    if (fate) r.note('KEY_IGNORED', [key], { key, context: 'top level', why: fate.why });
    else r.warn('UNKNOWN_KEY', [key], { key, context: 'top level' });
  }
  if (!('Dhcp4' in doc)) {
    r.error('NO_DHCP4', [], { found: Object.keys(doc).join(', ') || 'nothing' });
    return undefined;
  }
  const d4 = r.object(doc.Dhcp4, ['Dhcp4']);
  if (!d4) return undefined;
  return normalizeDhcp4(r, d4, ['Dhcp4']);
}

function normalizeDhcp4(r: Reader, d4: JsonObject, path: JsonPath): Model {
  r.classifyRest(d4, path, 'Dhcp4', GLOBAL_HANDLED, DHCP4_FATES, DHCP4_PREFIX_FATES);

  const customDefs: OptionDef[] = d4['option-def'] === undefined ? [] : readOptionDefs(r, d4['option-def'], [...path, 'option-def']);

  const root: Inherited = {
    lifetimes: { valid: DEFAULT_VALID_LIFETIME, validPath: undefined, renew: undefined, rebind: undefined },
    t1Percent: undefined,
    t2Percent: undefined,
    calculateTee: false,
    boot: {},
    authoritative: false,
    matchClientId: true,
    interface: undefined,
    relayAddresses: [],
    flags: { global: false, inSubnet: true, outOfPool: false },
    clientClasses: [],
  };
  const global = inherit(r, d4, path, root);

  const options = d4['option-data'] === undefined ? [] : readOptionData(r, d4['option-data'], { path }, customDefs);
  const classes = d4['client-classes'] === undefined ? [] : readClasses(r, d4['client-classes'], [...path, 'client-classes'], customDefs);
  const interfaces = readInterfaces(r, d4['interfaces-config'], [...path, 'interfaces-config']);
  const ha = readHooks(r, d4['hooks-libraries'], [...path, 'hooks-libraries']);

  const sharedNetworks: SharedNetwork[] = [];
  const subnets: Subnet[] = [];
  const pendingIds: { subnet: Subnet }[] = [];

  const readSubnets = (v: unknown, p: JsonPath, parent: Inherited, network: SharedNetwork | undefined) => {
    const list = r.list(v, p);
    if (!list) return;
    list.forEach((item, i) => {
      const sp = childPath(p, i);
      const o = r.object(item, sp);
      if (!o) return;
      const s = readSubnet(r, o, sp, parent, network, customDefs);
      if (!s) return;
      subnets.push(s);
      if (s.id === 0) pendingIds.push({ subnet: s });
    });
  };

  if (d4['subnet4'] !== undefined) readSubnets(d4['subnet4'], [...path, 'subnet4'], global, undefined);
  if (d4['shared-networks'] !== undefined) {
    const nets = r.list(d4['shared-networks'], [...path, 'shared-networks']) ?? [];
    nets.forEach((item, i) => {
      const np = childPath(childPath(path, 'shared-networks'), i);
      const o = r.object(item, np);
      if (!o) return;
      r.classifyRest(o, np, 'shared-networks', SHARED_NETWORK_HANDLED, SCOPE_FATES, SCOPE_PREFIX_FATES);
      const name = r.string(o.name, [...np, 'name']);
      if (name === undefined) {
        if (o.name === undefined) r.error('MISSING_KEY', np, { key: 'name', context: 'shared-networks' });
        return;
      }
      const inh = inherit(r, o, np, global);
      const net: SharedNetwork = {
        name,
        interface: inh.interface,
        options: o['option-data'] === undefined ? [] : readOptionData(r, o['option-data'], { path: np }, customDefs),
        path: np,
      };
      sharedNetworks.push(net);
      if (o['subnet4'] !== undefined) readSubnets(o['subnet4'], [...np, 'subnet4'], inh, net);
    });
  }

  // Kea 2.x numbered subnets without an id itself; 3.x requires one. Number them after the highest
  // explicit id, in file order, and say so.
  if (pendingIds.length > 0) {
    let next = 1;
    for (const s of subnets) if (s.id >= next) next = s.id + 1;
    for (const { subnet } of pendingIds) {
      subnet.id = next++;
      r.warn('SUBNET_ID_MISSING', subnet.path, { subnet: subnet.text, id: subnet.id });
    }
  }

  const globalReservations =
    d4['reservations'] === undefined ? [] : readReservations(r, d4['reservations'], [...path, 'reservations'], 0, customDefs);
  // Kea uses global reservations only in subnets where reservations-global ends up on (a subnet's
  // flags are inherited from its network and the global level); asked once, not per reservation.
  const globalsUsed = subnets.some(usesGlobalReservations);
  if (globalReservations.length > 0 && !globalsUsed) {
    r.warn('GLOBAL_RESERVATIONS_UNUSED', [...path, 'reservations'], { count: globalReservations.length });
  }

  subnets.sort((a, b) => a.id - b.id);
  sharedNetworks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  return {
    options,
    lifetimes: global.lifetimes,
    boot: global.boot,
    authoritative: global.authoritative,
    authoritativePath: d4.authoritative === true ? [...path, 'authoritative'] : undefined,
    matchClientId: global.matchClientId,
    interfaces,
    sharedNetworks,
    subnets,
    classes,
    globalReservations: globalsUsed ? globalReservations : [],
    ha,
  };
}

/** The reservation flags each subnet ended up with (kept beside the model; read through usesGlobalReservations). */
const subnetFlags = new WeakMap<Subnet, ReservationFlags>();

/** Whether Kea uses global reservations in this subnet (reservations-global, inherited from its network and the global level). */
export const usesGlobalReservations = (s: Subnet): boolean => subnetFlags.get(s)?.global === true;

function inherit(r: Reader, o: JsonObject, path: JsonPath, parent: Inherited): Inherited {
  const lifetime = (key: string) =>
    o[key] === undefined ? undefined : r.integer(o[key], [...path, key], 0, INFINITE_LIFETIME);
  const valid = lifetime('valid-lifetime');
  const renew = lifetime('renew-timer');
  const rebind = lifetime('rebind-timer');
  const pct = (key: string) => {
    if (o[key] === undefined) return undefined;
    const v = o[key];
    if (typeof v !== 'number' || !(v > 0 && v < 1)) {
      r.error('NUMBER_OUT_OF_RANGE', [...path, key], { key, value: String(v), min: 0, max: 1 });
      return undefined;
    }
    return v;
  };
  const t1Percent = pct('t1-percent') ?? parent.t1Percent;
  const t2Percent = pct('t2-percent') ?? parent.t2Percent;
  const calculateTee =
    o['calculate-tee-times'] === undefined ? parent.calculateTee : (r.boolean(o['calculate-tee-times'], [...path, 'calculate-tee-times']) ?? parent.calculateTee);

  const boot: BootFields = { ...parent.boot };
  const bootField = (key: string, field: keyof BootFields, check?: (s: string) => boolean) => {
    if (o[key] === undefined) return;
    const s = r.string(o[key], [...path, key]);
    if (s === undefined) return;
    if (check && !check(s)) {
      r.error('BAD_ADDRESS', [...path, key], { value: s, key });
      return;
    }
    boot[field] = { value: s, path: childPath(path, key) };
  };
  bootField('next-server', 'nextServer', (s) => parseIPv4(s) !== undefined);
  bootField('server-hostname', 'serverHostname');
  bootField('boot-file-name', 'bootFileName');

  const bool = (key: string, fallback: boolean) =>
    o[key] === undefined ? fallback : (r.boolean(o[key], [...path, key]) ?? fallback);

  const flags = { ...parent.flags };
  if (o['reservation-mode'] !== undefined) {
    const mode = r.string(o['reservation-mode'], [...path, 'reservation-mode']);
    const modes: Record<string, ReservationFlags> = {
      all: { global: false, inSubnet: true, outOfPool: false },
      'out-of-pool': { global: false, inSubnet: true, outOfPool: true },
      global: { global: true, inSubnet: false, outOfPool: false },
      disabled: { global: false, inSubnet: false, outOfPool: false },
    };
    if (mode !== undefined) {
      const m = modes[mode];
      if (m) Object.assign(flags, m);
      else r.error('BAD_ENUM', [...path, 'reservation-mode'], { key: 'reservation-mode', value: mode, allowed: Object.keys(modes).join(', ') });
    }
  }
  flags.global = bool('reservations-global', flags.global);
  flags.inSubnet = bool('reservations-in-subnet', flags.inSubnet);
  flags.outOfPool = bool('reservations-out-of-pool', flags.outOfPool);

  let iface = parent.interface;
  if (o.interface !== undefined) iface = r.string(o.interface, [...path, 'interface']) ?? iface;

  let relayAddresses = parent.relayAddresses;
  if (o.relay !== undefined) {
    const rel = r.object(o.relay, [...path, 'relay']);
    if (rel) {
      relayAddresses = [];
      const addrs: [unknown, JsonPath][] = [];
      if (rel['ip-addresses'] !== undefined) {
        const l = r.list(rel['ip-addresses'], [...path, 'relay', 'ip-addresses']) ?? [];
        l.forEach((a, i) => addrs.push([a, [...path, 'relay', 'ip-addresses', i]]));
      }
      // Kea 1.x and the HA examples in the ARM still write the singular form.
      if (rel['ip-address'] !== undefined) addrs.push([rel['ip-address'], [...path, 'relay', 'ip-address']]);
      for (const [a, ap] of addrs) {
        const s = r.string(a, ap);
        if (s === undefined) continue;
        const n = parseIPv4(s);
        if (n === undefined) r.error('BAD_ADDRESS', ap, { value: s, key: 'relay' });
        else if (n !== 0) relayAddresses.push(n);
      }
    }
  }

  // At the Dhcp4 level "client-classes" holds the class definitions, not a guard.
  let clientClasses = parent.clientClasses;
  const classes = path.length > 1 ? readClassList(r, o, path) : undefined;
  if (classes) clientClasses = classes;

  return {
    lifetimes: {
      valid: valid ?? parent.lifetimes.valid,
      validPath: valid !== undefined ? childPath(path, 'valid-lifetime') : parent.lifetimes.validPath,
      renew: renew ?? parent.lifetimes.renew,
      rebind: rebind ?? parent.lifetimes.rebind,
    },
    t1Percent,
    t2Percent,
    calculateTee,
    boot,
    authoritative: bool('authoritative', parent.authoritative),
    matchClientId: bool('match-client-id', parent.matchClientId),
    interface: iface,
    relayAddresses,
    flags,
    clientClasses,
  };
}

/** `client-classes` (list, 2.7.5+) or the older singular `client-class`. */
function readClassList(r: Reader, o: JsonObject, path: JsonPath): string[] | undefined {
  if (o['client-classes'] !== undefined) return r.stringList(o['client-classes'], [...path, 'client-classes']);
  if (o['client-class'] !== undefined) {
    const s = r.string(o['client-class'], [...path, 'client-class']);
    return s === undefined || s === '' ? [] : [s];
  }
  return undefined;
}

function readSubnet(
  r: Reader,
  o: JsonObject,
  path: JsonPath,
  parent: Inherited,
  network: SharedNetwork | undefined,
  customDefs: readonly OptionDef[],
): Subnet | undefined {
  r.classifyRest(o, path, 'subnet4', SUBNET_HANDLED, SCOPE_FATES, SCOPE_PREFIX_FATES);
  if (o.subnet === undefined) {
    r.error('MISSING_KEY', path, { key: 'subnet', context: 'subnet4' });
    return undefined;
  }
  const text = r.string(o.subnet, [...path, 'subnet']);
  if (text === undefined) return undefined;
  const cidr = parseIPv4Cidr(text);
  if (!cidr) {
    r.error('BAD_PREFIX', [...path, 'subnet'], { value: text });
    return undefined;
  }
  if (!cidr.canonical) r.note('SUBNET_NOT_CANONICAL', [...path, 'subnet'], { value: text });
  if (cidr.prefixLength > 30) {
    r.error('SUBNET_TOO_SMALL', [...path, 'subnet'], { value: text });
    return undefined;
  }
  let id = 0;
  if (o.id !== undefined) id = r.integer(o.id, [...path, 'id'], 1, 4294967294) ?? 0;

  const inh = inherit(r, o, path, parent);
  const lifetimes = teeTimes(inh);
  const subnet: Subnet = {
    id,
    network: cidr.network,
    prefixLength: cidr.prefixLength,
    text,
    sharedNetwork: network?.name,
    interface: inh.interface,
    relayAddresses: inh.relayAddresses,
    pools: [],
    options: o['option-data'] === undefined ? [] : readOptionData(r, o['option-data'], { path }, customDefs),
    lifetimes,
    boot: inh.boot,
    authoritative: inh.authoritative,
    matchClientId: inh.matchClientId,
    clientClasses: inh.clientClasses,
    reservations: [],
    path,
  };
  subnetFlags.set(subnet, inh.flags);

  if (o.pools !== undefined) {
    const pools = r.list(o.pools, [...path, 'pools']) ?? [];
    pools.forEach((item, i) => {
      const pp = childPath(childPath(path, 'pools'), i);
      const po = r.object(item, pp);
      if (!po) return;
      r.classifyRest(po, pp, 'pools', POOL_HANDLED, SCOPE_FATES, SCOPE_PREFIX_FATES);
      if (po.pool === undefined) {
        r.error('MISSING_KEY', pp, { key: 'pool', context: 'pools' });
        return;
      }
      const spec = r.string(po.pool, [...pp, 'pool']);
      if (spec === undefined) return;
      const range = parsePoolSpec(spec);
      if (!range) {
        r.error('BAD_POOL', [...pp, 'pool'], { value: spec });
        return;
      }
      const pool: Pool = {
        index: i + 1,
        start: range.start,
        end: range.end,
        options: po['option-data'] === undefined ? [] : readOptionData(r, po['option-data'], { path: pp }, customDefs),
        clientClasses: readClassList(r, po, pp) ?? [],
        path: pp,
      };
      subnet.pools.push(pool);
    });
  }

  if (o.reservations !== undefined) {
    const res = readReservations(r, o.reservations, [...path, 'reservations'], id, customDefs);
    if (inh.flags.inSubnet) subnet.reservations = res;
    else if (res.length > 0) r.warn('SUBNET_RESERVATIONS_DISABLED', [...path, 'reservations'], { subnet: text, count: res.length });
  }
  return subnet;
}

/** Kea computes T1/T2 from the valid lifetime when calculate-tee-times is on and they are unset. */
function teeTimes(inh: Inherited): Lifetimes {
  const l = { ...inh.lifetimes };
  if (inh.calculateTee && l.valid !== INFINITE_LIFETIME) {
    if (l.renew === undefined) l.renew = Math.floor(l.valid * (inh.t1Percent ?? 0.5));
    if (l.rebind === undefined) l.rebind = Math.floor(l.valid * (inh.t2Percent ?? 0.875));
  }
  return l;
}

/** "a.b.c.d - e.f.g.h" (spaces optional) or "a.b.c.d/len" (network and broadcast included, as in Kea). */
export function parsePoolSpec(spec: string): { start: number; end: number } | undefined {
  if (spec.includes('/')) {
    const c = parseIPv4Cidr(spec);
    if (!c) return undefined;
    const size = 2 ** (32 - c.prefixLength);
    return { start: c.network, end: c.network + size - 1 };
  }
  const dash = spec.indexOf('-');
  if (dash < 0) return undefined;
  const start = parseIPv4(spec.slice(0, dash).trim());
  const end = parseIPv4(spec.slice(dash + 1).trim());
  if (start === undefined || end === undefined || end < start) return undefined;
  return { start, end };
}

function readReservations(r: Reader, v: unknown, path: JsonPath, subnetId: number, customDefs: readonly OptionDef[]): Reservation[] {
  const list = r.list(v, path);
  if (!list) return [];
  // Sized to the list, trimmed at the end (growing by push copies the array again and again).
  const out = new Array<Reservation>(list.length);
  let count = 0;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    // isObject first: a reservation's path is built only for a diagnostic (see KeaReservation).
    const o = isObject(item) ? item : r.object(item, childPath(path, i));
    if (!o) continue;
    const res = readReservation(r, o, path, i, subnetId, customDefs);
    if (res) out[count++] = res;
  }
  out.length = count;
  return out;
}

/**
 * A Reservation as read from Kea. Its `path` is built when asked for, from the path of the
 * reservations list (one array shared by the whole list) and its index in it: a big config has
 * 100,000s of reservations, and a path array each (88 bytes, a fifth of the Model) was kept for
 * the few that a diagnostic or a report line cites. `path` is a getter on the prototype, not an
 * own property: a copy made by spreading would lose it (nothing copies reservations).
 */
class KeaReservation implements Reservation {
  declare subnetId: number;
  declare identifier: Reservation['identifier'];
  declare ip: number | undefined;
  declare hostname: string | undefined;
  declare options: ModelOption[];
  declare boot: BootFields;
  declare clientClasses: string[];
  readonly #list: JsonPath;
  readonly #index: number;

  constructor(
    list: JsonPath,
    index: number,
    subnetId: number,
    identifier: Reservation['identifier'],
    ip: number | undefined,
    hostname: string | undefined,
    boot: BootFields,
    clientClasses: string[],
  ) {
    this.#list = list;
    this.#index = index;
    this.subnetId = subnetId;
    this.identifier = identifier;
    this.ip = ip;
    this.hostname = hostname;
    this.options = NO_OPTIONS;
    this.boot = boot;
    this.clientClasses = clientClasses;
  }

  get path(): JsonPath {
    return reservationPath(this.#list, this.#index);
  }
}

/** The path of reservation `index` in the list at `list`, or of one of its keys. */
function reservationPath(list: JsonPath, index: number, key?: string): JsonPath {
  const p = childPath(list, index);
  return key === undefined ? p : childPath(p, key);
}

/** The identifier keys of a reservation, in the order RESERVATION_MANY_IDENTIFIERS names them. */
const IDENTIFIER_KEYS = ['hw-address', 'client-id', 'duid', 'circuit-id', 'flex-id'] as const;

/** A reservation without client-classes: one shared, frozen list (nothing downstream adds to it). */
const NO_CLASSES: string[] = Object.freeze([]) as unknown as string[];

function readReservation(
  r: Reader,
  o: JsonObject,
  list: JsonPath,
  index: number,
  subnetId: number,
  customDefs: readonly OptionDef[],
): Reservation | undefined {
  // One pass over the keys (a big config has 100,000s of reservations): the values used below, the
  // identifier, whether boot fields are set, and whether any key needs classifyRest (most
  // reservations use only keys handled here; then it is not called at all).
  let kind: (typeof IDENTIFIER_KEYS)[number] | undefined;
  let idCount = 0;
  let ipValue: unknown;
  let hostValue: unknown;
  let optionData: unknown;
  let classes: unknown;
  let hasBoot = false;
  let unhandled = false;
  for (const key in o) {
    const v = o[key];
    switch (key) {
      case 'hw-address':
      case 'client-id':
      case 'duid':
      case 'circuit-id':
      case 'flex-id':
        if (v !== undefined) {
          kind = key;
          idCount++;
        }
        break;
      case 'ip-address':
        ipValue = v;
        break;
      case 'hostname':
        hostValue = v;
        break;
      case 'option-data':
        optionData = v;
        break;
      case 'client-classes':
        classes = v;
        break;
      case 'next-server':
      case 'server-hostname':
      case 'boot-file-name':
        hasBoot ||= v !== undefined;
        break;
      default:
        unhandled ||= !RESERVATION_HANDLED.has(key);
    }
  }
  if (unhandled) r.classifyRest(o, reservationPath(list, index), 'reservation', RESERVATION_HANDLED, RESERVATION_FATES);
  if (kind === undefined) {
    r.error('RESERVATION_NO_IDENTIFIER', reservationPath(list, index), {});
    return undefined;
  }
  if (idCount > 1) {
    const idKeys = IDENTIFIER_KEYS.filter((k) => o[k] !== undefined);
    r.error('RESERVATION_MANY_IDENTIFIERS', reservationPath(list, index, idKeys[1]), { keys: idKeys.join(', ') });
    return undefined;
  }
  // typeof first: a path is only built when there is a type error to report.
  const idValue = o[kind];
  const idText = typeof idValue === 'string' ? idValue : r.string(idValue, reservationPath(list, index, kind));
  if (idText === undefined) return undefined;
  if (kind !== 'hw-address' && kind !== 'client-id') {
    r.warn('RESERVATION_NOT_CONVERTED', reservationPath(list, index, kind), {
      identifier: kind,
      reason:
        kind === 'flex-id'
          ? 'flex-id needs Kea\'s flex_id hook expression; dnsmasq has no equivalent key'
          : kind === 'duid'
            ? 'a DHCPv4 DUID reservation matches the DUID inside an RFC 4361 client-id whose IAID is unknown, so no fixed client-id can be written'
            : 'dnsmasq cannot key a reservation on the relay circuit-id',
    });
    return undefined;
  }
  // Most identifiers are written the way the model spells them ("02:00:5e:00:53:01"): then the
  // parsed document's string is the canonical form (shared, no decoding and re-encoding).
  let hex: string;
  let length = canonicalColonHexLength(idText);
  if (length > 0) {
    hex = idText;
  } else {
    const bytes = decodeKeaHex(idText, kind === 'client-id');
    length = bytes ? bytes.length : 0;
    hex = bytes && length > 0 ? colonHex(bytes) : '';
  }
  if (length === 0) {
    r.error(kind === 'hw-address' ? 'BAD_MAC' : 'BAD_CLIENT_ID', reservationPath(list, index, kind), { value: idText });
    return undefined;
  }
  if (kind === 'hw-address' && length > 16) {
    r.error('BAD_MAC', reservationPath(list, index, kind), { value: idText });
    return undefined;
  }
  let ip: number | undefined;
  if (ipValue !== undefined) {
    const s = typeof ipValue === 'string' ? ipValue : r.string(ipValue, reservationPath(list, index, 'ip-address'));
    if (s !== undefined) {
      ip = parseIPv4(s);
      if (ip === undefined) {
        r.error('BAD_ADDRESS', reservationPath(list, index, 'ip-address'), { value: s, key: 'ip-address' });
        return undefined;
      }
      if (ip === 0) ip = undefined; // Kea writes 0.0.0.0 for "no address reserved"
    }
  }
  let hostname: string | undefined;
  if (hostValue !== undefined) {
    const h = typeof hostValue === 'string' ? hostValue : r.string(hostValue, reservationPath(list, index, 'hostname'));
    if (h !== undefined && h !== '') hostname = h;
  }
  const boot = hasBoot ? readOwnBootFields(r, o, reservationPath(list, index)) : NO_BOOT_FIELDS;
  let clientClasses = NO_CLASSES;
  if (classes !== undefined) {
    const l = r.stringList(classes, reservationPath(list, index, 'client-classes'));
    if (l && l.length > 0) clientClasses = l;
  }
  const res = new KeaReservation(list, index, subnetId, { kind, hex }, ip, hostname, boot, clientClasses);
  // After boot fields and classes, as before: their diagnostics come first.
  if (optionData !== undefined) res.options = readOptionData(r, optionData, res, customDefs);
  return res;
}

function readInterfaces(r: Reader, v: unknown, path: JsonPath): Model['interfaces'] {
  if (v === undefined) return [];
  const o = r.object(v, path);
  if (!o) return [];
  r.classifyRest(o, path, 'interfaces-config', new Set(['interfaces']), INTERFACES_CONFIG_FATES);
  if (o.interfaces === undefined) return [];
  const list = r.list(o.interfaces, [...path, 'interfaces']) ?? [];
  const out: Model['interfaces'] = [];
  list.forEach((item, i) => {
    const s = r.string(item, [...path, 'interfaces', i]);
    if (s === undefined) return;
    const [name = '', address] = s.split('/');
    out.push({ name, address, path: [...path, 'interfaces', i] });
  });
  return out;
}

const HA_MODES: readonly HaMode[] = ['load-balancing', 'hot-standby', 'passive-backup'];

/** The HA hook's relationship gives the server pair and the design; other hooks are reported. */
function readHooks(r: Reader, v: unknown, path: JsonPath): HaConfig | undefined {
  if (v === undefined) return undefined;
  const list = r.list(v, path) ?? [];
  let ha: HaConfig | undefined;
  list.forEach((item, i) => {
    const p = [...path, i];
    const o = r.object(item, p);
    if (!o) return;
    const lib = r.string(o.library, [...p, 'library']) ?? '';
    const base = lib.split('/').pop() ?? lib;
    if (base === 'libdhcp_ha.so') {
      ha = readHa(r, o.parameters, [...p, 'parameters']) ?? ha;
    } else if (base === 'libdhcp_lease_cmds.so') {
      r.note('KEY_IGNORED', [...p, 'library'], { key: base, context: 'hooks-libraries', why: 'lease commands serve Kea\'s API and HA; dnsmasq needs neither' });
    } else {
      r.warn('KEY_NOT_CONVERTED', [...p, 'library'], { key: base, context: 'hooks-libraries', why: 'this Kea hook library has no dnsmasq equivalent' });
    }
  });
  return ha;
}

function readHa(r: Reader, v: unknown, path: JsonPath): HaConfig | undefined {
  const params = r.object(v, path);
  if (!params) return undefined;
  const relList = r.list(params['high-availability'], [...path, 'high-availability']);
  if (!relList || relList.length === 0) return undefined;
  if (relList.length > 1) r.warn('HA_MANY_RELATIONSHIPS', [...path, 'high-availability'], { count: relList.length });
  const rp = [...path, 'high-availability', 0];
  const rel = r.object(relList[0], rp);
  if (!rel) return undefined;
  const modeText = r.string(rel.mode, [...rp, 'mode']) ?? 'load-balancing';
  if (!HA_MODES.includes(modeText as HaMode)) {
    r.error('BAD_ENUM', [...rp, 'mode'], { key: 'mode', value: modeText, allowed: HA_MODES.join(', ') });
    return undefined;
  }
  const thisServer = r.string(rel['this-server-name'], [...rp, 'this-server-name']) ?? '';
  const peers: HaConfig['peers'] = [];
  (r.list(rel.peers, [...rp, 'peers']) ?? []).forEach((pv, i) => {
    const pp = [...rp, 'peers', i];
    const po = r.object(pv, pp);
    if (!po) return;
    const name = r.string(po.name, [...pp, 'name']);
    const role = r.string(po.role, [...pp, 'role']) ?? '';
    const url = r.string(po.url, [...pp, 'url']) ?? '';
    if (name === undefined) return;
    let host: string | undefined;
    try {
      host = new URL(url).hostname || undefined;
    } catch {
      host = undefined;
    }
    peers.push({ name, role, url, host });
  });
  return { mode: modeText as HaMode, thisServer, peers, path: rp };
}

export type { ModelOption };
