/**
 * The guarded entry points (src/matcher/guard.ts) on every engine and composite matcher:
 * a callback that returns true stops the scan and terminates the stream until
 * finish/reset; a callback that throws gives a CallbackError and a reset, usable scratch;
 * a wrong argument gives a ScanArgumentError and leaves the stream as it was; and the
 * one-shot scanBlock equals scan + finish, one input per call.
 */
import { describe, expect, it } from 'vitest';
import { CallbackError, compile, scanBlock, ScanArgumentError, type CompileOptions, type Matcher, type MatchMode, type Scratch } from 'nfa-obdd';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Literal, residual (no usable literal), pure-content, end-anchored and start-anchored
 * signatures, so that the prefilter's every path reports (search hits, activation, the
 * residual matcher, finish).
 */
const SIGNATURES = ['/abc/', '/\\d\\d/', { content: 'xyz' }, '/foo.*bar$/', '/^GET /', '/a\\d+z/i'];
const CHUNKS = ['GET abc 12 a12', '3z xyz abc 99 foo-bar 7 foo bar'];

const CONFIGS: Array<[string, CompileOptions]> = [
  ['nfa', { engine: 'nfa' }],
  ['nfa memo', { engine: 'nfa', engineOptions: { memo: true } }],
  ['obdd', { engine: 'obdd' }],
  ['obdd2', { engine: 'obdd2' }],
  ['obdd grouped', { engine: 'obdd', engineOptions: { grouping: { groupSize: 2 } } }],
  ['dfa', { engine: 'dfa' }],
  ['mdfa', { engine: 'mdfa' }],
  ['regexp', { engine: 'regexp' }],
  ['default (prefiltered nfa + residual)', {}],
  ['prefiltered obdd', { engine: 'obdd', prefilter: true }],
];

type Report = [signature: number, end: number, call: number];

/**
 * Scans CHUNKS then finishes, recording each report with the call that made it (0, 1:
 * scans; 2: finish), and what each call returned in `returns`.
 */
function run(m: Matcher, sc: Scratch, returns: unknown[] = []): Report[] {
  const out: Report[] = [];
  let call = 0;
  const cb = (s: number, e: number): void => void out.push([s, e, call]);
  for (const c of CHUNKS) {
    returns.push(m.scan(sc, enc(c), cb));
    call++;
  }
  returns.push(m.finish(sc, cb));
  return out;
}

const pairs = (r: Report[]): Array<[number, number]> => r.map(([s, e]) => [s, e]);

describe.each(CONFIGS)('%s', (_name, options) => {
  const { matcher: m, rejected } = compile(SIGNATURES, options);

  describe.each(['all', 'set'] as MatchMode[])('mode %s', (mode) => {
    const full = run(m, m.createScratch({ mode }));

    it('scan and finish return false when no callback stopped them', () => {
      // The reference run: every signature compiled and reported, in scans and in finish.
      expect(rejected).toEqual([]);
      expect(full.length).toBeGreaterThanOrEqual(5);
      expect(new Set(full.map((r) => r[0])).size).toBe(SIGNATURES.length);
      expect(full.some((r) => r[2] === 2)).toBe(true); // /foo.*bar$/ at the end of input
      const returns: unknown[] = [];
      expect(run(m, m.createScratch({ mode }), returns)).toEqual(full);
      expect(returns).toEqual([false, false, false]);
    });

    it('a callback returning true stops the stream until finish, then the scratch starts afresh', () => {
      for (let k = 1; k <= full.length; k++) {
        const sc = m.createScratch({ mode });
        const got: Report[] = [];
        let call = 0;
        const stopAtK = (s: number, e: number): boolean => {
          got.push([s, e, call]);
          return got.length === k;
        };
        const stopCall = full[k - 1]![2];
        for (const c of CHUNKS) {
          expect(m.scan(sc, enc(c), stopAtK), `k=${k} scan ${call}`).toBe(call >= stopCall);
          call++;
        }
        expect(m.finish(sc, stopAtK), `k=${k} finish`).toBe(true);
        expect(got, `k=${k}`).toEqual(full.slice(0, k));
        expect(sc.offset).toBe(0);
        expect(run(m, sc), `k=${k} after`).toEqual(full);
      }
    });

    it('a stopped stream reports nothing until reset, then gives the full answer', () => {
      const sc = m.createScratch({ mode });
      const other = m.createScratch({ mode });
      let n = 0;
      expect(m.scan(sc, enc(CHUNKS[0]!), () => ++n === 1)).toBe(true);
      expect(n).toBe(1);
      expect(sc.offset).toBe(0);
      expect(m.scan(sc, enc(CHUNKS.join('')), () => ++n > 0)).toBe(true);
      expect(n).toBe(1);
      m.reset(sc);
      expect(run(m, sc)).toEqual(full);
      expect(run(m, other)).toEqual(full); // the matcher's shared state is intact
    });

    it('a callback that throws gives a CallbackError and a reset scratch that works on', () => {
      for (const k of [1, 2, full.length]) {
        const sc = m.createScratch({ mode });
        const boom = new Error('boom');
        let n = 0;
        const cb = (): void => {
          if (++n === k) throw boom;
        };
        let caught: unknown;
        try {
          for (const c of CHUNKS) m.scan(sc, enc(c), cb);
          m.finish(sc, cb);
        } catch (e) {
          caught = e;
        }
        expect(caught, `k=${k}`).toBeInstanceOf(CallbackError);
        expect((caught as CallbackError).cause).toBe(boom);
        expect((caught as CallbackError).code).toBe('CALLBACK');
        expect((caught as Error).message).toMatch(/boom.*reset/);
        expect(n).toBe(k);
        expect(sc.offset).toBe(0);
        expect(run(m, sc), `k=${k} after`).toEqual(full);
      }
      const sc = m.createScratch({ mode });
      expect(() => m.scan(sc, enc(CHUNKS.join('')), () => {
        throw 'not an Error';
      })).toThrow(CallbackError);
      expect(run(m, sc)).toEqual(full);
    });

    it('a string (or any non-Uint8Array) is a ScanArgumentError; the stream goes on unchanged', () => {
      const sc = m.createScratch({ mode });
      const got: Array<[number, number]> = [];
      const cb = (s: number, e: number): void => void got.push([s, e]);
      m.scan(sc, enc(CHUNKS[0]!), cb);
      const offset = sc.offset;
      for (const bad of [CHUNKS[1], new ArrayBuffer(4), [97, 98, 99], undefined, null, 42]) {
        let caught: unknown;
        try {
          m.scan(sc, bad as unknown as Uint8Array, cb);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(ScanArgumentError);
        expect(caught).toBeInstanceOf(TypeError);
        expect((caught as ScanArgumentError).argument).toBe('bytes');
        expect(sc.offset).toBe(offset);
      }
      expect(() => m.scan(sc, CHUNKS[1] as unknown as Uint8Array, cb)).toThrow(/expects a Uint8Array, got a string: encode it first/);
      expect(() => m.scan(sc, enc('x'), 'cb' as unknown as () => void)).toThrow(ScanArgumentError);
      expect(() => m.finish(sc, undefined as unknown as () => void)).toThrow(ScanArgumentError);
      m.scan(sc, Buffer.from(CHUNKS[1]!), cb); // a Buffer is a Uint8Array
      m.finish(sc, cb);
      expect(got).toEqual(pairs(full));
    });

    it("a scratch of another matcher is a ScanArgumentError and changes neither scratch", () => {
      const other = compile(SIGNATURES, options).matcher;
      const theirs = other.createScratch({ mode });
      const noop = (): void => {};
      const thrown = (f: () => unknown): unknown => {
        try {
          f();
        } catch (e) {
          return e;
        }
        return undefined;
      };
      for (const bad of [theirs, {}, undefined]) {
        for (const e of [
          thrown(() => m.scan(bad as Scratch, enc('abc'), noop)),
          thrown(() => m.finish(bad as Scratch, noop)),
          thrown(() => m.reset(bad as Scratch)),
        ]) {
          expect(e).toBeInstanceOf(ScanArgumentError);
          expect((e as ScanArgumentError).argument).toBe('scratch');
          expect((e as Error).message).toMatch(/not created by this matcher/);
        }
      }
      expect(run(other, theirs)).toEqual(full);
    });

    it('scanBlock equals scan + finish, one separate input per call', () => {
      const whole = enc(CHUNKS.join(''));
      const sc = m.createScratch({ mode });
      const expected: Array<{ signature: number; end: number }> = [];
      m.scan(sc, whole, (signature, end) => void expected.push({ signature, end }));
      m.finish(sc, (signature, end) => void expected.push({ signature, end }));
      // The same matches as the chunked run (composite matchers interleave their parts per chunk).
      const key = (r: { signature: number; end: number }): number => r.signature * 1e6 + r.end;
      expect(expected.map(key).sort()).toEqual(full.map(([signature, end]) => key({ signature, end })).sort());
      expect(scanBlock(m, whole, { mode })).toEqual(expected);
      expect(scanBlock(m, whole, { mode })).toEqual(expected); // the cached scratch was left at the start
      expect(scanBlock(m, Buffer.from(whole), { mode })).toEqual(expected);
      // Two calls are two inputs: nothing spans them, ends count from each buffer's start,
      // and `^` matches at the start of each.
      expect(scanBlock(m, enc('fo'), { mode })).toEqual([]);
      expect(scanBlock(m, enc('o bar'), { mode })).toEqual([]);
      expect(scanBlock(m, enc('GET ab'), { mode })).toEqual([{ signature: 4, end: 4 }]);
      expect(scanBlock(m, enc('GET ab'), { mode })).toEqual([{ signature: 4, end: 4 }]);
      expect(scanBlock(m, enc('c'), { mode })).toEqual([]);
      // limit: stop after the first matches; the next call gives the full answer again.
      expect(scanBlock(m, whole, { mode, limit: 1 })).toEqual(expected.slice(0, 1));
      expect(scanBlock(m, whole, { mode, limit: 3 })).toEqual(expected.slice(0, 3));
      expect(scanBlock(m, whole, { mode })).toEqual(expected);
      expect(() => scanBlock(m, CHUNKS[0] as unknown as Uint8Array)).toThrow(ScanArgumentError);
    });
  });
});

describe('scanBlock', () => {
  const { matcher } = compile(['/ab/', '/b$/']);

  it("defaults to 'all' mode and checks its arguments", () => {
    expect(scanBlock(matcher, enc('abab'))).toEqual([
      { signature: 0, end: 2 },
      { signature: 0, end: 4 },
      { signature: 1, end: 4 },
    ]);
    expect(scanBlock(matcher, enc('abab'), { mode: 'set' })).toEqual([
      { signature: 0, end: 2 },
      { signature: 1, end: 4 },
    ]);
    expect(() => scanBlock(undefined as unknown as Matcher, enc('ab'))).toThrow(ScanArgumentError);
    expect(() => scanBlock(matcher, enc('ab'), { limit: 0 })).toThrow(/limit/);
  });

  it('works with a Matcher implemented elsewhere that ignores the stop', () => {
    const inner = matcher;
    const plain: Matcher = {
      engine: inner.engine,
      signatureCount: inner.signatureCount,
      createScratch: (o) => inner.createScratch(o),
      scan: (sc, bytes, cb) => void inner.scan(sc, bytes, (s, e) => void cb(s, e)),
      finish: (sc, cb) => void inner.finish(sc, (s, e) => void cb(s, e)),
      reset: (sc) => inner.reset(sc),
      stats: () => inner.stats(),
    };
    expect(scanBlock(plain, enc('ababab'), { limit: 2 })).toEqual([
      { signature: 0, end: 2 },
      { signature: 0, end: 4 },
    ]);
    expect(scanBlock(plain, enc('ab'))).toEqual([
      { signature: 0, end: 2 },
      { signature: 1, end: 2 },
    ]);
  });
});
