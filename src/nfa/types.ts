/**
 * The shared automaton every engine is built from: an epsilon-free position (Glushkov)
 * automaton over byte equivalence classes, for a whole signature set at once.
 *
 * Conventions (all engines rely on them; the NFA builder guarantees them):
 * - States are integers 0..stateCount-1. The label sits on the *target* state: reading a
 *   byte of class c from state p may enter q iff q is in follow(p) and c is in label(q).
 *   So the transition relation factors as T(p, c, q) = Follow(p, q) ∧ Label(q, c).
 * - Unanchored search needs no special case: the builder adds a start state whose label
 *   is every class and which follows itself (an implicit `.*` prefix, kept alive forever).
 *   Signatures anchored at offset 0 hang off a start state that nothing re-enters.
 * - `start` is the frontier before the first byte of a stream. Acceptance is a property
 *   of the frontier: it is checked on `start` at offset 0 (signatures that match the empty
 *   string) and on the new frontier after every byte.
 * - Acceptance is per (state, signature). An entry with delta 1 means the match really
 *   ended one byte earlier: the byte just read was only a one-byte lookahead (e.g. `\b`
 *   or multiline `$` confirmed by the next byte). Reported end = offset after the byte − delta.
 * - End acceptance is checked once, when the caller declares the end of the input
 *   (end of packet or of stream): `$`, `\Z`, `\z`, a trailing `\b` at end of data. Its
 *   delta is relative to the end of input (delta 1: the match ended before a final `\n`).
 * - Signature ids are the caller's indices into the list given to compile.
 */
export interface Nfa {
  readonly stateCount: number;
  /** Number of byte equivalence classes (1..256). */
  readonly classCount: number;
  /** byte (0..255) → class id. */
  readonly byteClass: Uint8Array;
  /** For each class, one representative byte (handy for tests and debugging). */
  readonly classRep: Uint8Array;
  /** Words per label row: ceil(classCount / 32). */
  readonly classWords: number;
  /** Row-major bitsets, stateCount × classWords: bit c of row q set ⇔ class c may enter q. */
  readonly labels: Uint32Array;
  /** CSR follow relation: successors of p are follow[followStart[p] .. followStart[p+1]). */
  readonly followStart: Uint32Array;
  readonly follow: Uint32Array;
  /** Initial frontier (sorted, distinct states). */
  readonly start: Uint32Array;
  /** CSR acceptance after reading a byte: entries acceptStart[q] .. acceptStart[q+1]. */
  readonly acceptStart: Uint32Array;
  readonly acceptSig: Uint32Array;
  readonly acceptDelta: Uint8Array;
  /** CSR acceptance at end of input, same layout. */
  readonly endStart: Uint32Array;
  readonly endSig: Uint32Array;
  readonly endDelta: Uint8Array;
  /** Number of signature ids (max id + 1), including rejected ones that never match. */
  readonly signatureCount: number;
  /** Present when built with `entries: 'per-unit'`: each unit's own start states. */
  readonly units?: NfaUnits;
}

/**
 * The units of a 'per-unit' NFA: a unit is one compiled signature together with its
 * identical copies (they share states). Unit u owns the contiguous states
 * [stateRange[2u], stateRange[2u+1]): first its own "before input" entry (in `start`),
 * then its own unanchored loop states (none when anchored), whose labels partition the
 * bytes by the previous-byte category its assertions need. So the unit starts searching at
 * offset 0 by entering its entry state, and at a later offset o by entering the loop state
 * whose label holds the byte at o − 1; removing its range from a frontier stops it.
 */
export interface NfaUnits {
  readonly count: number;
  /** signature → unit; -1 for a signature that never matches (absent or rejected). */
  readonly unitOf: Int32Array;
  /** 2 entries per unit: first state, one past the last state. */
  readonly stateRange: Uint32Array;
  /** CSR: loop states of unit u are loops[loopStart[u] .. loopStart[u+1]). */
  readonly loopStart: Uint32Array;
  readonly loops: Uint32Array;
  /** 1 when the unit matches only at offset 0. */
  readonly anchored: Uint8Array;
  /** CSR: signature ids of unit u are sigs[sigStart[u] .. sigStart[u+1]). */
  readonly sigStart: Uint32Array;
  readonly sigs: Uint32Array;
}
