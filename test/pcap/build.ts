/**
 * Test helpers: build packets (Ethernet/IPv4/IPv6/TCP/UDP...) and capture files (classic
 * pcap in both byte orders and resolutions, pcapng blocks) byte by byte, so reader and
 * decoder tests state exactly what is in the file.
 */

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

class W {
  private parts: number[] = [];
  constructor(private little: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    if (this.little) this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    else this.parts.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.parts.push(...(this.little ? b.reverse() : b));
    return this;
  }
  raw(b: Uint8Array | readonly number[]): this {
    this.parts.push(...b);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface RecordSpec {
  sec?: number;
  sub?: number;
  data: Uint8Array;
  origLen?: number;
  /** Override the captured length field (to make corrupt records). */
  capLen?: number;
}

export interface PcapSpec {
  little?: boolean;
  nano?: boolean;
  linkType?: number;
  snapLen?: number;
  version?: [number, number];
}

export function pcapFile(records: readonly RecordSpec[], spec: PcapSpec = {}): Uint8Array {
  const little = spec.little ?? true;
  const w = new W(little);
  w.u32(spec.nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(spec.version?.[0] ?? 2)
    .u16(spec.version?.[1] ?? 4)
    .u32(0)
    .u32(0)
    .u32(spec.snapLen ?? 65535)
    .u32(spec.linkType ?? 1);
  for (const r of records) {
    w.u32(r.sec ?? 1000).u32(r.sub ?? 0).u32(r.capLen ?? r.data.length).u32(r.origLen ?? r.data.length).raw(r.data);
  }
  return w.done();
}

// ---- pcapng ------------------------------------------------------------------------------

function block(type: number, body: Uint8Array, little: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const w = new W(little).u32(type).u32(len).raw(body);
  while (w.length < 8 + padded) w.u8(0);
  return w.u32(len).done();
}

export function shb(little = true, version: [number, number] = [1, 0]): Uint8Array {
  const body = new W(little).u32(0x1a2b3c4d).u16(version[0]).u16(version[1]).u32(0xffffffff).u32(0xffffffff).done();
  return block(0x0a0d0d0a, body, little);
}

/** Interface description; `tsresol` is the raw if_tsresol byte (6 = µs, 9 = ns, 0x80|k = 2^-k). */
export function idb(linkType: number, opts: { snapLen?: number; tsresol?: number; tsoffset?: number } = {}, little = true): Uint8Array {
  const w = new W(little).u16(linkType).u16(0).u32(opts.snapLen ?? 0);
  if (opts.tsresol !== undefined) w.u16(9).u16(1).u8(opts.tsresol).pad4();
  if (opts.tsoffset !== undefined) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(opts.tsoffset), little);
    w.u16(14).u16(8).raw(b);
  }
  if (opts.tsresol !== undefined || opts.tsoffset !== undefined) w.u16(0).u16(0);
  return block(1, w.done(), little);
}

/** Enhanced packet block; the timestamp is a 64-bit tick count given as a bigint. */
export function epb(ifId: number, ticks: bigint, data: Uint8Array, origLen = data.length, little = true, capLen = data.length): Uint8Array {
  const w = new W(little)
    .u32(ifId)
    .u32(Number(ticks >> 32n))
    .u32(Number(ticks & 0xffffffffn))
    .u32(capLen)
    .u32(origLen)
    .raw(data)
    .pad4();
  return block(6, w.done(), little);
}

export function spb(data: Uint8Array, origLen = data.length, little = true): Uint8Array {
  return block(3, new W(little).u32(origLen).raw(data).pad4().done(), little);
}

export function opb(ifId: number, ticks: bigint, data: Uint8Array, little = true): Uint8Array {
  const w = new W(little)
    .u16(ifId)
    .u16(0)
    .u32(Number(ticks >> 32n))
    .u32(Number(ticks & 0xffffffffn))
    .u32(data.length)
    .u32(data.length)
    .raw(data)
    .pad4();
  return block(2, w.done(), little);
}

export function anyBlock(type: number, body: Uint8Array, little = true): Uint8Array {
  return block(type, body, little);
}

// ---- packets -----------------------------------------------------------------------------

export interface TcpSpec {
  src?: readonly number[];
  dst?: readonly number[];
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  /** TCP flag byte; default ACK|PSH. */
  flags?: number;
  payload?: Uint8Array;
  /** IPv4 options bytes (multiple of 4). */
  ipOptions?: readonly number[];
  /** IPv4 flags+fragment offset field. */
  frag?: number;
}

function be(n: number, v: number): number[] {
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  return out;
}

export function tcpHeader(s: TcpSpec): number[] {
  return [
    ...be(2, s.sport ?? 1234),
    ...be(2, s.dport ?? 80),
    ...be(4, s.seq ?? 0),
    ...be(4, s.ack ?? 0),
    0x50,
    s.flags ?? 0x18,
    ...be(2, 65535),
    0,
    0,
    0,
    0,
  ];
}

export function ipv4(proto: number, l4: readonly number[] | Uint8Array, s: TcpSpec = {}): number[] {
  const opts = s.ipOptions ?? [];
  const ihl = 20 + opts.length;
  const total = ihl + l4.length;
  return [
    0x40 | (ihl / 4),
    0,
    ...be(2, total),
    0,
    1,
    ...be(2, s.frag ?? 0x4000),
    64,
    proto,
    0,
    0,
    ...(s.src ?? [10, 0, 0, 1]),
    ...(s.dst ?? [10, 0, 0, 2]),
    ...opts,
    ...l4,
  ];
}

export function ipv6(nextHeader: number, rest: readonly number[] | Uint8Array, src?: readonly number[], dst?: readonly number[]): number[] {
  const a = src ?? [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const b = dst ?? [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
  return [0x60, 0, 0, 0, ...be(2, rest.length), nextHeader, 64, ...a, ...b, ...rest];
}

export function ether(etherType: number, payload: readonly number[] | Uint8Array, vlans: readonly number[] = []): Uint8Array {
  const tags: number[] = [];
  for (let i = 0; i < vlans.length; i++) tags.push(...be(2, i === 0 && vlans.length > 1 ? 0x88a8 : 0x8100), ...be(2, vlans[i]!));
  const hdr = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ...tags, ...be(2, etherType)];
  return Uint8Array.from([...hdr, ...payload]);
}

/** Ethernet + IPv4 + TCP with the given payload. */
export function tcpPacket(s: TcpSpec): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  return ether(0x0800, ipv4(6, [...tcpHeader(s), ...payload], s));
}

// ---- tunnels -----------------------------------------------------------------------------

/** UDP header (length filled in, checksum 0) + payload. */
export function udp(sport: number, dport: number, payload: readonly number[] | Uint8Array = []): number[] {
  return [...be(2, sport), ...be(2, dport), ...be(2, 8 + payload.length), 0, 0, ...payload];
}

export interface GreSpec {
  /** Version (low 3 bits of the second byte); default 0. */
  version?: number;
  checksum?: boolean;
  key?: number;
  seq?: number;
  /** Acknowledgement number (version 1). */
  ack?: number;
  /** Extra bits OR-ed into the first / second flag byte (routing, recursion, reserved...). */
  flags0?: number;
  flags1?: number;
}

/** GRE header (optional fields in RFC order: checksum, key, sequence, acknowledgement) + payload. */
export function gre(protocol: number, payload: readonly number[] | Uint8Array, s: GreSpec = {}): number[] {
  let f0 = s.flags0 ?? 0;
  let f1 = (s.flags1 ?? 0) | (s.version ?? 0);
  const opt: number[] = [];
  if (s.checksum) {
    f0 |= 0x80;
    opt.push(0, 0, 0, 0);
  }
  if (s.key !== undefined) {
    f0 |= 0x20;
    opt.push(...be(4, s.key));
  }
  if (s.seq !== undefined) {
    f0 |= 0x10;
    opt.push(...be(4, s.seq));
  }
  if (s.ack !== undefined) {
    f1 |= 0x80;
    opt.push(...be(4, s.ack));
  }
  return [f0, f1, ...be(2, protocol), ...opt, ...payload];
}

/** VXLAN header (I flag, `vni`) + inner frame; `flags` overrides the first byte. */
export function vxlan(inner: readonly number[] | Uint8Array, vni = 42, flags = 0x08): number[] {
  return [flags, 0, 0, 0, ...be(3, vni), 0, ...inner];
}

/** VXLAN-GPE header (I and P flags, next protocol) + payload. */
export function vxlanGpe(next: number, inner: readonly number[] | Uint8Array, vni = 7): number[] {
  return [0x0c, 0, 0, next, ...be(3, vni), 0, ...inner];
}

/** Geneve header (version 0) with options (each: class, type, data of 4-byte words) + payload. */
export function geneve(protocol: number, inner: readonly number[] | Uint8Array, options: readonly (readonly number[])[] = [], vni = 9): number[] {
  const opts: number[] = [];
  for (const data of options) opts.push(0x01, 0x02, 0x80, data.length / 4, ...data);
  return [opts.length / 4, 0, ...be(2, protocol), ...be(3, vni), 0, ...opts, ...inner];
}

/**
 * NSH (RFC 8300) header + payload: MD type 1 (16 bytes of fixed context) or MD type 2 with
 * `context` bytes (a multiple of 4) of variable context.
 */
export function nsh(next: number, inner: readonly number[] | Uint8Array, mdType: 1 | 2 = 1, context: readonly number[] = []): number[] {
  const ctx = mdType === 1 ? new Array<number>(16).fill(0) : [...context];
  const words = 2 + ctx.length / 4;
  // version 0, O=0, TTL 63 (6 bits across the first two bytes), length in words
  return [0x0f, 0xc0 | words, mdType, next, 0, 0, 1, 255, ...ctx, ...inner];
}

/** MPLS label stack entries (label values, the last one bottom of stack) + payload. */
export function mpls(labels: readonly number[], payload: readonly number[] | Uint8Array): number[] {
  const out: number[] = [];
  labels.forEach((l, i) => out.push(...be(4, l * 4096 + (i === labels.length - 1 ? 0x100 : 0) + 64)));
  return [...out, ...payload];
}
