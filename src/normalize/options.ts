/**
 * Kea option-data -> ModelOption: resolve the definition (custom option-def first, then Kea's
 * standard table), encode the data the way Kea would put it on the wire, and find the dnsmasq
 * form that sends the same bytes. What cannot be sent the same way is reported here, with the
 * entry's path, so that nothing is dropped silently.
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';
import type { ModelOption } from '../model/model.js';
import { findOptionDef, type KeaOptionType, type OptionDef } from '../options/kea-option-defs.js';
import { encodeKeaOptionData } from '../options/encode-kea.js';
import { toDnsmasqOption } from '../options/dnsmasq-value.js';
import { OPTION_DATA_FATES } from './key-fates.js';
import type { Reader } from './reader.js';

const OPTION_DATA_KEYS = new Set(['name', 'code', 'space', 'data', 'csv-format', 'always-send', 'never-send']);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

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

export function readOptionData(r: Reader, v: unknown, path: JsonPath, customDefs: readonly OptionDef[]): ModelOption[] {
  const list = r.list(v, path);
  if (!list) return [];
  const out: ModelOption[] = [];
  list.forEach((item, i) => {
    const p = [...path, i];
    const o = r.object(item, p);
    if (!o) return;
    r.classifyRest(o, p, 'option-data', OPTION_DATA_KEYS, OPTION_DATA_FATES);
    const opt = readOne(r, o, p, customDefs);
    if (opt) out.push(opt);
  });
  return out;
}

function readOne(r: Reader, o: Record<string, unknown>, p: JsonPath, customDefs: readonly OptionDef[]): ModelOption | undefined {
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
  const def = findOptionDef(space, { ...(code !== undefined ? { code } : {}), ...(name !== undefined ? { name } : {}) }, customDefs);
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
  const encoded = encodeKeaOptionData(def, data, csv);
  if (!encoded.ok) {
    r.error('OPTION_DATA_INVALID', [...p, 'data'], { option: label, code: optCode, problem: encoded.problem });
    return undefined;
  }
  const base = {
    code: optCode,
    name: def?.name ?? name,
    space,
    wireHex: hex(encoded.bytes),
    alwaysSend: alwaysSend ?? false,
    neverSend: neverSend ?? false,
    path: p,
  };
  if (space !== 'dhcp4') {
    r.warn('OPTION_NOT_CONVERTED', p, { option: label, code: optCode, reason: `options in the "${space}" space are not converted by this version` });
    return { ...base, dnsmasq: undefined };
  }
  if (neverSend) {
    r.warn('OPTION_NOT_CONVERTED', [...p, 'never-send'], { option: label, code: optCode, reason: 'never-send is not converted by this version' });
    return { ...base, dnsmasq: undefined };
  }
  const dm = toDnsmasqOption(def, optCode, encoded);
  if (!dm.ok) {
    r.warn('OPTION_NOT_CONVERTED', p, { option: label, code: optCode, reason: dm.reason });
    return { ...base, dnsmasq: undefined };
  }
  if (dm.changed) r.warn('OPTION_ENCODING_CHANGED', p, { option: label, code: optCode, change: dm.changed });
  return { ...base, dnsmasq: { token: dm.token, value: dm.value, ...(dm.changed ? { changed: dm.changed } : {}) } };
}
