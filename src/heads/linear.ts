/**
 * Linear heads for the text detectors, in plain TypeScript (deterministic, dependency-free):
 * - Standardizer: per-input mean / std fitted on training rows, stored with the heads.
 * - Softmax head over K classes trained on *label sets*: a row whose role is known allows one class;
 *   a binary-only "LLM-involved, role unknown" row allows every LLM class, and its loss is
 *   -log(sum of their probabilities) (partial-label likelihood). Weighted, L2-penalised, L-BFGS.
 * - Fractional logit regressor: y in [0, 1], prediction sigmoid(w.z + b), cross-entropy loss, so the
 *   output is bounded to [0, 1] by construction.
 * Contributions are exact: the (centred, temperature-scaled) logit is the sum of w_j * z_j over
 * inputs plus the intercept.
 */
import { lbfgs } from './logistic.js';
import { logitObjective, sigmoid, softmaxSetObjective } from './objectives.js';

export interface StandardizerJSON {
  inputs: string[];
  /** inputs transformed by log1p before centring (non-negative, right-skewed ones) */
  log?: boolean[];
  mean: number[];
  std: number[];
}

export class Standardizer {
  constructor(public readonly json: StandardizerJSON) {}

  /**
   * Fits mean / std per input. With `logSkewed`, a non-negative input whose skewness exceeds 2 is
   * taken as log1p(x) first (counts and lengths), so that a linear head sees it on a sane scale.
   */
  static fit(X: ArrayLike<number>[], inputs: string[], opts: { logSkewed?: boolean } = {}): Standardizer {
    const n = X.length;
    const d = inputs.length;
    const log = new Array<boolean>(d).fill(false);
    if (opts.logSkewed) {
      for (let j = 0; j < d; j++) {
        let m = 0;
        let min = Infinity;
        for (const x of X) {
          m += x[j] / n;
          if (x[j] < min) min = x[j];
        }
        if (min < 0) continue;
        let m2 = 0;
        let m3 = 0;
        for (const x of X) {
          const c = x[j] - m;
          m2 += (c * c) / n;
          m3 += (c * c * c) / n;
        }
        if (m2 > 0 && m3 / Math.pow(m2, 1.5) > 2) log[j] = true;
      }
    }
    const tf = (v: number, j: number) => (log[j] ? Math.log1p(Math.max(0, v)) : v);
    const mean = new Float64Array(d);
    const std = new Float64Array(d);
    for (const x of X) for (let j = 0; j < d; j++) mean[j] += tf(x[j], j) / n;
    for (const x of X) for (let j = 0; j < d; j++) std[j] += (tf(x[j], j) - mean[j]) ** 2 / n;
    for (let j = 0; j < d; j++) {
      const s = Math.sqrt(std[j]);
      std[j] = s > 1e-9 ? s : 1;
    }
    const json: StandardizerJSON = { inputs, mean: Array.from(mean), std: Array.from(std) };
    if (log.some(Boolean)) json.log = log;
    return new Standardizer(json);
  }

  get dim(): number {
    return this.json.inputs.length;
  }

  /** standardised copy, clipped to +-8 so that one odd input cannot dominate a logit */
  apply(x: ArrayLike<number>): Float64Array {
    const { mean, std, log } = this.json;
    const z = new Float64Array(mean.length);
    for (let j = 0; j < mean.length; j++) {
      const xj = log && log[j] ? Math.log1p(Math.max(0, x[j])) : x[j];
      const v = (xj - mean[j]) / std[j];
      z[j] = v > 8 ? 8 : v < -8 ? -8 : Number.isFinite(v) ? v : 0;
    }
    return z;
  }
}

export function softmaxOf(logits: ArrayLike<number>, T = 1): number[] {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i] / T);
  const e = Array.from(logits, (v) => Math.exp(v / T - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export { sigmoid };

export interface SoftmaxHeadJSON {
  type: 'softmax';
  classes: string[];
  /** K rows of d weights on standardised inputs */
  weights: number[][];
  intercepts: number[];
  /** logits are divided by this (fitted on the validation split) */
  temperature: number;
  /** additive per-class logit offsets fitted with the temperature (0 = none) */
  bias?: number[];
  l2: number;
  training?: { iterations: number; loss: number; converged: boolean; n: number };
}

export class SoftmaxHead {
  constructor(public readonly json: SoftmaxHeadJSON) {}

  logits(z: ArrayLike<number>): number[] {
    const { weights, intercepts } = this.json;
    return weights.map((w, k) => {
      let s = intercepts[k];
      for (let j = 0; j < w.length; j++) s += w[j] * z[j];
      return s;
    });
  }

  /** calibrated probabilities */
  probs(z: ArrayLike<number>): number[] {
    const l = this.logits(z);
    const b = this.json.bias;
    return softmaxOf(
      l.map((v, k) => v / this.json.temperature + (b ? b[k] : 0)),
      1,
    );
  }

  /**
   * Exact decomposition of class k's centred calibrated logit (logit_k - mean logit) / T into
   * per-input terms; the terms plus `intercept` sum to it.
   */
  contributions(z: ArrayLike<number>, k: number): { terms: Float64Array; intercept: number } {
    const { weights, intercepts, temperature: T } = this.json;
    const K = weights.length;
    const d = weights[0].length;
    const terms = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let mw = 0;
      for (let c = 0; c < K; c++) mw += weights[c][j];
      mw /= K;
      terms[j] = ((weights[k][j] - mw) * z[j]) / T;
    }
    let mi = 0;
    for (let c = 0; c < K; c++) mi += intercepts[c];
    mi /= K;
    const b = this.json.bias;
    let mb = 0;
    if (b) for (let c = 0; c < K; c++) mb += b[c] / K;
    return { terms, intercept: (intercepts[k] - mi) / T + (b ? b[k] - mb : 0) };
  }
}

export interface FitSoftmaxOptions {
  classes: string[];
  l2?: number;
  maxIterations?: number;
  tolerance?: number;
}

/**
 * Fits a softmax head on standardised rows Z with allowed-class bitmasks (bit k = class k allowed)
 * and sample weights (normalised to mean 1 internally).
 */
export function fitSoftmaxSets(
  Z: ArrayLike<number>[],
  masks: ArrayLike<number>,
  weights: ArrayLike<number>,
  opts: FitSoftmaxOptions,
): SoftmaxHead {
  const n = Z.length;
  if (n === 0) throw new Error('softmax: no training rows');
  const d = Z[0].length;
  const K = opts.classes.length;
  const l2 = opts.l2 ?? 1e-3;
  const P = K * (d + 1);
  const fg = softmaxSetObjective(Z, masks, weights, K, d, l2);
  const res = lbfgs(fg, new Float64Array(P), {
    maxIterations: opts.maxIterations ?? 400,
    tolerance: opts.tolerance ?? 1e-6,
  });
  const W: number[][] = [];
  const b: number[] = [];
  for (let c = 0; c < K; c++) {
    const off = c * (d + 1);
    W.push(Array.from(res.x.subarray(off, off + d)));
    b.push(res.x[off + d]);
  }
  return new SoftmaxHead({
    type: 'softmax',
    classes: opts.classes,
    weights: W,
    intercepts: b,
    temperature: 1,
    l2,
    training: { iterations: res.iterations, loss: res.f, converged: res.converged, n },
  });
}

export interface FractionalLogitJSON {
  type: 'fractional-logit';
  weights: number[];
  intercept: number;
  l2: number;
  training?: { iterations: number; loss: number; converged: boolean; n: number };
}

export class FractionalLogit {
  constructor(public readonly json: FractionalLogitJSON) {}

  score(z: ArrayLike<number>): number {
    const { weights, intercept } = this.json;
    let s = intercept;
    for (let j = 0; j < weights.length; j++) s += weights[j] * z[j];
    return s;
  }

  predict(z: ArrayLike<number>): number {
    return sigmoid(this.score(z));
  }
}

/** Fractional logit regression (quasi-likelihood for a proportion): bounded output in [0, 1]. */
export function fitFractionalLogit(
  Z: ArrayLike<number>[],
  y: ArrayLike<number>,
  weights: ArrayLike<number>,
  opts: { l2?: number; maxIterations?: number } = {},
): FractionalLogit {
  const n = Z.length;
  if (n === 0) throw new Error('fractional logit: no rows');
  const d = Z[0].length;
  const l2 = opts.l2 ?? 1e-3;
  const fg = logitObjective(Z, y, weights, d, l2);
  const res = lbfgs(fg, new Float64Array(d + 1), { maxIterations: opts.maxIterations ?? 400, tolerance: 1e-6 });
  return new FractionalLogit({
    type: 'fractional-logit',
    weights: Array.from(res.x.subarray(0, d)),
    intercept: res.x[d],
    l2,
    training: { iterations: res.iterations, loss: res.f, converged: res.converged, n },
  });
}
