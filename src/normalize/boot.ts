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

const BOOT_KEYS = ['next-server', 'server-hostname', 'boot-file-name'] as const;

export function readOwnBootFields(r: Reader, o: JsonObject, path: JsonPath): BootFields {
  if (o['next-server'] === undefined && o['server-hostname'] === undefined && o['boot-file-name'] === undefined) return NO_BOOT_FIELDS;
  const [nextServer, serverHostname, bootFileName] = BOOT_KEYS.map((key) => {
    if (o[key] === undefined) return undefined;
    const s = r.string(o[key], [...path, key]);
    if (s === undefined || s === '') return undefined;
    if (key === 'next-server' && parseIPv4(s) === undefined) {
      r.error('BAD_ADDRESS', [...path, key], { value: s, key });
      return undefined;
    }
    // Kea writes 0.0.0.0 for "no next server".
    if (key === 'next-server' && s === '0.0.0.0') return undefined;
    return { value: s, path: childPath(path, key) };
  });
  if (!nextServer && !serverHostname && !bootFileName) return NO_BOOT_FIELDS;
  // Named stores in a fixed order: objects with the same fields share one V8 shape.
  const boot: BootFields = {};
  if (nextServer) boot.nextServer = nextServer;
  if (serverHostname) boot.serverHostname = serverHostname;
  if (bootFileName) boot.bootFileName = bootFileName;
  return boot;
}
