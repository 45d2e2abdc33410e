/**
 * Bounded model work with a deadline.
 * - At most MAX_IN_FLIGHT requests do model work at once; the next one is refused at once with
 *   503 + Retry-After (OverloadedError), so memory never grows without bound.
 * - Work with a cost (estimated encoder tokens) goes through admission control first (./admission.ts):
 *   refused at once, before any work, when it cannot finish before its deadline or the work cap is reached.
 * - Each request's work gets an AbortSignal that fires at REQUEST_TIMEOUT_MS (counted from when the
 *   request arrived) or when the client goes away; at the deadline the answer is 504 even if the
 *   detector ignores the signal, and an answer that is ready only after the deadline (a timer that
 *   fired late) is a 504 too. The queued model work of an aborted request is dropped at once (encoder
 *   batcher, likelihood line); a batch or window already running in its worker thread finishes there and
 *   its result is dropped. So no answer leaves later than the deadline plus the event loop's lag (the
 *   model inference runs in worker threads; bench/RESULTS.md section 9 measures the lateness).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeadlineError, OverloadedError } from '../detectors/types.js';
import { REQUEST_OVERHEAD_TOKENS } from '../encoder/cost.js';
import { Admission, type Outcome } from './admission.js';

/** The client went away before its answer was ready; the work is cancelled, nobody gets an answer. */
export class ClientClosedError extends Error {
  constructor() {
    super('the client closed the connection before the answer was ready');
    this.name = 'ClientClosedError';
  }
}

/** Errors that concern a whole request (not one batch item). */
export function isRequestWideError(err: unknown): boolean {
  const name = (err as Error | null)?.name;
  return (
    name === 'ModelUnavailableError' ||
    name === 'EncoderUnavailableError' ||
    name === 'WorkerRestartingError' ||
    name === 'DeadlineError' ||
    name === 'ClientClosedError' ||
    name === 'AbortError'
  );
}

export class WorkGate {
  private active = 0;
  constructor(
    private readonly maxInFlight: number,
    private readonly timeoutMs: number,
    readonly admission: Admission = new Admission({ enabled: false, maxTokens: Infinity, deadlinePct: 100 }),
  ) {}

  get inFlight(): number {
    return this.active;
  }

  /**
   * onRequest hook of the routes that use the encoder: before the body is read or parsed, refuses a
   * request when MAX_IN_FLIGHT is reached or when the work admitted already leaves no room for the
   * smallest request (its fixed overhead); in a burst most refusals happen here, in microseconds.
   * The exact check, by the request's own cost, comes in run().
   */
  readonly atTheDoor = async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    this.checkInFlight();
    this.admission.check(REQUEST_OVERHEAD_TOKENS, this.timeoutMs - reply.elapsedTime);
  };

  private checkInFlight(): void {
    if (this.active < this.maxInFlight) return;
    this.admission.counts.refusedInFlight++;
    throw new OverloadedError(1);
  }

  private starters: (() => void)[] = [];
  private starting = false;

  /**
   * Admitted work starts one request per turn of the event loop: between two starts the loop reads the
   * requests waiting at the door (in a burst, mostly refusals, answered in well under a millisecond), so
   * they never wait behind the features and tokenization of many admitted requests at once.
   */
  private nextTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.starters.push(resolve);
      if (!this.starting) this.startNext();
    });
  }

  private startNext(): void {
    this.starting = true;
    setImmediate(() => {
      this.starters.shift()?.();
      if (this.starters.length > 0) this.startNext();
      else this.starting = false;
    });
  }

  /** Aborts the work with a DeadlineError (the deadline passed unnoticed by its timer) and returns it. */
  private late(controller: AbortController): DeadlineError {
    const err = new DeadlineError(`the request deadline of ${this.timeoutMs} ms passed before the work finished`);
    controller.abort(err);
    return err;
  }

  /**
   * Runs `work` under the request's deadline. `cost`: the estimated encoder tokens of all its passes
   * (0: no encoder work); `lmCost`: the likelihood model's estimated tokens (0: not asked for); admitted or
   * refused here as one unit, before the work starts.
   */
  async run<T>(request: FastifyRequest, reply: FastifyReply, work: (signal: AbortSignal) => Promise<T>, cost = 0, lmCost = 0): Promise<T> {
    this.checkInFlight();
    const ticket = this.admission.admit(cost, this.timeoutMs - reply.elapsedTime, lmCost);
    let outcome: Outcome = 'error';
    this.active++;
    const controller = new AbortController();
    const remaining = Math.max(1, this.timeoutMs - reply.elapsedTime);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const err = new DeadlineError(`the request deadline of ${this.timeoutMs} ms passed before the work finished`);
        controller.abort(err);
        reject(err);
      }, remaining);
    });
    deadline.catch(() => undefined); // raced below; never an unhandled rejection while the work has not started
    const onClose = () => {
      if (!reply.raw.writableFinished && !controller.signal.aborted) controller.abort(new ClientClosedError());
    };
    reply.raw.once('close', onClose);
    try {
      if (cost > 0 || lmCost > 0) await this.nextTurn();
      const job = controller.signal.aborted ? Promise.reject(controller.signal.reason) : work(controller.signal);
      job.catch(() => undefined); // a job that fails after the deadline must not become an unhandled rejection
      const value = await Promise.race([job, deadline]);
      // an answer found after the deadline (the event loop was too busy for the timer to fire first) is not
      // sent: past the deadline the answer is 504, whatever the work made
      if (reply.elapsedTime > this.timeoutMs) throw this.late(controller);
      outcome = 'ok';
      return value;
    } catch (err) {
      if (!controller.signal.aborted && reply.elapsedTime > this.timeoutMs) this.late(controller);
      // work cancelled by our deadline reports itself in many ways (AbortError, its own errors): it is a 504
      if (controller.signal.aborted && (controller.signal.reason instanceof DeadlineError || controller.signal.reason instanceof ClientClosedError)) {
        if (controller.signal.reason instanceof DeadlineError) outcome = 'timeout';
        throw controller.signal.reason;
      }
      throw err;
    } finally {
      // the request is answered (or failed): whatever of its model work is still queued has nobody to serve
      if (!controller.signal.aborted) controller.abort(new Error('the request has been answered'));
      clearTimeout(timer);
      reply.raw.removeListener('close', onClose);
      this.active--;
      this.admission.release(ticket, outcome);
    }
  }
}
