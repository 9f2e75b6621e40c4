/**
 * Shape checks over the sources, for the architecture test: the folder-level import graph
 * of `src/` (which must have no cycle) and the functions longer than a line budget.
 *
 * Both read the text, not an AST (the project's TypeScript 7 compiler has no JS API): the
 * sources are formatted consistently, so a function is a line that opens a declaration
 * (`function f(`, a method `name(` / `constructor(` inside a class, `const f = (…) => {`)
 * up to the first later line that closes a brace at the same indentation. Good enough to
 * flag long functions; it never misses one that starts at a declaration line.
 *
 * `npx tsx test/support/source-metrics.ts [LIMIT]` prints the functions over LIMIT lines
 * (default 80) and the folder import edges.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const SRC = resolve(import.meta.dirname, '../../src');

/** Every .ts file under `dir`, recursively, as absolute paths (sorted). */
export function sourceFiles(dir: string = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The top-level folder of `src/` a file belongs to (an engine's own folder under engines/); a file directly in src/ is its own node. */
export function folderOf(file: string, root: string = SRC): string {
  const rel = relative(root, file).split('/');
  if (rel[0] === 'engines' && rel.length > 2) return `engines/${rel[1]}`; // one node per engine
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.ts$/, '');
}

/** Folder → folders it imports from (relative imports only, type imports included). */
export function folderImports(root: string = SRC): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(root)) {
    const from = folderOf(file, root);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
      const to = folderOf(target, root);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** One cycle of the graph as a list of folders (first = last), or null when it has none. */
export function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

export interface FunctionSpan {
  file: string;
  name: string;
  /** 1-based line of the declaration. */
  line: number;
  lines: number;
  /** The function is preceded by a `// long-function: why` comment. */
  justified: boolean;
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'else', 'do', 'try', 'with', 'new', 'typeof', 'await', 'yield', 'throw', 'super', 'this']);
const FUNCTION_DECL = /^(\s*)(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?\s+([\w$]+)/;
const ARROW_DECL = /^(\s*)(?:export\s+)?(?:const|let)\s+([\w$]+)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\([^)]*\)|[\w$]+|\()?.*(?:=>\s*\{|\($)/;
const METHOD_DECL = /^(\s+)(?:(?:public|private|protected|static|readonly|async|override|get|set)\s+)*(#?[\w$]+|constructor)\s*(?:<[^>]*>)?\(/;

/** Every function-like span of one file (declarations, methods, block-bodied arrows). */
export function functionSpans(file: string): FunctionSpan[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const spans: FunctionSpan[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m = FUNCTION_DECL.exec(l);
    if (!m) {
      const a = ARROW_DECL.exec(l);
      if (a && /=>\s*\{\s*$|\(\s*$/.test(l)) m = a; // a block body, or a header continued below
    }
    if (!m) {
      const mm = METHOD_DECL.exec(l);
      if (mm && !KEYWORDS.has(mm[2]) && !/^\s*(?:return|await|const|let|var)\b/.test(l) && !/[;,]\s*$/.test(l)) m = mm;
    }
    if (!m) continue;
    const indent = m[1];
    // the body must open on this line or on a later line of the header (multi-line params)
    let j = i;
    while (j < lines.length && !/\{\s*$/.test(lines[j]) && j - i < 30) {
      if (j > i && /^\s*[;,]?\s*$/.test(lines[j])) break;
      if (/;\s*$/.test(lines[j])) break; // an overload signature or a call statement
      j++;
    }
    if (j >= lines.length || !/\{\s*$/.test(lines[j])) continue;
    const close = new RegExp(`^${indent}\\}`);
    let k = j + 1;
    while (k < lines.length && !close.test(lines[k])) k++;
    if (k >= lines.length) continue;
    const before = i > 0 ? lines[i - 1] : '';
    const jsdocEnd = before.trim() === '*/' ? i - 1 : -1;
    let justified = /\/\/\s*long-function:/.test(before);
    if (!justified && jsdocEnd >= 0) {
      for (let b = jsdocEnd; b >= 0 && b > jsdocEnd - 40; b--) {
        if (/long-function:/.test(lines[b])) justified = true;
        if (/^\s*\/\*\*/.test(lines[b])) break;
      }
    }
    spans.push({ file, name: m[2], line: i + 1, lines: k - i + 1, justified });
  }
  return spans;
}

/** Functions of `src/` over `limit` lines. */
export function longFunctions(limit = 80, root: string = SRC): FunctionSpan[] {
  return sourceFiles(root)
    .flatMap((f) => functionSpans(f))
    .filter((s) => s.lines > limit)
    .sort((a, b) => b.lines - a.lines);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const limit = Number(process.argv[2] ?? 80);
  for (const s of longFunctions(limit)) {
    console.log(`${String(s.lines).padStart(5)}  ${relative(process.cwd(), s.file)}:${s.line}  ${s.name}${s.justified ? '  (justified)' : ''}`);
  }
  const g = folderImports();
  console.log('\nfolder imports:');
  for (const [from, tos] of [...g].sort()) console.log(`  ${from} -> ${[...tos].sort().join(', ')}`);
  const cycle = findCycle(g);
  console.log(cycle ? `\ncycle: ${cycle.join(' -> ')}` : '\nno folder cycle');
}

export interface ExportSite {
  file: string;
  name: string;
  line: number;
}

const EXPORT_DECL = /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|class|interface|type|const|let|var|enum)\s+([\w$]+)/;

/** Exported declarations of `src/` without a doc comment (`/** … *\/`) right above them. */
export function undocumentedExports(root: string = SRC): ExportSite[] {
  const out: ExportSite[] = [];
  for (const file of sourceFiles(root)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((l, i) => {
      const m = EXPORT_DECL.exec(l);
      if (!m) return;
      let j = i - 1;
      while (j >= 0 && (lines[j].trim() === '' || /^\s*\/\/|^\s*@/.test(lines[j]))) j--;
      if (j < 0 || !/\*\/\s*$/.test(lines[j])) out.push({ file, name: m[1], line: i + 1 });
    });
  }
  return out;
}
