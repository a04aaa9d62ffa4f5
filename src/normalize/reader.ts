/**
 * Typed reading of untrusted Kea JSON: every accessor checks the type, records a diagnostic with
 * the JSON path when it is wrong, and tracks which keys of an object were consumed so that the
 * rest can be classified (converted / ignored with a reason / not converted) — nothing in the
 * input is left out silently.
 */
import { diagnostic, type Diagnostic, type JsonPath } from '../diagnostics/diagnostic.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

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
    l.forEach((item, i) => {
      const s = this.string(item, [...path, i]);
      if (s !== undefined) out.push(s);
    });
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
    for (const key of Object.keys(obj)) {
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
