/**
 * The involvement ratio's interval as served: the prediction +- the split-conformal quantile that
 * training/fit/calibration.ts fits on the validation split.
 */

/** Interval [pred - q, pred + q] clipped to [0, 1]. */
export function clippedInterval(pred: number, q: number): [number, number] {
  return [Math.max(0, pred - q), Math.min(1, pred + q)];
}

/** the smallest interval that holds `iv` and the point `x` */
export function intervalContaining(iv: [number, number], x: number): [number, number] {
  return [Math.min(iv[0], x), Math.max(iv[1], x)];
}
