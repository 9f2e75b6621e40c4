import { describe, expect, it } from 'vitest';
import { LimitExceededError, NfaObddError, PcapFormatError, UnsupportedFeatureError } from 'nfa-obdd';

describe('typed errors (imported by package name, as a user would)', () => {
  it('carry a code and the fields a user acts on', () => {
    const e = new UnsupportedFeatureError('backreference', 'a(b)\\1', 4);
    expect(e).toBeInstanceOf(NfaObddError);
    expect(e.code).toBe('UNSUPPORTED_FEATURE');
    expect(e.name).toBe('UnsupportedFeatureError');
    expect(e.message).toContain('backreference');
    expect(e.message).toContain('offset 4');
    const l = new LimitExceededError('bdd nodes', 1000, 1001);
    expect(l.code).toBe('LIMIT_EXCEEDED');
    expect(l.given).toBeGreaterThan(l.limit);
    const p = new PcapFormatError('truncated record', 120, 3, 'x.pcap');
    expect(p.message).toBe('x.pcap: truncated record at byte 120 (after 3 packets)');
  });
});
