import { describe, expect, it } from 'vitest';
import { parsePayloadCheck } from '../../src/rules/payload-checks.js';
import { applyPayloadCheck } from '../../src/detect/payload-check-eval.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const run = (name: string, value: string, p: Uint8Array, cursor = 0) => applyPayloadCheck(parsePayloadCheck(name, value)!, p, cursor, 0, p.length);

describe('byte_test / byte_jump / isdataat on payload bytes', () => {
  it('byte_test reads big/little endian and string numbers and compares', () => {
    const p = bytes(0x00, 0x01, 0x02, 0x31, 0x37, 0x20);
    expect(run('byte_test', '2,=,258,1', p)).toBe(0);
    expect(run('byte_test', '2,=,513,1,little', p)).toBe(0);
    expect(run('byte_test', '2,>,258,1', p)).toBe(-1);
    expect(run('byte_test', '2,!>,258,1', p)).toBe(0);
    expect(run('byte_test', '1,&,2,2', p)).toBe(0);
    expect(run('byte_test', '1,&,1,2', p)).toBe(-1);
    expect(run('byte_test', '2,=,17,3,string,dec', p)).toBe(0);
    expect(run('byte_test', '2,=,23,3,string,hex', p)).toBe(0);
    expect(run('byte_test', '1,=,2,0,relative', p, 2)).toBe(2);
    expect(run('byte_test', '4,>,0,4', p)).toBe(-1); // reads past the end
    expect(run('byte_test', '2,=,1,0,bitmask 0x0f00', bytes(0x01, 0xff))).toBe(0);
  });

  it('byte_jump moves the cursor (relative, multiplier, align, from_beginning, post_offset)', () => {
    const p = bytes(0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22);
    expect(run('byte_jump', '2,0', p)).toBe(2 + 3);
    expect(run('byte_jump', '1,1,relative', p, 0)).toBe(2 + 3);
    expect(run('byte_jump', '2,0,multiplier 2', p)).toBe(2 + 6);
    expect(run('byte_jump', '2,0,align', p)).toBe(2 + 4);
    expect(run('byte_jump', '2,0,from_beginning', p)).toBe(3);
    expect(run('byte_jump', '2,0,post_offset -1', p)).toBe(4);
    expect(run('byte_jump', '2,0,multiplier 10', p)).toBe(-1); // past the end
  });

  it('relative isdataat', () => {
    const p = bytes(1, 2, 3, 4);
    expect(run('isdataat', '1,relative', p, 2)).toBe(2);
    expect(run('isdataat', '2,relative', p, 2)).toBe(-1);
    expect(run('isdataat', '!2,relative', p, 2)).toBe(2);
  });
});
