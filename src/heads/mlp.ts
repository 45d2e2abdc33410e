/**
 * A small role head: a linear softmax plus a one-hidden-layer ReLU network on the same standardised
 * inputs, logits = W z + b + V relu(U z + c), as served (training/fit/mlp.ts fits it). Explanations:
 * the linear part's terms are exact; the network's part is attributed by gradient x input and its
 * remainder reported separately.
 */
import { softmaxOf } from './linear.js';

export interface MlpHeadJSON {
  type: 'mlp';
  classes: string[];
  hidden: number;
  /** H x d, row-major */
  U: number[];
  c: number[];
  /** K x H, row-major */
  V: number[];
  /** K x d, row-major */
  W: number[];
  b: number[];
  temperature: number;
  bias?: number[];
  l2: number;
  training?: Record<string, unknown>;
}

export class MlpHead {
  readonly K: number;
  readonly d: number;
  readonly H: number;
  private readonly U: Float64Array;
  private readonly V: Float64Array;
  private readonly W: Float64Array;

  constructor(public readonly json: MlpHeadJSON) {
    this.K = json.classes.length;
    this.H = json.hidden;
    this.d = json.W.length / this.K;
    this.U = Float64Array.from(json.U);
    this.V = Float64Array.from(json.V);
    this.W = Float64Array.from(json.W);
  }

  private hiddenOf(z: ArrayLike<number>): Float64Array {
    const { H, d, U } = this;
    const h = new Float64Array(H);
    for (let u = 0; u < H; u++) {
      let s = this.json.c[u];
      const o = u * d;
      for (let j = 0; j < d; j++) s += U[o + j] * z[j];
      h[u] = s > 0 ? s : 0;
    }
    return h;
  }

  logits(z: ArrayLike<number>): number[] {
    const { K, H, d, V, W } = this;
    const h = this.hiddenOf(z);
    const out = new Array<number>(K);
    for (let k = 0; k < K; k++) {
      let s = this.json.b[k];
      const o = k * d;
      for (let j = 0; j < d; j++) s += W[o + j] * z[j];
      const ov = k * H;
      for (let u = 0; u < H; u++) s += V[ov + u] * h[u];
      out[k] = s;
    }
    return out;
  }

  probs(z: ArrayLike<number>): number[] {
    const l = this.logits(z);
    const b = this.json.bias;
    return softmaxOf(
      l.map((v, k) => v / this.json.temperature + (b ? b[k] : 0)),
      1,
    );
  }

  /**
   * Terms of class k's centred calibrated logit per input: linear part (exact) + gradient x input of
   * the network part; `rest` = what gradient x input leaves unexplained (biases, kinks).
   */
  contributions(z: ArrayLike<number>, k: number): { terms: Float64Array; intercept: number; rest: number } {
    const { K, H, d, U, V, W } = this;
    const T = this.json.temperature;
    const pre = new Float64Array(H);
    for (let u = 0; u < H; u++) {
      let s = this.json.c[u];
      for (let j = 0; j < d; j++) s += U[u * d + j] * z[j];
      pre[u] = s;
    }
    // centred output weights of class k
    const vk = new Float64Array(H);
    for (let u = 0; u < H; u++) {
      let m = 0;
      for (let c = 0; c < K; c++) m += V[c * H + u];
      vk[u] = V[k * H + u] - m / K;
    }
    const terms = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let mw = 0;
      for (let c = 0; c < K; c++) mw += W[c * d + j];
      let g = W[k * d + j] - mw / K;
      for (let u = 0; u < H; u++) if (pre[u] > 0) g += vk[u] * U[u * d + j];
      terms[j] = (g * z[j]) / T;
    }
    const l = this.logits(z);
    const mean = l.reduce((a, b) => a + b, 0) / K;
    const b = this.json.bias;
    let mb = 0;
    if (b) for (let c = 0; c < K; c++) mb += b[c] / K;
    const total = (l[k] - mean) / T + (b ? b[k] - mb : 0);
    let sum = 0;
    for (let j = 0; j < d; j++) sum += terms[j];
    let mi = 0;
    for (let c = 0; c < K; c++) mi += this.json.b[c];
    const intercept = (this.json.b[k] - mi / K) / T + (b ? b[k] - mb : 0);
    return { terms, intercept, rest: total - sum - intercept };
  }
}
