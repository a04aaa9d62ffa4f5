import { resolve } from 'node:path';
import { destroyAllLabsSync } from '../../prove/lab.js';
import { prove, proveRequirements, ProveSetupError } from '../../prove/prove.js';
import { renderProve } from '../../prove/render.js';
import { makeChalk } from '../print.js';

export interface ProveFlags {
  out: string;
  clients: string | undefined;
  dynamic: number;
  json: boolean;
}

/** Exit codes: 0 everything holds, 1 differences or failover figures out of bounds, 2 bad input or cannot run here. */
export async function runProve(config: string, f: ProveFlags): Promise<number> {
  const err = makeChalk(process.stderr);
  const why = proveRequirements();
  if (why) {
    console.error(err.red(`kea2dnsmasq prove: ${why}`));
    return 2;
  }
  // Ctrl-C or a kill: remove the namespaces and processes first, then exit as interrupted.
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\nkea2dnsmasq prove: ${sig}, removing the lab\n`);
    destroyAllLabsSync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = process.stderr.isTTY === true;
  let last = '';
  const progress = (text: string): void => {
    if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    else if (text !== last && !/^clients: (\d+)\/(?!\1\b)\d+/.test(text)) process.stderr.write(`prove: ${text}\n`);
    last = text;
  };
  try {
    const result = await prove({ config: resolve(config), out: resolve(f.out), clientsFile: f.clients, dynamic: f.dynamic, onProgress: progress });
    if (tty) process.stderr.write('\r\x1b[2K');
    if (f.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const c = makeChalk(process.stdout);
      process.stdout.write(renderProve(result, { bold: c.bold, ok: c.green, bad: c.red, dim: c.dim }));
    }
    return result.ok ? 0 : 1;
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[2K');
    if (e instanceof ProveSetupError) {
      console.error(err.red(`kea2dnsmasq prove: ${e.message}`));
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
