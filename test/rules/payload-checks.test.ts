import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/rules/parse.js';
import { parsePayloadCheck, PayloadCheckError } from '../../src/rules/payload-checks.js';
import { applyPayloadCheck } from '../../src/detect/payload-check-eval.js';
import { firedRules, RuleProgram } from '../../src/detect/index.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const run = (name: string, value: string, p: Uint8Array, cursor = 0) => applyPayloadCheck(parsePayloadCheck(name, value)!, p, cursor, 0, p.length);

describe('byte_test / byte_jump / isdataat', () => {
  it('leaves variables and dce to the unsupported list; rejects malformed ones', () => {
    expect(parsePayloadCheck('byte_test', '4,>,len,0')).toBeUndefined();
    expect(parsePayloadCheck('byte_jump', '4,off,relative')).toBeUndefined();
    expect(parsePayloadCheck('byte_test', '4,>,256,0,dce')).toBeUndefined();
    expect(parsePayloadCheck('isdataat', '5')).toBeUndefined(); // absolute: a packet check
    expect(() => parsePayloadCheck('byte_test', '4,~,1,0')).toThrow(PayloadCheckError);
    expect(() => parsePayloadCheck('byte_test', '11,>,1,0')).toThrow(PayloadCheckError);
    expect(run('byte_test', '8,=,1,0', bytes(0, 0, 0, 0, 0, 0, 0, 1))).toBe(0);
    expect(() => parsePayloadCheck('byte_jump', '2')).toThrow(PayloadCheckError);
    const r = parseRules('alert tcp any any -> any any (content:"a"; byte_test:11,>,1,0; sid:3;)');
    expect(r.rejected.map((x) => [x.kind, x.error.sid])).toEqual([['bad-option', 3]]);
  });
});

describe('payload checks inside the rule search', () => {
  const text = [
    // length-prefixed record: "LEN" then a 1-byte length, jump over the record, then "END".
    'alert tcp any any -> any any (content:"LEN"; byte_jump:1,0,relative; content:"END"; within:3; sid:1;)',
    // PNG-like width test: relative to the "IHDR" match.
    'alert tcp any any -> any any (content:"IHDR"; byte_test:4,>,32767,0,relative; sid:2;)',
    'alert tcp any any -> any any (content:"X"; isdataat:!1,relative; sid:3;)',
  ].join('\n');
  const { rules } = parseRules(text);
  const program = new RuleProgram(rules);
  const fire = (s: string) => {
    const p = Uint8Array.from(s, (c) => c.charCodeAt(0));
    const events: [number, number][] = [];
    program.signatures.forEach((src, sig) => {
      const lit = src.slice(1, src.lastIndexOf('/'));
      for (let i = s.indexOf(lit); i >= 0; i = s.indexOf(lit, i + 1)) events.push([sig, i + lit.length]);
    });
    return firedRules(program, events, p).map((r) => program.rules[r].sid);
  };

  it('a byte_jump moves the cursor for the next relative content', () => {
    expect(fire('LEN\u0002abEND')).toEqual([1]);
    expect(fire('LEN\u0003abEND')).toEqual([]);
    // The search tries every "LEN": the second one jumps right.
    expect(fire('LEN\u0009LEN\u0000END')).toEqual([1]);
  });

  it('a relative byte_test reads after its content; isdataat:!1 needs the end', () => {
    expect(fire('..IHDR\u0000\u0000\u8000\u0000')).toEqual([]); // char codes above 0xff are cut: 0x00
    expect(fire('..IHDR\u0000\u0001\u0000\u0000')).toEqual([2]);
    expect(fire('..IHDR\u0000\u0000\u0010\u0000')).toEqual([]);
    // Snort: isdataat:N,relative holds when the byte at cursor + N exists.
    expect(fire('abX')).toEqual([3]);
    expect(fire('aXb')).toEqual([3]);
    expect(fire('aXbc')).toEqual([]);
  });

  it('without the payload bytes the checks pass (over-approximation)', () => {
    // LEN ends at 3, END at 6: with the jump skipped the cursor stays at 3 and END is within 3.
    const events: [number, number][] = [[0, 3], [1, 6]];
    expect(firedRules(program, events, 20).map((r) => program.rules[r].sid)).toEqual([1]);
  });
});
