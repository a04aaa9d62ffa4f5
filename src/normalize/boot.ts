/** The BOOTP fixed fields a reservation or a client class sets for itself (no inheritance). */
import type { JsonPath } from '../diagnostics/diagnostic.js';
import type { BootFields } from '../model/model.js';
import { parseIPv4 } from '../model/ipv4.js';
import type { JsonObject, Reader } from './reader.js';

export function readOwnBootFields(r: Reader, o: JsonObject, path: JsonPath): BootFields {
  const boot: BootFields = {};
  for (const [key, field] of [
    ['next-server', 'nextServer'],
    ['server-hostname', 'serverHostname'],
    ['boot-file-name', 'bootFileName'],
  ] as const) {
    if (o[key] === undefined) continue;
    const s = r.string(o[key], [...path, key]);
    if (s === undefined || s === '') continue;
    if (key === 'next-server' && parseIPv4(s) === undefined) {
      r.error('BAD_ADDRESS', [...path, key], { value: s, key });
      continue;
    }
    // Kea writes 0.0.0.0 for "no next server".
    if (key === 'next-server' && s === '0.0.0.0') continue;
    boot[field] = { value: s, path: [...path, key] };
  }
  return boot;
}
