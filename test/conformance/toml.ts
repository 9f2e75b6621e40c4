/**
 * A small TOML reader for the subset the rust-regex test files use: `[[table]]` arrays
 * of tables, `key = value` with bare or quoted keys, basic and literal strings (also
 * their triple-quoted multi-line forms), integers, booleans, arrays (nested, multi-line,
 * trailing comma) and inline tables, and `#` comments. Anything else is a TomlError with
 * the line number, so a test file we cannot read fails loudly instead of being misread.
 */

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  constructor(reason: string, line: number) {
    super(`TOML: ${reason} at line ${line}`);
  }
}

export function parseToml(text: string): TomlTable {
  let i = 0;
  const root: TomlTable = {};
  let current: TomlTable = root;

  const line = (): number => {
    let n = 1;
    for (let k = 0; k < i && k < text.length; k++) if (text[k] === '\n') n++;
    return n;
  };
  const fail = (reason: string): never => {
    throw new TomlError(reason, line());
  };

  /** Skips spaces, tabs, comments and (when `newlines`) line breaks. */
  const skip = (newlines: boolean): void => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '\n' && newlines) i++;
      else if (c === '#') {
        while (i < text.length && text[i] !== '\n') i++;
      } else return;
    }
  };

  const parseBasicEscape = (): string => {
    const c = text[i++];
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'e':
        return '\x1b';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const len = c === 'u' ? 4 : 8;
        const hex = text.slice(i, i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail(`bad \\${c} escape`);
        i += len;
        return String.fromCodePoint(parseInt(hex, 16));
      }
      case 'x': {
        const hex = text.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('bad \\x escape');
        i += 2;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        return fail(`unknown escape \\${c}`);
    }
  };

  const parseString = (): string => {
    if (text.startsWith("'''", i)) {
      i += 3;
      if (text[i] === '\n') i++;
      const end = text.indexOf("'''", i);
      if (end < 0) fail('unterminated literal string');
      const s = text.slice(i, end);
      i = end + 3;
      return s;
    }
    if (text.startsWith('"""', i)) {
      i += 3;
      if (text[i] === '\n') i++;
      let s = '';
      while (!text.startsWith('"""', i)) {
        if (i >= text.length) fail('unterminated string');
        const c = text[i++];
        if (c === '\\') {
          if (text[i] === '\n' || text[i] === ' ' || text[i] === '\r') {
            while (/[ \t\r\n]/.test(text[i] ?? '')) i++;
          } else s += parseBasicEscape();
        } else s += c;
      }
      i += 3;
      return s;
    }
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      const nl = text.indexOf('\n', i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) fail('unterminated literal string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (text[i] === '"') {
      i++;
      let s = '';
      while (text[i] !== '"') {
        if (i >= text.length || text[i] === '\n') fail('unterminated string');
        const c = text[i++];
        s += c === '\\' ? parseBasicEscape() : c;
      }
      i++;
      return s;
    }
    return fail('expected a string');
  };

  const parseKey = (): string => {
    if (text[i] === '"' || text[i] === "'") return parseString();
    const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 200));
    if (!m) fail('expected a key');
    i += m![0].length;
    return m![0];
  };

  const parseValue = (): TomlValue => {
    const c = text[i];
    if (c === '"' || c === "'") return parseString();
    if (c === '[') {
      i++;
      const arr: TomlValue[] = [];
      for (;;) {
        skip(true);
        if (text[i] === ']') {
          i++;
          return arr;
        }
        arr.push(parseValue());
        skip(true);
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('expected , or ] in array');
      }
    }
    if (c === '{') {
      i++;
      const t: TomlTable = {};
      skip(false);
      if (text[i] === '}') {
        i++;
        return t;
      }
      for (;;) {
        skip(false);
        const k = parseKey();
        skip(false);
        if (text[i++] !== '=') fail('expected = in inline table');
        skip(false);
        t[k] = parseValue();
        skip(false);
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return t;
        } else fail('expected , or } in inline table');
      }
    }
    const m = /^(true|false|[+-]?[0-9][0-9_]*)/.exec(text.slice(i, i + 40));
    if (!m) return fail('expected a value');
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    return Number(m[0].replace(/_/g, ''));
  };

  for (;;) {
    skip(true);
    if (i >= text.length) return root;
    if (text.startsWith('[[', i)) {
      i += 2;
      skip(false);
      const name = parseKey();
      skip(false);
      if (!text.startsWith(']]', i)) fail('expected ]]');
      i += 2;
      const list = (root[name] ??= []);
      if (!Array.isArray(list)) fail(`${name} is not an array of tables`);
      current = {};
      (list as TomlValue[]).push(current);
    } else if (text[i] === '[') {
      i++;
      skip(false);
      const name = parseKey();
      skip(false);
      if (text[i++] !== ']') fail('expected ]');
      current = {};
      root[name] = current;
    } else {
      const key = parseKey();
      skip(false);
      if (text[i++] !== '=') fail('expected =');
      skip(false);
      if (key in current) fail(`duplicate key ${key}`);
      current[key] = parseValue();
    }
    skip(false);
    if (i < text.length && text[i] !== '\n') fail('expected end of line');
  }
}
