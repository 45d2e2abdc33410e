/**
 * Admission control by cost, at the door (before any feature or encoder work).
 *
 * Every request that will use the encoder states its cost: the tokens all its passes will feed the
 * encoder, estimated from characters (TextDetector.cost; no tokenization at the door). The controller
 * keeps the cost of the work admitted and not yet finished (`outstanding`) and the throughput the
 * service achieves (cost finished per second of busy time, an EWMA, measured as the service runs, in the
 * same estimated-token unit, so the character estimate calibrates itself). A new request's finish is
 * estimated as (outstanding + cost) / throughput from now. It is refused with 503 + Retry-After when
 *   - that estimate passes `deadlinePct` % of the time its deadline leaves (it would most likely be a 504), or
 *   - outstanding + cost would pass `maxTokens` (a fixed, work-based cap),
 * except that an idle service always admits one request (a long text is never impossible, and a cold
 * start with a pessimistic prior refuses nothing it could do alone).
 * Retry-After is the time the estimate says the excess work takes to drain (at least 1 s).
 * The estimate assumes first-in, first-out service, which the encoder queue gives: it serves requests
 * in the order they first submitted (src/encoder/batcher.ts). WorkGate (./work.ts) calls check() with the
 * smallest possible cost before the body is read, then admit() with the request's own cost.
 * A request that was admitted is never refused later: its passes are admitted as one unit, and the
 * encoder queue does not cap admitted work (src/detectors/index.ts turns its caps off when admission is on).
 *
 * The opt-in likelihood model (issue 44) is a second resource with its own line (src/likelihood/index.ts):
 * a request that asks for it also states its likelihood cost (the tokens the model will read, up to
 * LIKELIHOOD_MAX_TOKENS, estimated from characters), and the model's own throughput is what it measures on
 * every window it runs (useLikelihoodRate). Its estimated finish is the later of the two models' finishes,
 * (encoder outstanding + cost) / encoder throughput and (likelihood outstanding + its cost) / likelihood
 * throughput (the two lines drain side by side; each throughput is measured under the load of both); the
 * same deadline rule refuses it, with a Retry-After of the longer drain.
 */
import { OverloadedError } from '../detectors/types.js';

export interface AdmissionOptions {
  /** false: nothing is refused by cost (QUEUE_MAX and MAX_IN_FLIGHT still apply) */
  enabled: boolean;
  /** fixed cap on the estimated tokens admitted and not finished */
  maxTokens: number;
  /** per-cent of the time left before the deadline that the estimated finish may use */
  deadlinePct: number;
  /** throughput (estimated tokens per second) assumed until one is measured */
  priorTokensPerSecond?: number;
  /** busy time a throughput measurement spans before it updates the average (default 1000 ms) */
  windowMs?: number;
  /** clock (ms), for tests */
  now?: () => number;
}

export type RefusalReason = 'deadline' | 'cap';

/** What the door refused: 503 with the Retry-After it computed and why. */
export class AdmissionRefusedError extends OverloadedError {
  constructor(
    retryAfterSeconds: number,
    public readonly reason: RefusalReason,
    public readonly estimatedWaitMs: number,
  ) {
    super(retryAfterSeconds);
  }
}

export interface Ticket {
  readonly cost: number;
  /** likelihood tokens (0: the request does not ask for the likelihood model) */
  readonly lmCost: number;
  released: boolean;
}

export type Outcome = 'ok' | 'timeout' | 'error';

/** A conservative throughput before anything is measured: a small CPU serves a few thousand tokens a second. */
export const DEFAULT_PRIOR_TOKENS_PER_SECOND = 2000;
/** the likelihood model's, until it has run a window (its warm-up measures one): about 0.8 s per 256 tokens on 2 cores */
export const DEFAULT_PRIOR_LIKELIHOOD_TOKENS_PER_SECOND = 300;

export class Admission {
  readonly enabled: boolean;
  readonly maxTokens: number;
  readonly deadlinePct: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private outstandingCost = 0;
  private lmOutstandingCost = 0;
  private lmRateSource: () => number = () => 0;
  private active = 0;
  private rate: number;
  private measured = false;
  // the current measurement window: busy time and cost finished
  private busySince: number | null = null;
  private windowBusyMs = 0;
  private windowCost = 0;
  /** counters for /metrics */
  readonly counts = { admitted: 0, refusedDeadline: 0, refusedCap: 0, refusedInFlight: 0, timedOut: 0, completed: 0, likelihoodAdmitted: 0, likelihoodRefused: 0 };

  constructor(opts: AdmissionOptions) {
    this.enabled = opts.enabled;
    this.maxTokens = opts.maxTokens;
    this.deadlinePct = opts.deadlinePct;
    this.windowMs = opts.windowMs ?? 1000;
    this.now = opts.now ?? (() => performance.now());
    this.rate = opts.priorTokensPerSecond ?? DEFAULT_PRIOR_TOKENS_PER_SECOND;
  }

  /** estimated tokens admitted and not finished */
  get outstanding(): number {
    return this.outstandingCost;
  }

  /** requests admitted and not finished */
  get admittedNow(): number {
    return this.active;
  }

  /** measured (or prior) estimated tokens per second */
  get tokensPerSecond(): number {
    return this.rate;
  }

  /** how long the work admitted now takes to finish, by the current estimate (ms) */
  waitMs(extra = 0): number {
    return ((this.outstandingCost + extra) / this.rate) * 1000;
  }

  /** estimated likelihood tokens admitted and not finished */
  get likelihoodOutstanding(): number {
    return this.lmOutstandingCost;
  }

  /** the likelihood model's measured throughput (tokens per second of inference), or the prior before any */
  get likelihoodTokensPerSecond(): number {
    const r = this.lmRateSource();
    return Number.isFinite(r) && r > 0 ? r : DEFAULT_PRIOR_LIKELIHOOD_TOKENS_PER_SECOND;
  }

  /** Where the likelihood model's throughput is read (the model measures it on every window). */
  useLikelihoodRate(source: () => number): void {
    this.lmRateSource = source;
  }

  /** how long the likelihood work admitted now takes to finish, by the current estimate (ms) */
  likelihoodWaitMs(extra = 0): number {
    return ((this.lmOutstandingCost + extra) / this.likelihoodTokensPerSecond) * 1000;
  }

  /**
   * Sets the throughput before any measurement (the warm-up's). Ignored once the service has
   * measured its own.
   */
  calibrate(tokensPerSecond: number): void {
    if (!this.measured && Number.isFinite(tokensPerSecond) && tokensPerSecond > 0) this.rate = tokensPerSecond;
  }

  /**
   * Throws AdmissionRefusedError (503 + Retry-After) when work of `cost` estimated tokens that must
   * finish within `remainingMs` (and, with `lmCost`, likelihood work of that many tokens) cannot be admitted
   * now; admits nothing. Cost 0 (no model work) passes.
   */
  check(cost: number, remainingMs: number, lmCost = 0): void {
    if (!this.enabled || (cost <= 0 && lmCost <= 0) || this.active === 0) return;
    const encWait = this.waitMs(cost);
    const lmRate = this.likelihoodTokensPerSecond;
    const lmWait = lmCost > 0 ? this.likelihoodWaitMs(lmCost) : 0;
    const wait = Math.max(encWait, lmWait);
    const budget = (Math.max(0, remainingMs) * this.deadlinePct) / 100;
    let secs = 0;
    let reason: RefusalReason | null = null;
    // the work that must drain first; never more than all of it (an idle service admits anything)
    const drainSecs = (outstanding: number, excess: number, rate: number) => Math.min(outstanding, excess) / rate;
    if (this.outstandingCost + cost > this.maxTokens) {
      reason = 'cap';
      secs = drainSecs(this.outstandingCost, this.outstandingCost + cost - this.maxTokens, this.rate);
    } else if (wait > budget) {
      reason = 'deadline';
      if (encWait > budget) secs = drainSecs(this.outstandingCost, this.outstandingCost + cost - (budget / 1000) * this.rate, this.rate);
      if (lmWait > budget) secs = Math.max(secs, drainSecs(this.lmOutstandingCost, this.lmOutstandingCost + lmCost - (budget / 1000) * lmRate, lmRate));
    }
    if (!reason) return;
    if (reason === 'cap') this.counts.refusedCap++;
    else this.counts.refusedDeadline++;
    if (lmCost > 0) this.counts.likelihoodRefused++;
    throw new AdmissionRefusedError(Math.min(3600, Math.max(1, Math.ceil(secs))), reason, wait);
  }

  /**
   * Admits work of `cost` estimated tokens that must finish within `remainingMs`, or throws
   * AdmissionRefusedError (503 + Retry-After). `lmCost`: the likelihood tokens it also asks for. Cost 0 (no
   * model work) is always admitted.
   */
  admit(cost: number, remainingMs: number, lmCost = 0): Ticket {
    this.check(cost, remainingMs, lmCost);
    if (this.active === 0) this.busySince = this.now();
    this.active++;
    this.outstandingCost += cost;
    this.lmOutstandingCost += lmCost;
    this.counts.admitted++;
    if (lmCost > 0) this.counts.likelihoodAdmitted++;
    return { cost, lmCost, released: false };
  }

  /** Gives the ticket's cost back; finished work ('ok') feeds the throughput measurement. */
  release(ticket: Ticket, outcome: Outcome): void {
    if (ticket.released) return;
    ticket.released = true;
    this.active--;
    this.outstandingCost -= ticket.cost;
    this.lmOutstandingCost -= ticket.lmCost;
    if (outcome === 'timeout') this.counts.timedOut++;
    if (outcome === 'ok') {
      this.counts.completed++;
      this.windowCost += ticket.cost;
    }
    const t = this.now();
    if (this.busySince !== null) {
      this.windowBusyMs += t - this.busySince;
      this.busySince = this.active > 0 ? t : null;
    }
    if (this.active === 0) {
      this.outstandingCost = 0; // no drift from rounding
      this.lmOutstandingCost = 0;
    }
    if (this.windowCost > 0 && this.windowBusyMs >= this.windowMs) {
      const measured = (this.windowCost / this.windowBusyMs) * 1000;
      this.rate = this.measured ? 0.7 * this.rate + 0.3 * measured : measured;
      this.measured = true;
      this.windowCost = 0;
      this.windowBusyMs = 0;
    }
  }
}
