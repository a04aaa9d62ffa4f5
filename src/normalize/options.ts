/**
 * Kea option-data -> ModelOption: resolve the definition (custom option-def first, then Kea's
 * standard table), encode the data the way Kea would put it on the wire, and find the dnsmasq
 * form that sends the same bytes. What cannot be sent the same way is reported here, with the
 * entry's path, so that nothing is dropped silently.
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';
import type { ModelOption } from '../model/model.js';
import { findOptionDef, type KeaOptionType, type OptionDef } from '../options/kea-option-defs.js';
import { encodeKeaOptionData, type Encoded } from '../options/encode-kea.js';
import { toDnsmasqOption, type DnsmasqOption } from '../options/dnsmasq-value.js';
import { toHex } from '../options/bytes.js';
import { OPTION_DATA_FATES } from './key-fates.js';
import { childPath, isObject, type Reader } from './reader.js';

const OPTION_DATA_KEYS = new Set(['name', 'code', 'space', 'data', 'csv-format', 'always-send', 'never-send']);

/**
 * The option list of a scope, pool, class or reservation without option-data: one shared, frozen
 * array (most reservations have none, and nothing downstream adds to a model's option list).
 */
export const NO_OPTIONS: ModelOption[] = Object.freeze([]) as unknown as ModelOption[];

/**
 * Encoding is pure, and a big config repeats a few option values in thousands of reservations:
 * encode each (definition, csv-format, data) once, and render each (definition, code, bytes) for
 * dnsmasq once. Cached results are shared and never mutated (encapsulation builds new arrays).
 */
const NO_DEF = {} as OptionDef;

/** One encoded (definition, csv-format, data), with what render() derives from its bytes, per option code. */
interface EncodeEntry {
  encoded: Encoded;
  /** Hex of encoded.bytes: one string shared by every ModelOption with these bytes. */
  wireHex: string | undefined;
  /** By option code (the same bytes may be sent as different codes when there is no definition). */
  renderings: Map<number, Rendering> | undefined;
}

/** toDnsmasqOption's answer and the ModelOption.dnsmasq object made from it, shared by every option that renders so. */
interface Rendering {
  dm: DnsmasqOption;
  dnsmasq: ModelOption['dnsmasq'];
}

/** Keyed by csv-format (undefined, false, true), then definition, then data. */
const encodeCaches = [new WeakMap<OptionDef, Map<string, EncodeEntry>>(), new WeakMap<OptionDef, Map<string, EncodeEntry>>(), new WeakMap<OptionDef, Map<string, EncodeEntry>>()];
const dnsmasqCache = new WeakMap<OptionDef, Map<string, Rendering>>();
/** findOptionDef answers per custom definition list, space, and code (or name when there is no code). */
const defCache = new WeakMap<readonly OptionDef[], Map<string, Map<number | string, OptionDef | null>>>();

function cacheFor<T>(caches: WeakMap<OptionDef, Map<string, T>>, def: OptionDef | undefined): Map<string, T> {
  let m = caches.get(def ?? NO_DEF);
  if (!m) caches.set(def ?? NO_DEF, (m = new Map()));
  return m;
}

function encodeOnce(def: OptionDef | undefined, data: string, csv: boolean | undefined): EncodeEntry {
  // Keyed by the data string itself (its hash is computed once per string), not by a built key.
  const cache = cacheFor(encodeCaches[csv === undefined ? 0 : csv ? 2 : 1]!, def);
  let e = cache.get(data);
  if (!e) cache.set(data, (e = { encoded: encodeKeaOptionData(def, data, csv), wireHex: undefined, renderings: undefined }));
  return e;
}

function rendering(dm: DnsmasqOption): Rendering {
  if (!dm.ok) return { dm, dnsmasq: undefined };
  const dnsmasq = dm.changed ? { token: dm.token, value: dm.value, changed: dm.changed } : { token: dm.token, value: dm.value };
  return { dm, dnsmasq: Object.freeze(dnsmasq) };
}

/** For bytes not from the encode cache (an encapsulating option): cached by value. */
function toDnsmasqOnce(def: OptionDef | undefined, code: number, bytes: Uint8Array, wireHex: string): Rendering {
  const cache = cacheFor(dnsmasqCache, def);
  const key = `${code}:${wireHex}`;
  let rd = cache.get(key);
  if (!rd) cache.set(key, (rd = rendering(toDnsmasqOption(def, code, { ok: true, bytes }))));
  return rd;
}

function findDefOnce(space: string, code: number | undefined, name: string | undefined, customDefs: readonly OptionDef[]): OptionDef | undefined {
  let bySpace = defCache.get(customDefs);
  if (!bySpace) defCache.set(customDefs, (bySpace = new Map()));
  let byKey = bySpace.get(space);
  if (!byKey) bySpace.set(space, (byKey = new Map()));
  // findOptionDef looks a definition up by code when there is one, else by name.
  const key = code ?? name;
  if (key === undefined) return undefined;
  let def = byKey.get(key);
  if (def === undefined) byKey.set(key, (def = findOptionDef(space, code !== undefined ? { code } : { name: name! }, customDefs) ?? null));
  return def ?? undefined;
}

/** Kea option-def entries (global). Returns the definitions usable for option-data lookups. */
export function readOptionDefs(r: Reader, v: unknown, path: JsonPath): OptionDef[] {
  const list = r.list(v, path);
  if (!list) return [];
  const out: OptionDef[] = [];
  list.forEach((item, i) => {
    const p = [...path, i];
    const o = r.object(item, p);
    if (!o) return;
    const name = r.string(o.name, [...p, 'name']);
    const code = r.integer(o.code, [...p, 'code'], 1, 254);
    const type = r.string(o.type, [...p, 'type']);
    if (name === undefined || code === undefined || type === undefined) return;
    const space = o.space === undefined ? 'dhcp4' : r.string(o.space, [...p, 'space']);
    const array = o.array === undefined ? false : r.boolean(o.array, [...p, 'array']);
    const recordTypes =
      o['record-types'] === undefined || o['record-types'] === ''
        ? undefined
        : r.string(o['record-types'], [...p, 'record-types'])?.split(',').map((t) => t.trim() as KeaOptionType);
    const encapsulate = o.encapsulate === undefined || o.encapsulate === '' ? undefined : r.string(o.encapsulate, [...p, 'encapsulate']);
    out.push({
      code,
      name,
      space: space ?? 'dhcp4',
      type: type as KeaOptionType,
      array: array ?? false,
      ...(recordTypes ? { recordTypes } : {}),
      ...(encapsulate ? { encapsulate } : {}),
    });
  });
  return out;
}

/**
 * What an option-data list belongs to (a scope, class or reservation): entry i of the list is at
 * `[...owner.path, 'option-data', i]`. The owner's path is read only when a path is needed.
 */
export interface PathOwner {
  readonly path: JsonPath;
}

/** The path of an owner's option-data list, of entry `index` in it, or of a key of that entry. */
const listPath = (owner: PathOwner): JsonPath => childPath(owner.path, 'option-data');
const entryPath = (owner: PathOwner, index: number): JsonPath => childPath(listPath(owner), index);
const keyPath = (owner: PathOwner, index: number, key: string): JsonPath => childPath(entryPath(owner, index), key);

/**
 * A ModelOption as read from Kea. Its `path` is built when asked for, from the owner and the
 * entry's index: a big config has 10,000s of options, and a 7-element path array each (104 bytes,
 * more than the option itself) was kept for the few that a diagnostic or a report line cites.
 * `path` is a getter on the prototype, not an own property: a copy made by spreading would lose it
 * (nothing copies ModelOptions). One class: every option shares one V8 shape.
 */
class KeaOption implements ModelOption {
  // `declare`: set by the constructor only (no field initializers to run first).
  declare code: number;
  declare name: string | undefined;
  declare space: string;
  declare wireHex: string;
  declare alwaysSend: boolean;
  declare neverSend: boolean;
  declare dnsmasq: ModelOption['dnsmasq'];
  readonly #owner: PathOwner;
  readonly #index: number;

  constructor(d: Decoded, owner: PathOwner, wireHex: string, dnsmasq: ModelOption['dnsmasq']) {
    this.code = d.code;
    this.name = d.name;
    this.space = d.space;
    this.wireHex = wireHex;
    this.alwaysSend = d.alwaysSend;
    this.neverSend = d.neverSend;
    this.dnsmasq = dnsmasq;
    this.#owner = owner;
    this.#index = d.index;
  }

  get path(): JsonPath {
    return entryPath(this.#owner, this.#index);
  }
}

/** An option-data entry after validation, before it is rendered for dnsmasq. */
interface Decoded {
  code: number;
  name: string | undefined;
  label: string;
  space: string;
  def: OptionDef | undefined;
  bytes: Uint8Array;
  /** The encode cache entry `bytes` came from; undefined once encapsulation replaced them. */
  entry: EncodeEntry | undefined;
  alwaysSend: boolean;
  neverSend: boolean;
  /** Position in the owner's option-data list. */
  index: number;
}

/** Kea 2.2 names the DOCSIS3 vendor space "docsis3-v4"; 3.x calls it vendor-4491. */
const spaceAlias = (space: string) => (space === 'docsis3-v4' ? 'vendor-4491' : space);

/**
 * The ModelOptions of `owner`'s option-data list `v`. Paths are built only for diagnostics (see
 * KeaOption), so the type checks come first here.
 */
export function readOptionData(r: Reader, v: unknown, owner: PathOwner, customDefs: readonly OptionDef[]): ModelOption[] {
  const list = Array.isArray(v) ? v : r.list(v, listPath(owner));
  if (!list) return NO_OPTIONS;
  // Sized to the list: an array grown by push starts with room for 16 (a 176-byte temporary for
  // the usual one- or two-entry list).
  const decoded = new Array<Decoded>(list.length);
  let count = 0;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const o = isObject(item) ? item : r.object(item, entryPath(owner, i));
    if (!o) continue;
    const d = decodeOne(r, o, owner, i, customDefs);
    if (d) decoded[count++] = d;
  }
  if (count === 0) return NO_OPTIONS;
  decoded.length = count;
  const consumed = encapsulate(decoded);
  // Sized up front: the Model keeps this list, and an array grown by push has room for 17.
  const out = new Array<ModelOption>(decoded.length - (consumed?.size ?? 0));
  let n = 0;
  for (const d of decoded) {
    if (consumed?.has(d)) continue;
    out[n++] = render(r, d, owner);
  }
  return out;
}

/**
 * Kea packs the options of an encapsulated space (option 43's vendor-encapsulated-options-space,
 * a custom option-def's "encapsulate") into the parent option defined at the same level, sub-options
 * in ascending code order (Option::packOptions walks a code-keyed multimap). The parent's bytes are
 * computed here; dnsmasq then sends them as one option. Both are proven byte for byte against the
 * real Kea 2.2 in test/equivalence.test.ts.
 */
function encapsulate(list: Decoded[]): Set<Decoded> | undefined {
  let consumed: Set<Decoded> | undefined;
  const tlvs = (space: string) => {
    const subs = list.filter((d) => spaceAlias(d.space) === space && !d.neverSend).sort((a, b) => a.code - b.code);
    consumed ??= new Set();
    for (const d of subs) consumed.add(d);
    return subs.flatMap((d) => [d.code, d.bytes.length, ...d.bytes]);
  };
  for (const d of list) {
    if (d.space !== 'dhcp4') continue;
    // Option 125 is sent as its data says: measured with Kea 2.2, a configured vivso-suboptions
    // "4491" went out as the bare enterprise block even with vendor-4491 sub-options beside it,
    // whether or not the client sent option 124/125 itself.
    if (d.code === 125) continue;
    const space = d.def?.encapsulate ?? (d.code === 43 ? 'vendor-encapsulated-options-space' : undefined);
    if (!space) continue;
    const inner = tlvs(space);
    if (inner.length > 0) {
      d.bytes = Uint8Array.from([...d.bytes, ...inner]);
      d.entry = undefined; // the bytes are no longer the cached encoding's
    }
  }
  return consumed;
}

function decodeOne(r: Reader, o: Record<string, unknown>, owner: PathOwner, index: number, customDefs: readonly OptionDef[]): Decoded | undefined {
  // One pass over the keys: their values, and whether any key needs classifyRest (usually none).
  let spaceValue: unknown;
  let nameValue: unknown;
  let codeValue: unknown;
  let dataValue: unknown;
  let csvValue: unknown;
  let alwaysValue: unknown;
  let neverValue: unknown;
  let unhandled = false;
  for (const key in o) {
    const v = o[key];
    switch (key) {
      case 'space':
        spaceValue = v;
        break;
      case 'name':
        nameValue = v;
        break;
      case 'code':
        codeValue = v;
        break;
      case 'data':
        dataValue = v;
        break;
      case 'csv-format':
        csvValue = v;
        break;
      case 'always-send':
        alwaysValue = v;
        break;
      case 'never-send':
        neverValue = v;
        break;
      default:
        unhandled ||= !OPTION_DATA_KEYS.has(key);
    }
  }
  if (unhandled) r.classifyRest(o, entryPath(owner, index), 'option-data', OPTION_DATA_KEYS, OPTION_DATA_FATES);
  // typeof first for the common well-typed values: a key's path is only built for a type error.
  const space = spaceValue === undefined ? 'dhcp4' : typeof spaceValue === 'string' ? spaceValue : r.string(spaceValue, keyPath(owner, index, 'space'));
  const name = nameValue === undefined ? undefined : typeof nameValue === 'string' ? nameValue : r.string(nameValue, keyPath(owner, index, 'name'));
  const code =
    codeValue === undefined
      ? undefined
      : typeof codeValue === 'number' && Number.isInteger(codeValue) && codeValue >= 0 && codeValue <= 255
        ? codeValue
        : r.integer(codeValue, keyPath(owner, index, 'code'), 0, 255);
  const data = dataValue === undefined ? '' : typeof dataValue === 'string' ? dataValue : r.string(dataValue, keyPath(owner, index, 'data'));
  const csv = csvValue === undefined ? undefined : typeof csvValue === 'boolean' ? csvValue : r.boolean(csvValue, keyPath(owner, index, 'csv-format'));
  const alwaysSend = alwaysValue === undefined ? false : typeof alwaysValue === 'boolean' ? alwaysValue : r.boolean(alwaysValue, keyPath(owner, index, 'always-send'));
  const neverSend = neverValue === undefined ? false : typeof neverValue === 'boolean' ? neverValue : r.boolean(neverValue, keyPath(owner, index, 'never-send'));
  if (space === undefined || data === undefined) return undefined;
  if (name === undefined && code === undefined) {
    r.error('OPTION_UNIDENTIFIED', entryPath(owner, index), {});
    return undefined;
  }
  const def = findDefOnce(spaceAlias(space), code, name, customDefs);
  if (!def && code === undefined) {
    r.error('OPTION_UNKNOWN_NAME', keyPath(owner, index, 'name'), { name: name ?? '', space });
    return undefined;
  }
  if (def && code !== undefined && def.code !== code) {
    r.error('OPTION_NAME_CODE_MISMATCH', entryPath(owner, index), { name: name ?? '', code, defCode: def.code });
    return undefined;
  }
  const optCode = def?.code ?? code!;
  const label = def?.name ?? name ?? String(optCode);
  if (!def && csv === true) {
    r.error('OPTION_NO_DEFINITION', entryPath(owner, index), { code: optCode, space });
    return undefined;
  }
  const entry = encodeOnce(def, data, csv);
  const encoded = entry.encoded;
  if (!encoded.ok) {
    r.error('OPTION_DATA_INVALID', keyPath(owner, index, 'data'), { option: label, code: optCode, problem: encoded.problem });
    return undefined;
  }
  return {
    code: optCode,
    name: def?.name ?? name,
    label,
    space,
    def,
    bytes: encoded.bytes,
    entry,
    alwaysSend: alwaysSend ?? false,
    neverSend: neverSend ?? false,
    index,
  };
}

/**
 * The ModelOption for a decoded entry. Its wire hex and dnsmasq form are computed once per encoded
 * value and shared (frozen) by every option with that value; the diagnostics are made per entry.
 */
function render(r: Reader, d: Decoded, owner: PathOwner): ModelOption {
  const e = d.entry;
  const wireHex = e ? (e.wireHex ??= toHex(d.bytes)) : toHex(d.bytes);
  if (d.space !== 'dhcp4') {
    r.warn('OPTION_NOT_CONVERTED', entryPath(owner, d.index), {
      option: d.label,
      code: d.code,
      reason: spaceAlias(d.space).startsWith('vendor-')
        ? `Kea adds "${d.space}" sub-options only for clients of that vendor (measured with Kea 2.2: a configured option 125 went out without them); dnsmasq can send them with dhcp-option=vi-encap:<enterprise>,... for matching clients`
        : `no option at this level encapsulates the "${d.space}" space, so Kea would not send it here either unless a class or a vendor request adds the container`,
    });
    return new KeaOption(d, owner, wireHex, undefined);
  }
  if (d.neverSend) {
    // never-send: a value-less line; dnsmasq sends nothing for 1/3/6/12/15/28 given that way. For
    // other codes a value-less line sends an empty option, so those cannot be suppressed.
    if ([1, 3, 6, 12, 15, 28].includes(d.code)) return new KeaOption(d, owner, wireHex, { token: String(d.code), value: '' });
    r.warn('OPTION_NOT_CONVERTED', keyPath(owner, d.index, 'never-send'), { option: d.label, code: d.code, reason: 'dnsmasq can suppress only options 1, 3, 6, 12, 15 and 28 by configuration' });
    return new KeaOption(d, owner, wireHex, undefined);
  }
  let rd: Rendering | undefined;
  if (e) {
    e.renderings ??= new Map();
    rd = e.renderings.get(d.code);
    if (!rd) e.renderings.set(d.code, (rd = rendering(toDnsmasqOption(d.def, d.code, { ok: true, bytes: d.bytes }))));
  } else {
    rd = toDnsmasqOnce(d.def, d.code, d.bytes, wireHex);
  }
  const dm = rd.dm;
  if (!dm.ok) {
    r.warn('OPTION_NOT_CONVERTED', entryPath(owner, d.index), { option: d.label, code: d.code, reason: dm.reason });
    return new KeaOption(d, owner, wireHex, undefined);
  }
  if (dm.changed) r.warn('OPTION_ENCODING_CHANGED', entryPath(owner, d.index), { option: d.label, code: d.code, change: dm.changed });
  return new KeaOption(d, owner, wireHex, rd.dnsmasq);
}
