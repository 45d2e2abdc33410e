/**
 * Calibration on a held-out split: temperature scaling of role logits (with per-class offsets), the
 * split-conformal quantile of the involvement ratio's interval, and the expected calibration error used
 * to check both.
 */
import { softmaxOf } from '../../src/heads/linear.js';
import { goldenSectionMin } from './optimize.js';

/** mean NLL of labels y under softmax(logits / T + bias) */
export function multiclassNLL(logits: ArrayLike<number>[], y: ArrayLike<number>, T: number, bias?: ArrayLike<number>): number {
  let l = 0;
  for (let i = 0; i < logits.length; i++) {
    const p = softmaxOf(
      Array.from(logits[i], (v, k) => v / T + (bias ? bias[k] : 0)),
      1,
    );
    l -= Math.log(Math.max(p[y[i]], 1e-300));
  }
  return l / Math.max(1, logits.length);
}

/**
 * Temperature T > 0 minimising the NLL of softmax(logits / T) on held-out rows (golden-section
 * search on log T in [1/50, 50]; the NLL is unimodal in 1/T). 1 when there are no rows.
 */
export function fitTemperature(logits: ArrayLike<number>[], y: ArrayLike<number>, bias?: ArrayLike<number>): number {
  if (logits.length === 0) return 1;
  const f = (lt: number) => multiclassNLL(logits, y, Math.exp(lt), bias);
  return Math.exp(goldenSectionMin(f, Math.log(1 / 50), Math.log(50), 60));
}

/**
 * Temperature plus per-class logit offsets (a restricted vector scaling), fitted by alternating
 * 1-d searches; corrects class priors that shift between training and held-out data.
 */
export function fitTemperatureBias(
  logits: ArrayLike<number>[],
  y: ArrayLike<number>,
  K: number,
  rounds = 4,
): { temperature: number; bias: number[] } {
  const bias = new Array(K).fill(0);
  let T = fitTemperature(logits, y);
  if (logits.length === 0) return { temperature: T, bias };
  for (let r = 0; r < rounds; r++) {
    for (let k = 1; k < K; k++) {
      let a = -4;
      let b = 4;
      const f = (v: number) => {
        const bb = bias.slice();
        bb[k] = v;
        return multiclassNLL(logits, y, T, bb);
      };
      for (let i = 0; i < 40; i++) {
        const c = a + (b - a) * 0.382;
        const d = a + (b - a) * 0.618;
        if (f(c) < f(d)) b = d;
        else a = c;
      }
      bias[k] = (a + b) / 2;
    }
    T = fitTemperature(logits, y, bias);
  }
  return { temperature: T, bias };
}

/**
 * Split-conformal quantile: the ceil((n + 1) * coverage)-th smallest nonconformity score
 * (Infinity when n is too small for the coverage). With exchangeable data the interval
 * prediction +- q covers a new value with probability >= coverage.
 */
export function conformalQuantile(scores: ArrayLike<number>, coverage: number): number {
  const n = scores.length;
  const k = Math.ceil((n + 1) * coverage);
  if (n === 0 || k > n) return Infinity;
  const s = Array.from(scores).sort((a, b) => a - b);
  return s[k - 1];
}

/**
 * Expected calibration error of top-label confidence: sum over equal-width bins of
 * (bin size / n) * |accuracy - mean confidence|.
 */
export function expectedCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<boolean | number>, bins = 15): number {
  const n = confidence.length;
  if (n === 0) return 0;
  const cnt = new Float64Array(bins);
  const acc = new Float64Array(bins);
  const conf = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const c = Math.min(1, Math.max(0, confidence[i]));
    const b = Math.min(bins - 1, Math.floor(c * bins));
    cnt[b]++;
    acc[b] += correct[i] ? 1 : 0;
    conf[b] += c;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (cnt[b] > 0) e += (cnt[b] / n) * Math.abs(acc[b] / cnt[b] - conf[b] / cnt[b]);
  return e;
}
