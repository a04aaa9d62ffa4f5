/**
 * Typed reading of untrusted Kea JSON: every accessor checks the type, records a diagnostic with
 * the JSON path when it is wrong, and tracks which keys of an object were consumed so that the
 * rest can be classified (converted / ignored with a reason / not converted) — nothing in the
 * input is left out silently.
 */
import { diagnostic, type Diagnostic, type JsonPath } from '../diagnostics/diagnostic.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `[...path, key]` with an exactly sized backing store. The Model keeps a path per reservation,
 * option and boot field, and V8 gives an array built by spread or push room for ~20 elements (a
 * 5-element path cost 200 bytes instead of 56). A plain copy loop into `new Array(n)` is also
 * faster than spread or concat.
 */
export function childPath(path: JsonPath, key: string | number): JsonPath {
  const n = path.length;
  const out = new Array<string | number>(n + 1);
  for (let i = 0; i < n; i++) out[i] = path[i]!;
  out[n] = key;
  return out;
}

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'map' : typeof v;

/** What happens to a Kea key this converter does not turn into dnsmasq lines. */
export interface KeyFate {
  /** 'ignored': no effect on what clients receive, or deliberately left to the admin (a note). 'unsupported': it changes what clients get and dnsmasq cannot express it (a warning). */
  fate: 'ignored' | 'unsupported';
  why: string;
  /** What the admin can do instead. */
  advice?: string;
}

export class Reader {
  readonly diagnostics: Diagnostic[] = [];

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  error(code: string, path: JsonPath, args: Record<string, string | number> = {}): void {
    this.report(diagnostic(code, 'error', args, path));
  }

  warn(code: string, path: JsonPath, args: Record<string, string | number> = {}): void {
    this.report(diagnostic(code, 'warning', args, path));
  }

  note(code: string, path: JsonPath, args: Record<string, string | number> = {}): void {
    this.report(diagnostic(code, 'note', args, path));
  }

  private typeError(path: JsonPath, expected: string, v: unknown): void {
    this.error('TYPE_MISMATCH', path, { key: String(path[path.length - 1] ?? ''), expected, got: typeName(v) });
  }

  object(v: unknown, path: JsonPath): JsonObject | undefined {
    if (isObject(v)) return v;
    this.typeError(path, 'a map ({...})', v);
    return undefined;
  }

  list(v: unknown, path: JsonPath): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.typeError(path, 'a list ([...])', v);
    return undefined;
  }

  string(v: unknown, path: JsonPath): string | undefined {
    if (typeof v === 'string') return v;
    this.typeError(path, 'a string', v);
    return undefined;
  }

  boolean(v: unknown, path: JsonPath): boolean | undefined {
    if (typeof v === 'boolean') return v;
    this.typeError(path, 'true or false', v);
    return undefined;
  }

  integer(v: unknown, path: JsonPath, min: number, max: number): number | undefined {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.typeError(path, 'an integer', v);
      return undefined;
    }
    if (v < min || v > max) {
      this.error('NUMBER_OUT_OF_RANGE', path, { key: String(path[path.length - 1] ?? ''), value: v, min, max });
      return undefined;
    }
    return v;
  }

  stringList(v: unknown, path: JsonPath): string[] | undefined {
    const l = this.list(v, path);
    if (!l) return undefined;
    const out: string[] = [];
    for (let i = 0; i < l.length; i++) {
      const item = l[i];
      // typeof first: the item's path is only built when there is a type error to report.
      const s = typeof item === 'string' ? item : this.string(item, [...path, i]);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /**
   * Classify every key of `obj` not in `handled`: a known fate from `fates`, or UNKNOWN_KEY.
   * `context` names the map for the message ("subnet4", "reservation", ...).
   */
  classifyRest(
    obj: JsonObject,
    path: JsonPath,
    context: string,
    handled: ReadonlySet<string>,
    fates: Readonly<Record<string, KeyFate>>,
    prefixFates: readonly [string, KeyFate][] = [],
  ): void {
    // for-in rather than Object.keys: no key array per object (this runs for every reservation and
    // option-data entry). Objects from JSON.parse have no enumerable inherited keys.
    for (const key in obj) {
      if (handled.has(key)) continue;
      const fate = fates[key] ?? prefixFates.find(([p]) => key.startsWith(p))?.[1];
      const keyPath = [...path, key];
      if (!fate) {
        this.warn('UNKNOWN_KEY', keyPath, { key, context });
      } else if (fate.fate === 'ignored') {
        this.note('KEY_IGNORED', keyPath, { key, context, why: fate.why, ...(fate.advice ? { advice: fate.advice } : {}) });
      } else {
        this.warn('KEY_NOT_CONVERTED', keyPath, { key, context, why: fate.why, ...(fate.advice ? { advice: fate.advice } : {}) });
      }
    }
  }
}
