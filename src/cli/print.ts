/**
 * Printing diagnostics: `file:line:col: severity CODE: message`, a code frame with a caret, and
 * the hint. Colors only when the stream is a terminal and NO_COLOR is unset (chalk decides).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { relative } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { describe } from '../diagnostics/messages.js';
import type { LoadedSource } from '../load/load.js';
import type { Paint } from '../emit/report.js';

/** The report's terminal colours, from a chalk that is already off when piped or with NO_COLOR. */
export function reportPaint(c: ChalkInstance): Paint {
  return { bold: c.bold, dim: c.dim, warn: c.yellow, ok: c.green, server: [c.blue, c.yellow], reserved: c.bold };
}

export function makeChalk(stream: NodeJS.WriteStream): ChalkInstance {
  const color = stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
  return new Chalk({ level: color ? 1 : 0 });
}

const display = (file: string) => {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
};

export function formatDiagnostic(d: Diagnostic, source: LoadedSource | undefined, c: ChalkInstance): string {
  const { message, hint } = describe(d);
  const sev = d.severity === 'error' ? c.red.bold('error') : d.severity === 'warning' ? c.yellow.bold('warning') : c.cyan('note');
  const where = d.at ? `${display(d.at.file)}:${d.at.line}:${d.at.column}: ` : '';
  const lines = [`${c.bold(where)}${sev} ${c.dim(d.code)}: ${message}`];
  if (d.at && source && d.severity !== 'note') {
    // One character for one, so the caret stays aligned; no control character reaches the terminal (a Kea comment may hold an ESC).
    const text = source.lineText(d.at.file, d.at.line).replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    if (text.trim() !== '') {
      const gutter = String(d.at.line).padStart(5);
      const shown = text.length > 160 ? `${text.slice(0, 157)}...` : text;
      const caretLen = Math.max(1, Math.min(d.length ?? 1, shown.length - d.at.column + 1, 60));
      lines.push(`${c.dim(`${gutter} |`)} ${shown}`);
      lines.push(`${c.dim(`${' '.repeat(5)} |`)} ${' '.repeat(Math.max(0, d.at.column - 1))}${c.red('^'.repeat(caretLen))}`);
    }
  }
  for (const r of d.related ?? []) {
    if (r.at) lines.push(`      ${c.dim(`${r.label}: ${display(r.at.file)}:${r.at.line}:${r.at.column}`)}`);
  }
  if (hint) lines.push(`      ${c.green('fix:')} ${hint}`);
  return lines.join('\n');
}
