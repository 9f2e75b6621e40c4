/**
 * The address index must return a superset of the pattern-less rules whose header can
 * match a packet: checked against `AddressSet.has` (the header judge) on random address
 * lists, negations, CIDR blocks and packets, and end to end (same fired rules with and
 * without the packet's addresses given to the evaluator).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressIndex, ipv4Of } from '../../src/detect/address-index.js';
import { SpecCompiler, type AddressSet } from '../../src/rules/vars.js';
import { loadRuleTexts } from '../../src/rules/index.js';
import { RuleProgram } from '../../src/detect/program.js';
import { MatchCollector } from '../../src/detect/match-collector.js';
import { headerMatchesPacket } from '../../src/detect/predicates.js';

const specs = new SpecCompiler();
const rulesOf = (lines: string[]) => loadRuleTexts([{ file: 'test.rules', text: lines.join('\n') }]).rules;
const octet = fc.integer({ min: 0, max: 3 }).map((x) => [10, 11, 192, 200][x]);
const ip = fc.tuple(octet, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }));
const ipText = ip.map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`);
const leaf = fc.oneof(
  ipText,
  fc.tuple(ipText, fc.constantFrom(8, 16, 24, 30, 31, 32)).map(([t, n]) => `${t}/${n}`),
  fc.constant('any'),
  fc.constant('::1'),
);
const spec = fc.oneof(
  leaf,
  fc.array(fc.tuple(fc.boolean(), leaf), { minLength: 1, maxLength: 5 }).map((xs) => {
    const items = xs.map(([neg, t]) => (neg && t !== 'any' ? `!${t}` : t));
    // a list of only negations is fine; a list negating everything is caught by the compiler
    return `[${items.join(',')}]`;
  }),
);

function bytesOf([a, b, c, d]: [number, number, number, number]): Uint8Array {
  return Uint8Array.of(a, b, c, d);
}

describe('AddressIndex', () => {
  it('returns every rule whose indexed side could match the packet (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(spec, spec), { minLength: 1, maxLength: 20 }), fc.array(fc.tuple(ip, ip), { maxLength: 10 }), (headers, packets) => {
        const sides: { src: AddressSet; dst: AddressSet }[] = [];
        for (const [s, d] of headers) {
          try {
            sides.push({ src: specs.addressSet(s), dst: specs.addressSet(d) });
          } catch {
            // an empty or contradictory list: not a header a rule could have
          }
        }
        const ids = Int32Array.from(sides.keys());
        const index = new AddressIndex(ids, (r) => sides[r]);
        for (const [a, b] of packets) {
          const src = bytesOf(a);
          const dst = bytesOf(b);
          const got = new Set<number>(index.rest);
          index.lookup(ipv4Of(src), (r) => got.add(r));
          index.lookup(ipv4Of(dst), (r) => got.add(r));
          sides.forEach((h, r) => {
            const fwd = h.src.hasBytes(src, 4) && h.dst.hasBytes(dst, 4);
            const back = h.src.hasBytes(dst, 4) && h.dst.hasBytes(src, 4);
            if (fwd || back) expect(got.has(r), `rule ${r} ${h.src.text} -> ${h.dst.text}`).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('indexes IPv4 lists and leaves any/IPv6 sides to every packet', () => {
    const sides = [
      { src: specs.addressSet('any'), dst: specs.addressSet('[1.2.3.4,5.6.7.0/24]') },
      { src: specs.addressSet('any'), dst: specs.addressSet('any') },
      { src: specs.addressSet('::1'), dst: specs.addressSet('any') },
    ];
    const index = new AddressIndex([0, 1, 2], (r) => sides[r]);
    expect(index.indexed).toBe(1);
    expect([...index.rest]).toEqual([1, 2]);
    const hits: number[] = [];
    index.lookup(ipv4Of(Uint8Array.of(5, 6, 7, 200)), (r) => hits.push(r));
    index.lookup(ipv4Of(Uint8Array.of(5, 6, 8, 0)), (r) => hits.push(r));
    expect(hits).toEqual([0]);
  });

  it('the evaluator fires the same rules with and without the packet addresses', () => {
    const rules = rulesOf([
      'alert ip [1.2.3.4,9.9.9.0/24] any -> $HOME_NET any (msg:"bad src"; sid:1;)',
      'alert ip $HOME_NET any -> [5.6.7.8] any (msg:"bad dst"; sid:2;)',
      'alert ip any any <> [7.7.7.7] any (msg:"either"; sid:3;)',
      'alert tcp any any -> any any (msg:"content"; content:"abc"; sid:4;)',
    ]);
    const program = new RuleProgram(rules);
    const evaluator = program.createEvaluator();
    const col = new MatchCollector(program.signatureCount);
    const packets: [number[], number[]][] = [
      [[1, 2, 3, 4], [10, 0, 0, 1]],
      [[9, 9, 9, 77], [5, 6, 7, 8]],
      [[10, 0, 0, 1], [5, 6, 7, 8]],
      [[10, 0, 0, 1], [7, 7, 7, 7]],
      [[7, 7, 7, 7], [10, 0, 0, 1]],
      [[3, 3, 3, 3], [4, 4, 4, 4]],
    ];
    for (const [s, d] of packets) {
      const fields = { ipVersion: 4, protocol: 6, srcAddr: Uint8Array.from(s), dstAddr: Uint8Array.from(d), srcPort: 1, dstPort: 80 };
      const accept = (r: number): boolean => headerMatchesPacket(program.rules[r], fields);
      const fire = (addresses?: typeof fields): number[] => {
        const out: number[] = [];
        col.reset();
        evaluator.evaluate(col, new Uint8Array(4), (r) => out.push(program.rules[r].sid ?? -1), { accept, addresses });
        return out;
      };
      const expected = fire();
      expect(fire(fields)).toEqual(expected);
    }
    // the loop above saw each IP rule fire at least once
    const seen = new Set<number>();
    for (const [s, d] of packets) {
      const fields = { ipVersion: 4, protocol: 6, srcAddr: Uint8Array.from(s), dstAddr: Uint8Array.from(d), srcPort: 1, dstPort: 80 };
      col.reset();
      evaluator.evaluate(col, new Uint8Array(4), (r) => seen.add(program.rules[r].sid ?? -1), {
        accept: (r) => headerMatchesPacket(program.rules[r], fields),
        addresses: fields,
      });
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});

describe('rule keys', () => {
  it("a rule is listed under its fast_pattern content, else under its rarest-looking signature", () => {
    const rules = rulesOf([
      'alert tcp any any -> any any (msg:"fp"; content:"|00 00 00 00 00 00 00 00|"; content:"BM"; fast_pattern; sid:1;)',
      'alert tcp any any -> any any (msg:"rare"; content:"|00 00 00 00 00 00 00 00|"; content:"|0d 0a|XQ"; sid:2;)',
    ]);
    const program = new RuleProgram(rules);
    const keyOf = (r: number): string => {
      for (let s = 0; s < program.signatureCount; s++) {
        for (let k = program.sRuleStart[s]; k < program.sRuleStart[s + 1]; k++) {
          if (program.sRules[k] === r) return program.signatures[s];
        }
      }
      return '';
    };
    // The zero run is the longest content of both rules, and the least telling.
    expect(keyOf(0)).toBe('/BM/');
    expect(keyOf(1)).toContain('XQ');
  });
});
