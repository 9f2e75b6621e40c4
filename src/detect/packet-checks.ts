/**
 * Evaluation of the packet-level rule options (`ip_proto`, `flags`, `itype`, `icode`,
 * `seq`, `ack`, `window`, absolute `isdataat`) that the parser compiled into `PacketCheck`
 * data (src/rules/packet-options.ts): a switch over plain data, no closures, no
 * allocation, nothing thrown.
 */
import type { CompareOp, PacketCheck, PacketCheckFields } from '../rules/packet-options.js';

/**
 * `x op a` for the rule comparison operators; the ranges `<>` (exclusive) and `<=>`
 * (inclusive) compare with [a, b].
 */
export function compare(x: number, op: CompareOp, a: number, b = 0): boolean {
  switch (op) {
    case '=':
      return x === a;
    case '!=':
      return x !== a;
    case '<':
      return x < a;
    case '>':
      return x > a;
    case '<=':
      return x <= a;
    case '>=':
      return x >= a;
    case '<>':
      return x > a && x < b;
    case '<=>':
      return x >= a && x <= b;
  }
}

/** Do all checks hold on this packet? A TCP-only check on a non-TCP packet fails, as in Snort. */
export function packetChecksMatch(checks: readonly PacketCheck[], p: PacketCheckFields): boolean {
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i];
    switch (c.kind) {
      case 'ip_proto':
        if (!compare(p.protocol, c.op, c.a, c.b)) return false;
        break;
      case 'itype':
      case 'icode': {
        if (p.protocol !== 1 && p.protocol !== 58) return false;
        if (!compare(c.kind === 'itype' ? p.icmpType : p.icmpCode, c.op, c.a, c.b)) return false;
        break;
      }
      case 'seq':
      case 'ack':
      case 'window': {
        if (p.protocol !== 6) return false;
        const x = c.kind === 'seq' ? p.seq : c.kind === 'ack' ? p.ack : p.window;
        if ((x === c.a) !== (c.op === '=')) return false;
        break;
      }
      case 'flags': {
        if (p.protocol !== 6) return false;
        const f = p.tcpFlags & 0xff & ~c.ignore;
        const m = c.mask & ~c.ignore;
        if (c.mode === 'exact' ? f !== m : c.mode === 'all' ? (f & m) !== m : c.mode === 'any' ? (f & m) === 0 : (f & m) !== 0) return false;
        break;
      }
      case 'isdataat':
        if ((p.payloadLength > c.offset) === c.negated) return false;
        break;
    }
  }
  return true;
}
