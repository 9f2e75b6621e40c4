/**
 * A tiny YAML reader for the subset suricata-verify's `test.yaml` files use: block maps
 * and block lists by indentation (`- key: value` items included), plain / single- /
 * double-quoted scalars, integers, floats, booleans, null, flow lists `[a, b]`, literal
 * block scalars (`|`, `>`), and `#` comments. No anchors, tags or multi-document files.
 * Throws an Error naming the line on anything else, so a case we cannot read is reported
 * rather than misread.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  no: number;
}

function stripComment(s: string): string {
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
      else if (c === '\\' && q === '"') i++;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:[,-]/.test(s[i - 1])) q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.slice(0, i);
  }
  return s;
}

function closedQuote(s: string): boolean {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return true;
  }
  return false;
}

export function scalar(raw: string): YamlValue {
  const s = raw.trim();
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true' || s === 'True') return true;
  if (s === 'false' || s === 'False') return false;
  if (/^[-+]?\d+$/.test(s)) return Number(s);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
  if (s.startsWith("'") && s.endsWith("'") && s.length >= 2) return s.slice(1, -1).replace(/''/g, "'");
  if (s.startsWith('[') && s.endsWith(']')) {
    const inner = s.slice(1, -1).trim();
    if (inner === '') return [];
    return splitFlow(inner).map(scalar);
  }
  return s;
}

function splitFlow(s: string): string[] {
  const out: string[] = [];
  let q: string | undefined;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === ',') {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** `key: value` split at the first `: ` (or a trailing `:`) outside quotes. */
function splitKey(text: string): [string, string] | undefined {
  let q: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === q) q = undefined;
    } else if ((c === '"' || c === "'") && i === 0) q = c;
    else if (c === ':' && (i + 1 === text.length || text[i + 1] === ' ')) {
      let key = text.slice(0, i).trim();
      if ((key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'"))) key = key.slice(1, -1);
      return [key, text.slice(i + 1).trim()];
    }
  }
  return undefined;
}

export function parseYaml(text: string): YamlValue {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  const lines: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    if (/^\s*(---|\.\.\.)\s*$/.test(r)) continue;
    if (r.includes('\t') && /^\s*\t/.test(r)) throw new Error(`line ${i + 1}: tab indentation`);
    const t = stripComment(r).replace(/\s+$/, '');
    if (t.trim() === '') continue;
    lines.push({ indent: t.length - t.trimStart().length, text: t.trim(), no: i + 1 });
  }
  let pos = 0;

  function block(indent: number): YamlValue {
    if (pos >= lines.length) return null;
    return lines[pos].text.startsWith('- ') || lines[pos].text === '-' ? list(lines[pos].indent) : map(lines[pos].indent);
  }

  function blockScalar(parentIndent: number, folded: boolean): string {
    const parts: string[] = [];
    while (pos < lines.length && lines[pos].indent > parentIndent) {
      parts.push(raw[lines[pos].no - 1].slice(lines[pos].indent));
      pos++;
    }
    return folded ? `${parts.join(' ')}\n` : `${parts.join('\n')}\n`;
  }

  function value(rest: string, ownIndent: number): YamlValue {
    if (rest === '|' || rest === '|-' || rest === '>' || rest === '>-') return blockScalar(ownIndent, rest.startsWith('>'));
    if (rest !== '') {
      // A plain scalar may continue on more-indented lines (folded with spaces).
      let text = rest;
      // A double-quoted scalar may span lines: a trailing `\` joins without a space.
      while (text.startsWith('"') && !closedQuote(text) && pos < lines.length) {
        const next = lines[pos++].text;
        text = text.endsWith('\\') ? text.slice(0, -1) + next : `${text} ${next}`;
      }
      while (pos < lines.length && lines[pos].indent > ownIndent && !/^["'[]/.test(rest)) text += ` ${lines[pos++].text}`;
      return scalar(text);
    }
    // Nested block: deeper, or a list at the same indentation as the key.
    if (pos < lines.length && (lines[pos].indent > ownIndent || (lines[pos].indent === ownIndent && lines[pos].text.startsWith('- ')))) {
      return block(lines[pos].indent);
    }
    return null;
  }

  function map(indent: number, first?: Line): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    let cur = first;
    for (;;) {
      if (cur === undefined) {
        if (pos >= lines.length || lines[pos].indent !== indent || lines[pos].text.startsWith('- ')) break;
        cur = lines[pos++];
      }
      const kv = splitKey(cur.text);
      if (!kv) throw new Error(`line ${cur.no}: expected 'key: value', got '${cur.text}'`);
      out[kv[0]] = value(kv[1], indent);
      cur = undefined;
    }
    if (pos < lines.length && lines[pos].indent > indent) throw new Error(`line ${lines[pos].no}: unexpected indentation`);
    return out;
  }

  function list(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (pos < lines.length && lines[pos].indent === indent && (lines[pos].text.startsWith('- ') || lines[pos].text === '-')) {
      const line = lines[pos++];
      const rest = line.text === '-' ? '' : line.text.slice(2).trim();
      const inner = indent + (line.text.length - line.text.slice(1).trimStart().length);
      if (rest === '') out.push(pos < lines.length && lines[pos].indent > indent ? block(lines[pos].indent) : null);
      else if (rest.startsWith('- ')) throw new Error(`line ${line.no}: nested inline lists are not supported`);
      else if (splitKey(rest) && !/^["'[]/.test(rest)) out.push(map(inner, { indent: inner, text: rest, no: line.no }));
      else out.push(scalar(rest));
    }
    return out;
  }

  const v = block(0);
  if (pos < lines.length) throw new Error(`line ${lines[pos].no}: unexpected content '${lines[pos].text}'`);
  return v;
}
