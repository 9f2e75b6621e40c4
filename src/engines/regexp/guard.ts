/**
 * The `regexp` engine's guard against catastrophic backtracking: the matching loop (one
 * source text shared by the worker and the calling thread) and the worker runner.
 *
 * Catastrophic backtracking. V8 has no regex timeout, so by default (`guard: 'worker'`)
 * the regexes run in a worker thread; the calling thread waits synchronously (Atomics.wait
 * plus receiveMessageOnPort keep `scan` synchronous, as the Matcher interface requires)
 * and watches a progress counter. A signature that spends more than `timeBudgetMs` on
 * one scan is reported through `failures()`/`stats().timedOut` and `onFailure`, disabled
 * for the rest of the matcher's life (so one pattern cannot stall a whole comparison), the
 * worker is terminated and replaced, and the scan resumes with the other signatures.
 * The budget is wall-clock time from the moment the worker starts that signature (worker
 * start-up is not counted), so on a heavily loaded machine a merely slow pattern can be
 * disabled too; the report lists it either way.
 * Each guarded scan call copies the window string to the worker and costs a thread round
 * trip (about 0.1 ms). `guard: 'none'` runs in the calling thread: faster, unprotected.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** One unit of work: ends e in [from, to] (string indices) of pattern p, variant v. */
export interface Job {
  p: number;
  v: number;
  from: number;
  to: number;
  first: boolean;
}

/**
 * The matching loop, as JavaScript source so that the in-thread path and the worker run
 * the very same code. `regs` caches compiled regexes by p * 5 + v. With `first`, the
 * loop stops at the first match: for the plain variant that is V8's ordinary search.
 */
const CORE_SOURCE = `
function runJob(regs, sources, str, job) {
  const key = job.p * 5 + job.v;
  const ends = [];
  try {
    let re = regs[key];
    if (re === undefined) { re = new RegExp(sources[job.p][job.v], 'g'); regs[key] = re; }
    re.lastIndex = job.from;
    for (;;) {
      const m = re.exec(str);
      if (m === null) break;
      const e = m.index;
      if (e > job.to) break;
      ends.push(e);
      if (job.first || e >= str.length) break;
      re.lastIndex = e + 1;
    }
  } catch (e) {
    // e.g. "Maximum call stack size exceeded" or "Regular expression too large".
    return String(e && e.message || e);
  }
  return ends;
}
`;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
${CORE_SOURCE}
const { port, signal, sources } = workerData;
const regs = [];
port.on('message', (req) => {
  const results = [];
  for (let j = 0; j < req.jobs.length; j++) {
    Atomics.store(signal, 1, j);
    Atomics.add(signal, 2, 1);
    results.push(runJob(regs, sources, req.str, req.jobs[j]));
  }
  // The reply is queued on the port before the request's number is published, so a
  // caller that sees signal[0] === seq always finds the reply.
  port.postMessage({ seq: req.seq, results });
  Atomics.store(signal, 0, req.seq);
  Atomics.notify(signal, 0);
});
`;

/** Runs one job against `str`: the ends found, or V8's error message. */
export type RunJob = (regs: (RegExp | undefined)[], sources: string[][], str: string, job: Job) => number[] | string;
/** The matching loop in the calling thread (`guard: 'none'`). */
export const runJobInThread = new Function(`${CORE_SOURCE}; return runJob;`)() as RunJob;

const WORKER_START_LIMIT_MS = 30_000;

/**
 * The guarded runner: one worker, replaced after a timeout. `run` throws Error when the
 * worker does not start within 30 s.
 *
 * Completion protocol. Every request carries a sequence number `seq` (never 0); the
 * worker queues its reply `{ seq, results }` on the port, then stores `seq` in signal[0]
 * and notifies. The caller waits until signal[0] === seq, re-checking after every
 * wake-up, and takes the reply with that number from the port. A wake-up is never taken
 * as completion by itself: the worker's `notify` for request k can arrive after the
 * caller saw signal[0] change (its wait slice timed out between the worker's store and
 * its notify, e.g. the worker thread was preempted there) and has already posted request
 * k + 1; taken as completion, that stray wake-up would end the wait before the reply of
 * k + 1 exists.
 */
export class WorkerRunner {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  // [0] seq of the last finished request, [1] index of the job running, [2] progress counter.
  private signal = new Int32Array(new SharedArrayBuffer(12));
  private seq = 0;

  constructor(private readonly sources: string[][]) {}

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    this.signal = new Int32Array(new SharedArrayBuffer(12));
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, signal: this.signal, sources: this.sources },
      transferList: [port2],
    });
    this.worker.unref();
    port1.unref();
    this.port = port1;
  }

  /**
   * Run the jobs; returns one result per job, or `{ timedOut: j, ms }` for the first job
   * that overran the budget (the worker is then discarded).
   */
  run(str: string, jobs: Job[], budgetMs: number): (number[] | string)[] | { timedOut: number; ms: number } {
    if (!this.worker) this.start();
    const signal = this.signal;
    const seq = (this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1);
    const posted = performance.now();
    this.port!.postMessage({ seq, str, jobs });
    const slice = Math.max(1, Math.min(20, budgetMs / 4));
    // The clock of a job starts when the worker reports starting it (progress counter),
    // so a slow worker start-up (a loaded machine) is never blamed on a signature.
    let progress = Atomics.load(signal, 2);
    let since = -1;
    for (;;) {
      const seen = Atomics.load(signal, 0);
      if (seen === seq) break;
      // Whatever ends the wait (a notify, possibly a stray one, or the slice), the loop
      // re-reads signal[0]: only seq there means this request is done.
      Atomics.wait(signal, 0, seen, slice);
      if (Atomics.load(signal, 0) === seq) break;
      const now = performance.now();
      const p = Atomics.load(signal, 2);
      if (p !== progress) {
        progress = p;
        since = now;
      } else if (since < 0) {
        if (now - posted > WORKER_START_LIMIT_MS) {
          this.close();
          throw new Error(`regexp worker did not start within ${WORKER_START_LIMIT_MS} ms`);
        }
      } else if (now - since >= budgetMs) {
        const j = Atomics.load(signal, 1);
        void this.worker!.terminate();
        this.worker = null;
        this.port!.close();
        this.port = null;
        return { timedOut: j, ms: now - since };
      }
    }
    for (;;) {
      const msg = receiveMessageOnPort(this.port!);
      // Cannot happen (the reply is queued before seq is published); kept as a loud check.
      if (!msg) throw new Error(`regexp worker signalled completion of request ${seq} without a result`);
      const reply = msg.message as { seq: number; results: (number[] | string)[] };
      // An older reply belongs to a request abandoned by an exception: drop it.
      if (reply.seq === seq) return reply.results;
    }
  }

  /** The shared signal words (tests use it to inject stray wake-ups); null before start. */
  get signalBuffer(): Int32Array | null {
    return this.worker ? this.signal : null;
  }

  close(): void {
    if (this.worker) void this.worker.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
  }
}
