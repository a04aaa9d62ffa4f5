/**
 * Run the command line in-process, capturing what it prints and the exit code it sets. `tty`
 * makes stdout and stderr look like terminals (chalk colours them unless NO_COLOR is set).
 */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { tty?: boolean; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const fmt = (a: unknown[]) => `${a.map(String).join(' ')}\n`;
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (stdout += fmt(a))),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (stderr += fmt(a))),
  ];
  const savedTty = [process.stdout.isTTY, process.stderr.isTTY];
  const savedEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.isTTY = opts.tty === true;
  process.stderr.isTTY = opts.tty === true;
  const savedCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await main(['node', 'kea2dnsmasq', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = savedCode;
    process.stdout.isTTY = savedTty[0]!;
    process.stderr.isTTY = savedTty[1]!;
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const s of spies) s.mockRestore();
  }
}
