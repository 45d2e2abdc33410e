/**
 * Linear heads for the text detectors, as served (training/fit/linear.ts fits them):
 * - Standardizer: per-input mean / std fitted on training rows, stored with the heads.
 * - Softmax head over K classes, trained on *label sets* (partial labels for "LLM-involved, role unknown").
 * - Fractional logit regressor: y in [0, 1], prediction sigmoid(w.z + b), so the output is bounded to
 *   [0, 1] by construction.
 * Contributions are exact: the (centred, temperature-scaled) logit is the sum of w_j * z_j over
 * inputs plus the intercept.
 */
import { sigmoid } from './logistic.js';

export interface StandardizerJSON {
  inputs: string[];
  /** inputs transformed by log1p before centring (non-negative, right-skewed ones) */
  log?: boolean[];
  mean: number[];
  std: number[];
}

export class Standardizer {
  constructor(public readonly json: StandardizerJSON) {}

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
