/**
 * Fitting the linear parts of the text heads (src/heads/linear.ts serves them):
 * - the standardiser's mean / std per input;
 * - the softmax head over K classes on *label sets*: a row whose role is known allows one class; a binary-only
 *   "LLM-involved, role unknown" row allows every LLM class, and its loss is -log(sum of their probabilities)
 *   (partial-label likelihood). Weighted, L2-penalised, L-BFGS;
 * - the fractional logit regressor: y in [0, 1], cross-entropy loss.
 */
import { FractionalLogit, SoftmaxHead, Standardizer, type StandardizerJSON } from '../../src/heads/linear.js';
import { logitObjective, softmaxSetObjective } from './objectives.js';
import { lbfgs } from './optimize.js';

/**
 * Fits mean / std per input. With `logSkewed`, a non-negative input whose skewness exceeds 2 is
 * taken as log1p(x) first (counts and lengths), so that a linear head sees it on a sane scale.
 */
export function fitStandardizer(X: ArrayLike<number>[], inputs: string[], opts: { logSkewed?: boolean } = {}): Standardizer {
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
