/**
 * The two minimisers the fits use, deterministic: L-BFGS (every linear head and the logistic regressions) and
 * golden-section search (the temperature fits: the NLL is unimodal in log T).
 */
const EPS = 1e-12;

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

/** golden-section search for the minimum of a unimodal f on [a, b]: the midpoint of the final bracket */
export function goldenSectionMin(f: (x: number) => number, a: number, b: number, iterations: number): number {
  const gr = (Math.sqrt(5) - 1) / 2;
  let c = b - gr * (b - a);
  let d = a + gr * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - gr * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + gr * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
