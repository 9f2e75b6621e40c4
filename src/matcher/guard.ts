/**
 * The one guard of every engine's entry points (`scan`, `finish`, `reset`), so that no
 * misuse leaves a scratch in a mid-scan state and a callback can stop a scan
 * (`types.ts`, "Stopping, errors and misuse"):
 *
 * - arguments are checked first: bytes that are not a Uint8Array, a callback that is not a
 *   function, a scratch of another matcher → ScanArgumentError, nothing scanned;
 * - a callback that returns `true` makes the reporter (`report.ts`) throw the private
 *   `STOP` sentinel out of the engine's loop: nothing is checked per byte, only once per
 *   report. The entry catches it, resets the scratch and marks it halted: `scan` returns
 *   `true` at once until `finish`/`reset`;
 * - a callback that throws makes the reporter throw a CallbackError (the original as
 *   `cause`); the entry resets the scratch and rethrows it. Any other error escaping an
 *   engine (a budget exceeded mid-scan) also resets the scratch before it propagates.
 *
 * Engines extend `GuardedMatcher` and implement its three hooks; a composite matcher (the
 * prefilter, grouped obdd) marks the scratches it creates for its parts with `partScratch`:
 * scans of a part run unguarded, so a stop or an error unwinds to the composite's own
 * entry, which resets the whole stream.
 */
import { ScanArgumentError } from '../errors.js';
import type { MatchCallback, Scratch } from './types.js';

/** Thrown by the reporter when a callback returns true; caught by the guard, never escapes. */
export const STOP: { readonly stop: true } = Object.freeze({ stop: true });

/** Scratches stopped by their callback: `scan` reports nothing until `finish`/`reset`. */
const halted = new WeakSet<Scratch>();
/** Scratches of a composite matcher's parts: their entries run unguarded (see above). */
const parts = new WeakSet<Scratch>();

/** Marks `scratch` as a part of a composite matcher's scratch (see the module comment). */
export function partScratch<S extends Scratch>(scratch: S): S {
  parts.add(scratch);
  return scratch;
}

/** "a string", "an ArrayBuffer", "null", "a Uint16Array"... */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' && typeof value !== 'function') return `a ${typeof value}`;
  const name = Array.isArray(value) ? 'Array' : (Object.getPrototypeOf(value)?.constructor?.name ?? 'object');
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** The hint that turns `value` into bytes, when there is an obvious one. */
function bytesHint(value: unknown): string {
  if (typeof value === 'string') return ': encode it first, e.g. new TextEncoder().encode(s)';
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
    return ': wrap it, new Uint8Array(buffer)';
  }
  if (ArrayBuffer.isView(value)) return ': view its bytes, new Uint8Array(v.buffer, v.byteOffset, v.byteLength)';
  if (Array.isArray(value)) return ': convert it, Uint8Array.from(array)';
  return '';
}

/** Throws ScanArgumentError unless `bytes` is a Uint8Array (a Node Buffer is one). `what`: "scan()". */
export function checkBytes(bytes: unknown, what: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new ScanArgumentError('bytes', `${what} expects a Uint8Array, got ${kindOf(bytes)}${bytesHint(bytes)}`);
  }
}

/** Throws ScanArgumentError unless `onMatch` is a function. */
export function checkCallback(onMatch: unknown, what: string): asserts onMatch is MatchCallback {
  if (typeof onMatch !== 'function') {
    throw new ScanArgumentError('onMatch', `${what} expects a match callback (signature, end) => void | boolean, got ${kindOf(onMatch)}`);
  }
}

/**
 * Base class of every engine's matcher: the public entry points with the guard, around the
 * engine's own unguarded hooks. Each scratch an engine creates holds `owner` = its matcher.
 */
export abstract class GuardedMatcher<S extends Scratch> {
  /** Scans the next chunk of `sc`'s stream (arguments already checked). */
  protected abstract scanChunk(sc: S, bytes: Uint8Array, onMatch: MatchCallback): void;
  /** End of input: reports end-anchored matches, then back to the start state. */
  protected abstract finishInput(sc: S, onMatch: MatchCallback): void;
  /** Back to the start state, reporting nothing. */
  protected abstract restart(sc: S): void;

  /**
   * Scans the next chunk of the stream held by `scratch`. Returns true when the callback
   * stopped the scan (now or in an earlier call of this input): the stream is terminated
   * until `finish`/`reset`. Throws ScanArgumentError (nothing scanned) or, when the callback
   * throws, CallbackError (the scratch reset).
   */
  scan(scratch: Scratch, bytes: Uint8Array, onMatch: MatchCallback): boolean {
    const sc = this.own(scratch);
    checkBytes(bytes, 'scan()');
    checkCallback(onMatch, 'scan()');
    if (parts.has(sc)) {
      this.scanChunk(sc, bytes, onMatch);
      return false;
    }
    if (halted.has(sc)) return true;
    try {
      this.scanChunk(sc, bytes, onMatch);
      return false;
    } catch (e) {
      return this.abandon(sc, e, true);
    }
  }

  /**
   * End of input: reports end-anchored matches and returns the scratch to the start state,
   * whatever happens. Returns true when the callback stopped this input (during this call,
   * or in a `scan` before it: then nothing is reported).
   */
  finish(scratch: Scratch, onMatch: MatchCallback): boolean {
    const sc = this.own(scratch);
    checkCallback(onMatch, 'finish()');
    if (parts.has(sc)) {
      this.finishInput(sc, onMatch);
      return false;
    }
    if (halted.delete(sc)) return true;
    try {
      this.finishInput(sc, onMatch);
      return false;
    } catch (e) {
      return this.abandon(sc, e, false);
    }
  }

  /** Back to the start state without reporting anything (also ends a stopped stream). */
  reset(scratch: Scratch): void {
    const sc = this.own(scratch);
    halted.delete(sc);
    this.restart(sc);
  }

  /** `scratch` as this matcher's own; ScanArgumentError when another matcher created it. */
  protected own(scratch: Scratch): S {
    if ((scratch as { owner?: unknown } | null | undefined)?.owner !== this) {
      const engine = (this as unknown as { engine: string }).engine;
      const got = scratch !== null && typeof scratch === 'object' && typeof scratch.engine === 'string' ? `a scratch of another matcher (engine ${scratch.engine})` : kindOf(scratch);
      throw new ScanArgumentError('scratch', `${engine}: scratch was not created by this matcher (got ${got}; use this matcher's createScratch())`);
    }
    return scratch as S;
  }

  /** After an exception out of the engine: back to the start state; a stop becomes `true`. */
  private abandon(sc: S, e: unknown, halt: boolean): boolean {
    this.restart(sc);
    if (e !== STOP) throw e;
    if (halt) halted.add(sc);
    return true;
  }
}
