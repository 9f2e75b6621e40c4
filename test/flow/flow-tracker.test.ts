/**
 * The flow tracker on its own: orientation, handshake and established state (with and
 * without midstream), UDP, the two restart rules, LRU capacity and idle expiry, and that
 * every flow is ended exactly once through `onEnd`.
 */
import { describe, expect, it } from 'vitest';
import { type Flow, type FlowEndReason, FlowTracker, type FlowTrackerOptions, type RestartRule } from '../../src/flow/index.js';
import { Decoder, DecodeStatus } from '../../src/pcap/decode.js';
import { Packet } from '../../src/pcap/types.js';
import { bytes, ether, ipv4, tcpPacket } from '../pcap/build.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;
const RST = 0x04;
const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];

interface Seg {
  fromServer?: boolean;
  seq?: number;
  flags?: number;
  payload?: string;
  t?: number;
  sport?: number;
}

/** A tracker fed with built packets; `ended` lists (flow id, reason) in order. */
class Feeder {
  readonly ended: [number, FlowEndReason][] = [];
  readonly tracker: FlowTracker<string>;
  private readonly dec = new Decoder();
  private index = 0;

  constructor(opts: Partial<FlowTrackerOptions<string>> = {}) {
    this.tracker = new FlowTracker<string>({
      createState: (f) => `state of ${f.id}`,
      onEnd: (f, why) => this.ended.push([f.id, why]),
      ...opts,
    });
  }

  /** Expires, then tracks one segment; returns its flow (undefined: none started). */
  feed(s: Seg): Flow<string> | undefined {
    const fromServer = s.fromServer ?? false;
    const sport = s.sport ?? 40000;
    const data = tcpPacket({
      src: fromServer ? S : C,
      dst: fromServer ? C : S,
      sport: fromServer ? 80 : sport,
      dport: fromServer ? sport : 80,
      seq: s.seq ?? 1,
      flags: s.flags ?? PSH_ACK,
      payload: bytes(s.payload ?? ''),
    });
    const i = this.index++;
    const p = new Packet(i, s.t ?? 1000 + i, 0, 1, 0, data.length, data, 0);
    expect(this.dec.decode(p)).toBe(DecodeStatus.OK);
    const now = p.tsSec + p.tsNsec / 1e9;
    this.tracker.expire(now);
    return this.tracker.track(this.dec.out, p, now);
  }
}

function run(segs: readonly Seg[], opts: Partial<FlowTrackerOptions<string>> = {}): { tracker: FlowTracker<string>; flows: (Flow<string> | undefined)[]; ended: [number, FlowEndReason][] } {
  const f = new Feeder(opts);
  const flows = segs.map((s) => f.feed(s));
  return { tracker: f.tracker, flows, ended: f.ended };
}

const NO_SINK = { deliver: (): void => {}, gap: (): void => {} };

const handshake = (isn = 100, sisn = 5000): Seg[] => [
  { seq: isn, flags: SYN },
  { fromServer: true, seq: sisn, flags: SYN | ACK },
  { seq: isn + 1, flags: ACK },
];

describe('FlowTracker', () => {
  it('orients flows by their opener, tracks the handshake and keeps the user state', () => {
    const r = run([...handshake(), { seq: 101, payload: 'GET /' }]);
    const f = r.flows[0]!;
    expect(r.flows.every((x) => x === f)).toBe(true);
    expect(f.toString()).toBe('10.0.0.1:40000 -> 10.0.0.2:80');
    expect(f.state).toBe('state of 0');
    expect([f.clientSyn, f.serverSyn, f.established]).toEqual([true, true, true]);
    expect(f.synSeq).toEqual([100, 5000]);
    expect([f.packets, f.fromServer, f.lastPacket]).toEqual([4, 1, 3]);
    // A SYN/ACK seen first: its sender is the server.
    const late = run([{ fromServer: true, seq: 5000, flags: SYN | ACK }, { seq: 101, flags: ACK }]);
    expect(late.flows[0]!.clientPort).toBe(40000);
    expect(late.flows[0]!.established).toBe(false);
  });

  it('a bare ACK or RST starts nothing; data without a handshake is established only with midstream', () => {
    const none = run([{ flags: ACK }, { flags: RST }]);
    expect(none.flows).toEqual([undefined, undefined]);
    expect(none.tracker.stats.noFlow).toBe(2);
    expect(run([{ payload: 'x' }]).flows[0]!.established).toBe(false);
    expect(run([{ payload: 'x' }], { midstream: true }).flows[0]!.established).toBe(true);
  });

  it('UDP flows are established once the server side spoke', () => {
    const udp = (src: number[], dst: number[], sp: number, dp: number): Uint8Array =>
      ether(0x0800, ipv4(17, [sp >> 8, sp & 255, dp >> 8, dp & 255, 0, 9, 0, 0, 0x41], { src, dst }));
    const tracker = new FlowTracker<undefined>({ createState: () => undefined });
    const dec = new Decoder();
    const states = [udp(C, S, 53000, 53), udp(S, C, 53, 53000)].map((d, i) => {
      const p = new Packet(i, 1, 0, 1, 0, d.length, d, 0);
      dec.decode(p);
      return tracker.track(dec.out, p, 1)!.established;
    });
    expect(states).toEqual([false, true]);
  });

  it("restart rule 'isn': a client SYN on an established flow starts a new one; a retransmitted SYN does not", () => {
    const again = run([{ seq: 100, flags: SYN }, { seq: 100, flags: SYN }]);
    expect(again.flows[0]).toBe(again.flows[1]);
    const reuse = run([...handshake(100), { seq: 101, payload: 'a' }, { seq: 9000, flags: SYN }]);
    expect(reuse.flows[4]).not.toBe(reuse.flows[0]);
    expect(reuse.ended).toEqual([[0, 'restarted']]);
    // Once the client stream is open, a SYN repeating its ISN is the same connection.
    const open = new Feeder();
    let flow: Flow<string> | undefined;
    for (const s of handshake(100)) flow = open.feed(s);
    open.tracker.openStream(flow!, 0).syn(100);
    expect(open.feed({ seq: 100, flags: SYN })).toBe(flow);
    expect(open.feed({ seq: 7000, flags: SYN })).not.toBe(flow);
  });

  it("restart rule 'sequence': a SYN just before a mid-stream flow's first byte belongs to it", () => {
    const segs: Seg[] = [{ seq: 501, payload: 'EV' }, { seq: 500, flags: SYN }];
    const seq = new Feeder({ restart: 'sequence' });
    const first = seq.feed(segs[0])!;
    seq.tracker.openStream(first, 0).segment(501, bytes('EV'), false, NO_SINK);
    expect(seq.feed(segs[1])).toBe(first);
    expect(seq.feed({ seq: 7000, flags: SYN })).not.toBe(first);
    // The 'isn' rule restarts it (no SYN was seen from the client).
    expect(run(segs, { restart: 'isn' satisfies RestartRule }).ended).toEqual([[0, 'restarted']]);
  });

  it('ends the least recently used flow at capacity, idle flows on expiry, and the rest at endAll', () => {
    const r = run(
      [
        { payload: 'a', sport: 1, t: 0 },
        { payload: 'b', sport: 2, t: 1 },
        { payload: 'c', sport: 1, t: 2 }, // flow of port 1 is now the most recent...
        { payload: 'd', sport: 3, t: 3 }, // ...so the flow of port 2 goes
        { payload: 'e', sport: 4, t: 1000 }, // both others idle for more than 300 s
      ],
      { maxFlows: 2 },
    );
    expect(r.ended).toEqual([[1, 'capacity'], [0, 'idle'], [2, 'idle']]);
    expect(r.tracker.stats).toMatchObject({ created: 4, peak: 2 });
    r.tracker.endAll();
    expect(r.ended.at(-1)).toEqual([3, 'flushed']);
    expect(r.tracker.size).toBe(0);
  });

  it('a FIN from each side is recorded per direction', () => {
    const f = new Feeder();
    for (const s of handshake()) f.feed(s);
    expect(f.feed({ seq: 101, flags: FIN_ACK })!.finSeen).toEqual([true, false]);
    expect(f.feed({ fromServer: true, seq: 5001, flags: FIN_ACK })!.finSeen).toEqual([true, true]);
  });
});
