/**
 * Fitting the MLP role head (src/heads/mlp.ts serves it) on label sets (partial labels: a row of unknown LLM
 * role allows every LLM class) with sample weights, L2 and Adam; deterministic (seeded initialisation and
 * shuffling).
 */
import { MlpHead } from '../../src/heads/mlp.js';
import { mulberry32 } from './random.js';

export interface FitMlpOptions {
  classes: string[];
  hidden?: number;
  l2?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  /**
   * members > 1 trains that many networks from different seeds and returns their average as one head:
   * the mean of the members' logits is itself a network of this form (hidden layers side by side, output
   * weights divided by the count, linear parts averaged), so serving and explanations need nothing new.
   */
  members?: number;
}

/** Adam on the weighted partial-label NLL + (l2 / 2) ||U, V, W||^2 (an average of `members` such networks). */
export function fitMlpSets(
  Z: ArrayLike<number>[],
  masks: ArrayLike<number>,
  weights: ArrayLike<number>,
  opts: FitMlpOptions,
): MlpHead {
  const members = Math.max(1, Math.floor(opts.members ?? 1));
  if (members === 1) return fitOneMlp(Z, masks, weights, opts);
  const seed = opts.seed ?? 12345;
  const heads = Array.from({ length: members }, (_, m) => fitOneMlp(Z, masks, weights, { ...opts, seed: seed + 7919 * m }));
  return averageMlps(heads);
}

/** One network whose logits are the mean of the given networks' logits (same classes and inputs). */
export function averageMlps(heads: MlpHead[]): MlpHead {
  const M = heads.length;
  const first = heads[0].json;
  const K = first.classes.length;
  const H = heads.reduce((a, h) => a + h.H, 0);
  const V = new Array<number>(K * H).fill(0);
  const W = new Array<number>(first.W.length).fill(0);
  const b = new Array<number>(K).fill(0);
  let off = 0;
  for (const h of heads) {
    const j = h.json;
    if (j.classes.join() !== first.classes.join() || j.W.length !== first.W.length) throw new Error('averageMlps: heads differ in classes or inputs');
    for (let k = 0; k < K; k++) {
      for (let u = 0; u < h.H; u++) V[k * H + off + u] = j.V[k * h.H + u] / M;
      b[k] += j.b[k] / M;
    }
    for (let i = 0; i < W.length; i++) W[i] += j.W[i] / M;
    off += h.H;
  }
  return new MlpHead({
    type: 'mlp',
    classes: first.classes,
    hidden: H,
    U: heads.flatMap((h) => h.json.U),
    c: heads.flatMap((h) => h.json.c),
    V,
    W,
    b,
    temperature: 1,
    l2: first.l2,
    training: { ...first.training, members: M, member_hidden: first.hidden, seeds: heads.map((h) => h.json.training?.seed) },
  });
}

/**
 * out[r] = p[bias + r] + sum over j of p[rows + r * d + j] * z[j], for r < n. Four rows per pass over z: four
 * independent sums, each adding in the order of j as a row alone would (the same result bit for bit, about
 * twice as fast: the additions of one sum wait on each other).
 */
function affine(p: Float64Array, rows: number, bias: number, n: number, d: number, z: ArrayLike<number>, out: Float64Array): void {
  let r = 0;
  for (; r + 3 < n; r += 4) {
    let s0 = p[bias + r];
    let s1 = p[bias + r + 1];
    let s2 = p[bias + r + 2];
    let s3 = p[bias + r + 3];
    const o = rows + r * d;
    for (let j = 0; j < d; j++) {
      const zj = z[j];
      s0 += p[o + j] * zj;
      s1 += p[o + d + j] * zj;
      s2 += p[o + 2 * d + j] * zj;
      s3 += p[o + 3 * d + j] * zj;
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < n; r++) {
    let s = p[bias + r];
    const o = rows + r * d;
    for (let j = 0; j < d; j++) s += p[o + j] * z[j];
    out[r] = s;
  }
}

/**
 * g[rows + u * d + j] += coef[u] * z[j] for the units u = units[0 .. n-1]: four units per pass over z (each
 * element of g gets the same additions, in the same order, as with one unit at a time).
 */
function addScaledZ(g: Float64Array, rows: number, d: number, units: Int32Array, n: number, coef: Float64Array, z: ArrayLike<number>): void {
  let a = 0;
  for (; a + 3 < n; a += 4) {
    const r0 = coef[units[a]];
    const r1 = coef[units[a + 1]];
    const r2 = coef[units[a + 2]];
    const r3 = coef[units[a + 3]];
    const o0 = rows + units[a] * d;
    const o1 = rows + units[a + 1] * d;
    const o2 = rows + units[a + 2] * d;
    const o3 = rows + units[a + 3] * d;
    for (let j = 0; j < d; j++) {
      const zj = z[j];
      g[o0 + j] += r0 * zj;
      g[o1 + j] += r1 * zj;
      g[o2 + j] += r2 * zj;
      g[o3 + j] += r3 * zj;
    }
  }
  for (; a < n; a++) {
    const r = coef[units[a]];
    const o = rows + units[a] * d;
    for (let j = 0; j < d; j++) g[o + j] += r * z[j];
  }
}

function fitOneMlp(
  Z: ArrayLike<number>[],
  masks: ArrayLike<number>,
  weights: ArrayLike<number>,
  opts: FitMlpOptions,
): MlpHead {
  const n = Z.length;
  const d = Z[0].length;
  const K = opts.classes.length;
  const H = opts.hidden ?? 32;
  const l2 = opts.l2 ?? 1e-4;
  const epochs = opts.epochs ?? 30;
  const B = opts.batch ?? 128;
  const lr = opts.lr ?? 2e-3;
  const rnd = mulberry32(opts.seed ?? 12345);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  // parameters in one vector: U (H d) | c (H) | V (K H) | W (K d) | b (K)
  const oU = 0;
  const oc = oU + H * d;
  const oV = oc + H;
  const oW = oV + K * H;
  const ob = oW + K * d;
  const P = ob + K;
  const p = new Float64Array(P);
  const su = Math.sqrt(2 / d);
  for (let i = 0; i < H * d; i++) p[oU + i] = gauss() * su;
  const sv = Math.sqrt(1 / H) * 0.1;
  for (let i = 0; i < K * H; i++) p[oV + i] = gauss() * sv;
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const g = new Float64Array(P);
  let wmean = 0;
  for (let i = 0; i < n; i++) wmean += weights[i] / n;
  const order = Array.from({ length: n }, (_, i) => i);
  const pre = new Float64Array(H);
  const hid = new Float64Array(H);
  const lg = new Float64Array(K);
  const dl = new Float64Array(K);
  const dh = new Float64Array(H);
  const act = new Int32Array(H);
  let step = 0;
  let lastLoss = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let epLoss = 0;
    for (let s0 = 0; s0 < n; s0 += B) {
      g.fill(0);
      const end = Math.min(n, s0 + B);
      let bw = 0;
      for (let q = s0; q < end; q++) bw += weights[order[q]];
      if (bw <= 0) continue;
      for (let q = s0; q < end; q++) {
        const i = order[q];
        const w = weights[i] / bw;
        if (w === 0) continue;
        const z = Z[i];
        // the hidden units' and the logits' linear parts: rows of U and W dotted with z (plus their biases)
        affine(p, oU, oc, H, d, z, pre);
        for (let v = 0; v < H; v++) hid[v] = pre[v] > 0 ? pre[v] : 0;
        let mx = -Infinity;
        affine(p, oW, ob, K, d, z, lg);
        for (let k = 0; k < K; k++) {
          let s = lg[k];
          const ov = oV + k * H;
          for (let u = 0; u < H; u++) s += p[ov + u] * hid[u];
          lg[k] = s;
          if (s > mx) mx = s;
        }
        let se = 0;
        let sa = 0;
        const m = masks[i];
        for (let k = 0; k < K; k++) {
          const e = Math.exp(lg[k] - mx);
          se += e;
          if (m & (1 << k)) sa += e;
        }
        epLoss += (weights[i] / wmean) * (Math.log(se) - Math.log(Math.max(sa, 1e-300)));
        for (let k = 0; k < K; k++) {
          const e = Math.exp(lg[k] - mx);
          dl[k] = w * (e / se - (m & (1 << k) ? e / sa : 0));
        }
        dh.fill(0);
        for (let k = 0; k < K; k++) {
          const r = dl[k];
          if (r === 0) continue;
          g[ob + k] += r;
          const o = oW + k * d;
          for (let j = 0; j < d; j++) g[o + j] += r * z[j];
          const ov = oV + k * H;
          for (let u = 0; u < H; u++) {
            g[ov + u] += r * hid[u];
            dh[u] += r * p[ov + u];
          }
        }
        // the active units' gradients, four per pass over z (each element of g gets the same additions as before)
        let na = 0;
        for (let u = 0; u < H; u++) {
          if (pre[u] <= 0 || dh[u] === 0) continue;
          g[oc + u] += dh[u];
          act[na++] = u;
        }
        addScaledZ(g, oU, d, act, na, dh, z);
      }
      // L2 on weights (not biases)
      for (let i = oU; i < oc; i++) g[i] += l2 * p[i];
      for (let i = oV; i < ob; i++) g[i] += l2 * p[i];
      step++;
      const c1 = 1 - Math.pow(b1, step);
      const c2 = 1 - Math.pow(b2, step);
      const a = lr * (ep >= epochs * 0.7 ? 0.3 : 1);
      for (let i = 0; i < P; i++) {
        m1[i] = b1 * m1[i] + (1 - b1) * g[i];
        m2[i] = b2 * m2[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (a * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + 1e-8);
      }
    }
    lastLoss = epLoss / n;
  }
  return new MlpHead({
    type: 'mlp',
    classes: opts.classes,
    hidden: H,
    U: Array.from(p.subarray(oU, oc)),
    c: Array.from(p.subarray(oc, oV)),
    V: Array.from(p.subarray(oV, oW)),
    W: Array.from(p.subarray(oW, ob)),
    b: Array.from(p.subarray(ob, P)),
    temperature: 1,
    l2,
    training: { epochs, batch: B, lr, seed: opts.seed ?? 12345, loss: lastLoss, n },
  });
}
