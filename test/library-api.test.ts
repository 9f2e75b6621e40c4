/**
 * The README's library example, imported by package name as a user would: compile once,
 * one scratch per stream, matches through a callback, a signature spanning two chunks.
 */
import { describe, expect, it } from 'vitest';
import { compile, UnsupportedFeatureError, type EngineName } from 'nfa-obdd';

describe('library API (README example)', () => {
  for (const engine of ['obdd', 'obdd2', 'nfa', 'dfa'] as EngineName[]) {
    it(`${engine}: compile once, stream two chunks, report (signature, end)`, () => {
      const { matcher, rejected } = compile(
        ['/uid=\\d+\\(root\\)/', '/^GET \\/[a-z]+\\.php/i', { content: 'passwd', nocase: true }, '/(a)\\1/'],
        { engine },
      );
      expect(rejected.map((r) => r.signature)).toEqual([3]);
      expect(rejected[0]!.error).toBeInstanceOf(UnsupportedFeatureError);

      const scratch = matcher.createScratch(); // one per flow/stream direction
      const hits: Array<[number, number]> = [];
      const onMatch = (sig: number, end: number): void => void hits.push([sig, end]);
      const enc = new TextEncoder();
      matcher.scan(scratch, enc.encode('GET /Index.PHP?f=/etc/PASS'), onMatch);
      matcher.scan(scratch, enc.encode('WD HTTP/1.0\r\n\r\nuid=0(root)'), onMatch);
      matcher.finish(scratch, onMatch);
      expect(hits).toEqual([
        [1, 14],
        [2, 28],
        [0, 52],
      ]);
      expect(scratch.offset).toBe(0); // finish resets the stream
    });
  }
});
