import { describe, expect, it } from 'vitest';
import { BUFFER_IDS, BufferRegions, locateHttpBuffers, REGION_ABSENT, REGION_KNOWN, REGION_UNKNOWN } from '../../src/detect/http-buffers.js';
import { parseRules } from '../../src/rules/parse.js';
import { firedRules, irLengthBounds, RuleProgram } from '../../src/detect/index.js';
import { parseSignature } from '../../src/syntax/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

function regionText(text: string, name: string): string | null {
  const r = new BufferRegions();
  locateHttpBuffers(enc(text), r);
  const id = BUFFER_IDS[name];
  if (r.state[id] === REGION_ABSENT) return null;
  if (r.state[id] === REGION_UNKNOWN) return '?';
  return text.slice(r.start[id], r.end[id]);
}

const REQ = 'POST /cgi-bin/x.cgi?a=1 HTTP/1.1\r\nHost: example.com\r\nCookie: sid=42; x=y\r\nContent-Length: 5\r\n\r\nhello';
const RESP = 'HTTP/1.1 404 Not Found\r\nServer: nginx\r\nSet-Cookie: a=b\r\n\r\n<html>';

describe('locateHttpBuffers', () => {
  it('finds the buffers of a request', () => {
    const r = new BufferRegions();
    expect(locateHttpBuffers(enc(REQ), r)).toBe('request');
    expect(regionText(REQ, 'http_method')).toBe('POST');
    expect(regionText(REQ, 'http_uri')).toBe('/cgi-bin/x.cgi?a=1');
    expect(regionText(REQ, 'http_raw_uri')).toBe('/cgi-bin/x.cgi?a=1');
    expect(regionText(REQ, 'http_header')).toBe('Host: example.com\r\nCookie: sid=42; x=y\r\nContent-Length: 5\r\n');
    expect(regionText(REQ, 'http_cookie')).toBe('sid=42; x=y');
    expect(regionText(REQ, 'http_client_body')).toBe('hello');
    expect(regionText(REQ, 'http_stat_code')).toBeNull();
    expect(r.state[0]).toBe(REGION_KNOWN);
  });

  it('finds the buffers of a response', () => {
    expect(regionText(RESP, 'http_stat_code')).toBe('404');
    expect(regionText(RESP, 'http_stat_msg')).toBe('Not Found');
    expect(regionText(RESP, 'http_header')).toBe('Server: nginx\r\nSet-Cookie: a=b\r\n');
    expect(regionText(RESP, 'http_cookie')).toBe('a=b');
    expect(regionText(RESP, 'file_data')).toBe('<html>');
    expect(regionText(RESP, 'http_uri')).toBeNull();
    expect(regionText(RESP, 'http_client_body')).toBeNull();
  });

  it('leaves buffers unknown when the payload does not start an HTTP message', () => {
    for (const t of ['EHLO mail.example.com\r\n', '<html>body continues', '', 'GET', 'HTTP/1.1 20 OK\r\n']) {
      expect(locateHttpBuffers(enc(t), new BufferRegions()), JSON.stringify(t)).toBe('none');
      expect(regionText(t, 'http_uri')).toBe('?');
    }
  });

  it('handles headers cut at the end of the payload (no body yet)', () => {
    const t = 'GET /a HTTP/1.0\r\nHost: x\r\nUser-Agent: y';
    expect(regionText(t, 'http_header')).toBe('Host: x\r\nUser-Agent: y');
    expect(regionText(t, 'http_client_body')).toBeNull();
    expect(regionText('GET /a HTTP/1.0\n\nbody', 'http_client_body')).toBe('body');
  });
});

describe('rules on located HTTP buffers', () => {
  /** Brute-force (signature, end) events, as an 'all'-mode engine reports them. */
  function events(program: RuleProgram, payload: string): [number, number][] {
    const out: [number, number][] = [];
    program.signatures.forEach((src, sig) => {
      const last = src.lastIndexOf('/');
      const re = new RegExp(`^(?:${src.slice(1, last)})$`, src.slice(last + 1).replace(/[^ism]/g, ''));
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
  function sids(rulesText: string, payload: string, located = true): number[] {
    const { rules, rejected } = parseRules(rulesText);
    expect(rejected).toEqual([]);
    // Pattern lengths from the syntax front end, as RuleDetector does (anchors need them).
    const program = new RuleProgram(rules, { checkPattern: (src) => irLengthBounds(parseSignature(src).ir) });
    const regions = new BufferRegions();
    locateHttpBuffers(enc(payload), regions);
    return firedRules(program, events(program, payload), payload.length, located ? regions : undefined).map((r) => program.rules[r].sid);
  }

  const rules = [
    'alert tcp any any -> any any (content:"POST"; http_method; sid:1;)',
    'alert tcp any any -> any any (content:"Host"; http_uri; sid:2;)',
    'alert tcp any any -> any any (content:"/cgi-bin/"; http_uri; depth:9; sid:3;)',
    'alert tcp any any -> any any (content:"x.cgi"; http_uri; depth:9; sid:4;)',
    'alert tcp any any -> any any (uricontent:"a=1"; pcre:"/a=\\d/U"; sid:5;)',
    'alert tcp any any -> any any (pcre:"/^\\/cgi/U"; sid:6;)',
    'alert tcp any any -> any any (pcre:"/^x\\.cgi/U"; sid:7;)',
    'alert tcp any any -> any any (content:"hello"; http_client_body; content:"sid="; http_cookie; sid:8;)',
    'alert tcp any any -> any any (content:"404"; http_stat_code; sid:9;)',
    'alert tcp any any -> any any (content:"POST"; http_method; content:!"evil"; http_client_body; sid:10;)',
    'alert tcp any any -> any any (content:"Content-Length"; http_header; content:"5"; http_header; distance:2; within:1; sid:11;)',
    'alert tcp any any -> any any (content:"POST"; http_method; urilen:18; sid:12;)',
    'alert tcp any any -> any any (content:"POST"; http_method; urilen:>18; sid:13;)',
  ].join('\n');

  it('holds patterns to their buffer, with offsets from the buffer start', () => {
    // 2: "Host" is in the headers, not the URI. 4: x.cgi ends after depth 9 of the URI.
    // 7: ^ means the URI start. 9: no status code in a request.
    expect(sids(rules, REQ)).toEqual([1, 3, 5, 6, 8, 10, 11, 12]);
  });

  it('falls back to the whole payload without regions (over-approximation)', () => {
    // Without regions, offsets are dropped and everything is searched anywhere (7: the ^
    // anchor of a buffer pcre is not enforced; 12, 13: the URI length is unknown).
    expect(sids(rules, REQ, false)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]);
  });

  it('fails positive patterns of buffers a response cannot have', () => {
    expect(sids(rules, RESP)).toEqual([9]);
  });
});
