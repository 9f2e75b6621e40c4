/**
 * Engine labels (`name[:key=value...]`) parse into the typed engine configuration of
 * compile.ts through one parser; unknown engines and option keys are usage errors naming
 * them, and the memo flags add obdd options.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { confirmFromFlags, engineConfigFromFlags, parseEngineLabel, prefilterFromFlags } from '../../src/cli/engine-flags.js';

describe('parseEngineLabel', () => {
  it('parses a bare engine and typed option values', () => {
    expect(parseEngineLabel('nfa')).toEqual({ engine: 'nfa', engineOptions: {} });
    expect(parseEngineLabel('obdd:memo=false')).toEqual({ engine: 'obdd', engineOptions: { memo: false } });
    expect(parseEngineLabel('obdd2:memoKey=pair:memoBudgetBytes=1024:pairMinUses=amortized')).toEqual({
      engine: 'obdd2',
      engineOptions: { memoKey: 'pair', memoBudgetBytes: 1024, pairMinUses: 'amortized' },
    });
    expect(parseEngineLabel('dfa:maxStates=5000:minimize=false')).toEqual({ engine: 'dfa', engineOptions: { maxStates: 5000, minimize: false } });
  });

  it('dotted keys set options of nested option objects', () => {
    expect(parseEngineLabel('obdd:grouping.groupSize=8:grouping.partition=hard:encoding.interleave=false')).toEqual({
      engine: 'obdd',
      engineOptions: { grouping: { groupSize: 8, partition: 'hard' }, encoding: { interleave: false } },
    });
    expect(() => parseEngineLabel('obdd:memo=false:memo.x=1')).toThrow(/memo is not an options object/);
  });

  it('an unknown engine, an unknown option or a missing value is a UsageError naming it', () => {
    expect(() => parseEngineLabel('nfa:bogus=1')).toThrow(UsageError);
    expect(() => parseEngineLabel('nfa:bogus=1')).toThrow(/unknown nfa option 'bogus'/);
    expect(() => parseEngineLabel('obdd:stride=2')).toThrow(/unknown obdd option 'stride'/);
    expect(() => parseEngineLabel('obdd:grouping.size=2')).toThrow(/unknown obdd option 'grouping.size'/);
    expect(() => parseEngineLabel('zzz')).toThrow(/unknown engine 'zzz'/);
    expect(() => parseEngineLabel('zzz', '--engines')).toThrow(/unknown engine 'zzz' in --engines/);
    expect(() => parseEngineLabel('obdd:memo')).toThrow(/key=value/);
    expect(() => parseEngineLabel('obdd:__proto__.polluted=1')).toThrow(/unknown obdd option '__proto__.polluted'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('prefilterFromFlags', () => {
  it('is on for the default engine, off for a named one, and as the flags say', () => {
    expect(prefilterFromFlags({})).toBe(true);
    expect(prefilterFromFlags({ engine: 'obdd' })).toBe(false);
    expect(prefilterFromFlags({ engine: 'obdd', prefilter: true })).toBe(true);
    expect(prefilterFromFlags({ 'no-prefilter': true })).toBe(false);
    // compare names its engines: only --prefilter turns it on there.
    expect(prefilterFromFlags({}, false)).toBe(false);
    expect(prefilterFromFlags({ prefilter: true }, false)).toBe(true);
    expect(() => prefilterFromFlags({ prefilter: true, 'no-prefilter': true })).toThrow(/exclude each other/);
  });
});

describe('engineConfigFromFlags', () => {
  it('defaults to DEFAULT_ENGINE and adds the memo flags to obdd entries without their own', () => {
    expect(engineConfigFromFlags({})).toEqual({ engine: 'nfa', engineOptions: {} });
    expect(engineConfigFromFlags({ engine: 'obdd', 'no-memo': true })).toEqual({ engine: 'obdd', engineOptions: { memo: false } });
    expect(() => engineConfigFromFlags({ 'no-memo': true })).toThrow(/apply to --engine obdd or obdd2, not nfa/);
    expect(engineConfigFromFlags({ engine: 'obdd2', 'memo-budget': '64k' })).toEqual({ engine: 'obdd2', engineOptions: { memoBudgetBytes: 65536 } });
    expect(engineConfigFromFlags({ engine: 'obdd:memo=true', 'no-memo': true })).toEqual({ engine: 'obdd', engineOptions: { memo: true } });
    expect(() => engineConfigFromFlags({ engine: 'nfa', 'no-memo': true })).toThrow(/apply to --engine obdd or obdd2, not nfa/);
  });
});

describe('confirmFromFlags', () => {
  it('on by default, off with --no-confirm, a budget with --confirm-budget; bad values and both flags are usage errors', () => {
    expect(confirmFromFlags({})).toBe(true);
    expect(confirmFromFlags({ 'no-confirm': true })).toBe(false);
    expect(confirmFromFlags({ 'confirm-budget': '25' })).toEqual({ budgetMs: 25 });
    for (const bad of ['0', '-3', 'soon', 'Infinity']) {
      expect(() => confirmFromFlags({ 'confirm-budget': bad })).toThrow(UsageError);
    }
    expect(() => confirmFromFlags({ 'no-confirm': true, 'confirm-budget': '25' })).toThrow(/exclude each other/);
  });
});
