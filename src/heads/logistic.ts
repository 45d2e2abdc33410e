/**
 * A logistic / softmax regression as served (the judgment heads, the likelihood combination head), with exact
 * per-feature attributions; training/fit/logistic.ts fits it.
 *
 * - The standardisation (mean / std per feature) fitted on the training rows is stored with the model, so
 *   serving applies exactly the transform training used.
 * - K = 2 is stored as one weight row (log-odds of `classes[1]`); K > 2 as a full softmax (K rows).
 * - `contributions` returns weight * standardised value per feature. For K = 2 these plus the intercept
 *   sum exactly to the (temperature-scaled) log-odds of `classes[1]`; for K > 2 they sum to the class's
 *   logit minus the mean logit (the centred softmax logit).
 */

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

export interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

/** the logistic function, 1 / (1 + exp(-z)), stable for either sign */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
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
