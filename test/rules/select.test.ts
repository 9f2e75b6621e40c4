import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseRules } from '../../src/rules/parse.js';
import { parseSelector, selectRules } from '../../src/rules/select.js';

const { rules } = parseRules(
  [
    'alert tcp $EXTERNAL_NET any -> $HTTP_SERVERS $HTTP_PORTS (msg:"WEB SQL injection"; content:"a"; classtype:web-application-attack; metadata:policy balanced-ips drop, service http; sid:1000;)',
    'alert tcp $EXTERNAL_NET any -> $HOME_NET 21 (msg:"FTP bad login"; content:"USER"; pcre:"/x/"; classtype:suspicious-login; metadata:service ftp; sid:1500;)',
    'alert tcp $HTTP_SERVERS $HTTP_PORTS -> any any (msg:"response"; content:"b"; classtype:bad-unknown; sid:2000;)',
    'alert udp any any -> any 53 (msg:"DNS sql thing"; content:"c"; classtype:bad-unknown; sid:2500;)',
    'alert ip any any -> any any (msg:"GPL ATTACK_RESPONSE id check returned root"; content:"uid=0|28|root|29|"; sid:2100498;)',
    'alert http (msg:"service rule"; service:http; sid:3000;)',
    '# alert tcp any any -> any 8080 (msg:"off"; sid:3500;)',
  ].join('\n'),
  { includeDisabled: true },
);
it('loads every test rule', () => expect(rules).toHaveLength(7));
const sids = (sel: string) => selectRules(rules, sel).map((r) => r.sid);

describe('rule selection', () => {
  it('selects by protocol (transport), including application rules over it', () => {
    expect(sids('proto=udp')).toEqual([2500]);
    expect(sids('proto=tcp')).toEqual([1000, 1500, 2000, 3000, 3500]);
    expect(sids('proto=http')).toEqual([3000]);
    expect(sids('proto=ip')).toEqual([2100498]);
  });

  it('port=N means the source or destination port set contains N; strict ignores any', () => {
    expect(sids('port=21')).toEqual([1000, 1500, 2000, 2500, 2100498, 3000, 3500]);
    expect(sids('port=22')).toHaveLength(7); // every rule has an 'any' side
    expect(sids('port=21,strict')).toEqual([1500]);
    expect(sids('dport=80,strict')).toEqual([1000]);
    expect(sids('sport=8080,strict')).toEqual([2000]);
    expect(sids('dport=8000-8100,strict')).toEqual([1000, 3500]);
    expect(sids('dport=$FTP_PORTS,strict')).toEqual([1500]);
  });

  it('selects by classtype, service, policy, metadata, msg, sid and has', () => {
    expect(sids('classtype=bad-unknown')).toEqual([2000, 2500]);
    expect(sids('classtype=bad-unknown|suspicious-login')).toEqual([1500, 2000, 2500]);
    expect(sids('service=http')).toEqual([1000, 3000]);
    expect(sids('policy=balanced-ips')).toEqual([1000]);
    expect(sids('metadata=service ftp')).toEqual([1500]);
    expect(sids('msg=sql')).toEqual([1000, 2500]);
    expect(sids('sid=1000-2000')).toEqual([1000, 1500, 2000]);
    expect(sids('sid=1000,sid=2500')).toEqual([1000, 2500]);
    expect(sids('sid=1000|2100498')).toEqual([1000, 2100498]);
    expect(sids('has=pcre')).toEqual([1500]);
    expect(sids('has=none')).toEqual([3000, 3500]);
    expect(sids('enabled=false')).toEqual([3500]);
  });

  it('ANDs different keys and applies exclusions', () => {
    expect(sids('proto=tcp,msg=sql')).toEqual([1000]);
    expect(sids('classtype=bad-unknown,proto!=udp')).toEqual([2000]);
    expect(sids('msg!=sql,msg!=root')).toEqual([1500, 2000, 3000, 3500]);
    expect(sids('')).toHaveLength(rules.length);
  });

  it('has http and ftp presets (rules aimed at port 80 / 21) that combine with terms', () => {
    expect(sids('http')).toEqual([1000]);
    expect(sids('ftp')).toEqual([1500]);
    expect(sids('http,msg=nothing')).toEqual([]);
    expect(parseSelector('ftp').text).toBe('proto=tcp,dport=21,strict');
  });

  it('rejects bad selectors with a UsageError naming the term', () => {
    for (const bad of ['color=red', 'sid=abc', 'sid=5-1', 'port=99999', 'has=regex', 'enabled=maybe', 'nonsense', 'msg=']) {
      expect(() => parseSelector(bad), bad).toThrow(UsageError);
    }
    expect(() => parseSelector('color=red')).toThrow(/color/);
  });
});
