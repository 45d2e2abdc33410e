/**
 * The two training objectives every linear head here minimises (with L-BFGS from ./optimize.js):
 * weighted mean negative log-likelihood on standardised rows + (l2 / 2) * ||W||^2, intercepts not
 * penalised. Parameters are laid out per output row as [w_1 .. w_d, intercept].
 *
 * - `logitObjective`: one row, prediction sigmoid(w.z + b); y in [0, 1] (0/1 labels give logistic
 *   regression, proportions give fractional-logit regression).
 * - `softmaxSetObjective`: K rows; each sample allows a *set* of classes (bitmask, bit k = class k) and
 *   its loss is -log(sum of the allowed classes' probabilities). A single allowed class is ordinary
 *   softmax regression; several give the partial-label likelihood used for "LLM-involved, role unknown".
 */
import { sigmoid } from '../../src/heads/logistic.js';

export type Objective = (p: Float64Array, g: Float64Array) => number;

/** log(1 + exp(z)), stable */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function weightSum(weights: ArrayLike<number>, what: string): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += weights[i];
  if (!(s > 0)) throw new Error(`${what}: all sample weights are zero`);
  return s;
}

function addL2(p: Float64Array, g: Float64Array, rows: number, d: number, l2: number): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * (d + 1);
    for (let j = 0; j < d; j++) {
      loss += 0.5 * l2 * p[off + j] ** 2;
      g[off + j] += l2 * p[off + j];
    }
  }
  return loss;
}

/** row `off` of the parameters applied to z: intercept + w . z */
function score(p: Float64Array, off: number, z: ArrayLike<number>, d: number): number {
  let s = p[off + d];
  for (let j = 0; j < d; j++) s += p[off + j] * z[j];
  return s;
}

/** adds r * [z, 1] to the gradient of row `off` */
function addGradient(g: Float64Array, off: number, z: ArrayLike<number>, d: number, r: number): void {
  for (let j = 0; j < d; j++) g[off + j] += r * z[j];
  g[off + d] += r;
}

/**
 * The shared skeleton: weighted sum of per-row losses (rows with weight 0 skipped), loss and gradient
 * divided by the total weight, then the L2 penalty on `rows` weight rows. `row` adds its gradient
 * (already multiplied by the row's weight) into g and returns its weighted loss.
 */
function weightedObjective(
  n: number,
  weights: ArrayLike<number>,
  rows: number,
  d: number,
  l2: number,
  what: string,
  row: (i: number, p: Float64Array, g: Float64Array, w: number) => number,
): Objective {
  const inv = 1 / weightSum(weights, what);
  const P = rows * (d + 1);
  return (p, g) => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const wi = weights[i];
      if (wi !== 0) loss += row(i, p, g, wi);
    }
    loss *= inv;
    for (let k = 0; k < P; k++) g[k] *= inv;
    return loss + addL2(p, g, rows, d, l2);
  };
}

export function logitObjective(Z: ArrayLike<number>[], y: ArrayLike<number>, weights: ArrayLike<number>, d: number, l2: number): Objective {
  return weightedObjective(Z.length, weights, 1, d, l2, 'logit', (i, p, g, wi) => {
    const s = score(p, 0, Z[i], d);
    addGradient(g, 0, Z[i], d, wi * (sigmoid(s) - y[i]));
    return wi * (softplus(s) - y[i] * s);
  });
}

export function softmaxSetObjective(Z: ArrayLike<number>[], masks: ArrayLike<number>, weights: ArrayLike<number>, K: number, d: number, l2: number): Objective {
  const logits = new Float64Array(K);
  return weightedObjective(Z.length, weights, K, d, l2, 'softmax', (i, p, g, wi) => {
    const z = Z[i];
    const m = masks[i];
    let mx = -Infinity;
    for (let c = 0; c < K; c++) {
      logits[c] = score(p, c * (d + 1), z, d);
      if (logits[c] > mx) mx = logits[c];
    }
    let se = 0;
    let sa = 0;
    for (let c = 0; c < K; c++) {
      const e = Math.exp(logits[c] - mx);
      se += e;
      if (m & (1 << c)) sa += e;
    }
    for (let c = 0; c < K; c++) {
      const e = Math.exp(logits[c] - mx);
      const r = wi * (e / se - (m & (1 << c) ? e / sa : 0));
      if (r !== 0) addGradient(g, c * (d + 1), z, d, r);
    }
    return wi * (Math.log(se) - Math.log(Math.max(sa, 1e-300)));
  });
}
