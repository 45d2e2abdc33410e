/**
 * Generic, dependency-free logistic / softmax regression with exact per-feature attributions.
 *
 * - Standardisation (mean / std per feature) is fitted on the training rows and stored with the model,
 *   so serving applies exactly the transform training used.
 * - Objective: weighted mean negative log-likelihood + (l2 / 2) * ||W||^2 (the intercepts are not
 *   penalised). Minimised by full-batch L-BFGS from zero weights, so training is deterministic.
 * - K = 2 is stored as one weight row (log-odds of `classes[1]`); K > 2 as a full softmax (K rows).
 * - `contributions` returns weight * standardised value per feature. For K = 2 these plus the intercept
 *   sum exactly to the (temperature-scaled) log-odds of `classes[1]`; for K > 2 they sum to the class's
 *   logit minus the mean logit (the centred softmax logit).
 * - Calibration helpers: temperature scaling and Platt scaling on held-out log-odds.
 */
import { goldenSectionMin } from './optimize.js';
import { logitObjective, sigmoid, softmaxSetObjective, softplus } from './objectives.js';

export interface LogisticModelJSON {
  type: 'logistic';
  format: 1;
  classes: string[];
  features: string[];
  mean: number[];
  std: number[];
  /** binary: 1 row (log-odds of classes[1]); multiclass: one row per class */
  weights: number[][];
  intercepts: number[];
  l2: number;
  /** logits are divided by this before the sigmoid / softmax (1 = uncalibrated) */
  temperature: number;
  training?: { iterations: number; loss: number; converged: boolean; n: number };
}

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

export interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

const EPS = 1e-12;

export function logit(p: number): number {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  return Math.log(q / (1 - q));
}

export { sigmoid };

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

/** Minimise f with L-BFGS (two-loop recursion, backtracking Armijo line search). Deterministic. */
export function lbfgs(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  opts: { maxIterations?: number; tolerance?: number; memory?: number } = {},
): { x: Float64Array; f: number; iterations: number; converged: boolean } {
  const n = x0.length;
  const maxIt = opts.maxIterations ?? 500;
  const tol = opts.tolerance ?? 1e-6;
  const m = opts.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let converged = false;
  let it = 0;
  const maxAbs = (v: Float64Array) => {
    let a = 0;
    for (let i = 0; i < v.length; i++) a = Math.max(a, Math.abs(v[i]));
    return a;
  };
  if (maxAbs(g) < tol) return { x, f, iterations: 0, converged: true };
  for (it = 1; it <= maxIt; it++) {
    // two-loop recursion: d = -H g
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[j][i] * d[i];
      a *= rho[j];
      alpha[j] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[j][i];
    }
    if (k > 0) {
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[k - 1][i] * Y[k - 1][i];
        yy += Y[k - 1][i] * Y[k - 1][i];
      }
      const gamma = sy / Math.max(yy, EPS);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      // first step: scale so the step is modest
      const gn = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      for (let i = 0; i < n; i++) d[i] /= Math.max(gn, 1);
    }
    for (let j = 0; j < k; j++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[j][i] * d[i];
      b *= rho[j];
      for (let i = 0; i < n; i++) d[i] += S[j][i] * (alpha[j] - b);
    }
    let gd = 0;
    for (let i = 0; i < n; i++) gd += g[i] * d[i];
    if (!(gd < 0)) {
      // not a descent direction: reset memory, use steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      gd = 0;
      for (let i = 0; i < n; i++) {
        d[i] = -g[i];
        gd -= g[i] * g[i];
      }
    }
    let step = 1;
    let fNew = Infinity;
    let ok = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * gd) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) {
      converged = maxAbs(g) < tol * 100;
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    x.set(xNew);
    g.set(gNew);
    const fOld = f;
    f = fNew;
    if (sy > EPS) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    if (maxAbs(g) < tol) {
      converged = true;
      break;
    }
    if (Math.abs(fOld - f) <= 1e-14 * Math.max(1, Math.abs(f))) {
      converged = true;
      break;
    }
  }
  return { x, f, iterations: Math.min(it, maxIt), converged };
}

export class LogisticModel {
  readonly classes: string[];
  readonly features: string[];
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly weights: Float64Array[];
  readonly intercepts: Float64Array;
  readonly l2: number;
  temperature: number;
  readonly training?: LogisticModelJSON['training'];

  constructor(json: LogisticModelJSON) {
    validateJSON(json);
    this.classes = [...json.classes];
    this.features = [...json.features];
    this.mean = Float64Array.from(json.mean);
    this.std = Float64Array.from(json.std);
    this.weights = json.weights.map((r) => Float64Array.from(r));
    this.intercepts = Float64Array.from(json.intercepts);
    this.l2 = json.l2;
    this.temperature = json.temperature;
    this.training = json.training;
  }

  get dim(): number {
    return this.features.length;
  }

  get binary(): boolean {
    return this.classes.length === 2;
  }

  /** standardised copy of x */
  standardize(x: ArrayLike<number>): Float64Array {
    if (x.length !== this.dim) throw new Error(`logistic: expected ${this.dim} features, got ${x.length}`);
    const z = new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) z[j] = (x[j] - this.mean[j]) / this.std[j];
    return z;
  }

  /** raw (uncalibrated) logits: binary -> [log-odds of classes[1]], multiclass -> K logits */
  rawLogits(x: ArrayLike<number>): Float64Array {
    const z = this.standardize(x);
    const out = new Float64Array(this.weights.length);
    for (let c = 0; c < this.weights.length; c++) {
      let s = this.intercepts[c];
      const w = this.weights[c];
      for (let j = 0; j < z.length; j++) s += w[j] * z[j];
      out[c] = s;
    }
    return out;
  }

  /** calibrated log-odds of classes[1] (binary only) */
  logOdds(x: ArrayLike<number>): number {
    if (!this.binary) throw new Error('logistic: logOdds is for binary models');
    return this.rawLogits(x)[0] / this.temperature;
  }

  /** calibrated class probabilities, in the order of `classes` */
  predictProba(x: ArrayLike<number>): number[] {
    const l = this.rawLogits(x);
    if (this.binary) {
      const p = sigmoid(l[0] / this.temperature);
      return [1 - p, p];
    }
    return softmax(Array.from(l, (v) => v / this.temperature));
  }

  predict(x: ArrayLike<number>): number {
    const p = this.predictProba(x);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    return best;
  }

  /**
   * Exact signed per-feature contributions (calibrated weight * standardised value). Binary: towards the
   * log-odds of classes[1]; `intercept + sum(contribution) === logOdds(x)`. Multiclass: towards the
   * centred logit of `classIndex` (logit_c - mean logit).
   */
  contributions(x: ArrayLike<number>, classIndex = 1): { intercept: number; contributions: Contribution[] } {
    const z = this.standardize(x);
    const T = this.temperature;
    let w: Float64Array;
    let b: number;
    if (this.binary) {
      if (classIndex !== 0 && classIndex !== 1) throw new Error('logistic: classIndex out of range');
      const sign = classIndex === 1 ? 1 : -1;
      w = this.weights[0].map((v) => (sign * v) / T);
      b = (sign * this.intercepts[0]) / T;
    } else {
      const K = this.weights.length;
      if (classIndex < 0 || classIndex >= K) throw new Error('logistic: classIndex out of range');
      w = new Float64Array(this.dim);
      let bm = 0;
      for (let c = 0; c < K; c++) bm += this.intercepts[c] / K;
      for (let j = 0; j < this.dim; j++) {
        let m = 0;
        for (let c = 0; c < K; c++) m += this.weights[c][j] / K;
        w[j] = (this.weights[classIndex][j] - m) / T;
      }
      b = (this.intercepts[classIndex] - bm) / T;
    }
    const contributions: Contribution[] = [];
    for (let j = 0; j < this.dim; j++) {
      contributions.push({ feature: this.features[j], value: x[j], contribution: w[j] * z[j] });
    }
    return { intercept: b, contributions };
  }

  /** top-n contributions by absolute size (ties broken by feature order) */
  topContributions(x: ArrayLike<number>, n = 5, classIndex = 1): Contribution[] {
    const { contributions } = this.contributions(x, classIndex);
    return contributions
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.contribution !== 0)
      .sort((a, b) => Math.abs(b.c.contribution) - Math.abs(a.c.contribution) || a.i - b.i)
      .slice(0, n)
      .map(({ c }) => c);
  }

  /** weights in original (unstandardised) units: w_j / std_j, plus the matching intercept */
  unstandardizedWeights(classRow = 0): { weights: Record<string, number>; intercept: number } {
    const w = this.weights[classRow];
    const out: Record<string, number> = {};
    let b = this.intercepts[classRow];
    for (let j = 0; j < this.dim; j++) {
      out[this.features[j]] = w[j] / this.std[j];
      b -= (w[j] * this.mean[j]) / this.std[j];
    }
    return { weights: out, intercept: b };
  }

  toJSON(): LogisticModelJSON {
    const r = (v: number) => v; // full precision: the model must round-trip exactly
    return {
      type: 'logistic',
      format: 1,
      classes: [...this.classes],
      features: [...this.features],
      mean: Array.from(this.mean, r),
      std: Array.from(this.std, r),
      weights: this.weights.map((w) => Array.from(w, r)),
      intercepts: Array.from(this.intercepts, r),
      l2: this.l2,
      temperature: this.temperature,
      ...(this.training ? { training: this.training } : {}),
    };
  }

  static fromJSON(json: unknown): LogisticModel {
    return new LogisticModel(json as LogisticModelJSON);
  }
}

function validateJSON(j: LogisticModelJSON): void {
  const bad = (m: string): never => {
    throw new Error(`logistic model JSON: ${m}`);
  };
  if (!j || typeof j !== 'object') bad('not an object');
  if (j.type !== 'logistic') bad('type must be "logistic"');
  if (j.format !== 1) bad('unsupported format');
  if (!Array.isArray(j.classes) || j.classes.length < 2) bad('need at least 2 classes');
  const d = j.features?.length;
  if (!Array.isArray(j.features)) bad('features missing');
  const rows = j.classes.length === 2 ? 1 : j.classes.length;
  if (!Array.isArray(j.weights) || j.weights.length !== rows) bad(`weights must have ${rows} rows`);
  if (!Array.isArray(j.intercepts) || j.intercepts.length !== rows) bad(`intercepts must have ${rows} values`);
  for (const w of j.weights) if (!Array.isArray(w) || w.length !== d) bad('weight row length != features');
  if (!Array.isArray(j.mean) || j.mean.length !== d) bad('mean length != features');
  if (!Array.isArray(j.std) || j.std.length !== d) bad('std length != features');
  const all = [...j.mean, ...j.std, ...j.intercepts, ...j.weights.flat(), j.temperature, j.l2];
  if (!all.every((v) => typeof v === 'number' && Number.isFinite(v))) bad('non-finite number');
  if (!j.std.every((v) => v > 0)) bad('std must be > 0');
  if (!(j.temperature > 0)) bad('temperature must be > 0');
}

export function softmax(l: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < l.length; i++) m = Math.max(m, l[i]);
  const e = Array.from(l, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
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

// ---------------------------------------------------------------------------------------------------
// Calibration

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

/** multiclass temperature: logits [n][K], labels y */
export function fitTemperatureMulticlass(logits: ArrayLike<number>[], y: ArrayLike<number>): number {
  if (logits.length === 0) return 1;
  const f = (lt: number) => {
    const T = Math.exp(lt);
    let l = 0;
    for (let i = 0; i < logits.length; i++) {
      const p = softmax(Array.from(logits[i], (v) => v / T));
      l -= Math.log(Math.max(p[y[i]], 1e-300));
    }
    return l / logits.length;
  };
  let a = Math.log(1 / 20);
  let b = Math.log(20);
  const gr = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80; i++) {
    const c = b - gr * (b - a);
    const d = a + gr * (b - a);
    if (f(c) < f(d)) b = d;
    else a = c;
  }
  return Math.exp((a + b) / 2);
}

export interface PlattScaling {
  a: number;
  b: number;
}

/** Platt scaling: p = sigmoid(a * s + b), fitted by (unregularised) logistic regression on s. */
export function fitPlatt(scores: ArrayLike<number>, y: ArrayLike<number>): PlattScaling {
  const n = scores.length;
  if (n === 0) return { a: 1, b: 0 };
  const fg = (p: Float64Array, g: Float64Array) => {
    g.fill(0);
    let l = 0;
    for (let i = 0; i < n; i++) {
      const s = p[0] * scores[i] + p[1];
      l += softplus(s) - y[i] * s;
      const r = sigmoid(s) - y[i];
      g[0] += r * scores[i];
      g[1] += r;
    }
    // tiny ridge keeps separable data finite
    l = l / n + 5e-7 * (p[0] * p[0] + p[1] * p[1]);
    g[0] = g[0] / n + 1e-6 * p[0];
    g[1] = g[1] / n + 1e-6 * p[1];
    return l;
  };
  const r = lbfgs(fg, Float64Array.from([1, 0]), { maxIterations: 200, tolerance: 1e-9 });
  return { a: r.x[0], b: r.x[1] };
}

export function applyPlatt(s: number, p: PlattScaling): number {
  return sigmoid(p.a * s + p.b);
}
