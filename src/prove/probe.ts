/**
 * The DHCP probe: many simulated DHCPv4 clients (and a relay agent) on one lab segment.
 *
 * Sockets must live inside the client namespace, and node cannot enter a namespace, so a tiny
 * socket agent (AGENT_SOURCE, plain JavaScript run by the same node binary under
 * `ip netns exec <ns>`) binds 0.0.0.0:68 (SO_BROADCAST) and, for relayed subnets, <giaddr>:67, and
 * moves datagrams as hex over stdin/stdout. Everything DHCP — building messages, matching replies,
 * the client's choices — happens here, with the project's own encoder (dhcp-packet.ts).
 *
 * Clients set the broadcast flag (RFC 2131 §4.1): the client namespace has no address of the
 * client's, so servers must broadcast their replies to it. Relayed clients are sent unicast from
 * the relay address to every server, port 67 to port 67, as a relay agent does (RFC 1542).
 */
import { createInterface } from 'node:readline';
import type { Lab, Proc } from './lab.js';
import {
  BOOTREPLY,
  decodeDhcp,
  encodeDhcp,
  hexToBytes,
  ipToBytes,
  messageType,
  MessageType,
  Opt,
  optionIp,
  type DhcpOption,
  type DhcpPacket,
} from './dhcp-packet.js';

export const AGENT_SOURCE = String.raw`
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
const socks = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  let m;
  try { m = JSON.parse(line); } catch { return; }
  if (m.op === 'bind') {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    s.on('message', (buf, r) => out({ ev: 'msg', sock: m.sock, from: r.address, port: r.port, hex: buf.toString('hex'), t: Date.now() }));
    s.on('error', (e) => out({ ev: 'error', sock: m.sock, message: String(e) }));
    s.bind({ address: m.address, port: m.port }, () => { s.setBroadcast(true); socks.set(m.sock, s); out({ ev: 'bound', sock: m.sock }); });
  } else if (m.op === 'send') {
    const s = socks.get(m.sock);
    if (!s) { out({ ev: 'error', sock: m.sock, message: 'no such socket' }); return; }
    s.send(Buffer.from(m.hex, 'hex'), m.port, m.to, (e) => { if (e) out({ ev: 'error', sock: m.sock, message: String(e) }); });
  }
});
process.stdin.on('end', () => process.exit(0));
out({ ev: 'ready' });
`;

export interface Reply {
  packet: DhcpPacket;
  /** The datagram as received. */
  raw: Uint8Array;
  /** Sender address (the server, as seen by the client or relay). */
  from: string;
  /** Milliseconds since the request was sent. */
  after: number;
}

type Listener = (r: { sock: string; from: string; raw: Uint8Array; t: number }) => void;

/** The socket agent in one namespace. */
export class Agent {
  private readonly listeners = new Set<Listener>();
  private readonly waiters = new Map<string, () => void>();
  private readonly errors: string[] = [];

  private constructor(private readonly proc: Proc) {
    const rl = createInterface({ input: proc.cp.stdout! });
    rl.on('line', (line) => {
      let m: { ev: string; sock?: string; from?: string; hex?: string; t?: number; message?: string };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      if (m.ev === 'msg' && m.hex !== undefined) {
        const rec = { sock: m.sock ?? '', from: m.from ?? '', raw: hexToBytes(m.hex), t: m.t ?? Date.now() };
        for (const l of this.listeners) l(rec);
      } else if (m.ev === 'bound' || m.ev === 'ready') {
        this.waiters.get(m.ev === 'ready' ? '' : (m.sock ?? ''))?.();
      } else if (m.ev === 'error') {
        this.errors.push(`${m.sock}: ${m.message}`);
      }
    });
  }

  static async start(lab: Lab, ns: string): Promise<Agent> {
    const proc = lab.spawn(ns, [process.execPath, '--input-type=module', '-e', AGENT_SOURCE], { stdin: true });
    const agent = new Agent(proc);
    await agent.wait('', 5000, 'the probe agent did not start');
    return agent;
  }

  private wait(key: string, ms: number, what: string): Promise<void> {
    return new Promise((res, rej) => {
      const t = setTimeout(() => {
        this.waiters.delete(key);
        rej(new Error(`${what} (${this.proc.output().trim() || this.errors.join('; ') || 'no output'})`));
      }, ms);
      this.waiters.set(key, () => {
        clearTimeout(t);
        this.waiters.delete(key);
        res();
      });
    });
  }

  async bind(sock: string, address: string, port: number): Promise<void> {
    const w = this.wait(sock, 5000, `the probe could not bind ${address}:${port}`);
    this.proc.cp.stdin!.write(`${JSON.stringify({ op: 'bind', sock, address, port })}\n`);
    await w;
  }

  send(sock: string, to: string, port: number, bytes: Uint8Array): void {
    this.proc.cp.stdin!.write(`${JSON.stringify({ op: 'send', sock, to, port, hex: Buffer.from(bytes).toString('hex') })}\n`);
  }

  listen(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async close(): Promise<void> {
    this.proc.cp.stdin!.end();
    await this.proc.stop(2000);
  }
}

export interface ClientSpec {
  /** For reports: "reservation 00:1b:.. (reception-pc)" or "dynamic #2 in 198.51.100.0/25". */
  name: string;
  mac: string;
  /** Option 61 as hex (with its type byte), when the client sends one. */
  clientId?: string | undefined;
  /** Relay agent address (giaddr); undefined for a client on the lab link. */
  relay?: string | undefined;
  /** Parameter request list (option 55). */
  prl: number[];
  /** Further options the client sends in every message (vendor class, user class, ...), for class matching. */
  options?: DhcpOption[] | undefined;
}

export interface Exchange {
  xid: number;
  replies: Reply[];
}

let xidSeq = Math.floor(Math.random() * 0x7fffffff);

/** Simulated clients on one segment, talking to `servers` (unicast targets for relayed clients). */
export class Probe {
  private constructor(
    private readonly agent: Agent,
    private readonly servers: string[],
    private readonly relays: Set<string>,
  ) {}

  static async start(lab: Lab, ns: string, servers: string[], relays: string[]): Promise<Probe> {
    const agent = await Agent.start(lab, ns);
    await agent.bind('client', '0.0.0.0', 68);
    for (const r of relays) await agent.bind(`relay ${r}`, r, 67);
    return new Probe(agent, servers, new Set(relays));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private build(c: ClientSpec, xid: number, type: number, extra: DhcpOption[], ciaddr?: string): Uint8Array {
    const options: DhcpOption[] = [{ code: Opt.MESSAGE_TYPE, data: Uint8Array.of(type) }];
    if (c.clientId) options.push({ code: Opt.CLIENT_ID, data: hexToBytes(c.clientId) });
    options.push(...(c.options ?? []), ...extra);
    if (type === MessageType.DISCOVER || type === MessageType.REQUEST) {
      options.push({ code: Opt.MAX_SIZE, data: Uint8Array.of(0x05, 0xdc) });
      options.push({ code: Opt.PARAMETER_LIST, data: Uint8Array.from(c.prl) });
    }
    return encodeDhcp({
      chaddr: c.mac,
      xid,
      flags: 0x8000,
      ciaddr: ciaddr ?? '0.0.0.0',
      giaddr: c.relay ?? '0.0.0.0',
      hops: c.relay ? 1 : 0,
      options,
    });
  }

  /**
   * Send one message and collect the replies to it (same xid and chaddr) until `done` says so or
   * `timeoutMs` passes.
   */
  transact(c: ClientSpec, type: number, extra: DhcpOption[], o: { timeoutMs: number; done: (rs: Reply[]) => boolean; graceMs?: number; ciaddr?: string; to?: string[] }): Promise<Exchange> {
    if (c.relay && !this.relays.has(c.relay)) throw new Error(`probe: relay ${c.relay} was not bound`);
    const xid = (xidSeq = (xidSeq + 1) >>> 0);
    const bytes = this.build(c, xid, type, extra, o.ciaddr);
    const replies: Reply[] = [];
    const t0 = Date.now();
    return new Promise((res) => {
      let finished = false;
      let graceTimer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (graceTimer) clearTimeout(graceTimer);
        stop();
        res({ xid, replies });
      };
      const stop = this.agent.listen((m) => {
        if (c.relay ? m.sock !== `relay ${c.relay}` : m.sock !== 'client') return;
        let p: DhcpPacket;
        try {
          p = decodeDhcp(m.raw);
        } catch {
          return;
        }
        if (p.op !== BOOTREPLY || p.xid !== xid || p.chaddr !== c.mac.toLowerCase()) return;
        replies.push({ packet: p, raw: m.raw, from: m.from, after: m.t - t0 });
        if (!graceTimer && o.done(replies)) {
          if (!o.graceMs) finish();
          else graceTimer = setTimeout(finish, o.graceMs);
        }
      });
      const timer = setTimeout(finish, o.timeoutMs);
      if (c.relay) for (const s of o.to ?? this.servers) this.agent.send(`relay ${c.relay}`, s, 67, bytes);
      else this.agent.send('client', '255.255.255.255', 67, bytes);
    });
  }

  /** DISCOVER; collect offers until `expect` servers answered or the time is up. */
  async discover(c: ClientSpec, expect: number, timeoutMs: number): Promise<Exchange> {
    return this.transact(c, MessageType.DISCOVER, [], {
      timeoutMs,
      done: (rs) => new Set(rs.filter((r) => messageType(r.packet) === MessageType.OFFER).map((r) => serverOf(r))).size >= expect,
    });
  }

  /** REQUEST in SELECTING state for `offer`; done at the chosen server's ACK or NAK (plus `settleMs` for others' NAKs). */
  async select(c: ClientSpec, offer: Reply, timeoutMs = 3000): Promise<Exchange> {
    const server = serverOf(offer);
    return this.transact(
      c,
      MessageType.REQUEST,
      [
        { code: Opt.REQUESTED_IP, data: ipToBytes(offer.packet.yiaddr) },
        { code: Opt.SERVER_ID, data: ipToBytes(server) },
      ],
      { timeoutMs, graceMs: 150, done: (rs) => rs.some((r) => serverOf(r) === server && isAckOrNak(r)) },
    );
  }

  /** REQUEST in INIT-REBOOT state (requested address, no server id); collects for `windowMs` after the first ACK or NAK. */
  async initReboot(c: ClientSpec, address: string, timeoutMs: number, windowMs: number): Promise<Exchange> {
    return this.transact(c, MessageType.REQUEST, [{ code: Opt.REQUESTED_IP, data: ipToBytes(address) }], {
      timeoutMs,
      graceMs: windowMs,
      done: (rs) => rs.some(isAckOrNak),
    });
  }
}

export function serverOf(r: Reply): string {
  return optionIp(r.packet, Opt.SERVER_ID) ?? r.from;
}

function isAckOrNak(r: Reply): boolean {
  const t = messageType(r.packet);
  return t === MessageType.ACK || t === MessageType.NAK;
}
