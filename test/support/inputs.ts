/**
 * Shared inputs for the engine-agreement tests: chunkings of one input (streaming) and
 * a deterministic slice of real ET Open pcre signatures from the bundled rules.
 */
import { readFileSync } from 'node:fs';
import type { NfaSignatureInput } from '../../src/nfa/build.js';
import type { Matcher, MatchMode } from '../../src/matcher/types.js';
import { parseSignature } from '../../src/syntax/index.js';

/** `bytes` cut at the given points (taken modulo length + 1, deduplicated, sorted). */
export function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/**
 * The first `limit` pcre options of traces/rules/emerging-web_server.rules as NFA inputs
 * (ids in file order; one the front end rejects is null, so ids stay positional).
 */
export function webServerSignatures(limit: number): (NfaSignatureInput | null)[] {
  const text = readFileSync(new URL('../../traces/rules/emerging-web_server.rules', import.meta.url), 'latin1');
  const sigs: (NfaSignatureInput | null)[] = [];
  for (const m of text.matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)) {
    if (sigs.length >= limit) break;
    try {
      const p = parseSignature(m[1]!);
      sigs.push({ id: sigs.length, ir: p.ir, anchored: p.anchored });
    } catch {
      sigs.push(null);
    }
  }
  return sigs;
}

/**
 * Every (signature, end) report of one input scanned as `chunks` (scan each, then finish),
 * as sorted "sig@end" strings.
 */
export function runReports(m: Matcher, chunks: readonly Uint8Array[], mode: MatchMode = 'all'): string[] {
  const out: string[] = [];
  const sc = m.createScratch({ mode });
  const cb = (s: number, e: number): void => {
    out.push(`${s}@${e}`);
  };
  for (const c of chunks) m.scan(sc, c, cb);
  m.finish(sc, cb);
  return out.sort();
}

/** runReports of one whole input, 'all' mode. */
export function allEnds(m: Matcher, input: Uint8Array): string[] {
  return runReports(m, [input]);
}
