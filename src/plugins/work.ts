/**
 * Bounded model work with a deadline.
 * - At most MAX_IN_FLIGHT requests do model work at once; the next one is refused at once with
 *   503 + Retry-After (OverloadedError), so memory never grows without bound.
 * - Each request's work gets an AbortSignal that fires at REQUEST_TIMEOUT_MS (counted from when the
 *   request arrived) or when the client goes away; at the deadline the answer is 504 even if the
 *   detector ignores the signal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeadlineError, OverloadedError } from '../detectors/types.js';

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
  ) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(request: FastifyRequest, reply: FastifyReply, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.active >= this.maxInFlight) throw new OverloadedError(1);
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
    const onClose = () => {
      if (!reply.raw.writableFinished && !controller.signal.aborted) controller.abort(new ClientClosedError());
    };
    reply.raw.once('close', onClose);
    try {
      const job = work(controller.signal);
      job.catch(() => undefined); // a job that fails after the deadline must not become an unhandled rejection
      return await Promise.race([job, deadline]);
    } catch (err) {
      // work cancelled by our deadline reports itself in many ways (AbortError, its own errors): it is a 504
      if (controller.signal.aborted && (controller.signal.reason instanceof DeadlineError || controller.signal.reason instanceof ClientClosedError)) {
        throw controller.signal.reason;
      }
      throw err;
    } finally {
      clearTimeout(timer);
      reply.raw.removeListener('close', onClose);
      this.active--;
    }
  }
}
