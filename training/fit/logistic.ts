/**
 * Fitting the logistic / softmax regressions that src/heads/logistic.ts serves (LogisticModel: the judgment heads,
 * the likelihood combination head): weighted mean NLL + (l2 / 2) * ||W||^2 on standardised inputs (intercepts not
 * penalised), full-batch L-BFGS from zero weights, so a fit is deterministic; and temperature scaling of binary
 * log-odds on held-out rows.
 */
import { LogisticModel } from '../../src/heads/logistic.js';
import { logitObjective, softmaxSetObjective, softplus } from './objectives.js';
import { goldenSectionMin, lbfgs } from './optimize.js';

export interface FitOptions {
  /** feature names (length d); default f0..f{d-1} */
  features?: string[];
  /** class names, index = label; default ["0","1",...] */
  classes?: string[];
  /** L2 strength on the standardised weights (default 1e-3) */
  l2?: number;
  /** per-sample weights (default all 1) */
  sampleWeights?: ArrayLike<number>;
  /** per-class weights, or 'balanced' (n / (K * n_c)) */
  classWeights?: number[] | 'balanced';
  maxIterations?: number;
  /** stop when the gradient's max-abs falls below this (default 1e-6) */
  tolerance?: number;
  /** L-BFGS memory (default 10) */
  memory?: number;
  /** skip standardisation (mean 0, std 1 stored) */
  standardize?: boolean;
  /**
   * warm start (e.g. the previous model of an L2 path on the same rows): its weights and intercepts in
   * standardised space; must have this fit's shape. The optimum does not depend on it (convex problem).
   */
  init?: { weights: ArrayLike<number>[]; intercepts: ArrayLike<number> };
}

export function logit(p: number): number {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  return Math.log(q / (1 - q));
}

type Matrix = ArrayLike<number>[];

function checkRows(X: Matrix, d?: number): number {
  if (X.length === 0) throw new Error('logistic: no training rows');
  const dim = d ?? X[0].length;
  for (let i = 0; i < X.length; i++) {
    if (X[i].length !== dim) throw new Error(`logistic: row ${i} has ${X[i].length} features, expected ${dim}`);
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(X[i][j])) throw new Error(`logistic: non-finite value at row ${i}, feature ${j}`);
    }
  }
  return dim;
}

/** Fit a logistic (K = 2) or softmax (K > 2) regression. `y` holds class indices 0..K-1. */
export function fitLogistic(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): LogisticModel {
  const n = X.length;
  const d = checkRows(X, opts.features?.length);
  if (y.length !== n) throw new Error('logistic: X and y differ in length');
  let K = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0) throw new Error(`logistic: bad label at row ${i}`);
    K = Math.max(K, y[i] + 1);
  }
  const classes = opts.classes ?? Array.from({ length: Math.max(K, 2) }, (_, i) => String(i));
  K = classes.length;
  if (K < 2) throw new Error('logistic: need >= 2 classes');
  for (let i = 0; i < n; i++) if (y[i] >= K) throw new Error(`logistic: label ${y[i]} >= ${K} classes`);
  const features = opts.features ?? Array.from({ length: d }, (_, j) => `f${j}`);
  const l2 = opts.l2 ?? 1e-3;

  // sample weights (x class weights), normalised to mean 1
  const sw = new Float64Array(n);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[y[i]]++;
  let cw: number[];
  if (opts.classWeights === 'balanced') cw = Array.from(counts, (c) => (c > 0 ? n / (K * c) : 0));
  else cw = opts.classWeights ?? new Array(K).fill(1);
  if (cw.length !== K) throw new Error('logistic: classWeights length != classes');
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const s = opts.sampleWeights ? opts.sampleWeights[i] : 1;
    if (!(s >= 0) || !Number.isFinite(s)) throw new Error(`logistic: bad sample weight at row ${i}`);
    sw[i] = s * cw[y[i]];
    wsum += sw[i];
  }
  if (!(wsum > 0)) throw new Error('logistic: all sample weights are zero');

  // standardisation (unweighted: a property of the inputs)
  const mean = new Float64Array(d);
  const std = new Float64Array(d).fill(1);
  if (opts.standardize !== false) {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i][j] / n;
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let i = 0; i < n; i++) v += (X[i][j] - mean[j]) ** 2;
      const s = Math.sqrt(v / n);
      std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) ? s : 1;
    }
  }
  const Z: Float64Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(d);
    for (let j = 0; j < d; j++) z[j] = (X[i][j] - mean[j]) / std[j];
    Z[i] = z;
  }

  const R = K === 2 ? 1 : K; // weight rows
  const P = R * (d + 1); // params: per row d weights then intercept
  const fg = R === 1 ? logitObjective(Z, y, sw, d, l2) : softmaxSetObjective(Z, Array.from(y, (c) => 1 << c), sw, K, d, l2);
  const x0 = new Float64Array(P);
  if (opts.init) {
    if (opts.init.weights.length !== R || opts.init.intercepts.length !== R) throw new Error('logistic: init has the wrong shape');
    for (let r = 0; r < R; r++) {
      const off = r * (d + 1);
      if (opts.init.weights[r].length !== d) throw new Error('logistic: init has the wrong shape');
      for (let j = 0; j < d; j++) x0[off + j] = opts.init.weights[r][j];
      x0[off + d] = opts.init.intercepts[r];
    }
  }
  const res = lbfgs(fg, x0, {
    maxIterations: opts.maxIterations ?? 1000,
    tolerance: opts.tolerance ?? 1e-7,
    memory: opts.memory ?? 10,
  });
  const weights: number[][] = [];
  const intercepts: number[] = [];
  for (let r = 0; r < R; r++) {
    const off = r * (d + 1);
    weights.push(Array.from(res.x.subarray(off, off + d)));
    intercepts.push(res.x[off + d]);
  }
  return new LogisticModel({
    type: 'logistic',
    format: 1,
    classes,
    features,
    mean: Array.from(mean),
    std: Array.from(std),
    weights,
    intercepts,
    l2,
    temperature: 1,
    training: { iterations: res.iterations, loss: res.f, converged: res.converged, n },
  });
}

/** mean binary NLL of sigmoid(s / T) against labels y (0/1) */
export function binaryNLL(scores: ArrayLike<number>, y: ArrayLike<number>, T = 1, weights?: ArrayLike<number>): number {
  let l = 0;
  let w = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] / T;
    const wi = weights ? weights[i] : 1;
    l += wi * (softplus(s) - y[i] * s);
    w += wi;
  }
  return l / Math.max(w, 1e-300);
}

/**
 * Temperature for binary log-odds: argmin_T NLL(sigmoid(s/T)), searched over log T in [1/20, 20] by
 * golden-section (the NLL is unimodal in 1/T). Optional per-row weights (e.g. class balancing).
 * Returns 1 when there is nothing to fit.
 */
export function fitTemperature(scores: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): number {
  if (scores.length === 0) return 1;
  const f = (lt: number) => binaryNLL(scores, y, Math.exp(lt), weights);
  return Math.exp(goldenSectionMin(f, Math.log(1 / 20), Math.log(20), 80));
}
