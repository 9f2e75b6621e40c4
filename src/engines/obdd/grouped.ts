/**
 * Grouped NFA-OBDD engine: the signatures are partitioned into groups, each group gets its
 * own NFA (built with `null` for the ids outside it, so ids stay global) and its own obdd
 * matcher (own BDD manager, own step memo), and a composite matcher scans each chunk with
 * every group, as `mdfa` does with DFAs.
 *
 * Why: the step memo is a lazy DFA over the frontier of the whole set. On the full ET Open
 * set a minority of signatures (wide counters such as `[^\n]{200}`, `.{0,500}`, unbounded
 * loops over broad byte sets) make the combined frontier new at nearly every byte, so the
 * memo stops hitting for everyone. Splitting the set confines that churn to the groups
 * holding those signatures; the other groups' memos keep hitting. Partitions:
 *   'order' consecutive runs of `groupSize` signatures, in id order;
 *   'hard'  a cheap static score (`hardness`) sends "hard" signatures to small groups of
 *           `hardGroupSize`, the rest to groups of `groupSize`.
 *
 * Guarantees: the set of (signature, end) reports is the same as the ungrouped engine's
 * (each signature lives in exactly one group, and a group's NFA restricted to its ids is
 * the same automaton for those ids). Within a chunk reports come group by group, so ends
 * are ordered per signature, not globally (the same contract as mdfa). 'set' mode is per
 * signature, hence per group: it is exact. `memoBudgetBytes` and `nodeLimit` apply per
 * group (each group owns a manager and a memo); an easy group's memo only grows as far as
 * its own few frontiers need.
 */
import { UsageError } from '../../errors.js';
import type { EngineName, MatchCallback, Matcher, MatcherStats, MatchMode, Scratch, ScratchOptions } from '../../matcher/types.js';
import { normalizeMode } from '../../matcher/types.js';
import { GuardedMatcher, partScratch } from '../../matcher/guard.js';
import { buildNfa, clusterIdentical, type BuildNfaOptions, type NfaSignatureInput } from '../../nfa/build.js';
import type { Ir } from '../../syntax/ir.js';
import { byteSetSize } from '../../syntax/byte-set.js';
import { buildObddMatcher } from './index.js';
import type { ObddOptions } from './matcher.js';
import type { OptionKeysOf } from '../../matcher/options.js';

/** 'order', 'hard', or explicit groups of signature ids (e.g. from `adaptivePartition`). */
export type ObddPartition = 'order' | 'hard' | readonly (readonly number[])[];

/** How the grouped engine splits the signature set (see the module comment). */
export interface ObddGrouping {
  /** Signatures per group (per easy group with partition 'hard'); a positive integer. */
  groupSize: number;
  /** @default 'order' */
  partition?: ObddPartition;
  /** Partition 'hard': signatures per hard group. @default 1 */
  hardGroupSize?: number;
  /** Partition 'hard': a signature with `hardness(ir) >= hardThreshold` is hard. @default 32 */
  hardThreshold?: number;
  /** Options of the per-group NFA builds (src/nfa/build.ts). @default {} */
  nfa?: BuildNfaOptions;
}

/** The option keys of `ObddGrouping` (`nfa` is passed to the NFA builder as is). */
export const OBDD_GROUPING_OPTION_KEYS: OptionKeysOf<ObddGrouping> = {
  groupSize: true,
  partition: true,
  hardGroupSize: true,
  hardThreshold: true,
  nfa: true,
};

/** Options of `buildGroupedObddMatcher`: each group's obdd options plus the grouping. */
export interface GroupedObddOptions extends ObddOptions, ObddGrouping {}

/** Smallest byte-set size among the `bytes` leaves that an IR item can consume (256 if none). */
function narrowest(ir: Ir): number {
  switch (ir.kind) {
    case 'bytes':
      return byteSetSize(ir.set);
    case 'concat':
    case 'alt': {
      let m = 256;
      for (const it of ir.items) m = Math.min(m, narrowest(it));
      return m;
    }
    case 'repeat':
      return narrowest(ir.item);
    default:
      return 256;
  }
}

/**
 * Static "frontier churn" score of a signature. A repeat whose item accepts only broad
 * byte sets (every leaf ≥ 128 bytes: `.`, `[^\n]`, `[^x]`...) keeps its positions alive
 * across almost any input: a counted one (`{n,m}`) holds a sliding window of up to m live
 * positions, a new frontier at each byte; an unbounded one adds a sticky bit. Score: the
 * sum over such repeats of their finite bound (counters) or 16 (unbounded loops not at
 * the very start, where they are the implicit unanchored loop anyway). Narrow repeats
 * (`\d{1,5}`, `[a-z]+`) die quickly on ordinary traffic and score 0.
 */
export function hardness(ir: Ir): number {
  let score = 0;
  const walk = (n: Ir, atStart: boolean): void => {
    switch (n.kind) {
      case 'concat': {
        let start = atStart;
        for (const it of n.items) {
          walk(it, start);
          start = false;
        }
        return;
      }
      case 'alt':
        for (const it of n.items) walk(it, atStart);
        return;
      case 'repeat': {
        if (narrowest(n.item) >= 128) {
          if (n.max === Infinity) {
            if (!atStart) score += 16;
            score += n.min;
          } else {
            score += n.max;
          }
        }
        walk(n.item, false);
        return;
      }
      default:
        return;
    }
  };
  walk(ir, true);
  return score;
}

/** Lists of signature ids, one per group (non-null signatures only, none empty). */
export function partitionSignatures(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: Pick<GroupedObddOptions, 'groupSize' | 'partition' | 'hardGroupSize' | 'hardThreshold'>,
): number[][] {
  const size = options.groupSize;
  const chunk = (ids: number[], n: number, out: number[][]): void => {
    for (let i = 0; i < ids.length; i += n) out.push(ids.slice(i, i + n));
  };
  const live: NfaSignatureInput[] = signatures.filter((s): s is NfaSignatureInput => s !== null);
  const groups: number[][] = [];
  if (Array.isArray(options.partition)) {
    // Explicit groups: ids of rejected (null) signatures are dropped; ids left out by the
    // caller go to trailing groups of `groupSize`, so every signature is scanned once.
    const seen = new Uint8Array(signatures.length);
    for (const g of options.partition as readonly (readonly number[])[]) {
      const ids = g.filter((id) => signatures[id] && !seen[id] && (seen[id] = 1));
      if (ids.length) groups.push(ids);
    }
    chunk(live.filter((s) => !seen[s.id]).map((s) => s.id), size, groups);
    return groups;
  }
  // 'order' and 'hard' split clusters of identical signatures (a copy costs its group
  // nothing: the NFA builder compiles copies once), `groupSize` distinct ones per group.
  const chunkClusters = (cs: NfaSignatureInput[][], n: number): void => {
    for (let i = 0; i < cs.length; i += n) groups.push(cs.slice(i, i + n).flat().map((s) => s.id));
  };
  const clusters = clusterIdentical(live);
  if ((options.partition ?? 'order') === 'order') {
    chunkClusters(clusters, size);
    return groups;
  }
  const threshold = options.hardThreshold ?? 32;
  const hard: NfaSignatureInput[][] = [];
  const easy: NfaSignatureInput[][] = [];
  for (const c of clusters) (hardness(c[0]!.ir) >= threshold ? hard : easy).push(c);
  chunkClusters(easy, size);
  chunkClusters(hard, options.hardGroupSize ?? 1);
  return groups;
}

/** Throws UsageError naming the option when a grouping value is missing or ill-typed. */
function checkGroupOptions(o: ObddGrouping & { stride?: 1 | 2 }): void {
  const engine = o.stride === 2 ? 'obdd2' : 'obdd';
  const posInt = (name: string, v: unknown): void => {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1)) {
      throw new UsageError(`${engine} option ${name}: invalid value ${JSON.stringify(v)} (a positive integer)`);
    }
  };
  if (o.groupSize === undefined) throw new UsageError(`${engine} option groupSize: required for grouped mode`);
  posInt('groupSize', o.groupSize);
  posInt('hardGroupSize', o.hardGroupSize);
  if (Array.isArray(o.partition)) {
    for (const g of o.partition as unknown[]) {
      if (!Array.isArray(g) || !g.every((id) => Number.isInteger(id) && (id as number) >= 0)) {
        throw new UsageError(`${engine} option partition: explicit groups must be arrays of signature ids`);
      }
    }
  } else if (o.partition !== undefined && o.partition !== 'order' && o.partition !== 'hard') {
    throw new UsageError(`${engine} option partition: invalid value ${JSON.stringify(o.partition)} ('order' or 'hard')`);
  }
  const t = o.hardThreshold as unknown;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t >= 0)) {
    throw new UsageError(`${engine} option hardThreshold: invalid value ${JSON.stringify(t)}`);
  }
}

/** The state of one stream scanned by a `GroupedObddMatcher`: one scratch per group. */
export class GroupedObddScratch implements Scratch {
  readonly engine: EngineName;
  readonly subs: Scratch[];
  offset = 0;
  constructor(
    readonly owner: GroupedObddMatcher,
    mode: 'all' | 'set',
    everyEnd?: Uint8Array,
  ) {
    this.engine = owner.engine;
    this.subs = owner.groups.map((m) => partScratch(m.createScratch({ mode, everyEnd })));
  }
}

/** The grouped obdd engine: one NFA-OBDD matcher per signature group (see the module comment). */
export class GroupedObddMatcher extends GuardedMatcher<GroupedObddScratch> implements Matcher {
  readonly engine: EngineName;
  constructor(
    /** One obdd matcher per group; every group's signatureCount is the global count. */
    readonly groups: readonly Matcher[],
    readonly signatureCount: number,
    /** Signature ids of each group (same order as `groups`). */
    readonly members: readonly (readonly number[])[],
    private readonly figures: { partition: string; buildMs: number },
    stride: 1 | 2,
  ) {
    super();
    this.engine = stride === 2 ? 'obdd2' : 'obdd';
  }

  createScratch(options: ScratchOptions = {}): GroupedObddScratch {
    return new GroupedObddScratch(this, normalizeMode(options.mode), options.everyEnd);
  }

  protected override scanChunk(sc: GroupedObddScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const gs = this.groups, subs = sc.subs;
    for (let g = 0; g < gs.length; g++) gs[g]!.scan(subs[g]!, bytes, onMatch);
    sc.offset += bytes.length;
  }

  protected override finishInput(sc: GroupedObddScratch, onMatch: MatchCallback): void {
    for (let g = 0; g < this.groups.length; g++) this.groups[g]!.finish(sc.subs[g]!, onMatch);
    sc.offset = 0;
  }

  protected override restart(sc: GroupedObddScratch): void {
    for (let g = 0; g < this.groups.length; g++) this.groups[g]!.reset(sc.subs[g]!);
    sc.offset = 0;
  }

  stats(): MatcherStats {
    let nfaStates = 0, live = 0, memoBytes = 0, lookups = 0, misses = 0, largest = 0;
    const perGroupHit: number[] = [];
    for (const m of this.groups) {
      const s = m.stats();
      nfaStates += (s.nfaStates as number) ?? 0;
      largest = Math.max(largest, (s.nfaStates as number) ?? 0);
      live += (s.bddLiveNodes as number) ?? 0;
      memoBytes += (s.memoBytes as number) ?? 0;
      const ms = s.memoStats as Record<string, number> | undefined;
      if (ms) {
        lookups += ms.lookups!;
        misses += ms.misses!;
        perGroupHit.push(ms.hitRate!);
      }
    }
    return {
      engine: this.engine,
      signatures: this.signatureCount,
      groups: this.groups.length,
      partition: this.figures.partition,
      nfaStates,
      largestGroupStates: largest,
      bddLiveNodes: live,
      memoBytes,
      memoLookups: lookups,
      memoMisses: misses,
      memoHitRate: lookups ? 1 - misses / lookups : 0,
      worstGroupHitRate: perGroupHit.length ? Math.min(...perGroupHit) : 0,
      buildMs: Math.round(this.figures.buildMs * 10) / 10,
    };
  }
}

/**
 * The grouped obdd engine from parsed signatures (`null` = rejected earlier: keeps its id,
 * never matches). With no signature at all there is one empty group, so scans still work.
 */
export function buildGroupedObddMatcher(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: GroupedObddOptions,
): GroupedObddMatcher {
  const t0 = performance.now();
  checkGroupOptions(options);
  let signatureCount = signatures.length;
  for (const s of signatures) if (s) signatureCount = Math.max(signatureCount, s.id + 1);
  const byId: Array<NfaSignatureInput | null> = new Array<NfaSignatureInput | null>(signatureCount).fill(null);
  for (const s of signatures) if (s) byId[s.id] = s;
  const members = partitionSignatures(byId, options);
  if (members.length === 0) members.push([]);
  const { groupSize: _g, partition: _p, hardGroupSize: _h, hardThreshold: _t, nfa: nfaOptions, ...obdd } = options;
  const groups = members.map((ids) => {
    const inputs: Array<NfaSignatureInput | null> = new Array<NfaSignatureInput | null>(signatureCount).fill(null);
    for (const id of ids) inputs[id] = byId[id]!;
    return buildObddMatcher(buildNfa(inputs, nfaOptions), obdd);
  });
  return new GroupedObddMatcher(groups, signatureCount, members, {
    partition: Array.isArray(options.partition) ? 'explicit' : (options.partition as 'order' | 'hard' | undefined) ?? 'order',
    buildMs: performance.now() - t0,
  }, options.stride ?? 1);
}

/**
 * Adaptive isolation, offline: start from `options`' partition, scan a training sample
 * (each item one input, scan + finish) and split in half every group of more than one
 * signature whose memo miss rate exceeds `maxMissRate`; repeat for `rounds`. Groups that
 * did not change keep their matcher between rounds (a round rebuilds only the halves).
 * Returns the final groups (pass them as `partition`) and the figures of each round.
 */
export function adaptivePartition(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  sample: readonly Uint8Array[],
  options: GroupedObddOptions & { rounds?: number; maxMissRate?: number },
): { groups: number[][]; rounds: { groups: number; split: number; missRate: number }[] } {
  checkGroupOptions(options);
  const rounds = options.rounds ?? 4;
  const maxMiss = options.maxMissRate ?? 0.01;
  let members = partitionSignatures(signatures, options);
  const { groupSize: _g, partition: _p, hardGroupSize: _h, hardThreshold: _t, nfa: nfaOptions, rounds: _r, maxMissRate: _m, ...obdd } = options;
  const n = signatures.length;
  // Miss rate of each group (by its id list), measured once when the group first appears:
  // warm its memo on the first half of the sample, count misses on the second half (a
  // replay of the same bytes would hit the memo and hide the churn).
  const rate = new Map<string, { lookups: number; misses: number }>();
  const half = sample.length >>> 1;
  const nothing = (): void => {};
  const measure = (ids: readonly number[]): { lookups: number; misses: number } => {
    const key = ids.join(',');
    let r = rate.get(key);
    if (r) return r;
    const inputs: Array<NfaSignatureInput | null> = new Array<NfaSignatureInput | null>(n).fill(null);
    for (const id of ids) inputs[id] = signatures[id]!;
    const m = buildObddMatcher(buildNfa(inputs, nfaOptions), obdd);
    const sc = m.createScratch({ mode: 'set' });
    const pass = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        m.scan(sc, sample[i]!, nothing);
        m.finish(sc, nothing);
      }
    };
    pass(0, half);
    const before = m.stats().memoStats as Record<string, number> | undefined;
    pass(half, sample.length);
    const after = m.stats().memoStats as Record<string, number> | undefined;
    r = { lookups: (after?.lookups ?? 0) - (before?.lookups ?? 0), misses: (after?.misses ?? 0) - (before?.misses ?? 0) };
    rate.set(key, r);
    return r;
  };
  const log: { groups: number; split: number; missRate: number }[] = [];
  for (let round = 0; round <= rounds; round++) {
    const next: number[][] = [];
    let split = 0, lookups = 0, misses = 0;
    for (const ids of members) {
      const { lookups: l, misses: mi } = measure(ids);
      lookups += l;
      misses += mi;
      if (round < rounds && ids.length > 1 && l > 0 && mi / l > maxMiss) {
        split++;
        const h = ids.length >>> 1;
        next.push(ids.slice(0, h), ids.slice(h));
      } else next.push([...ids]);
    }
    log.push({ groups: members.length, split, missRate: lookups ? misses / lookups : 0 });
    members = next;
    if (split === 0) break;
  }
  return { groups: members, rounds: log };
}
