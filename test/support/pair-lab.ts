/**
 * The generated pair on one lab link, as the network tests use it: the converted tree written
 * out, hosts s1 and s2 running the two servers' dnsmasq, and a bare client host c.
 */
import { join } from 'node:path';
import type { CompileResult } from '../../src/compile.js';
import { NetLab, type DnsmasqHandle } from './netlab.js';
import { writeTree } from './tree.js';

const HOSTS = ['s1', 's2'] as const;

export class PairLab {
  private constructor(
    readonly lab: NetLab,
    private readonly tree: ReturnType<typeof writeTree>,
    private readonly serverNames: readonly string[],
    /** The running servers, in the plan's order (index 0 on s1 at addresses[0]). */
    readonly servers: DnsmasqHandle[],
  ) {}

  /** `name` names the lab's namespaces; `addresses` are s1's and s2's on the link (a /24). */
  static async start(name: string, result: CompileResult, addresses: readonly [string, string]): Promise<PairLab> {
    const tree = writeTree(result.files);
    let lab: NetLab | undefined;
    try {
      lab = await NetLab.create(name);
      const pair = new PairLab(lab, tree, result.plan!.servers, []);
      for (const [i, host] of HOSTS.entries()) await lab.addHost(host, { addresses: [`${addresses[i]}/24`] });
      await lab.addHost('c', {});
      for (const i of [0, 1] as const) pair.servers.push(await pair.startServer(i));
      return pair;
    } catch (e) {
      // Nothing a half-built pair started may outlive the failure.
      await lab?.destroy();
      tree.remove();
      throw e;
    }
  }

  /** Start server `i` again from its tree (after a test stopped it). */
  async restart(i: 0 | 1): Promise<void> {
    this.servers[i] = await this.startServer(i);
  }

  async destroy(): Promise<void> {
    await this.lab.destroy();
    this.tree.remove();
  }

  private startServer(i: 0 | 1): Promise<DnsmasqHandle> {
    return this.lab.startDnsmasq(HOSTS[i], join(this.tree.dir, this.serverNames[i]!));
  }
}
