import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleParseError } from '../../src/errors.js';
import { parseIp, parseIpv4, parseIpv6, SpecCompiler, Variables } from '../../src/rules/vars.js';

const ip = (s: string) => {
  const a = parseIp(s);
  if (a === undefined) throw new Error(`bad test address ${s}`);
  return a;
};

describe('port sets', () => {
  const c = new SpecCompiler();
  it('reads single ports, ranges, open ranges, lists, negation and nesting', () => {
    expect(c.portSet('any').any).toBe(true);
    expect(c.portSet('80').has(80)).toBe(true);
    expect(c.portSet('80').has(81)).toBe(false);
    const open = c.portSet('1024:');
    expect([open.has(1023), open.has(1024), open.has(65535)]).toEqual([false, true, true]);
    const upto = c.portSet(':1023');
    expect([upto.has(0), upto.has(1023), upto.has(1024)]).toEqual([true, true, false]);
    const neg = c.portSet('!80');
    expect([neg.has(80), neg.has(79), neg.has(81)]).toEqual([false, true, true]);
    const list = c.portSet('[1:10,!5,[20,!21,22]]');
    expect([1, 4, 5, 6, 10, 11, 20, 21, 22].map((p) => list.has(p))).toEqual([true, true, false, true, true, false, true, false, true]);
    expect(c.portSet('[!80,!443]').has(8080)).toBe(true);
    expect(c.portSet('[!80,!443]').has(443)).toBe(false);
    expect(c.portSet('[80,!80]').empty).toBe(true);
  });

  it('expands variables, including nested ones, and the stock HTTP_PORTS', () => {
    const h = c.portSet('$HTTP_PORTS');
    expect([80, 8080, 3128, 443].map((p) => h.has(p))).toEqual([true, true, true, false]);
    const f = c.portSet('$FILE_DATA_PORTS');
    expect([80, 110, 143, 25].map((p) => f.has(p))).toEqual([true, true, true, false]);
    expect(c.portSet('$SHELLCODE_PORTS').has(80)).toBe(false);
    expect(c.portSet('$ORACLE_PORTS').has(1521)).toBe(true);
  });

  it('rejects bad ports, empty ranges and undefined or cyclic variables with a RuleParseError', () => {
    for (const bad of ['70000', '10:5', 'x', '[80', '$NOPE', '[]', '']) {
      expect(() => c.portSet(bad), bad).toThrow(RuleParseError);
    }
    const cyc = new SpecCompiler(Variables.defaults().with({ A: '$B', B: '[1,$A]' }));
    expect(() => cyc.portSet('$A')).toThrow(/too deep/);
  });

  // Snort semantics on a small universe: a list is (union of positives, or all) minus negatives.
  type Spec = { t: 'port'; p: number } | { t: 'range'; lo: number; hi: number } | { t: 'not'; s: Spec } | { t: 'list'; items: Spec[] };
  const U = 40;
  const spec: fc.Memo<Spec> = fc.memo((n) =>
    n <= 1
      ? fc.oneof(fc.record({ t: fc.constant('port' as const), p: fc.nat(U - 1) }), fc.record({ t: fc.constant('range' as const), lo: fc.nat(U - 1), hi: fc.nat(U - 1) }).filter((r) => r.lo <= r.hi))
      : fc.oneof(
          spec(n - 1),
          fc.record({ t: fc.constant('not' as const), s: spec(n - 1) }),
          fc.record({ t: fc.constant('list' as const), items: fc.array(spec(n - 1), { minLength: 1, maxLength: 4 }) }),
        ),
  );
  const text = (s: Spec): string =>
    s.t === 'port' ? `${s.p}` : s.t === 'range' ? `${s.lo}:${s.hi}` : s.t === 'not' ? `!${text(s.s)}` : `[${s.items.map(text).join(',')}]`;
  const ref = (s: Spec, p: number): boolean => {
    switch (s.t) {
      case 'port':
        return p === s.p;
      case 'range':
        return p >= s.lo && p <= s.hi;
      case 'not':
        return !ref(s.s, p);
      case 'list': {
        const pos = s.items.filter((x) => x.t !== 'not');
        const neg = s.items.filter((x) => x.t === 'not') as { t: 'not'; s: Spec }[];
        return (pos.length === 0 || pos.some((x) => ref(x, p))) && !neg.some((x) => ref(x.s, p));
      }
    }
  };
  it('agrees with a direct evaluation of Snort list semantics (property)', () => {
    fc.assert(
      fc.property(spec(4), (s) => {
        const set = new SpecCompiler().portSet(text(s));
        for (let p = 0; p < U + 2; p++) if (set.has(p) !== ref(s, p)) return false;
        return set.has(65535) === ref(s, 65535);
      }),
      { numRuns: 300 },
    );
  });
});

describe('address sets', () => {
  const c = new SpecCompiler(Variables.defaults().with({ HOME_NET: '[10.0.0.0/8,192.168.1.0/255.255.255.0,2001:db8::/32]', EXTERNAL_NET: '!$HOME_NET' }));
  it('reads IPv4 CIDR and netmasks, IPv6 CIDR, lists and negation', () => {
    const home = c.addressSet('$HOME_NET');
    expect(['10.1.2.3', '11.0.0.1', '192.168.1.77', '192.168.2.1', '2001:db8::1', '2001:db9::1'].map((a) => home.has(ip(a))))
      .toEqual([true, false, true, false, true, false]);
    const ext = c.addressSet('$EXTERNAL_NET');
    expect(['10.1.2.3', '8.8.8.8', '2001:db8:ffff::1', '::1'].map((a) => ext.has(ip(a)))).toEqual([false, true, false, true]);
    const one = c.addressSet('1.2.3.4');
    expect([one.has(ip('1.2.3.4')), one.has(ip('1.2.3.5'))]).toEqual([true, false]);
    expect(c.addressSet('any').has(ip('fe80::1'))).toBe(true);
    expect(c.addressSet('[1.0.0.0/8,![1.2.0.0/16,!1.2.3.0/24]]').has(ip('1.2.3.9'))).toBe(true);
    expect(c.addressSet('[1.0.0.0/8,![1.2.0.0/16,!1.2.3.0/24]]').has(ip('1.2.4.9'))).toBe(false);
    expect(c.addressSet('0.0.0.0/0').has(ip('255.255.255.255'))).toBe(true);
    expect(c.addressSet('0.0.0.0/0').has(ip('::1'))).toBe(false);
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['1.2.3', '1.2.3.4/33', '1.2.3.4/255.0.255.0', 'fe80:::1', 'host', '2001:db8::/129']) {
      expect(() => c.addressSet(bad), bad).toThrow(RuleParseError);
    }
  });

  it('parses IP text', () => {
    expect(parseIpv4('192.168.0.1')).toBe(0xc0a80001);
    expect(parseIpv4('256.0.0.1')).toBeUndefined();
    expect(Array.from(parseIpv6('::ffff:1.2.3.4')!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(Array.from(parseIpv6('1::')!).slice(0, 2)).toEqual([0, 1]);
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });
});

describe('Variables', () => {
  it('has stock defaults and user overrides', () => {
    const v = Variables.defaults();
    expect(v.get('HOME_NET')).toBe('any');
    expect(v.get('$HTTP_SERVERS')).toBe('$HOME_NET');
    const w = v.with({ $HOME_NET: '10.0.0.0/8' });
    expect(w.get('HOME_NET')).toBe('10.0.0.0/8');
    expect(v.get('HOME_NET')).toBe('any');
  });

  it('reads Snort 2 var/ipvar/portvar lines and Snort 3 Lua assignments', () => {
    const conf = [
      '# comment',
      'ipvar HOME_NET [10.0.0.0/8]',
      'portvar HTTP_PORTS [80,8000]',
      'var RULE_PATH ../rules',
      "EXTERNAL_NET = '!$HOME_NET'",
      'SSH_PORTS = [[ 22 2222 ]]',
      'preprocessor stream5_global: track_tcp yes',
    ].join('\n');
    const v = Variables.defaults().withConfig(conf);
    expect(v.get('HOME_NET')).toBe('[10.0.0.0/8]');
    expect(v.get('RULE_PATH')).toBe('../rules');
    const c = new SpecCompiler(v);
    expect(c.portSet('$HTTP_PORTS').has(8080)).toBe(false);
    expect(c.portSet('$SSH_PORTS').has(2222)).toBe(true);
    expect(c.addressSet('$EXTERNAL_NET').has(ip('10.0.0.1'))).toBe(false);
  });

  it('reports a malformed variable line with its line number', () => {
    try {
      Variables.defaults().withConfig('\n\nipvar 9BAD 1.2.3.4\n', 'snort.conf');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleParseError);
      expect((e as RuleParseError).line).toBe(3);
      expect((e as RuleParseError).file).toBe('snort.conf');
    }
  });
});
