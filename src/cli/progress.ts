/**
 * The progress display of a long command, on stderr. Three modes:
 * - `tty` (stderr is a terminal): one line redrawn in place (`\r`, erase to the end of the
 *   line), at most every `ttyMs` (5 times a second by default); a phase change is drawn at
 *   once. Other stderr text (warnings, errors) goes through `note`, which clears the line,
 *   writes the text and redraws the line under it.
 * - `lines` (`--progress` when stderr is not a terminal: a log file, a CI job): one
 *   newline-terminated `progress: ...` line per phase change, and the status line at most
 *   every `linesMs` (10 s by default); never a `\r`.
 * - `off`: nothing (notes are still written).
 * The clock is read only when a status is offered, and formatting is deferred (`update`
 * takes a function), so offering a status at every checkpoint costs nothing when throttled.
 */
import { performance } from 'node:perf_hooks';

/** How progress is shown (see the module comment). */
export type ProgressMode = 'off' | 'tty' | 'lines';

/** The mode for the `--progress` / `--no-progress` flags and whether stderr is a terminal. */
export function progressMode(force: boolean, disable: boolean, isTTY: boolean): ProgressMode {
  if (disable) return 'off';
  if (isTTY) return 'tty';
  return force ? 'lines' : 'off';
}

/** A progress line on a stream (stderr by default). */
export class Progress {
  private line = '';
  private phaseName = '';
  private last = -Infinity;

  constructor(
    readonly mode: ProgressMode,
    private readonly stream: NodeJS.WritableStream = process.stderr,
    private readonly ttyMs = 200,
    private readonly linesMs = 10_000,
  ) {}

  /**
   * A phase (`name` tells phases apart): a new one is shown at once (in `lines` mode as its
   * own line); the same one again is a throttled `update`.
   */
  phase(name: string, text: string): void {
    if (this.mode === 'off') return;
    if (name === this.phaseName) {
      this.update(() => text);
      return;
    }
    this.phaseName = name;
    if (this.mode === 'lines') {
      this.stream.write(`progress: ${text}\n`);
      this.last = performance.now();
    } else this.draw(text);
  }

  /** A status of the current phase: shown if the last one is old enough (`ttyMs` / `linesMs`). */
  update(text: () => string): void {
    if (this.mode === 'off') return;
    const now = performance.now();
    if (now - this.last < (this.mode === 'tty' ? this.ttyMs : this.linesMs)) return;
    this.last = now;
    if (this.mode === 'lines') this.stream.write(`progress: ${text()}\n`);
    else this.draw(text());
  }

  /** Text for stderr (ends with a newline) that must not be mixed into the progress line. */
  note(text: string): void {
    if (this.mode === 'tty' && this.line !== '') this.stream.write(`\r\x1b[K${text}${this.line}`);
    else this.stream.write(text);
  }

  /** Clears the line (`tty`), before a summary; `lines` mode writes `final` if given. */
  end(final?: string): void {
    if (this.mode === 'tty' && this.line !== '') this.stream.write('\r\x1b[K');
    else if (this.mode === 'lines' && final !== undefined) this.stream.write(`progress: ${final}\n`);
    this.line = '';
  }

  private draw(text: string): void {
    const width = (this.stream as { columns?: number }).columns ?? 0;
    // A line longer than the terminal would wrap and leave its start behind at each redraw.
    this.line = width > 1 && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    this.last = performance.now();
    this.stream.write(`\r\x1b[K${this.line}`);
  }
}

/** Bytes for people: B, KiB, MiB, GiB with one decimal. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Seconds for people: `0.4 s`, `12 s`, `3 min 05 s`. */
export function humanSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s - m * 60)).padStart(2, '0')} s`;
}
