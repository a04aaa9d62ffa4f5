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
import type { Reader } from './reader.js';

const OPTION_DATA_KEYS = new Set(['name', 'code', 'space', 'data', 'csv-format', 'always-send', 'never-send']);


/**
 * Encoding is pure, and a big config repeats a few option values in thousands of reservations:
 * encode each (definition, csv-format, data) once, and render each (definition, code, bytes) for
 * dnsmasq once. Cached results are shared and never mutated (encapsulation builds new arrays).
 */
const NO_DEF = {} as OptionDef;
const encodeCache = new WeakMap<OptionDef, Map<string, Encoded>>();
const dnsmasqCache = new WeakMap<OptionDef, Map<string, DnsmasqOption>>();

function cacheFor<T>(caches: WeakMap<OptionDef, Map<string, T>>, def: OptionDef | undefined): Map<string, T> {
  let m = caches.get(def ?? NO_DEF);
  if (!m) caches.set(def ?? NO_DEF, (m = new Map()));
  return m;
}

function encodeOnce(def: OptionDef | undefined, data: string, csv: boolean | undefined): Encoded {
  const cache = cacheFor(encodeCache, def);
  const key = `${csv}:${data}`;
  let e = cache.get(key);
  if (!e) cache.set(key, (e = encodeKeaOptionData(def, data, csv)));
  return e;
}

function toDnsmasqOnce(def: OptionDef | undefined, code: number, bytes: Uint8Array, wireHex: string): DnsmasqOption {
  const cache = cacheFor(dnsmasqCache, def);
  const key = `${code}:${wireHex}`;
  let dm = cache.get(key);
  if (!dm) cache.set(key, (dm = toDnsmasqOption(def, code, { ok: true, bytes })));
  return dm;
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

/** An option-data entry after validation, before it is rendered for dnsmasq. */
interface Decoded {
  code: number;
  name: string | undefined;
  label: string;
  space: string;
  def: OptionDef | undefined;
  bytes: Uint8Array;
  alwaysSend: boolean;
  neverSend: boolean;
  path: JsonPath;
}

/** Kea 2.2 names the DOCSIS3 vendor space "docsis3-v4"; 3.x calls it vendor-4491. */
const spaceAlias = (space: string) => (space === 'docsis3-v4' ? 'vendor-4491' : space);

export function readOptionData(r: Reader, v: unknown, path: JsonPath, customDefs: readonly OptionDef[]): ModelOption[] {
  const list = r.list(v, path);
  if (!list) return [];
  const decoded: Decoded[] = [];
  list.forEach((item, i) => {
    const p = [...path, i];
    const o = r.object(item, p);
    if (!o) return;
    r.classifyRest(o, p, 'option-data', OPTION_DATA_KEYS, OPTION_DATA_FATES);
    const d = decodeOne(r, o, p, customDefs);
    if (d) decoded.push(d);
  });
  const consumed = encapsulate(decoded);
  const out: ModelOption[] = [];
  for (const d of decoded) {
    if (consumed.has(d)) continue;
    out.push(render(r, d));
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
function encapsulate(list: Decoded[]): Set<Decoded> {
  const consumed = new Set<Decoded>();
  const tlvs = (space: string) => {
    const subs = list.filter((d) => spaceAlias(d.space) === space && !d.neverSend).sort((a, b) => a.code - b.code);
    subs.forEach((d) => consumed.add(d));
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
    if (inner.length > 0) d.bytes = Uint8Array.from([...d.bytes, ...inner]);
  }
  return consumed;
}

function decodeOne(r: Reader, o: Record<string, unknown>, p: JsonPath, customDefs: readonly OptionDef[]): Decoded | undefined {
  const space = o.space === undefined ? 'dhcp4' : r.string(o.space, [...p, 'space']);
  const name = o.name === undefined ? undefined : r.string(o.name, [...p, 'name']);
  const code = o.code === undefined ? undefined : r.integer(o.code, [...p, 'code'], 0, 255);
  const data = o.data === undefined ? '' : r.string(o.data, [...p, 'data']);
  const csv = o['csv-format'] === undefined ? undefined : r.boolean(o['csv-format'], [...p, 'csv-format']);
  const alwaysSend = o['always-send'] === undefined ? false : r.boolean(o['always-send'], [...p, 'always-send']);
  const neverSend = o['never-send'] === undefined ? false : r.boolean(o['never-send'], [...p, 'never-send']);
  if (space === undefined || data === undefined) return undefined;
  if (name === undefined && code === undefined) {
    r.error('OPTION_UNIDENTIFIED', p, {});
    return undefined;
  }
  const def = findOptionDef(spaceAlias(space), { ...(code !== undefined ? { code } : {}), ...(name !== undefined ? { name } : {}) }, customDefs);
  if (!def && code === undefined) {
    r.error('OPTION_UNKNOWN_NAME', [...p, 'name'], { name: name ?? '', space });
    return undefined;
  }
  if (def && code !== undefined && def.code !== code) {
    r.error('OPTION_NAME_CODE_MISMATCH', p, { name: name ?? '', code, defCode: def.code });
    return undefined;
  }
  const optCode = def?.code ?? code!;
  const label = def?.name ?? name ?? String(optCode);
  if (!def && csv === true) {
    r.error('OPTION_NO_DEFINITION', p, { code: optCode, space });
    return undefined;
  }
  const encoded = encodeOnce(def, data, csv);
  if (!encoded.ok) {
    r.error('OPTION_DATA_INVALID', [...p, 'data'], { option: label, code: optCode, problem: encoded.problem });
    return undefined;
  }
  return { code: optCode, name: def?.name ?? name, label, space, def, bytes: encoded.bytes, alwaysSend: alwaysSend ?? false, neverSend: neverSend ?? false, path: p };
}

function render(r: Reader, d: Decoded): ModelOption {
  const base = {
    code: d.code,
    name: d.name,
    space: d.space,
    wireHex: toHex(d.bytes),
    alwaysSend: d.alwaysSend,
    neverSend: d.neverSend,
    path: d.path,
  };
  if (d.space !== 'dhcp4') {
    r.warn('OPTION_NOT_CONVERTED', d.path, {
      option: d.label,
      code: d.code,
      reason: spaceAlias(d.space).startsWith('vendor-')
        ? `Kea adds "${d.space}" sub-options only for clients of that vendor (measured with Kea 2.2: a configured option 125 went out without them); dnsmasq can send them with dhcp-option=vi-encap:<enterprise>,... for matching clients`
        : `no option at this level encapsulates the "${d.space}" space, so Kea would not send it here either unless a class or a vendor request adds the container`,
    });
    return { ...base, dnsmasq: undefined };
  }
  if (d.neverSend) {
    // never-send: a value-less line; dnsmasq sends nothing for 1/3/6/12/15/28 given that way. For
    // other codes a value-less line sends an empty option, so those cannot be suppressed.
    if ([1, 3, 6, 12, 15, 28].includes(d.code)) return { ...base, dnsmasq: { token: String(d.code), value: '' } };
    r.warn('OPTION_NOT_CONVERTED', [...d.path, 'never-send'], { option: d.label, code: d.code, reason: 'dnsmasq can suppress only options 1, 3, 6, 12, 15 and 28 by configuration' });
    return { ...base, dnsmasq: undefined };
  }
  const dm = toDnsmasqOnce(d.def, d.code, d.bytes, base.wireHex);
  if (!dm.ok) {
    r.warn('OPTION_NOT_CONVERTED', d.path, { option: d.label, code: d.code, reason: dm.reason });
    return { ...base, dnsmasq: undefined };
  }
  if (dm.changed) r.warn('OPTION_ENCODING_CHANGED', d.path, { option: d.label, code: d.code, change: dm.changed });
  return { ...base, dnsmasq: { token: dm.token, value: dm.value, ...(dm.changed ? { changed: dm.changed } : {}) } };
}
