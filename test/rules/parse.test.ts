import { describe, expect, it } from 'vitest';
import { RuleParseError } from '../../src/errors.js';
import { decodeContent, parseRules } from '../../src/rules/parse.js';
import type { ContentPattern, PcrePattern, Rule } from '../../src/rules/rule.js';
import { Variables } from '../../src/rules/vars.js';

function one(text: string, opts: Parameters<typeof parseRules>[1] = {}): Rule {
  const r = parseRules(text, opts);
  expect(r.rejected.map((x) => x.error.message)).toEqual([]);
  expect(r.rules).toHaveLength(1);
  return r.rules[0];
}

const bytes = (s: string) => Array.from(new TextEncoder().encode(s));
const content = (r: Rule, i: number) => r.patterns[i] as ContentPattern;
const pcre = (r: Rule, i: number) => r.patterns[i] as PcrePattern;

describe('parseRules: Snort 2.9 rules', () => {
  it('reads header and informational options', () => {
    const r = one(
      'alert tcp $EXTERNAL_NET any -> $HOME_NET 21 (msg:"PROTOCOL-FTP ADMw0rm \\"ftp\\" login"; flow:to_server,established; ' +
        'content:"USER"; nocase; metadata:policy balanced-ips drop, ruleset community, service ftp; ' +
        'reference:cve,1999-0001; reference:url,example.com/x; classtype:suspicious-login; priority:2; gid:1; sid:144; rev:16;)',
    );
    expect(r).toMatchObject({
      action: 'alert', protocol: 'tcp', transport: 'tcp', appProtocol: false, sid: 144, rev: 16, gid: 1, priority: 2,
      msg: 'PROTOCOL-FTP ADMw0rm "ftp" login', classtype: 'suspicious-login', enabled: true, dialect: 'snort2', line: 1,
    });
    expect(r.header).toEqual({ src: '$EXTERNAL_NET', srcPorts: 'any', direction: '->', dst: '$HOME_NET', dstPorts: '21' });
    expect(r.dstPorts.has(21)).toBe(true);
    expect(r.dstPorts.has(22)).toBe(false);
    expect(r.services).toEqual(['ftp']);
    expect(r.policies).toEqual(['balanced-ips']);
    expect(r.metadata).toContainEqual({ key: 'ruleset', value: 'community' });
    expect(r.references).toEqual([{ system: 'cve', id: '1999-0001' }, { system: 'url', id: 'example.com/x' }]);
    expect(r.flow).toMatchObject({ toServer: true, established: true });
    expect(content(r, 0)).toMatchObject({ nocase: true, negated: false, buffer: 'pkt' });
  });

  it('decodes content hex runs, escapes and negation, and applies modifiers to the last content', () => {
    const r = one(
      'alert tcp any any -> any any (content:"uid=0|28|root|29|"; content:!"a\\"b\\;c\\\\d"; offset:4; depth:10; ' +
        'content:"|0d 0a|x"; distance:-2; within:5; rawbytes; fast_pattern; sid:1;)',
    );
    expect(Array.from(content(r, 0).bytes)).toEqual(bytes('uid=0(root)'));
    expect(content(r, 1)).toMatchObject({ negated: true, offset: 4, depth: 10 });
    expect(Array.from(content(r, 1).bytes)).toEqual(bytes('a"b;c\\d'));
    expect(content(r, 2)).toMatchObject({ distance: -2, within: 5, buffer: 'raw', fastPattern: true });
    expect(Array.from(content(r, 2).bytes)).toEqual([0x0d, 0x0a, 0x78]);
  });

  it('applies Snort 2 HTTP modifiers to the previous content, uricontent to http_uri', () => {
    const r = one('alert tcp any any -> any any (content:"GET"; http_method; content:"/x"; uricontent:"/y"; content:"z"; sid:2;)');
    expect(r.patterns.map((p) => p.buffer)).toEqual(['http_method', 'pkt', 'http_uri', 'pkt']);
  });

  it('continues a relative pcre without buffer flag in the previous match\'s buffer (Snort 2)', () => {
    const r = one('alert tcp any any -> any any (content:"a"; http_client_body; pcre:"/b/R"; pcre:"/c/"; pcre:"/d/RU"; sid:2;)');
    expect(r.patterns.map((p) => p.buffer)).toEqual(['http_client_body', 'http_client_body', 'pkt', 'http_uri']);
  });

  it('keeps file_data and pkt_data sticky in Snort 2', () => {
    const r = one('alert tcp any any -> any any (file_data; content:"a"; content:"b"; http_header; pkt_data; content:"c"; sid:3;)');
    expect(r.patterns.map((p) => p.buffer)).toEqual(['file_data', 'http_header', 'pkt']);
  });

  it('extracts pcre values whole, including an unescaped quote, with flags and buffers', () => {
    const r = one(
      'alert tcp any any -> any any (content:"x"; pcre:"/^[^\\r]*?name=[\\x22\\x27]image_file"\\x3b[^\\r]*/Rsi"; ' +
        'pcre:!"/a;b/U" ; pcre: "/c/smiB"; sid:2019728; rev:2;)',
    );
    expect(r.patterns).toHaveLength(4);
    expect(pcre(r, 1)).toMatchObject({
      source: '/^[^\\r]*?name=[\\x22\\x27]image_file"\\x3b[^\\r]*/Rsi',
      pattern: '^[^\\r]*?name=[\\x22\\x27]image_file"\\x3b[^\\r]*',
      flags: 'Rsi', relative: true, negated: false, buffer: 'pkt',
    });
    expect(pcre(r, 2)).toMatchObject({ source: '/a;b/U', negated: true, buffer: 'http_uri', relative: false });
    expect(pcre(r, 3)).toMatchObject({ source: '/c/smiB', buffer: 'raw' });
  });

  it('reads Snort 3 regex like pcre', () => {
    const r = one('alert tcp any any -> any any (http_uri; content:"a"; regex:"/b\\d+/Ri"; sid:1;)');
    expect(pcre(r, 1)).toMatchObject({ kind: 'pcre', source: '/b\\d+/Ri', relative: true, buffer: 'http_uri' });
  });

  it('takes an unquoted pcre value, as Suricata does', () => {
    const r = one('alert tcp any any -> any any (msg:"Test pcre /U option"; pcre:/one/U; sid:1;)');
    expect(pcre(r, 0)).toMatchObject({ source: '/one/U', buffer: 'http_uri' });
  });

  it('records unsupported options, noalert and dsize', () => {
    const r = one(
      'alert tcp any any -> any any (flowbits:set,foo; flowbits:noalert; content:"a"; byte_test:2,>,0,0,relative; ' +
        'isdataat:5,relative; urilen:>10; byte_jump:2,0,relative,dce; dsize:300<>400; threshold:type limit, track by_src, count 1, seconds 60; sid:4;)',
    );
    expect(r.noalert).toBe(true);
    expect(r.unsupported).toEqual(['byte_jump']);
    expect(r.payloadChecks.map((c) => [c.kind, c.after, c.buffer])).toEqual([['byte_test', 1, 'pkt'], ['isdataat', 1, 'pkt'], ['buflen', 1, 'http_uri']]);
    // Snort 2 reads urilen A<>B as "between" (inclusive); Snort 3 bufferlen <> is exclusive.
    const u = one('alert tcp any any -> any any (content:"a"; urilen:40<>65,raw; sid:9;)');
    expect(u.payloadChecks[0]).toMatchObject({ kind: 'buflen', op: '<=>', a: 40, b: 65, buffer: 'http_raw_uri' });
    const b = one('alert tcp any any -> any any (http_uri; content:"a",nocase; bufferlen:11<>20; sid:10;)');
    expect(b.payloadChecks[0]).toMatchObject({ kind: 'buflen', op: '<>', buffer: 'http_uri' });
    expect(r.rateLimits).toEqual([{ name: 'threshold', value: 'type limit, track by_src, count 1, seconds 60' }]);
    expect(r.dsize).toEqual({ op: '<>', a: 300, b: 400 });
    const s = one('alert tcp any any -> any any (flowbits:isset,foo; flowbits:isnotset,a|b; flowbits:set,x&y; flowbits:setx,z; dsize:>=5; sid:5;)');
    expect(s.unsupported).toEqual([]);
    expect(s.flowbits).toEqual([
      { op: 'isset', names: ['foo'], all: true },
      { op: 'isnotset', names: ['a', 'b'], all: false },
      { op: 'set', names: ['x', 'y'], all: true },
      { op: 'set', names: ['z'], all: true },
    ]);
    expect(parseRules('alert tcp any any -> any any (flowbits:flip,x; sid:6;)').rejected[0].kind).toBe('bad-option');
    expect(parseRules('alert tcp any any -> any any (flowbits:isset; sid:6;)').rejected[0].kind).toBe('bad-option');
    expect(s.dsize).toEqual({ op: '>=', a: 5 });
  });

  it('keeps byte_extract variables out of numeric modifiers', () => {
    const r = one('alert tcp any any -> any any (byte_extract:3,0,Certs.len,relative; content:"a"; distance:3; within:Certs.len; sid:6;)');
    expect(content(r, 0)).toMatchObject({ distance: 3, variableModifiers: ['within Certs.len'] });
    expect(content(r, 0).within).toBeUndefined();
  });

  it('joins continuation lines and numbers rules by their first line', () => {
    const text = '\n# comment\nalert dns any any -> any 53 ( \\\nmsg:"DNS x"; \\\ncontent:"|04|ddns"; \\\nsid:1; rev:1;)\n\nalert tcp any any -> any any (sid:2;)\n';
    const r = parseRules(text);
    expect(r.rejected).toEqual([]);
    expect(r.rules.map((x) => [x.sid, x.line, x.protocol, x.transport, x.appProtocol])).toEqual([
      [1, 3, 'dns', 'ip', true],
      [2, 8, 'tcp', 'tcp', false],
    ]);
    expect(r.rules[0].services).toEqual(['dns']);
  });

  it('loads disabled rules only on request, flagged enabled: false', () => {
    const text = '# alert tcp any any -> any any (msg:"off"; content:"a"; sid:10;)\n##alert udp any any -> any any (sid:11;)\n' +
      '# alert is a word in a comment\nalert tcp any any -> any any (sid:12;)\n';
    const off = parseRules(text);
    expect(off.rules.map((r) => r.sid)).toEqual([12]);
    expect(off.stats).toEqual({ enabledSeen: 1, disabledSeen: 2, disabledSkipped: 2 });
    const on = parseRules(text, { includeDisabled: true });
    expect(on.rules.map((r) => [r.sid, r.enabled, r.id])).toEqual([[10, false, 0], [11, false, 1], [12, true, 2]]);
    expect(on.rules[0].text.startsWith('alert tcp')).toBe(true);
  });

  it('reads header forms: <>, <-, lists with blanks, Snort 3 short headers', () => {
    const r = parseRules(
      'alert tcp [1.2.3.4, 10.0.0.0/8] [80,8080] <> !$HOME_NET any (sid:1;)\n' +
        'alert tcp 1.1.1.1 1 <- 2.2.2.2 2 (sid:2;)\n' +
        'alert http (msg:"x"; sid:3;)\n' +
        'alert (sid:4;)\n',
      { vars: Variables.defaults().with({ HOME_NET: '192.168.0.0/16' }) },
    );
    expect(r.rejected).toEqual([]);
    const [a, b, c, d] = r.rules;
    expect(a.header.direction).toBe('<>');
    expect(a.src.has(0x0a010203)).toBe(true);
    expect(a.dst.has(0xc0a80001)).toBe(false);
    expect(b.header).toMatchObject({ src: '2.2.2.2', srcPorts: '2', dst: '1.1.1.1', dstPorts: '1', direction: '->' });
    expect([c.protocol, c.transport, c.services, c.src.any, c.dstPorts.any]).toEqual(['http', 'tcp', ['http'], true, true]);
    expect([d.protocol, d.transport]).toEqual(['ip', 'ip']);
  });

  it('defines variables from var lines inside a rules file', () => {
    const r = parseRules('portvar MY_PORTS [7,9]\nalert tcp any any -> any $MY_PORTS (sid:1;)\n');
    expect(r.rejected).toEqual([]);
    expect(r.rules[0].dstPorts.has(9)).toBe(true);
    expect(r.rules[0].dstPorts.has(8)).toBe(false);
    expect(r.vars.get('MY_PORTS')).toBe('[7,9]');
  });
});

describe('parseRules: Snort 3 and Suricata forms', () => {
  it('reads comma-form content modifiers, sticky HTTP buffers and service', () => {
    const r = one(
      'alert tcp $EXTERNAL_NET any -> $HTTP_SERVERS $HTTP_PORTS ( msg:"SERVER-WEBAPP x"; flow:to_server,established; ' +
        'http_uri; content:"/hsx.cgi",fast_pattern,nocase; http_raw_uri; content:"../../"; content:"%00",distance 1; ' +
        'pkt_data; content:"|05 00|",depth 2,offset 8; pcre:"/x/i"; service:http; sid:803; rev:21; )',
    );
    expect(r.dialect).toBe('snort3');
    expect(r.patterns.map((p) => p.buffer)).toEqual(['http_uri', 'http_raw_uri', 'http_raw_uri', 'pkt', 'pkt']);
    expect(content(r, 0)).toMatchObject({ nocase: true, fastPattern: true });
    expect(content(r, 2)).toMatchObject({ distance: 1 });
    expect(content(r, 3)).toMatchObject({ depth: 2, offset: 8 });
    expect(r.services).toEqual(['http']);
    expect(r.dstPorts.has(8080)).toBe(true);
  });

  it('decides the dialect per rule, and a file turns Snort 3 at its first Snort 3 rule', () => {
    const text =
      'alert tcp any any -> any any (content:"a"; http_uri; sid:1;)\n' +
      'alert tcp any any -> any any (content:"b",nocase; sid:2;)\n' +
      'alert tcp any any -> any any (content:"c"; http_uri; content:"d"; sid:3;)\n';
    const r = parseRules(text);
    expect(r.rules.map((x) => x.dialect)).toEqual(['snort2', 'snort3', 'snort3']);
    expect(r.rules[0].patterns[0].buffer).toBe('http_uri');
    expect(r.rules[2].patterns.map((p) => p.buffer)).toEqual(['pkt', 'http_uri']);
    const forced = parseRules(text, { dialect: 'snort2' });
    expect(forced.rules[2].patterns.map((p) => p.buffer)).toEqual(['http_uri', 'pkt']);
  });

  it('reads Suricata keywords used by suricata-verify', () => {
    const r = one(
      'alert tcp-stream any any -> any any (msg:"Test"; content: "yYY"; distance:9; within:29; endswith; ' +
        'content:"WWW-Authenticate\\: "; startswith; http.uri; content:"u"; sid:1;)',
    );
    expect(content(r, 0)).toMatchObject({ endsWith: true, distance: 9, within: 29 });
    expect(Array.from(content(r, 1).bytes)).toEqual(bytes('WWW-Authenticate: '));
    expect(content(r, 1).startsWith).toBe(true);
    expect(content(r, 2).buffer).toBe('http_uri');
    expect(r.transport).toBe('tcp');
  });
});

describe('parseRules: rejects', () => {
  const cases: [string, string, RegExp][] = [
    ['this is garbage', 'not-a-rule', /not a rule/],
    ['alert tcp any any -> any any (msg:"no sid";)', 'missing-sid', /no sid/],
    ['alert tcp any any -> any any (msg:"open; sid:1;)', 'unterminated', /unterminated/],
    ['alert tcp any any -> any any (content:"ab; sid:1;)', 'unterminated', /unterminated/],
    ['alert tcp any any -> any any (msg:"x"; sid:1;', 'unterminated', /not closed/],
    ['alert tcp any any -> any any (content:"|4|"; sid:1;)', 'bad-content', /odd number of hex digits/],
    ['alert tcp any any -> any any (content:"|4g|"; sid:1;)', 'bad-content', /bad hex digit/],
    ['alert tcp any any -> any any (content:"|41"; sid:1;)', 'bad-content', /unterminated \|hex\|/],
    ['alert tcp any any -> any any (content:""; sid:1;)', 'bad-content', /empty content/],
    ['alert tcp any any -> any any (nocase; content:"a"; sid:1;)', 'modifier-without-pattern', /before any content/],
    ['alert tcp any any -> any any (content:"a"; depth:-1; sid:1;)', 'bad-option', /negative/],
    ['alert tcp any any -> any any (content:"a"; offset:x y; sid:1;)', 'bad-option', /expected a number/],
    ['alert tcp any any -> any any (pcre:"/a/Q"; sid:1;)', 'bad-pcre', /unknown pcre flag/],
    ['alert tcp any any -> any any (pcre:"abc"; sid:1;)', 'bad-pcre', /pattern\/flags/],
    ['alert tcp any any -> any any (pcre:abc; sid:1;)', 'bad-pcre', /pattern\/flags/],
    ['alert tcp any any -> any any (pcre:"/abc/i" x; sid:1;)', 'unterminated', /pcre/],
    ['alert tcp any any -> any any (pcre:"/abc/i; sid:1;)', 'unterminated', /pcre/],
    ['alert tcp any any -> any any (flow:sideways; sid:1;)', 'bad-option', /flow/],
    ['alert tcp any any -> any any (sid:12x;)', 'bad-option', /sid/],
    ['alert tcp any any -> any any (dsize:big; sid:1;)', 'bad-option', /dsize/],
    ['alert foo any any -> any any (sid:1;)', 'bad-protocol', /unknown protocol/],
    ['alert tcp any any any any (sid:1;)', 'bad-header', /fields/],
    ['alert tcp any any => any any (sid:1;)', 'bad-header', /direction/],
    ['alert tcp $NOPE any -> any any (sid:1;)', 'undefined-variable', /\$NOPE/],
    ['alert tcp 1.2.3.400 any -> any any (sid:1;)', 'bad-address', /bad address/],
    ['alert tcp any 70000 -> any any (sid:1;)', 'bad-port', /bad port/],
    ['alert tcp any [80 -> any any (sid:1;)', 'bad-header', /unbalanced/],
    ['alert tcp any any -> any any (content:"a" junk; sid:1;)', 'bad-content', /unexpected text/],
    ['alert tcp any any -> any any (content:"a",bogus 3; sid:1;)', 'bad-content', /unknown content modifier/],
  ];
  for (const [text, kind, reason] of cases) {
    it(`${kind}: ${text.slice(0, 60)}`, () => {
      const r = parseRules(`alert tcp any any -> any any (sid:100;)\n\n${text}\nalert tcp any any -> any any (sid:101;)\n`, { file: 'x.rules' });
      // Loading continues around the bad rule.
      expect(r.rules.map((x) => x.sid)).toEqual([100, 101]);
      expect(r.rejected).toHaveLength(1);
      const rej = r.rejected[0];
      expect(rej.kind).toBe(kind);
      expect(rej.error).toBeInstanceOf(RuleParseError);
      expect(rej.error.line).toBe(3);
      expect(rej.error.file).toBe('x.rules');
      expect(rej.error.reason).toMatch(reason);
      expect(rej.error.message).toMatch(/^x\.rules:3/);
    });
  }

  it('names the sid of a rejected rule when it can be read', () => {
    const r = parseRules('alert tcp any any -> any any (content:"|zz|"; sid:77; rev:1;)');
    expect(r.rejected[0].error.sid).toBe(77);
    expect(r.rejected[0].error.message).toContain('(sid 77)');
  });

  it('survives random junk without throwing', () => {
    const junk = ['(', ')', '"', ';', ':', '|', '\\', 'alert', ' ', 'tcp', 'any', '->', 'sid:1', 'content:', 'pcre:', '!', '#', '\n', '[', ']', '$X', ','];
    let seed = 12345;
    for (let n = 0; n < 300; n++) {
      let s = 'alert tcp any any -> any any (';
      for (let k = 0; k < 20; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += junk[seed % junk.length];
      }
      expect(() => parseRules(s, { includeDisabled: true })).not.toThrow();
    }
  });
});

describe('decodeContent', () => {
  it('allows blanks between the digits of a hex byte, as Snort 2 does', () => {
    expect(Array.from(decodeContent('Host|3 a20|x'))).toEqual([...bytes('Host'), 0x3a, 0x20, 0x78]);
  });
  it('encodes non-ASCII text as UTF-8', () => {
    expect(Array.from(decodeContent('é'))).toEqual([0xc3, 0xa9]);
  });
});
