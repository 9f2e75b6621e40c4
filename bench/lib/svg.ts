/**
 * A hand-written SVG scatter plot on log–log axes, for the time–space trade-off picture
 * (scan throughput against memory, one mark per engine and signature set). No dependency:
 * decade ticks with labels, minor ticks, grid, labelled points, a legend for colours
 * (engines) and shapes (sets). Pure function of its input, so it is unit-tested as text.
 *
 * Points with a non-positive or non-finite coordinate cannot sit on a log axis: they are
 * left out and listed in a note under the plot, never drawn at a made-up place.
 */

export interface PlotPoint {
  /** Colour key (engine). */
  series: string;
  /** Shape key (signature set). */
  group: string;
  x: number;
  y: number;
  /** Text next to the mark; default the series name. */
  label?: string;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Formats an axis value at a decade tick. @default 10^k as text */
  xTick?: (v: number) => string;
  yTick?: (v: number) => string;
  width?: number;
  height?: number;
  /** A line of small text under the plot (method, date...). */
  note?: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'down'] as const;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function defaultTick(v: number): string {
  const k = Math.round(Math.log10(v));
  return k >= 0 && k <= 5 ? String(10 ** k) : k < 0 && k >= -4 ? (10 ** k).toFixed(-k) : `1e${k}`;
}

function mark(shape: (typeof SHAPES)[number], x: number, y: number, r: number, color: string): string {
  const f = `fill="${color}" fill-opacity="0.85" stroke="#222" stroke-width="0.8"`;
  const p = (pts: [number, number][]): string => `<polygon points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}" ${f}/>`;
  switch (shape) {
    case 'circle':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" ${f}/>`;
    case 'square':
      return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" ${f}/>`;
    case 'triangle':
      return p([[x, y - r * 1.2], [x + r * 1.1, y + r * 0.8], [x - r * 1.1, y + r * 0.8]]);
    case 'diamond':
      return p([[x, y - r * 1.3], [x + r * 1.1, y], [x, y + r * 1.3], [x - r * 1.1, y]]);
    default:
      return p([[x, y + r * 1.2], [x + r * 1.1, y - r * 0.8], [x - r * 1.1, y - r * 0.8]]);
  }
}

export function logLogScatterSvg(points: readonly PlotPoint[], o: PlotOptions): string {
  const W = o.width ?? 900;
  const H = o.height ?? 620;
  const m = { left: 80, right: 210, top: 50, bottom: 90 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const good = points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y));
  const dropped = points.filter((p) => !good.includes(p));
  const xs = good.map((p) => Math.log10(p.x));
  const ys = good.map((p) => Math.log10(p.y));
  const lo = (v: number[]): number => (v.length ? Math.floor(Math.min(...v)) : 0);
  const hi = (v: number[], l: number): number => Math.max(l + 1, v.length ? Math.ceil(Math.max(...v)) : 1);
  const x0 = lo(xs);
  const x1 = hi(xs, x0);
  const y0 = lo(ys);
  const y1 = hi(ys, y0);
  const X = (v: number): number => m.left + ((Math.log10(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number): number => m.top + ph - ((Math.log10(v) - y0) / (y1 - y0)) * ph;
  const xTick = o.xTick ?? defaultTick;
  const yTick = o.yTick ?? defaultTick;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(o.title)}</text>`);
  // Grid and ticks: decades (labelled) and 2..9 minor ticks.
  for (let k = x0; k <= x1; k++) {
    const x = X(10 ** k);
    out.push(`<line x1="${x.toFixed(1)}" y1="${m.top}" x2="${x.toFixed(1)}" y2="${m.top + ph}" stroke="#ccc"/>`);
    out.push(`<line x1="${x.toFixed(1)}" y1="${m.top + ph}" x2="${x.toFixed(1)}" y2="${m.top + ph + 6}" stroke="#000"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${m.top + ph + 20}" text-anchor="middle">${escapeXml(xTick(10 ** k))}</text>`);
    if (k < x1) {
      for (let j = 2; j <= 9; j++) {
        const xm = X(j * 10 ** k);
        out.push(`<line x1="${xm.toFixed(1)}" y1="${m.top}" x2="${xm.toFixed(1)}" y2="${m.top + ph}" stroke="#eee"/>`);
        out.push(`<line x1="${xm.toFixed(1)}" y1="${m.top + ph}" x2="${xm.toFixed(1)}" y2="${m.top + ph + 3}" stroke="#000"/>`);
      }
    }
  }
  for (let k = y0; k <= y1; k++) {
    const y = Y(10 ** k);
    out.push(`<line x1="${m.left}" y1="${y.toFixed(1)}" x2="${m.left + pw}" y2="${y.toFixed(1)}" stroke="#ccc"/>`);
    out.push(`<line x1="${m.left - 6}" y1="${y.toFixed(1)}" x2="${m.left}" y2="${y.toFixed(1)}" stroke="#000"/>`);
    out.push(`<text x="${m.left - 9}" y="${(y + 4).toFixed(1)}" text-anchor="end">${escapeXml(yTick(10 ** k))}</text>`);
    if (k < y1) {
      for (let j = 2; j <= 9; j++) {
        const ym = Y(j * 10 ** k);
        out.push(`<line x1="${m.left}" y1="${ym.toFixed(1)}" x2="${m.left + pw}" y2="${ym.toFixed(1)}" stroke="#eee"/>`);
        out.push(`<line x1="${m.left - 3}" y1="${ym.toFixed(1)}" x2="${m.left}" y2="${ym.toFixed(1)}" stroke="#000"/>`);
      }
    }
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#000"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 42}" text-anchor="middle" font-size="13">${escapeXml(o.xLabel)}</text>`);
  out.push(
    `<text transform="translate(${m.left - 58},${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(o.yLabel)}</text>`,
  );

  const series = [...new Set(points.map((p) => p.series))];
  const groups = [...new Set(points.map((p) => p.group))];
  const color = (s: string): string => COLORS[series.indexOf(s) % COLORS.length]!;
  const shape = (g: string): (typeof SHAPES)[number] => SHAPES[groups.indexOf(g) % SHAPES.length]!;
  for (const p of good) {
    const x = X(p.x);
    const y = Y(p.y);
    out.push(`<g><title>${escapeXml(`${p.series} / ${p.group}: x=${p.x}, y=${p.y}`)}</title>${mark(shape(p.group), x, y, 5, color(p.series))}</g>`);
  }
  // Labels: the first of a few spots around the mark that overlaps no label placed so far
  // and no mark (text width estimated at 5.6 px per character at font-size 10).
  type Box = { x0: number; x1: number; y0: number; y1: number };
  const taken: Box[] = good.map((p) => ({ x0: X(p.x) - 6, x1: X(p.x) + 6, y0: Y(p.y) - 6, y1: Y(p.y) + 6 }));
  const hit = (a: Box): boolean => taken.some((b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1);
  const spots: [number, number, 'start' | 'end'][] = [
    [8, -6, 'start'], [8, 14, 'start'], [-8, -6, 'end'], [-8, 14, 'end'], [8, -18, 'start'], [8, 26, 'start'], [-8, -18, 'end'], [-8, 26, 'end'],
  ];
  for (const p of good) {
    const x = X(p.x);
    const y = Y(p.y);
    const text = p.label ?? p.series;
    const w = text.length * 5.6;
    let chosen = spots[0]!;
    for (const sp of spots) {
      const bx = sp[2] === 'start' ? x + sp[0] : x + sp[0] - w;
      const box = { x0: bx, x1: bx + w, y0: y + sp[1] - 9, y1: y + sp[1] + 2 };
      if (!hit(box) && box.x0 >= m.left && box.x1 <= m.left + pw && box.y0 >= m.top && box.y1 <= m.top + ph) {
        chosen = sp;
        break;
      }
    }
    const bx = chosen[2] === 'start' ? x + chosen[0] : x + chosen[0] - w;
    taken.push({ x0: bx, x1: bx + w, y0: y + chosen[1] - 9, y1: y + chosen[1] + 2 });
    out.push(
      `<text x="${(x + chosen[0]).toFixed(1)}" y="${(y + chosen[1]).toFixed(1)}" font-size="10" fill="#333" text-anchor="${chosen[2]}">${escapeXml(text)}</text>`,
    );
  }

  // Legend: engines (colour), then sets (shape).
  let ly = m.top + 4;
  const lx = m.left + pw + 18;
  out.push(`<text x="${lx}" y="${ly + 8}" font-weight="bold">engine (colour)</text>`);
  ly += 22;
  for (const s of series) {
    out.push(mark('circle', lx + 6, ly, 5, color(s)));
    out.push(`<text x="${lx + 18}" y="${ly + 4}">${escapeXml(s)}</text>`);
    ly += 18;
  }
  ly += 12;
  out.push(`<text x="${lx}" y="${ly + 8}" font-weight="bold">set (shape)</text>`);
  ly += 22;
  for (const g of groups) {
    out.push(mark(shape(g), lx + 6, ly, 5, '#bbb'));
    out.push(`<text x="${lx + 18}" y="${ly + 4}">${escapeXml(g)}</text>`);
    ly += 18;
  }
  const notes: string[] = [];
  if (o.note) notes.push(o.note);
  if (dropped.length) notes.push(`not drawn (no positive value): ${dropped.map((p) => `${p.series}/${p.group}`).join(', ')}`);
  notes.forEach((t, i) => out.push(`<text x="${m.left}" y="${H - 8 - (notes.length - 1 - i) * 14}" font-size="10" fill="#555">${escapeXml(t)}</text>`));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
