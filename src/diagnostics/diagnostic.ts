/**
 * Diagnostics are data: a code, a severity, arguments for the wording, and where in the Kea
 * source the problem is. The wording lives in one place (./messages.ts); tests assert codes,
 * paths and resolved line:col, never sentences.
 */

export type Severity = 'error' | 'warning' | 'note';

/** A JSON path into the loaded (include-spliced) Kea document, e.g. ['Dhcp4','subnet4',3,'pools',0,'pool']. */
export type JsonPath = readonly (string | number)[];

/** A position in one source file (1-based line and column, as editors show them). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** 0-based offset into that file's text. */
  offset: number;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  /** Values the message template interpolates; plain JSON so the diagnostic can be printed as JSON. */
  args: Record<string, string | number>;
  /** Where in the document, when the problem is tied to a JSON value. */
  path?: JsonPath;
  /**
   * A resolved position. Set directly by the loader (syntax errors have no JSON path), or filled in
   * from `path` by `locateDiagnostics` before printing.
   */
  at?: SourcePosition;
  /** The length of the offending text at `at`, for the caret line. */
  length?: number;
  /** Other places that matter, e.g. the first of two duplicate reservations. */
  related?: { path: JsonPath; at?: SourcePosition; label: string }[];
}

export function diagnostic(
  code: string,
  severity: Severity,
  args: Record<string, string | number> = {},
  path?: JsonPath,
): Diagnostic {
  return path === undefined ? { code, severity, args } : { code, severity, args, path };
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
