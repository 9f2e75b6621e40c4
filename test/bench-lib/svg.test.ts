/**
 * The log–log scatter plot: coordinates are placed by log10 between decade bounds, decade
 * ticks are labelled, text is XML-escaped, legends list every engine and set, and points
 * that cannot sit on a log axis are named in a note instead of being drawn.
 */
import { describe, expect, it } from 'vitest';
import { escapeXml, logLogScatterSvg } from '../../bench/lib/svg.js';

const circles = (svg: string): { cx: number; cy: number }[] =>
  [...svg.matchAll(/<g><title>[^<]*<\/title><circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]) }));

describe('logLogScatterSvg', () => {
  it('places points on log axes between decade ticks', () => {
    const svg = logLogScatterSvg(
      [
        { series: 'nfa', group: 'ftp', x: 10, y: 1 },
        { series: 'obdd', group: 'ftp', x: 100, y: 10 },
        { series: 'dfa', group: 'ftp', x: 1000, y: 100 },
      ],
      { title: 'T', xLabel: 'memory', yLabel: 'speed', width: 900, height: 620 },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const pts = circles(svg);
    expect(pts).toHaveLength(3);
    // x decades 1..3 span the plot width (80..690): 10 at the left edge, 1000 at the right.
    expect(pts[0]!.cx).toBeCloseTo(80, 0);
    expect(pts[1]!.cx).toBeCloseTo(385, 0);
    expect(pts[2]!.cx).toBeCloseTo(690, 0);
    // y grows upwards: 1 at the bottom (50 + 480), 100 at the top (50).
    expect(pts[0]!.cy).toBeCloseTo(530, 0);
    expect(pts[1]!.cy).toBeCloseTo(290, 0);
    expect(pts[2]!.cy).toBeCloseTo(50, 0);
    for (const t of ['>10<', '>100<', '>1000<', '>1<']) expect(svg).toContain(t);
    for (const t of ['>nfa<', '>obdd<', '>dfa<', '>ftp<', '>memory<', '>speed<']) expect(svg).toContain(t);
  });

  it('uses one shape per group and one colour per series; custom tick labels', () => {
    const svg = logLogScatterSvg(
      [
        { series: 'a', group: 'g1', x: 5, y: 0.5 },
        { series: 'a', group: 'g2', x: 50, y: 5 },
      ],
      { title: 'T', xLabel: 'x', yLabel: 'y', xTick: (v) => `${v} B` },
    );
    expect(svg).toContain('<rect x=');
    expect(svg).toContain('>1 B<');
    expect(svg).toContain('>100 B<');
    expect(svg).toContain('>0.1<');
  });

  it('escapes text and names points it cannot draw', () => {
    const svg = logLogScatterSvg(
      [
        { series: 'a<b>&"c"', group: 'g', x: 10, y: 10 },
        { series: 'zero', group: 'g', x: 0, y: 1 },
        { series: 'nan', group: 'g', x: 3, y: Number.NaN },
      ],
      { title: 'x < y & z', xLabel: 'x', yLabel: 'y', note: 'n' },
    );
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(svg).toContain('x &lt; y &amp; z');
    expect(svg).not.toMatch(/>[^<]*&(?!amp;|lt;|gt;|quot;)[^<]*</);
    expect(svg).toContain('not drawn (no positive value): zero/g, nan/g');
    expect(circles(svg)).toHaveLength(1);
    expect(escapeXml('<&>"')).toBe('&lt;&amp;&gt;&quot;');
  });

  it('labels of nearby points are moved apart', () => {
    const svg = logLogScatterSvg(
      [
        { series: 'a', group: 'g', x: 100, y: 10, label: 'first' },
        { series: 'b', group: 'g', x: 101, y: 10, label: 'second' },
        { series: 'c', group: 'g', x: 10, y: 1 },
        { series: 'd', group: 'g', x: 1000, y: 100 },
      ],
      { title: 'T', xLabel: 'x', yLabel: 'y' },
    );
    const at = (t: string): string => {
      const m = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].find((x) => x[3] === t);
      return m ? `${m[1]},${m[2]}` : '';
    };
    expect(at('first')).not.toBe('');
    expect(at('second')).not.toBe('');
    expect(at('first')).not.toBe(at('second'));
    const y1 = Number(at('first').split(',')[1]);
    const y2 = Number(at('second').split(',')[1]);
    const x1 = Number(at('first').split(',')[0]);
    const x2 = Number(at('second').split(',')[0]);
    // Not on top of each other: apart by at least a text line vertically, or on opposite sides.
    expect(Math.abs(y1 - y2) >= 11 || Math.abs(x1 - x2) >= 16).toBe(true);
  });

  it('an empty plot still renders axes', () => {
    const svg = logLogScatterSvg([], { title: 'empty', xLabel: 'x', yLabel: 'y' });
    expect(svg).toContain('</svg>');
    expect(circles(svg)).toHaveLength(0);
  });
});
