import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/rules/parse.js';
import type { Rule } from '../../src/rules/rule.js';
import {
  contentSource,
  dsizeMatches,
  firedRules,
  flowMatches,
  headerMatches,
  headerMatchesPacket,
  irLengthBounds,
  MatchCollector,
  pcreSource,
  RuleProgram,
  type LengthBounds,
} from '../../src/detect/index.js';
import { parseIp } from '../../src/rules/vars.js';
import type { Ir } from '../../src/syntax/ir.js';

function rulesOf(text: string): Rule[] {
  const r = parseRules(text);
  expect(r.rejected.map((x) => x.error.message)).toEqual([]);
  return r.rules;
}

/** Every (signature, end) an 'all'-mode engine would report, found by brute force with RegExp. */
function eventsFor(program: RuleProgram, payload: string): [number, number][] {
  const out: [number, number][] = [];
  program.signatures.forEach((src, sig) => {
    const last = src.lastIndexOf('/');
    const flags = src.slice(last + 1).replace(/[^ism]/g, '');
    const re = new RegExp(`^(?:${src.slice(1, last)})$`, flags);
    for (let e = 0; e <= payload.length; e++) {
      for (let s = 0; s <= e; s++) {
        if (re.test(payload.slice(s, e))) {
          out.push([sig, e]);
          break;
        }
      }
    }
  });
  return out;
}

/** Fixed-length bounds for the simple patterns used below (a stand-in for the syntax front end). */
function lengthsOf(source: string): LengthBounds {
  const body = source.slice(1, source.lastIndexOf('/'));
  if (/^([A-Za-z0-9]|\\x[0-9a-f]{2})*$/.test(body)) {
    const n = body.replace(/\\x[0-9a-f]{2}/g, '.').length;
    return { minLength: n, maxLength: n };
  }
  return { minLength: 0, maxLength: Infinity };
}

function fires(ruleText: string, payload: string): boolean {
  const program = new RuleProgram(rulesOf(ruleText), { checkPattern: lengthsOf });
  return firedRules(program, eventsFor(program, payload), payload.length).length === 1;
}

describe('rule semantics: contents and their modifiers', () => {
  it('needs every content, anywhere, without modifiers', () => {
    const r = 'alert tcp any any -> any any (content:"uid=0|28|root|29|"; content:"x"; sid:1;)';
    expect(fires(r, 'aa uid=0(root) x')).toBe(true);
    expect(fires(r, 'x aa uid=0(root)')).toBe(true);
    expect(fires(r, 'aa uid=0(root)')).toBe(false);
  });

  it('nocase folds ASCII letters', () => {
    expect(fires('alert tcp any any -> any any (content:"AbC"; nocase; sid:1;)', 'xaBcx')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:"AbC"; sid:1;)', 'xaBcx')).toBe(false);
  });

  it('offset and depth bound the start and the end (depth counts from offset)', () => {
    const r = 'alert tcp any any -> any any (content:"abc"; offset:2; depth:3; sid:1;)';
    expect(fires(r, 'xxabc')).toBe(true);
    expect(fires(r, 'xabcx')).toBe(false);
    expect(fires(r, 'xxxabc')).toBe(false);
    expect(fires('alert tcp any any -> any any (content:"abc"; depth:4; sid:1;)', 'xabc')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:"abc"; depth:4; sid:1;)', 'xxabc')).toBe(false);
  });

  it('distance and within are relative to the end of the previous match (within counted from distance)', () => {
    const r = 'alert tcp any any -> any any (content:"a"; content:"b"; distance:1; within:1; sid:1;)';
    expect(fires(r, 'a-b')).toBe(true);
    expect(fires(r, 'ab')).toBe(false);
    expect(fires(r, 'a--b')).toBe(false);
    // Exhaustive search: the second "a" makes it fire even though the first does not.
    expect(fires(r, 'a--ba-b')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:"ab"; content:"b"; distance:-1; within:1; sid:1;)', 'xab')).toBe(true);
  });

  it('negated contents: no match may obey the constraints; they do not move the cursor', () => {
    const r = 'alert tcp any any -> any any (content:"GET"; content:!"HTTP"; within:10; content:"Host"; distance:0; sid:1;)';
    expect(fires(r, 'GET / x Host')).toBe(true);
    expect(fires(r, 'GET / HTTP Host')).toBe(false);
    expect(fires(r, 'GET / xxxxxxxxxx HTTP Host')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:!"evil"; sid:1;)', 'good')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:!"evil"; sid:1;)', 'so evil')).toBe(false);
  });

  it('startswith and endswith (Suricata)', () => {
    expect(fires('alert tcp any any -> any any (content:"ab"; startswith; sid:1;)', 'abx')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:"ab"; startswith; sid:1;)', 'xab')).toBe(false);
    expect(fires('alert tcp any any -> any any (content:"ab"; endswith; sid:1;)', 'xab')).toBe(true);
    expect(fires('alert tcp any any -> any any (content:"ab"; endswith; sid:1;)', 'abx')).toBe(false);
  });

  it('decides the suricata-verify SMB chain (offset/distance/within)', () => {
    const r = 'alert tcp any any -> any 445 (content:"SMB"; depth:8; content:"|09 00|"; distance:8; within:2; ' +
      'content:"|05 00 00|"; distance:0; content:"|0c 00|"; distance:19; within:2; content:"|15 00 00 00|"; distance:20; within:4; sid:1;)';
    const pl = '\u00ffSMB' + 'x'.repeat(8) + '\t\u0000' + 'y' + '\u0005\u0000\u0000' + 'z'.repeat(19) + '\u000c\u0000' + 'w'.repeat(20) + '\u0015\u0000\u0000\u0000';
    expect(fires(r, pl)).toBe(true);
    expect(fires(r, pl.replace('\t\u0000', 'x\t'))).toBe(false);
  });

  it('patterns of different buffers are independent (relative only within a buffer)', () => {
    const r = 'alert tcp any any -> any any (content:"b"; content:"a"; http_uri; content:"c"; distance:0; within:1; sid:1;)';
    // "c" is relative to "b" (same buffer pkt), not to the URI content "a".
    expect(fires(r, 'bc a')).toBe(true);
    expect(fires(r, 'b ac')).toBe(false);
  });

  it('agrees with a direct search over payload positions (property)', () => {
    type P = { s: string; neg: boolean; mode: 0 | 1 | 2 | 3; a: number; b: number };
    const pat = fc.record({
      s: fc.stringMatching(/^[ab]{1,2}$/),
      neg: fc.boolean(),
      mode: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3),
      a: fc.integer({ min: -2, max: 4 }),
      b: fc.integer({ min: 1, max: 5 }),
    });
    const toOpt = (p: P) => {
      let o = `content:${p.neg ? '!' : ''}"${p.s}";`;
      if (p.mode === 1) o += ` offset:${Math.max(0, p.a)}; depth:${p.b + p.s.length - 1};`;
      if (p.mode === 2) o += ` distance:${p.a}; within:${p.b + p.s.length - 1};`;
      if (p.mode === 3) o += ` distance:${p.a};`;
      return o;
    };
    const ref = (ps: P[], pl: string, i: number, cursor: number): boolean => {
      if (i === ps.length) return true;
      const p = ps[i];
      const ok = (s: number) => {
        const e = s + p.s.length;
        if (pl.slice(s, e) !== p.s) return false;
        if (p.mode === 1) return s >= Math.max(0, p.a) && e <= Math.max(0, p.a) + p.b + p.s.length - 1;
        if (p.mode === 2) return s >= cursor + p.a && e <= cursor + p.a + p.b + p.s.length - 1;
        if (p.mode === 3) return s >= cursor + p.a;
        return true;
      };
      const starts = [...Array(pl.length + 1).keys()].filter(ok);
      if (p.neg) return starts.length === 0 && ref(ps, pl, i + 1, cursor);
      return starts.some((s) => ref(ps, pl, i + 1, s + p.s.length));
    };
    fc.assert(
      fc.property(fc.array(pat, { minLength: 1, maxLength: 5 }), fc.stringMatching(/^[ab]{0,12}$/), (ps, pl) => {
        const text = `alert tcp any any -> any any (${ps.map(toOpt).join(' ')} sid:1;)`;
        return fires(text, pl) === ref(ps, pl, 0, 0);
      }),
      { numRuns: 600 },
    );
  });
});

describe('rule semantics: pcre', () => {
  it('a relative pcre starts after the previous match; with ^ exactly at it', () => {
    const anchored = 'alert tcp any any -> any any (content:"x"; pcre:"/^\\x00/R"; sid:1;)';
    expect(fires(anchored, 'x\u0000')).toBe(true);
    expect(fires(anchored, 'x\u0001\u0000')).toBe(false);
    expect(fires(anchored, '\u0000x')).toBe(false);
    const rel = 'alert tcp any any -> any any (content:"x"; pcre:"/yz/R"; sid:1;)';
    expect(fires(rel, 'x..yz')).toBe(true);
    expect(fires(rel, 'yz..x')).toBe(false);
  });

  it('a negated pcre must not match; an unanchored pcre matches anywhere', () => {
    expect(fires('alert tcp any any -> any any (content:"a"; pcre:!"/b+c/"; sid:1;)', 'a bbc')).toBe(false);
    expect(fires('alert tcp any any -> any any (content:"a"; pcre:!"/b+c/"; sid:1;)', 'a bb')).toBe(true);
    expect(fires('alert tcp any any -> any any (pcre:"/b+c/i"; sid:1;)', 'xxBBC')).toBe(true);
  });

  it('rewrites relative and buffer pcres for a whole-payload search', () => {
    const [r] = rulesOf('alert tcp any any -> any any (content:"x"; pcre:"/^ab|c/R"; pcre:"/^\\/x/Ui"; pcre:"/^a/Rm"; pcre:"/^a/"; pcre:"/q/AR"; sid:1;)');
    const srcs = r.patterns.slice(1).map((p) => (p.kind === 'pcre' ? pcreSource(p) : undefined));
    expect(srcs.map((s) => s?.source)).toEqual(['/^ab|c/', '/\\/x/i', '/a/m', '/^a/', '/q/']);
    expect(srcs.map((s) => s?.anchoredAtCursor)).toEqual([false, false, false, false, true]);
    expect(srcs[2]?.multilineRelative).toBe(true);
  });

  it('turns contents into escaped pcre sources', () => {
    const [r] = rulesOf('alert tcp any any -> any any (content:"a.b|00 ff|/"; nocase; sid:1;)');
    expect(r.patterns[0].kind === 'content' && contentSource(r.patterns[0])).toBe('/a\\x2eb\\x00\\xff\\x2f/i');
  });

  it('bounds IR match lengths', () => {
    const byte: Ir = { kind: 'bytes', set: new Uint32Array(8) };
    const ir: Ir = {
      kind: 'concat',
      items: [
        { kind: 'assert', assertion: 'text-start' },
        byte,
        { kind: 'alt', items: [byte, { kind: 'concat', items: [byte, byte, byte] }] },
        { kind: 'repeat', item: byte, min: 2, max: 4, greedy: true },
      ],
    };
    expect(irLengthBounds(ir)).toEqual({ minLength: 4, maxLength: 8 });
    expect(irLengthBounds({ kind: 'repeat', item: byte, min: 1, max: Infinity, greedy: true })).toEqual({ minLength: 1, maxLength: Infinity });
  });
});

describe('rule program', () => {
  const text = [
    'alert tcp any any -> any any (content:"ab"; sid:1;)',
    'alert tcp any any -> any any (content:"ab"; content:"cd"; distance:0; sid:2;)',
    'alert tcp any any -> any any (msg:"no patterns"; sid:3;)',
    'alert tcp any any -> any any (content:"ab"; flowbits:set,x; flowbits:noalert; sid:4;)',
    'alert http any any -> any any (content:"GET"; http_method; content:"/a"; http_uri; ssl_version:tls1.0; sid:5;)',
    'alert tcp any any -> any any (content:"x"; pcre:"/y+z/R"; content:"w"; distance:0; sid:6;)',
  ].join('\n');

  it('shares one signature per distinct pattern and fires the right rules', () => {
    const program = new RuleProgram(rulesOf(text), { checkPattern: lengthsOf });
    expect(program.signatures).toEqual(['/ab/', '/cd/', '/GET/', '/\\x2fa/', '/x/', '/y+z/', '/w/']);
    const fired = (pl: string) => firedRules(program, eventsFor(program, pl), pl.length).map((r) => program.rules[r].sid);
    expect(fired('zzz')).toEqual([3]);
    expect(fired('cd ab')).toEqual([1, 3]);
    expect(fired('ab cd')).toEqual([1, 2, 3]);
    expect(fired('GET /a')).toEqual([3, 5]);
    expect(fired('x yyz w')).toEqual([3, 6]);
  });

  it('counts the approximations it makes, per rule', () => {
    const program = new RuleProgram(rulesOf(text), { checkPattern: lengthsOf });
    const c = program.approximations();
    expect(c.byKind).toMatchObject({ buffer: 1, 'unsupported-option': 1, 'app-protocol': 1, 'pcre-relative-start': 1, 'pcre-end-choice': 1 });
    expect(c.rulesApproximated).toBe(2);
    expect(c.rulesExact).toBe(4);
    expect(c.unsupportedOptions).toEqual({ ssl_version: 1 });
    expect(program.approximationsOf(4).sort()).toEqual(['app-protocol', 'buffer', 'unsupported-option']);
  });

  it('rejects the rules whose patterns cannot be compiled', () => {
    const checked: string[] = [];
    const check = (s: string) => (checked.push(s), s === '/y+z/' ? new Error('nope') : lengthsOf(s));
    const program = new RuleProgram(rulesOf(text), { checkPattern: check });
    expect(program.rejected.map((x) => [x.kind, x.error.sid])).toEqual([['unsupported-pattern', 6]]);
    // Contents never go through the regex parser: their limits are compile()'s.
    expect(checked).toEqual(['/y+z/']);
    const late = new RuleProgram(rulesOf(text));
    const rej = late.rejectSignatures([{ signature: 0, error: new Error('too big') }]);
    // sid 4 (noalert) is rejected too: it still runs, to set its flowbits.
    expect(rej.map((x) => x.error.sid)).toEqual([1, 2, 4]);
    const pl = 'ab cd';
    expect(firedRules(late, eventsFor(late, pl), pl.length).map((r) => late.rules[r].sid)).toEqual([3]);
  });

  it('rejects pattern-less rules whose conditions are ignored options, unless told to keep them', () => {
    const rs = rulesOf('alert tcp any any -> any any (flags:S; ttl:1; fragbits:M+; sid:9;)\nalert tcp any any -> any any (content:!"x"; asn1:oversize_length 10000; sid:10;)\n' +
      'alert ip 1.2.3.4 any -> any any (msg:"reputation: rate limits are no conditions"; threshold: type limit, track by_src, seconds 60, count 1; sid:11;)');
    const strict = new RuleProgram(rs);
    expect(strict.rejected.map((x) => [x.kind, x.error.sid])).toEqual([['unsupported-option', 9], ['unsupported-option', 10]]);
    expect(strict.rejected[0].error.reason).toMatch(/ttl, fragbits/);
    expect(firedRules(strict, [], 3)).toEqual([2]);
    expect(strict.approximationsOf(2)).toEqual(['rate-limit']);
    const lax = new RuleProgram(rs, { patternlessUnsupported: 'ignore' });
    expect(lax.rejected).toEqual([]);
    expect(firedRules(lax, [], 3)).toEqual([0, 1, 2]);
  });

  it('rejects rules gated on a protocol parser we do not have (DCE/RPC...)', () => {
    const rs = rulesOf('alert tcp any any -> any 135 (dce_iface:uuid 4b324fc8-1670-01d3-1278-5a47bf6ee188; dce_opnum:"15"; dce_stub_data; pcre:"/^.{4}/s"; sid:529;)');
    expect(new RuleProgram(rs).rejected.map((x) => [x.kind, x.error.sid, x.error.reason])).toEqual([
      ['protocol-gated', 529, 'needs an application-protocol parser we do not have (dce_iface, dce_opnum)'],
    ]);
    expect(new RuleProgram(rs, { protocolGated: 'ignore' }).rejected).toEqual([]);
  });

  it('lets the caller veto rules before evaluating them', () => {
    const program = new RuleProgram(rulesOf(text));
    const col = new MatchCollector(program.signatureCount);
    col.reset();
    for (const [s, e] of eventsFor(program, 'ab cd')) col.onMatch(s, e);
    const out: number[] = [];
    program.createEvaluator().evaluate(col, 5, (r) => out.push(program.rules[r].sid), { accept: (r) => program.rules[r].sid !== 1 });
    expect(out).toEqual([2, 3]);
  });
});

describe('flowbits', () => {
  const text = [
    'alert tcp any any -> any any (msg:"login seen"; content:"USER"; flowbits:set,logged; flowbits:noalert; sid:1;)',
    'alert tcp any any -> any any (msg:"cmd after login"; content:"CMD"; flowbits:isset,logged; sid:2;)',
    'alert tcp any any -> any any (msg:"cmd without login"; content:"CMD"; flowbits:isnotset,logged; sid:3;)',
    'alert tcp any any -> any any (msg:"logout"; content:"QUIT"; flowbits:unset,logged; sid:4;)',
    'alert tcp any any -> any any (msg:"either"; content:"CMD"; flowbits:isset,logged|admin; sid:5;)',
  ].join('\n');
  const program = new RuleProgram(rulesOf(text));
  const evaluator = program.createEvaluator();
  const run = (payload: string, state?: Uint8Array) => {
    const col = new MatchCollector(program.signatureCount);
    col.reset();
    program.signatures.forEach((src, sig) => {
      const lit = src.slice(1, src.lastIndexOf('/'));
      for (let i = payload.indexOf(lit); i >= 0; i = payload.indexOf(lit, i + 1)) col.onMatch(sig, i + lit.length);
    });
    const out: number[] = [];
    evaluator.evaluate(col, payload.length, (r) => out.push(program.rules[r].sid), { flowbits: state });
    return out;
  };

  it('sets, tests and clears bits per flow; noalert rules set bits silently', () => {
    const flow = program.createFlowbits();
    expect(run('CMD', flow)).toEqual([3]);
    expect(run('USER bob', flow)).toEqual([]);
    expect(run('CMD', flow)).toEqual([2, 5]);
    expect(run('QUIT', flow)).toEqual([4]);
    expect(run('CMD', flow)).toEqual([3]);
    const other = program.createFlowbits();
    expect(run('CMD', other)).toEqual([3]);
  });

  it('without flow state the conditions hold (over-approximation) and noalert rules stay silent', () => {
    expect(run('USER CMD')).toEqual([2, 3, 5]);
    expect(program.approximations().byKind.flowbits).toBe(3);
  });
});

describe('search cost', () => {
  it('stays linear on long distance:0 chains over many matches, and exact', () => {
    const chain = 'alert tcp any any -> any any (content:"a"; ' + 'content:"a"; distance:0; '.repeat(5) + 'content:"b"; distance:0; sid:1;)';
    const program = new RuleProgram(rulesOf(chain));
    const n = 20000;
    const ev = (bAt: number): [number, number][] => {
      const out: [number, number][] = [];
      for (let i = 1; i <= n; i++) if (i !== bAt) out.push([0, i]);
      out.push([1, bAt]);
      return out;
    };
    const evaluator = program.createEvaluator();
    const run = (bAt: number) => {
      const col = new MatchCollector(program.signatureCount);
      col.reset();
      for (const [sg, e] of ev(bAt)) col.onMatch(sg, e);
      const out: number[] = [];
      evaluator.evaluate(col, n, (r) => out.push(r));
      return out;
    };
    const t0 = performance.now();
    expect(run(1)).toEqual([]); // "b" before every "a"
    expect(run(7)).toEqual([0]); // six "a" then "b"
    expect(run(5)).toEqual([]); // only four "a" before "b"
    expect(evaluator.stats.budgetExceeded).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('gives up at the step budget by firing (counted), never hangs', () => {
    const rule = 'alert tcp any any -> any any (content:"a"; content:"a"; distance:0; within:50000; content:!"b"; within:1; content:"c"; distance:0; sid:1;)';
    const program = new RuleProgram(rulesOf(rule));
    const evaluator = program.createEvaluator();
    evaluator.stepBudget = 1000;
    const col = new MatchCollector(program.signatureCount);
    col.reset();
    for (let i = 1; i <= 3000; i++) col.onMatch(0, i);
    col.onMatch(2, 1);
    expect(evaluator.evaluate(col, 3000, () => {})).toBe(1);
    expect(evaluator.stats.budgetExceeded).toBe(1);
  });
});

describe('MatchCollector', () => {
  it('groups ends by signature, sorted and deduplicated, relative to a base', () => {
    const c = new MatchCollector(4);
    c.reset(100);
    for (const [s, e] of [[2, 110], [0, 105], [2, 107], [2, 110], [2, 109], [99, 1]] as const) c.onMatch(s, e);
    expect(c.endsOf(2)).toEqual([7, 9, 10]);
    expect(c.endsOf(0)).toEqual([5]);
    expect(c.endsOf(1)).toEqual([]);
    c.reset();
    c.onMatch(1, 3);
    expect([c.endsOf(2), c.endsOf(1)]).toEqual([[], [3]]);
  });

  it('equals sorted, deduplicated ends for any event order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(40)), { maxLength: 200 }), (evs) => {
        const c = new MatchCollector(6);
        c.reset();
        for (const [s, e] of evs) c.onMatch(s, e);
        for (let s = 0; s < 6; s++) {
          const want = [...new Set(evs.filter(([x]) => x === s).map(([, e]) => e))].sort((a, b) => a - b);
          if (JSON.stringify(c.endsOf(s)) !== JSON.stringify(want)) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('handles many events (growth)', () => {
    const c = new MatchCollector(3);
    c.reset();
    for (let i = 5000; i > 0; i--) c.onMatch(i % 3, i);
    expect(c.endsOf(0)).toHaveLength(1666);
    expect(c.endsOf(0)[0]).toBe(3);
  });
});

describe('header, flow and dsize checks', () => {
  const [tcp, bi, icmp, any, flow, size] = rulesOf([
    'alert tcp 10.0.0.0/8 any -> any [80,8080] (sid:1;)',
    'alert tcp 10.0.0.0/8 1000 <> 1.2.3.4 80 (sid:2;)',
    'alert icmp any any -> 1.2.3.4 any (sid:3;)',
    'alert ip any any -> any any (sid:4;)',
    'alert tcp any any -> any any (flow:to_server,established; sid:5;)',
    'alert tcp any any -> any any (dsize:<5; sid:6;)',
  ].join('\n'));
  const h = (ipProto: number, src: string, sport: number, dst: string, dport: number) =>
    ({ ipProto, src: parseIp(src)!, sport, dst: parseIp(dst)!, dport });

  it('checks protocol, addresses, ports and direction', () => {
    expect(headerMatches(tcp, h(6, '10.1.1.1', 5555, '8.8.8.8', 8080))).toBe(true);
    expect(headerMatches(tcp, h(17, '10.1.1.1', 5555, '8.8.8.8', 8080))).toBe(false);
    expect(headerMatches(tcp, h(6, '11.1.1.1', 5555, '8.8.8.8', 8080))).toBe(false);
    expect(headerMatches(tcp, h(6, '10.1.1.1', 5555, '8.8.8.8', 443))).toBe(false);
    expect(headerMatches(bi, h(6, '10.1.1.1', 1000, '1.2.3.4', 80))).toBe(true);
    expect(headerMatches(bi, h(6, '1.2.3.4', 80, '10.1.1.1', 1000))).toBe(true);
    expect(headerMatches(bi, h(6, '1.2.3.4', 1000, '10.1.1.1', 80))).toBe(false);
    expect(headerMatches(icmp, h(1, '9.9.9.9', 0, '1.2.3.4', 0))).toBe(true);
    expect(headerMatches(any, h(17, '::1', 53, 'fe80::1', 53))).toBe(true);
  });

  it('checks decoded packets the same way (raw address bytes)', () => {
    const pkt = (protocol: number, src: number[], srcPort: number, dst: number[], dstPort: number) => {
      const a = new Uint8Array(16);
      const b = new Uint8Array(16);
      a.set(src);
      b.set(dst);
      return { ipVersion: src.length === 16 ? 6 : 4, protocol, srcAddr: a, dstAddr: b, srcPort, dstPort };
    };
    expect(headerMatchesPacket(tcp, pkt(6, [10, 1, 1, 1], 5555, [8, 8, 8, 8], 80))).toBe(true);
    expect(headerMatchesPacket(tcp, pkt(6, [11, 1, 1, 1], 5555, [8, 8, 8, 8], 80))).toBe(false);
    expect(headerMatchesPacket(bi, pkt(6, [1, 2, 3, 4], 80, [10, 9, 9, 9], 1000))).toBe(true);
    expect(headerMatchesPacket(tcp, pkt(6, Array(16).fill(1), 5555, Array(16).fill(2), 80))).toBe(false);
    expect(headerMatchesPacket(any, pkt(17, Array(16).fill(1), 5555, Array(16).fill(2), 80))).toBe(true);
  });

  it('checks flow and dsize', () => {
    expect(flowMatches(flow, { toServer: true, established: true, stream: false })).toBe(true);
    expect(flowMatches(flow, { toServer: false, established: true, stream: false })).toBe(false);
    expect(flowMatches(flow, { toServer: true, established: false, stream: false })).toBe(false);
    expect(flowMatches(tcp, { toServer: false, established: false, stream: true })).toBe(true);
    expect([dsizeMatches(size, 4), dsizeMatches(size, 5), dsizeMatches(tcp, 1000)]).toEqual([true, false, true]);
  });
});
