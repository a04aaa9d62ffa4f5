/** The BOOTP fixed fields a reservation or a client class sets for itself (no inheritance). */
import type { JsonPath } from '../diagnostics/diagnostic.js';
import type { BootFields } from '../model/model.js';
import { parseIPv4 } from '../model/ipv4.js';
import { childPath, type JsonObject, type Reader } from './reader.js';

/**
 * The BootFields of everything that sets none: one shared, frozen object (most reservations set no
 * boot fields, and nothing downstream adds fields to a model's BootFields).
 */
export const NO_BOOT_FIELDS: BootFields = Object.freeze({});

export function readOwnBootFields(r: Reader, o: JsonObject, path: JsonPath): BootFields {
  const nextServer = bootField(r, o, path, 'next-server');
  const serverHostname = bootField(r, o, path, 'server-hostname');
  const bootFileName = bootField(r, o, path, 'boot-file-name');
  if (!nextServer && !serverHostname && !bootFileName) return NO_BOOT_FIELDS;
  // Named stores in a fixed order: objects with the same fields share one V8 shape.
  const boot: BootFields = {};
  if (nextServer) boot.nextServer = nextServer;
  if (serverHostname) boot.serverHostname = serverHostname;
  if (bootFileName) boot.bootFileName = bootFileName;
  return boot;
}

/** One boot field's value and path, or undefined when unset, empty or invalid (then reported). */
function bootField(r: Reader, o: JsonObject, path: JsonPath, key: 'next-server' | 'server-hostname' | 'boot-file-name'): { value: string; path: JsonPath } | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  // typeof first: the key's path is built for the model or a diagnostic only.
  const s = typeof v === 'string' ? v : r.string(v, childPath(path, key));
  if (s === undefined || s === '') return undefined;
  if (key === 'next-server') {
    if (parseIPv4(s) === undefined) {
      r.error('BAD_ADDRESS', childPath(path, key), { value: s, key });
      return undefined;
    }
    // Kea writes 0.0.0.0 for "no next server".
    if (s === '0.0.0.0') return undefined;
  }
  return { value: s, path: childPath(path, key) };
}
