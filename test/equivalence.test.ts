/**
 * The real Kea 2.2 and the generated dnsmasq servers answer the same clients with the same
 * options. Each fixture runs under Kea, then under each generated server alone, and every client
 * asks for the same options; what udhcpc reports must be equal (addresses too, for reserved
 * clients). This is how precedence across levels and client classes is proven.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, DEFAULT_COMPILE_OPTIONS, type CompileResult } from '../src/compile.js';
import { formatIPv4, parseIPv4 } from '../src/model/ipv4.js';
import { NetLab, requireOrSkip, type DhcpClientOptions } from './support/netlab.js';
import { keaSkipReason, startKea } from './support/kea.js';
import { writeTree } from './support/tree.js';

const skip = requireOrSkip() ?? keaSkipReason();
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** What is compared: udhcpc's names for the options asked for. */
const FIELDS = ['ip', 'subnet', 'router', 'dns', 'domain', 'ntpsrv', 'opt7', 'timezone', 'mtu', 'opt43', 'opt125', 'opt224', 'siaddr', 'boot_file', 'sname', 'lease', 'hostname'];
const REQUEST = [1, 2, 3, 6, 7, 12, 15, 26, 42, 43, 125, 224];

interface Client {
  name: string;
  opts: DhcpClientOptions;
  /** Dynamic clients' addresses differ by design; only reserved ones are compared. */
  reserved: boolean;
  /** Expected to get no answer (no pool admits it); shortens the wait. */
  unanswered?: boolean;
  /**
   * A dynamic client's options depend on the pool its address comes from (pool options), and the
   * two servers own different pools: Kea is asked once per pool (requesting an address in it),
   * and each dnsmasq answer is compared with Kea's answer for the pool holding its address.
   */
  perPool?: boolean;
}

const CASES: { fixture: string; clients: Client[] }[] = [
  {
    fixture: 'precedence',
    clients: [
      { name: 'reservation option', opts: { mac: '02:00:00:00:0a:01' }, reserved: true },
      { name: 'reserved inside a pool', opts: { mac: '02:00:00:00:0a:02' }, reserved: true },
      { name: 'dynamic', opts: { mac: '02:00:00:00:0b:01' }, reserved: false, perPool: true },
      { name: 'dynamic in the class', opts: { mac: '02:00:00:00:0b:02', vendorClass: 'lab-bench' }, reserved: false, perPool: true },
      { name: 'reserved in the class', opts: { mac: '02:00:00:00:0a:01', vendorClass: 'lab-bench' }, reserved: true },
      { name: 'dynamic, sending its own host name', opts: { mac: '02:00:00:00:0b:03', hostname: 'laptop' }, reserved: false, perPool: true },
    ],
  },
  {
    // udhcpc reports options it has no name for (43, 125, 224) as raw hex: byte-level equality.
    fixture: 'vendor-options',
    clients: [{ name: 'vendor, custom and encapsulated options', opts: { mac: '02:00:00:00:0c:01' }, reserved: false }],
  },
  {
    fixture: 'classes',
    clients: [
      { name: 'reserved, class by reservation', opts: { mac: '02:00:00:00:01:01' }, reserved: true },
      { name: 'PXE BIOS, reserved', opts: { mac: '02:00:00:00:01:01', vendorClass: 'PXEClient:Arch:00000' }, reserved: true },
      { name: 'PXE UEFI, reserved', opts: { mac: '02:00:00:00:01:01', vendorClass: 'PXEClient:Arch:00007', extraArgs: ['-x', '0x5d:0007'] }, reserved: true },
      { name: 'guest', opts: { mac: '02:00:00:00:02:01' }, reserved: false },
      // Neither reserved (KNOWN pool) nor a guest: no pool admits it, so no server may answer.
      { name: 'phone by vendor class, no pool for it', opts: { mac: '02:00:00:00:02:02', vendorClass: 'Aastra6731i' }, reserved: false, unanswered: true },
    ],
  },
];

for (const { fixture, clients } of CASES) {
  describe.skipIf(skip !== undefined)(`${fixture}: Kea and the generated dnsmasq servers answer alike`, () => {
    let lab: NetLab;
    let result: CompileResult;
    let tree: ReturnType<typeof writeTree>;
    const answers = new Map<string, Record<string, string | undefined>[]>();
    /** Kea's answers for perPool clients: key `${clientIndex}:${poolStart}`. */
    const keaPerPool = new Map<string, Record<string, string | undefined>>();
    const poolOf = (ip: string | undefined) => {
      const n = ip === undefined ? undefined : parseIPv4(ip);
      return result.model!.subnets.flatMap((sn) => sn.pools).find((p) => n !== undefined && n >= p.start && n <= p.end);
    };
    const view = (env: Record<string, string>, c: Client) => Object.fromEntries(FIELDS.map((f) => [f, f === 'ip' && !c.reserved ? undefined : env[f]]));

    beforeAll(async () => {
      const conf = join(FIXTURES, fixture, 'kea-dhcp4.conf');
      result = compile(conf, DEFAULT_COMPILE_OPTIONS);
      expect(result.ok).toBe(true);
      tree = writeTree(result.files);
      lab = await NetLab.create(`eq${fixture.slice(0, 3)}`);
      await lab.addHost('srv', { addresses: ['192.0.2.2/24'] });
      await lab.addHost('c', {});
      const ask = async (label: string) => {
        const got: Record<string, string | undefined>[] = [];
        for (const [i, c] of clients.entries()) {
          if (c.perPool) {
            if (label === 'kea') {
              for (const p of result.model!.subnets.flatMap((sn) => sn.pools)) {
                const mac = `${c.opts.mac!.slice(0, -2)}${(0x80 + p.index).toString(16)}`;
                const r = await lab.dhcpClient('c', { requestOptions: REQUEST, timeoutSec: 6, ...c.opts, mac, requestIp: formatIPv4(p.start + 1) });
                if (!r.ok || poolOf(r.ip) !== p) throw new Error(`kea: ${c.name} did not get an address in pool ${p.index}`);
                keaPerPool.set(`${i}:${p.start}`, view(r.env, c));
              }
              got.push({});
              continue;
            }
            const r = await lab.dhcpClient('c', { requestOptions: REQUEST, timeoutSec: 6, ...c.opts });
            const pool = r.ok ? poolOf(r.ip) : undefined;
            got.push(r.ok && pool ? { pool: String(pool.start), ...view(r.env, c) } : { answered: 'no' });
            continue;
          }
          const r = await lab.dhcpClient('c', { requestOptions: REQUEST, timeoutSec: c.unanswered ? 3 : 6, ...c.opts });
          got.push(r.ok ? view(r.env, c) : { answered: 'no' });
        }
        answers.set(label, got);
      };
      const kea = await startKea(lab, 'srv', conf);
      try {
        await ask('kea');
      } finally {
        await kea.stop();
      }
      for (const server of result.plan!.servers) {
        const d = await lab.startDnsmasq('srv', join(tree.dir, server));
        try {
          await ask(server);
        } finally {
          await d.stop();
        }
      }
    }, 120_000);

    afterAll(async () => {
      await lab?.destroy();
      tree?.remove();
    });

    clients.forEach((c, i) => {
      it(`${c.name}: same answer from both dnsmasq servers as from Kea`, () => {
        if (c.perPool) {
          for (const server of result.plan!.servers) {
            const { pool, ...got } = answers.get(server)![i]!;
            expect(pool, `${server} gave no address in a pool`).toBeDefined();
            expect({ server, ...got }).toEqual({ server, ...keaPerPool.get(`${i}:${pool}`) });
          }
          return;
        }
        const kea = answers.get('kea')![i]!;
        expect(kea.answered === 'no').toBe(c.unanswered === true);
        for (const server of result.plan!.servers) expect({ server, ...answers.get(server)![i]! }).toEqual({ server, ...kea });
      });
    });
  });
}
