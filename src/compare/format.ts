/**
 * Renders a comparison: a text report in the spirit of Hyperscan's bench tool (compile
 * figures, then scan figures, then ratios to the baseline, then every disagreement), a
 * markdown table for READMEs, and the JSON object the CLI's `--format json` prints.
 */
import type { CompareResult, EngineReport } from './compare.js';

/** A byte count for tables: B, KiB, MiB or GiB; '-' for null. */
export function formatBytes(b: number | null): string {
  if (b === null) return '-';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 / 1024).toFixed(1)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}

/** A throughput in MB/s for tables, with precision fitting its size; '-' for null. */
export function formatMBps(x: number | null): string {
  if (x === null) return '-';
  if (x >= 100) return x.toFixed(0);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

function ratio(x: number | null): string {
  if (x === null) return '-';
  if (x >= 100) return `${x.toFixed(0)}x`;
  if (x >= 10) return `${x.toFixed(1)}x`;
  return `${x.toFixed(2)}x`;
}

/** Aligned columns; the last one is left unpadded (it may hold a long error message). */
function table(head: string[], rows: string[][], right: boolean[]): string {
  const last = head.length - 1;
  const w = head.map((h, j) => (j === last ? h.length : Math.max(h.length, ...rows.map((r) => r[j]!.length))));
  const line = (r: string[]): string =>
    r.map((c, j) => (right[j] ? c.padStart(w[j]!) : c.padEnd(w[j]!))).join('  ').trimEnd();
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...rows.map(line)].join('\n');
}

function scanned(e: EngineReport, total: number): string {
  return e.inputsScanned < total ? `${e.bytesScanned} (${e.inputsScanned}/${total} inputs)` : String(e.bytesScanned);
}

/** The human report. `title` names the set and corpus. */
export function formatText(r: CompareResult, title = ''): string {
  const out: string[] = [];
  if (title) out.push(title);
  out.push(
    `mode: ${r.mode} (${r.mode === 'set' ? 'per-input match sets: each signature once per input, its earliest end' : 'every (signature, end) pair'})`,
  );
  out.push(
    `signatures: ${r.signatures} (${r.comparedSignatures} accepted by every engine that built)  ` +
      `inputs: ${r.inputs} (${r.inputBytes} bytes)  heap: ${r.heapMethod === 'gc' ? 'after full GC' : 'no --expose-gc, noisy'}`,
  );
  out.push('');
  out.push('Compile');
  out.push(
    table(
      ['engine', 'accepted', 'rejected', 'compile ms', 'size', 'program', 'heap', 'status'],
      r.engines.map((e) => [
        e.engine,
        e.accepted === null ? '-' : String(e.accepted),
        e.rejected === null ? '-' : String(e.rejected),
        e.compileMs.toFixed(0),
        e.size || '-',
        formatBytes(e.programBytes),
        formatBytes(e.heapBytes),
        e.error ? `error: ${e.error}` : 'ok',
      ]),
      [false, true, true, true, false, true, true, false],
    ),
  );
  out.push('');
  out.push('Scan');
  const built = r.engines.filter((e) => e.stats !== null);
  out.push(
    table(
      ['engine', 'bytes scanned', 'runs', 'median ms', 'MB/s', 'pass 1 MB/s', 'matches', 'caches', `speed-up vs ${r.baseline ?? '-'}*`, 'compile', 'program'],
      built.map((e) => [
        e.engine,
        scanned(e, r.inputs),
        String(e.runs),
        e.scanMs.toFixed(0),
        formatMBps(e.scanMBps),
        formatMBps(e.firstPassMBps),
        String(e.matches) + (e.disabled ? ` (${e.disabled} sigs disabled)` : '') + (e.unstable ? ' UNSTABLE' : ''),
        formatBytes(e.cacheBytes),
        ratio(e.ratios.scan),
        ratio(e.ratios.compile),
        ratio(e.ratios.programBytes),
      ]),
      [false, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  out.push(`* on the bytes both engines scanned (median pass time); MB/s: own bytes / median pass time`);
  out.push('');
  const listed = r.disagreements.length;
  out.push(
    `Agreement: ${r.comparedInputs} inputs compared (${r.commonInputs} scanned by every engine, ${r.commonBytes} bytes); ` +
      (r.comparedInputs === 0
        ? 'nothing compared (no input was scanned by two engines)'
        : r.disagreeingInputs === 0
        ? 'all engines agree'
        : `${r.disagreeingInputs} inputs disagree, ${r.disagreementCount} differences` +
          (listed < r.disagreementCount ? ` (${listed} listed)` : '')) +
      (r.excusedInputs ? `; ${r.excusedInputs} inputs differ only on disabled signatures` : ''),
  );
  for (const d of r.disagreements) {
    out.push(
      `  ${d.inputName} end ${d.end}: signature ${d.signature}${d.signatureName ? ` (${d.signatureName})` : ''} ${d.source}  reported by ${d.reportedBy.join(',') || '-'}; missing from ${d.missingFrom.join(',')}`,
    );
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}

/** The JSON form: every figure, engine stats included; disagreements in full as listed. */
export function toJson(r: CompareResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, ...r };
}
