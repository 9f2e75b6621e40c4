/**
 * Fuzzing the signature-file surface (the `scan` format: one signature a line, blank and
 * `#` lines skipped): files of real ET pcres, random regex pieces, junk and binary lines,
 * compiled with every engine. `parseSignatureLines` and `compile` never throw, each
 * signature is its line's trimmed text, every reject carries a typed error, and the matcher
 * scans an input afterwards. (test/syntax/robustness.test.ts fuzzes the regex parser alone.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledPcres, signatureProperty } from '../../bench/lib/fuzz-surfaces.js';
import { compile } from '../../src/compile.js';
import { parseSignatureLines } from '../../src/compare/corpus.js';
import { NfaObddError } from '../../src/errors.js';

const pcres = bundledPcres();

describe('signature file fuzzing', () => {
  it('the pool holds the bundled pcres', () => {
    expect(pcres.length).toBeGreaterThan(200);
  });

  it('random signature files: no exception, typed rejects naming their signature', () => {
    fc.assert(signatureProperty(pcres, 'ci'), { numRuns: 100 });
  });

  it('CRLF files: the \\r is trimmed, line numbers count \\n', () => {
    const { sources, lines } = parseSignatureLines('/a/\r\n\r\n# x\r\n  /(/ \r\n');
    expect(sources).toEqual(['/a/', '/(/']);
    expect(lines).toEqual([1, 4]);
    const r = compile(sources);
    expect(r.rejected.map((x) => x.signature)).toEqual([1]);
    expect(r.rejected[0]!.error).toBeInstanceOf(NfaObddError);
  });
});
