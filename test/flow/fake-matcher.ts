/**
 * A tiny `Matcher` for flow tests: finds fixed byte strings anywhere in a stream, across
 * chunk boundaries, keeping only the last (longest) bytes in its scratch. A signature
 * marked `atEnd` matches only at the end of input (reported by `finish`), like `abc$`.
 * Deliberately naive; it exists to test reassembly, not matching.
 */
import type { Matcher, MatchCallback, MatcherStats, Scratch, ScratchOptions } from '../../src/matcher/types.js';

export interface FakeSignature {
  text: string;
  atEnd?: boolean;
}

class FakeScratch implements Scratch {
  readonly engine = 'nfa' as const;
  offset = 0;
  tail = '';
  constructor(readonly first: boolean) {}
  reported = new Set<number>();
}

export class FakeMatcher implements Matcher {
  readonly engine = 'nfa' as const;
  readonly signatureCount: number;
  private readonly keep: number;
  scans = 0;

  constructor(readonly signatures: readonly FakeSignature[]) {
    this.signatureCount = signatures.length;
    this.keep = Math.max(0, ...signatures.map((s) => s.text.length));
  }

  createScratch(options?: ScratchOptions): Scratch {
    return new FakeScratch(options?.mode === 'set');
  }

  scan(scratch: Scratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const s = scratch as FakeScratch;
    this.scans++;
    for (const b of bytes) {
      s.tail += String.fromCharCode(b);
      s.offset++;
      this.signatures.forEach((sig, id) => {
        if (!sig.atEnd && s.tail.endsWith(sig.text)) this.report(s, id, s.offset, onMatch);
      });
      if (s.tail.length > this.keep) s.tail = s.tail.slice(s.tail.length - this.keep);
    }
  }

  finish(scratch: Scratch, onMatch: MatchCallback): void {
    const s = scratch as FakeScratch;
    this.signatures.forEach((sig, id) => {
      if (sig.atEnd && s.tail.endsWith(sig.text)) this.report(s, id, s.offset, onMatch);
    });
    this.reset(s);
  }

  reset(scratch: Scratch): void {
    const s = scratch as FakeScratch;
    s.offset = 0;
    s.tail = '';
    s.reported.clear();
  }

  stats(): MatcherStats {
    return { engine: 'nfa', signatures: this.signatureCount };
  }

  private report(s: FakeScratch, id: number, end: number, onMatch: MatchCallback): void {
    if (s.first && s.reported.has(id)) return;
    s.reported.add(id);
    onMatch(id, end);
  }
}
