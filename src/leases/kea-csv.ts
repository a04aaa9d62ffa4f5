/**
 * Kea's DHCPv4 lease CSV, read the way Kea's memfile backend reads it (Kea ARM "Memfile - Basic
 * Storage for Leases"; src/lib/dhcpsrv/csv_lease_file4.cc): the files are replayed in order, one
 * row is one change, the last row for an address wins and a row with valid_lifetime 0 deletes the
 * lease. What is left is filtered to the leases a client still holds: not expired at `now`, not
 * declined (state 1), not expired-reclaimed (2), not released (3).
 *
 * Also reads what `kea-admin lease-dump` writes for the SQL backends: the same header names, but
 * older versions write hex without colons, `expire` as "YYYY-MM-DD HH:MM:SS" and the state by name.
 *
 * Pure: the texts are given; malformed rows become diagnostics with their file and line.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { parseIPv4 } from '../model/ipv4.js';

export interface LeaseText {
  /** Path of the file, as diagnostics should name it. */
  file: string;
  text: string;
}

export interface KeaLease {
  address: number;
  /** Lower-case colon hex; '' when the row has none. */
  hwaddr: string;
  /** The whole option 61 as lower-case colon hex; '' when none. */
  clientId: string;
  /** Seconds; 0xffffffff is infinite. */
  validLifetime: number;
  /** Absolute epoch seconds (cltt + valid_lifetime). */
  expire: number;
  subnetId: number;
  /** Unescaped, as Kea stored it (usually an FQDN). */
  hostname: string;
  state: number;
  file: string;
  line: number;
}

export interface LeaseRead {
  /** Active leases at `now`, by address. */
  active: KeaLease[];
  /** Why rows did not become active leases. */
  dropped: { expired: number; declined: number; reclaimed: number; released: number; deleted: number };
  /** Data rows read (all files). */
  rows: number;
  diagnostics: Diagnostic[];
}

/** Kea 3.x memfile columns; older files have a prefix of them (1.0: nine, 2.0: +state, 2.1: +user_context). */
const MEMFILE_COLUMNS = ['address', 'hwaddr', 'client_id', 'valid_lifetime', 'expire', 'subnet_id', 'fqdn_fwd', 'fqdn_rev', 'hostname', 'state', 'user_context', 'pool_id'];
const REQUIRED = ['address', 'hwaddr', 'valid_lifetime', 'expire', 'subnet_id'];
const STATE_NAMES: Record<string, number> = { default: 0, declined: 1, 'expired-reclaimed': 2, released: 3, registered: 4 };
export const INFINITE = 0xffffffff;

/** Kea escapes `,`, `&` and non-printable bytes in hostname and user_context as `&#xHH` (CSVFile::escapeCharacters). */
export function unescapeKea(s: string): string {
  if (!s.includes('&#x')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const m = /^&#x([0-9a-fA-F]{2})/.exec(s.slice(i, i + 6));
    if (m) {
      bytes.push(parseInt(m[1]!, 16));
      i += m[0].length;
    } else {
      const cp = s.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One CSV line into fields; double-quoted fields (PostgreSQL's COPY ... CSV) are unquoted. */
function splitCsv(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i++];
      }
      out.push(v);
      if (i === line.length) return out;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const j = line.indexOf(',', i);
      if (j < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
}

/** "aa:bb:cc", "AABBCC", "aa-bb-cc" -> "aa:bb:cc"; '' stays ''; undefined when not hex. */
export function normalizeHex(v: string): string | undefined {
  const t = v.trim();
  if (t === '') return '';
  const compact = t.includes(':') || t.includes('-') ? t.split(/[:-]/).map((p) => (p.length === 1 ? `0${p}` : p)).join('') : t.replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(compact)) return undefined;
  return compact.toLowerCase().match(/../g)!.join(':');
}

function parseExpire(v: string): { value: number; sqlTime: boolean } | undefined {
  const t = v.trim();
  if (/^\d+$/.test(t)) return { value: Number(t), sqlTime: false };
  // kea-admin lease-dump of older SQL schemas: a TIMESTAMP in the database session's time zone.
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(t);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : { value: Math.floor(ms / 1000), sqlTime: true };
}

const at = (file: string, line: number) => ({ file, line, column: 1, offset: 0 });

function located(code: string, severity: Diagnostic['severity'], args: Record<string, string | number>, file: string, line: number): Diagnostic {
  return { ...diagnostic(code, severity, args), at: at(file, line) };
}

/**
 * Replay the files in the order given (the caller orders Kea's LFC companions first) and keep
 * the leases active at `now` (epoch seconds).
 */
export function readKeaLeases(files: readonly LeaseText[], now: number): LeaseRead {
  const diagnostics: Diagnostic[] = [];
  const byAddress = new Map<number, KeaLease>();
  const dropped = { expired: 0, declined: 0, reclaimed: 0, released: 0, deleted: 0 };
  let rows = 0;
  for (const f of files) {
    const lines = f.text.split('\n');
    let columns: string[] | undefined;
    let sqlTimeNoted = false;
    for (let n = 0; n < lines.length; n++) {
      const raw = lines[n]!.replace(/\r$/, '');
      const lineNo = n + 1;
      if (raw.trim() === '') continue;
      const bad = (problem: string) => diagnostics.push(located('LEASE_ROW_MALFORMED', 'warning', { file: f.file, line: lineNo, problem }, f.file, lineNo));
      const fields = splitCsv(raw);
      if (!fields) {
        bad('an unterminated quoted field');
        continue;
      }
      if (columns === undefined) {
        if (fields[0]?.trim() === 'address') {
          columns = fields.map((c) => c.trim());
          const missing = REQUIRED.filter((c) => !columns!.includes(c));
          if (missing.length > 0) {
            diagnostics.push(located('LEASE_HEADER_UNUSABLE', 'error', { file: f.file, missing: missing.join(', ') }, f.file, lineNo));
            break;
          }
          continue;
        }
        // No header: Kea's memfile column order.
        columns = MEMFILE_COLUMNS;
      }
      rows++;
      if (fields.length < REQUIRED.length || fields.length > columns.length) {
        bad(`${fields.length} fields where the header has ${columns.length}`);
        continue;
      }
      const get = (name: string): string | undefined => {
        const i = columns!.indexOf(name);
        return i < 0 ? undefined : fields[i];
      };
      const address = parseIPv4((get('address') ?? '').trim());
      if (address === undefined) {
        bad(`"${get('address')}" is not an IPv4 address`);
        continue;
      }
      const hwaddr = normalizeHex(get('hwaddr') ?? '');
      if (hwaddr === undefined) {
        bad(`hwaddr "${get('hwaddr')}" is not hex`);
        continue;
      }
      const clientId = normalizeHex(get('client_id') ?? '');
      if (clientId === undefined) {
        bad(`client_id "${get('client_id')}" is not hex`);
        continue;
      }
      const lifetimeText = (get('valid_lifetime') ?? '').trim();
      const validLifetime = /^\d+$/.test(lifetimeText) ? Number(lifetimeText) : NaN;
      if (!(validLifetime >= 0 && validLifetime <= INFINITE)) {
        bad(`valid_lifetime "${lifetimeText}" is not a number of seconds`);
        continue;
      }
      const expire = parseExpire(get('expire') ?? '');
      if (!expire) {
        bad(`expire "${get('expire')}" is neither epoch seconds nor a date`);
        continue;
      }
      if (expire.sqlTime && !sqlTimeNoted) {
        sqlTimeNoted = true;
        diagnostics.push(located('LEASE_TIME_ZONE_ASSUMED', 'note', { file: f.file }, f.file, lineNo));
      }
      const subnetText = (get('subnet_id') ?? '').trim();
      if (!/^\d+$/.test(subnetText)) {
        bad(`subnet_id "${subnetText}" is not a number`);
        continue;
      }
      const stateText = (get('state') ?? '').trim();
      const state = stateText === '' ? 0 : /^\d+$/.test(stateText) ? Number(stateText) : STATE_NAMES[stateText];
      if (state === undefined) {
        bad(`state "${stateText}" is not a lease state`);
        continue;
      }
      const lease: KeaLease = {
        address,
        hwaddr,
        clientId,
        validLifetime,
        expire: expire.value,
        subnetId: Number(subnetText),
        hostname: unescapeKea(get('hostname') ?? ''),
        state,
        file: f.file,
        line: lineNo,
      };
      // Kea: a row with valid_lifetime 0 removes the lease (Memfile_LeaseMgr::loadLeasesFromFiles).
      if (validLifetime === 0) {
        if (byAddress.delete(address)) dropped.deleted++;
        continue;
      }
      byAddress.set(address, lease);
    }
  }
  const active: KeaLease[] = [];
  for (const l of [...byAddress.values()].sort((a, b) => a.address - b.address)) {
    if (l.state === 1) dropped.declined++;
    else if (l.state === 2) dropped.reclaimed++;
    else if (l.state !== 0) dropped.released++;
    else if (l.validLifetime !== INFINITE && l.expire <= now) dropped.expired++;
    else active.push(l);
  }
  return { active, dropped, rows, diagnostics };
}
