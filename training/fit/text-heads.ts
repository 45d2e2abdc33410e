/**
 * Fitting the text heads from input matrices (the standardiser, the role head, the ratio regressors, the
 * temperature, the involvement ratio's point and interval, the decision thresholds), and the metrics used to
 * judge them (training/train-text.ts, loso.ts and the eval-*.ts scripts).
 */
import { ROLES, type Role } from '../../src/roles.js';
import { clippedInterval, intervalContaining } from '../../src/heads/calibration.js';
import type { FractionalLogitJSON, Standardizer } from '../../src/heads/linear.js';
import { combineRatio, type ConsistentRatioJSON, type HeadPrediction, type InvolvementJSON, type RatioMethod, type RoleHead, type TextHeads } from '../../src/heads/text-heads.js';
import { conformalQuantile, expectedCalibrationError, fitTemperatureBias } from './calibration.js';
import { fitFractionalLogit, fitSoftmaxSets, fitStandardizer } from './linear.js';
import { fitMlpSets } from './mlp.js';

export interface HeadData {
  X: Float64Array[];
  /** allowed-role bitmask (one bit when the role is known) */
  masks: number[];
  /** role index, or -1 when unknown */
  roles: number[];
  /** PR or null */
  pr: (number | null)[];
  weights: Float64Array;
}

export interface FitOptions {
  inputs: string[];
  l2Role?: number;
  l2Ratio?: number;
  coverage?: number;
  maxIterations?: number;
  /** role head: 'linear' softmax (default) or 'mlp' (linear + one ReLU layer) */
  roleModel?: 'linear' | 'mlp';
  hidden?: number;
  l2Mlp?: number;
  epochs?: number;
  /** MLP role head: average of this many networks trained from different seeds (default 1) */
  members?: number;
  /** log1p right-skewed non-negative inputs (default true) */
  logSkewed?: boolean;
  /** fit per-class logit offsets with the temperature (default true) */
  classBias?: boolean;
}

export interface FittedHeads {
  standardizer: Standardizer;
  role: RoleHead;
  involvement: InvolvementJSON;
  calibration: Record<string, unknown>;
  /** ai_probability thresholds with 1% / 5% / 10% false positives on validation human texts */
  thresholds: { fpr_0_01: number; fpr_0_05: number; fpr_0_10: number; n_human: number };
}

function fitRatio(Z: Float64Array[], d: HeadData, role: Role, l2: number, maxIt: number): FractionalLogitJSON {
  const k = ROLES.indexOf(role);
  const idx: number[] = [];
  for (let i = 0; i < Z.length; i++) if (d.roles[i] === k && d.pr[i] !== null) idx.push(i);
  if (idx.length < 5) {
    return { type: 'fractional-logit', weights: new Array(Z[0].length).fill(0), intercept: 0, l2 };
  }
  return fitFractionalLogit(
    idx.map((i) => Z[i]),
    idx.map((i) => d.pr[i] as number),
    idx.map((i) => d.weights[i]),
    { l2, maxIterations: maxIt },
  ).json;
}

/** Fits standardiser, role head, ratio regressors on `train`; calibrates on `val`. */
/**
 * The ai_probability threshold that flags a share `rate` of the human texts whose ai_probability values
 * are `sortedHuman` (ascending): just above the value at rank floor((1 - rate) n).
 */
export function thresholdAtRate(sortedHuman: readonly number[], rate: number): number {
  const n = sortedHuman.length;
  return n ? Math.min(1, sortedHuman[Math.min(n - 1, Math.floor((1 - rate) * n))] + 1e-9) : 0.5;
}

export function fitTextHeadsFrom(train: HeadData, val: HeadData, opts: FitOptions): FittedHeads {
  const standardizer = fitStandardizer(train.X, opts.inputs, { logSkewed: opts.logSkewed ?? true });
  const Z = train.X.map((x) => standardizer.apply(x));
  const maxIt = opts.maxIterations ?? 300;
  const role: RoleHead =
    opts.roleModel === 'mlp'
      ? fitMlpSets(Z, train.masks, train.weights, { classes: [...ROLES], hidden: opts.hidden ?? 32, l2: opts.l2Mlp ?? 1e-4, epochs: opts.epochs ?? 30, members: opts.members })
      : fitSoftmaxSets(Z, train.masks, train.weights, { classes: [...ROLES], l2: opts.l2Role ?? 1e-3, maxIterations: maxIt });
  const polisher = fitRatio(Z, train, 'llm_polisher', opts.l2Ratio ?? 1e-3, maxIt);
  const extender = fitRatio(Z, train, 'llm_extender', opts.l2Ratio ?? 1e-3, maxIt);
  const di = train.pr.map((v, i) => (v !== null ? i : -1)).filter((i) => i >= 0);
  const direct = fitFractionalLogit(
    di.map((i) => Z[i]),
    di.map((i) => train.pr[i] as number),
    di.map((i) => train.weights[i]),
    { l2: opts.l2Ratio ?? 1e-3, maxIterations: maxIt },
  ).json;

  // temperature (+ class offsets) on validation rows of known role
  const Zv = val.X.map((x) => standardizer.apply(x));
  const vl: number[][] = [];
  const vy: number[] = [];
  Zv.forEach((z, i) => {
    if (val.roles[i] >= 0) {
      vl.push(role.logits(z));
      vy.push(val.roles[i]);
    }
  });
  const cal = fitTemperatureBias(vl, vy, ROLES.length, opts.classBias === false ? 0 : 4);
  role.json.temperature = cal.temperature;
  role.json.bias = cal.bias;

  const involvement = fitInvolvement(role, { polisher, extender, direct }, Zv, val.pr, opts.coverage ?? 0.9);
  // ai_probability thresholds tied to a false-positive rate on the validation split's human texts
  const hv: number[] = [];
  Zv.forEach((z, i) => {
    if (val.roles[i] === ROLES.indexOf('human_author')) hv.push(1 - role.probs(z)[ROLES.indexOf('human_author')]);
  });
  hv.sort((a, b) => a - b);
  const at = (fpr: number) => thresholdAtRate(hv, fpr);
  const thresholds = { fpr_0_01: at(0.01), fpr_0_05: at(0.05), fpr_0_10: at(0.1), n_human: hv.length };
  return {
    standardizer,
    role,
    involvement,
    thresholds,
    calibration: {
      role: { method: opts.classBias === false ? 'temperature' : 'temperature + per-class logit offsets', temperature: cal.temperature, bias: cal.bias, n: vy.length },
      involvement: involvement.conformal,
    },
  };
}

/**
 * The involvement ratio's point and interval, fitted on the validation split (standardised inputs `Zv`, true
 * ratios `valPr`): role-consistent (the sharpened role mixture held inside the label's band), its sharpness
 * and band slope chosen by validation MAE, the other methods' validation MAE kept beside it (the cost of
 * consistency); then the split-conformal interval (see below).
 */
export function fitInvolvement(
  role: RoleHead,
  regressors: Pick<InvolvementJSON, 'polisher' | 'extender' | 'direct'>,
  Zv: Float64Array[],
  valPr: (number | null)[],
  coverage: number,
): InvolvementJSON {
  const involvement: InvolvementJSON = {
    method: 'role-mixture',
    ...regressors,
    conformal: { coverage, method: 'split-conformal, Mondrian by predicted role, |pr - ratio|', by_label: {}, overall: 1, n: {} },
  };
  // the point estimate: role-consistent (the sharpened role mixture held inside the label's band), its
  // sharpness and band slope chosen by validation MAE; the other methods' validation MAE is kept beside
  // it (the cost of consistency). Conformal residuals around that point, grouped by predicted label.
  const partial = { role, involvement };
  const valMae = (method: RatioMethod): number => {
    involvement.method = method;
    let ae = 0;
    let n = 0;
    Zv.forEach((z, i) => {
      const pr = valPr[i];
      if (pr === null) return;
      ae += Math.abs(pr - predictZ(partial, z).ratio);
      n++;
    });
    return n > 0 ? ae / n : Infinity;
  };
  const validationMae: Record<string, number> = {};
  for (const m of ['role-mixture', 'direct', 'blend', 'role-median'] as RatioMethod[]) validationMae[m] = valMae(m);
  let best: { c: ConsistentRatioJSON; mae: number } | null = null;
  for (const sharpness of CONSISTENT_SHARPNESS)
    for (const band_slope of CONSISTENT_BAND_SLOPES) {
      involvement.consistent = { sharpness, band_slope };
      const mae = valMae('role-consistent');
      if (!best || mae < best.mae - 1e-12) best = { c: { sharpness, band_slope }, mae };
    }
  involvement.consistent = best!.c;
  validationMae['role-consistent'] = best!.mae;
  involvement.validation_mae = validationMae;
  involvement.method = 'role-consistent';
  // the interval: split-conformal half-widths per predicted label around a centre; the centre is the point
  // itself, or the mean-type method with the lowest validation MAE (its residuals are not all-or-nothing)
  // with the interval stretched to contain the point; the one with the narrower median validation interval
  const meanType = (['role-mixture', 'direct', 'blend'] as RatioMethod[]).reduce((a, m) => (validationMae[m] < validationMae[a] ? m : a));
  const conformalAround = (centre: RatioMethod | undefined) => {
    const res: Record<string, number[]> = {};
    const all: number[] = [];
    const rows: { label: Role; c: number; point: number }[] = [];
    Zv.forEach((z, i) => {
      const pr = valPr[i];
      if (pr === null) return;
      const p = predictZ(partial, z);
      const c = centre ? predictZ({ role, involvement: { ...involvement, method: centre } }, z).ratio : p.ratio;
      const r = Math.abs(pr - c);
      (res[p.label] ??= []).push(r);
      all.push(r);
      rows.push({ label: p.label, c, point: p.ratio });
    });
    const conformal: InvolvementJSON['conformal'] = {
      coverage,
      method: centre
        ? `split-conformal, Mondrian by predicted role, |pr - ${centre}| (the interval's centre: the mean-type ratio with the lowest validation MAE), stretched to contain the point`
        : 'split-conformal, Mondrian by predicted role, |pr - ratio|',
      overall: Math.min(1, conformalQuantile(all, coverage)),
      by_label: {},
      n: {},
    };
    for (const r of ROLES) {
      const s = res[r] ?? [];
      conformal.n[r] = s.length;
      const q = conformalQuantile(s, coverage);
      conformal.by_label[r] = s.length >= 30 && Number.isFinite(q) ? Math.min(1, q) : conformal.overall;
    }
    const widths = rows
      .map((x) => {
        const iv = intervalContaining(clippedInterval(x.c, conformal.by_label[x.label] ?? conformal.overall), x.point);
        return iv[1] - iv[0];
      })
      .sort((a, b) => a - b);
    return { centre, conformal, medianWidth: widths.length ? widths[Math.floor((widths.length - 1) / 2)] : 1 };
  };
  const choices = [conformalAround(undefined), conformalAround(meanType)];
  const chosen = choices.reduce((a, b) => (b.medianWidth < a.medianWidth ? b : a));
  if (chosen.centre) involvement.interval_method = chosen.centre;
  involvement.conformal = chosen.conformal;
  involvement.interval_choice = Object.fromEntries(choices.map((c) => [c.centre ?? 'the point', { validation_median_width: c.medianWidth }]));
  return involvement;
}

/** role-consistent's grid: the mixture weights' exponent k, and the band's slope s */
export const CONSISTENT_SHARPNESS = [1, 1.5, 2, 3, 4, 6, 8];
export const CONSISTENT_BAND_SLOPES = [1, 2, 5, 10, 25];

/** prediction from standardised inputs with partially built heads (used during fitting) */
function predictZ(h: Pick<FittedHeads, 'role' | 'involvement'>, z: Float64Array): { label: Role; ratio: number } {
  const p = h.role.probs(z);
  let k = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[k]) k = c;
  const sig = (j: FractionalLogitJSON) => {
    let s = j.intercept;
    for (let t = 0; t < j.weights.length; t++) s += j.weights[t] * z[t];
    return 1 / (1 + Math.exp(-s));
  };
  const direct = h.involvement.direct ? sig(h.involvement.direct) : undefined;
  return { label: ROLES[k], ratio: combineRatio(h.involvement.method, { p, gP: sig(h.involvement.polisher), gE: sig(h.involvement.extender), direct }, h.involvement.consistent) };
}

// ---------------------------------------------------------------------------------------------
// metrics

export interface RoleMetrics {
  n: number;
  accuracy: number;
  macro_f1: number;
  per_class_f1: Partial<Record<Role, number>>;
  ece: number;
}

/** accuracy, macro-F1 over the classes present in the truth, per-class F1, top-label ECE */
export function roleMetrics(truth: number[], preds: HeadPrediction[]): RoleMetrics | null {
  const idx = truth.map((t, i) => (t >= 0 ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return null;
  const K = ROLES.length;
  const tp = new Array(K).fill(0);
  const fp = new Array(K).fill(0);
  const fn = new Array(K).fill(0);
  let correct = 0;
  const conf: number[] = [];
  const ok: boolean[] = [];
  for (const i of idx) {
    const t = truth[i];
    const p = preds[i].labelIndex;
    if (t === p) {
      tp[t]++;
      correct++;
    } else {
      fp[p]++;
      fn[t]++;
    }
    conf.push(preds[i].probabilities[preds[i].label]);
    ok.push(t === p);
  }
  const per: Partial<Record<Role, number>> = {};
  const present: number[] = [];
  for (let k = 0; k < K; k++) {
    if (tp[k] + fn[k] === 0) continue;
    present.push(k);
    const prec = tp[k] + fp[k] > 0 ? tp[k] / (tp[k] + fp[k]) : 0;
    const rec = tp[k] / (tp[k] + fn[k]);
    per[ROLES[k]] = prec + rec > 0 ? (2 * prec * rec) / (prec + rec) : 0;
  }
  const macro = present.reduce((s, k) => s + (per[ROLES[k]] ?? 0), 0) / present.length;
  return { n: idx.length, accuracy: correct / idx.length, macro_f1: macro, per_class_f1: per, ece: expectedCalibrationError(conf, ok) };
}

export interface RatioMetrics {
  n: number;
  mae: number;
  mse: number;
  coverage: number;
  mean_width: number;
  /** median width of the 90% interval */
  median_width: number;
}

export function ratioMetrics(pr: (number | null)[], preds: HeadPrediction[]): RatioMetrics | null {
  let n = 0;
  let ae = 0;
  let se = 0;
  let cov = 0;
  let width = 0;
  const widths: number[] = [];
  pr.forEach((y, i) => {
    if (y === null) return;
    const p = preds[i];
    n++;
    ae += Math.abs(y - p.ratio);
    se += (y - p.ratio) ** 2;
    if (y >= p.interval[0] - 1e-12 && y <= p.interval[1] + 1e-12) cov++;
    width += p.interval[1] - p.interval[0];
    widths.push(p.interval[1] - p.interval[0]);
  });
  if (n === 0) return null;
  widths.sort((a, b) => a - b);
  const median_width = n % 2 ? widths[(n - 1) / 2] : (widths[n / 2 - 1] + widths[n / 2]) / 2;
  return { n, mae: ae / n, mse: se / n, coverage: cov / n, mean_width: width / n, median_width };
}

export interface BinaryMetrics {
  /** human texts */
  n_human: number;
  /** false-positive rate: human texts with ai_probability >= threshold */
  fpr: number | null;
  /** LLM-involved texts */
  n_llm: number;
  /** recall: LLM-involved texts with ai_probability >= threshold */
  recall: number | null;
}

export function binaryMetrics(llm: boolean[], preds: HeadPrediction[], threshold: number): BinaryMetrics {
  let nh = 0;
  let fpc = 0;
  let nl = 0;
  let tpc = 0;
  llm.forEach((l, i) => {
    const flag = preds[i].aiProbability >= threshold;
    if (l) {
      nl++;
      if (flag) tpc++;
    } else {
      nh++;
      if (flag) fpc++;
    }
  });
  return { n_human: nh, fpr: nh ? fpc / nh : null, n_llm: nl, recall: nl ? tpc / nl : null };
}

export function predictAll(heads: TextHeads, X: Float64Array[]): HeadPrediction[] {
  return X.map((x) => heads.predict(x));
}
