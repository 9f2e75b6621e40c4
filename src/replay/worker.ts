/**
 * A parallel replay's worker thread (started by parallel.ts, which documents the protocol):
 * prepares the rules, waits for 'start', replays every capture deciding its share of the
 * packets, and sends its alerts (with their positions and formatted lines), watermarks,
 * progress and counters in batches at the replayer's checkpoints. 'stop' interrupts it at
 * the next checkpoint.
 *
 * Test hook: the environment variable `NFA_OBDD_TEST_WORKER_FAULT=W:F:P` makes worker W
 * (0-based) die with an uncaught error at the first checkpoint at or after packet P
 * (1-based) of capture F (0-based), with a checkpoint after every packet; it exists so
 * tests can prove that a dead worker is reported, and is read only here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NfaObddError, RuleParseError } from '../errors.js';
import { formatFast, formatJson } from './format.js';
import type { MainMessage, RuleMeta, WireAlert, WorkerInit, WorkerMessage } from './parallel.js';
import { MAX_UNACKED_BATCHES, summarizePrepared } from './parallel.js';
import { prepareRules, type PreparedRules } from './prepare.js';
import { Replayer, type Alert, type AlertOrder, type CaptureResult, type ReplayProgress } from './replay.js';

const port = parentPort!;
const init = workerData as WorkerInit;

function send(m: WorkerMessage): void {
  port.postMessage(m);
}

/** The injected fault for this worker, if any (see the module comment). */
function faultOf(): { file: number; packet: number } | undefined {
  const spec = process.env.NFA_OBDD_TEST_WORKER_FAULT;
  const m = spec === undefined ? null : /^(\d+):(\d+):(\d+)$/.exec(spec);
  if (m === null || Number(m[1]) !== init.index) return undefined;
  return { file: Number(m[2]), packet: Number(m[3]) };
}

/** Prepares the rules; a failure is sent as 'fatal' (undefined returned). */
function prepare(): PreparedRules | undefined {
  try {
    return prepareRules({
      ...init.rules,
      onProgress: init.index === 0 ? (p) => send({ t: 'prepare-progress', p }) : undefined,
    });
  } catch (e) {
    const err = e as Error;
    const fatal: Extract<WorkerMessage, { t: 'fatal' }> = { t: 'fatal', name: err.name ?? 'Error', message: err.message ?? String(e) };
    if (e instanceof RuleParseError) Object.assign(fatal, { reason: e.reason, line: e.line, file: e.file, sid: e.sid });
    else if (e instanceof NfaObddError) fatal.name = e.name;
    send(fatal);
    return undefined;
  }
}

/** The capture result as plain data. */
function wire(r: CaptureResult): Extract<WorkerMessage, { t: 'file' }>['result'] {
  return { ...r, error: r.error === undefined ? undefined : { message: r.error.message } };
}

async function main(): Promise<void> {
  const prepared = prepare();
  if (prepared === undefined) return;
  const abort = new AbortController();
  // Flow control: batches sent and not yet acknowledged, and the replay waiting for acks.
  let unacked = 0;
  let resume: (() => void) | undefined;
  const started = new Promise<void>((resolve) => {
    port.on('message', (m: MainMessage) => {
      if (m.t === 'start') resolve();
      else if (m.t === 'ack') {
        unacked--;
        if (resume !== undefined && unacked < MAX_UNACKED_BATCHES) {
          const go = resume;
          resume = undefined;
          go();
        }
      } else if (m.t === 'stop') {
        abort.abort();
        resume?.();
        resolve();
      }
    });
  });
  send({ t: 'prepared', summary: init.index === 0 ? summarizePrepared(prepared) : undefined });
  await started;
  const rules = prepared.detector.rules;
  const ruleIndex = new Map(rules.map((r, i) => [r, i]));
  const replayer = new Replayer(prepared.detector, { ...init.replay, shard: { index: init.index, count: init.count } });
  const fault = faultOf();
  let alerts: WireAlert[] = [];
  let newRules: [number, RuleMeta][] = [];
  const told = new Set<number>();
  let seq = 0;
  const format = init.format === 'json' ? formatJson : init.format === 'fast' ? formatFast : undefined;
  for (const [f, file] of init.files.entries()) {
    if (abort.signal.aborted) break;
    const onAlert = (a: Alert, o: AlertOrder): void => {
      const r = ruleIndex.get(a.rule)!;
      if (!told.has(r)) {
        told.add(r);
        newRules.push([r, { gid: a.rule.gid, sid: a.rule.sid, rev: a.rule.rev, msg: a.rule.msg }]);
      }
      alerts.push({ f, at: o.packet, fl: o.flow, seq: seq++, r, line: format === undefined ? '' : format(a) });
    };
    const batch = (p: ReplayProgress): void => {
      send({
        t: 'batch', alerts, rules: newRules, mark: p.done ? [f + 1, 0] : [f, p.packets], file: f, offset: p.offset,
        stats: replayer.stats,
      });
      alerts = [];
      newRules = [];
    };
    const res = await replayer.replay(file, file, onAlert, {
      signal: abort.signal,
      checkpointMs: fault !== undefined ? 0 : init.checkpointMs,
      onProgress: (p) => {
        batch(p);
        unacked++;
        if (unacked >= MAX_UNACKED_BATCHES && !abort.signal.aborted) {
          // stdout is behind: wait for the main thread instead of piling alerts up there.
          return new Promise<void>((resolve) => {
            resume = resolve;
          });
        }
        if (fault !== undefined && f === fault.file && p.packets >= fault.packet && !p.done) {
          return new Promise<void>(() => {
            setImmediate(() => {
              throw new Error(`injected fault (NFA_OBDD_TEST_WORKER_FAULT) at packet ${p.packets} of ${file}`);
            });
          });
        }
        return undefined;
      },
    });
    send({ t: 'file', index: f, result: wire(res) });
  }
  send({ t: 'done', stats: replayer.stats });
}

void main();
