import t from 'tap';
import { LogisticModel, sigmoid } from '../../src/heads/logistic.js';
import { fitLogistic, fitTemperature, logit } from '../../training/fit/logistic.js';
import { lbfgs } from '../../training/fit/optimize.js';
import { mulberry32 } from '../../training/fit/random.js';

const rng = mulberry32;
function gauss(r: () => number) {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

t.test('one binary feature: closed-form answer (group log-odds)', async (t) => {
  // x=0: 30 of 100 positive; x=1: 80 of 100 positive
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 100; i++) {
    X.push([0]);
    y.push(i < 30 ? 1 : 0);
  }
  for (let i = 0; i < 100; i++) {
    X.push([1]);
    y.push(i < 80 ? 1 : 0);
  }
  const m = fitLogistic(X, y, { l2: 0, standardize: false, tolerance: 1e-10 });
  t.ok(Math.abs(m.intercepts[0] - logit(0.3)) < 1e-5, `intercept ${m.intercepts[0]} ~ logit(0.3)`);
  t.ok(Math.abs(m.weights[0][0] - (logit(0.8) - logit(0.3))) < 1e-5, 'slope = difference of log-odds');
  t.ok(Math.abs(m.predictProba([1])[1] - 0.8) < 1e-6);
  t.ok(Math.abs(m.predictProba([0])[1] - 0.3) < 1e-6);
});

t.test('recovers the generating weights (original units) on a large sample', async (t) => {
  const r = rng(7);
  const trueW = [2, -1, 0.5, 0];
  const trueB = -0.5;
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const x = [gauss(r) * 1, gauss(r) * 3 + 10, gauss(r) * 0.2, gauss(r)];
    const s = trueB + x.reduce((a, v, j) => a + v * trueW[j] - (j === 1 ? 10 * trueW[j] : 0), 0);
    X.push(x);
    y.push(r() < sigmoid(s) ? 1 : 0);
  }
  const m = fitLogistic(X, y, { l2: 1e-6, features: ['a', 'b', 'c', 'd'] });
  const u = m.unstandardizedWeights();
  t.ok(Math.abs(u.weights.a - 2) < 0.15, `a ${u.weights.a}`);
  t.ok(Math.abs(u.weights.b - -1) < 0.08, `b ${u.weights.b}`);
  t.ok(Math.abs(u.weights.c - 0.5) < 0.4, `c ${u.weights.c}`);
  t.ok(Math.abs(u.weights.d) < 0.1, `d ${u.weights.d}`);
  t.ok(Math.abs(u.intercept - (trueB + 10)) < 0.9, `intercept ${u.intercept}`);
  t.ok(m.training?.converged, 'converged');
  // optimality: the unpenalised intercept makes mean prediction = mean label
  const meanP = X.reduce((a, x) => a + m.predictProba(x)[1], 0) / X.length;
  const meanY = y.reduce((a, v) => a + v, 0) / y.length;
  t.ok(Math.abs(meanP - meanY) < 1e-4, 'score equation for the intercept');
});

t.test('softmax with three classes', async (t) => {
  const r = rng(3);
  const centres = [
    [0, 0],
    [4, 0],
    [0, 4],
  ];
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 900; i++) {
    const c = i % 3;
    X.push([centres[c][0] + gauss(r), centres[c][1] + gauss(r)]);
    y.push(c);
  }
  const m = fitLogistic(X, y, { l2: 1e-3, classes: ['a', 'b', 'c'] });
  let correct = 0;
  for (let i = 0; i < X.length; i++) {
    const p = m.predictProba(X[i]);
    t.equal(p.length, 3);
    if (Math.abs(p[0] + p[1] + p[2] - 1) > 1e-12) t.fail('probabilities sum to 1');
    if (m.predict(X[i]) === y[i]) correct++;
  }
  t.ok(correct / X.length > 0.93, `accuracy ${correct / X.length}`);
  t.equal(m.predict([4, 0]), 1);
  t.equal(m.predict([0, 4]), 2);
  // centred-logit contributions are exact
  const x = [1.5, 2];
  const logits = m.rawLogits(x);
  const mean = (logits[0] + logits[1] + logits[2]) / 3;
  for (let c = 0; c < 3; c++) {
    const { intercept, contributions } = m.contributions(x, c);
    const s = intercept + contributions.reduce((a, v) => a + v.contribution, 0);
    t.ok(Math.abs(s - (logits[c] - mean)) < 1e-9, `class ${c} contributions sum`);
  }
});

t.test('contributions are exact and JSON round-trips', async (t) => {
  const r = rng(11);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 500; i++) {
    const x = [gauss(r), gauss(r) * 5, r() < 0.5 ? 1 : 0];
    X.push(x);
    y.push(r() < sigmoid(x[0] - 0.3 * x[1] + x[2]) ? 1 : 0);
  }
  const m = fitLogistic(X, y, { l2: 1e-2, features: ['x', 'y', 'flag'], classes: ['human', 'llm'] });
  m.temperature = 1.7;
  const x = [0.4, -3, 1];
  const { intercept, contributions } = m.contributions(x);
  const sum = intercept + contributions.reduce((a, c) => a + c.contribution, 0);
  t.ok(Math.abs(sum - m.logOdds(x)) < 1e-12, 'intercept + contributions = calibrated log-odds');
  const z = m.standardize(x);
  t.ok(Math.abs(contributions[1].contribution - (m.weights[0][1] * z[1]) / 1.7) < 1e-12);
  t.equal(contributions[1].feature, 'y');
  t.equal(contributions[1].value, -3);
  const top = m.topContributions(x, 2);
  t.equal(top.length, 2);
  t.ok(Math.abs(top[0].contribution) >= Math.abs(top[1].contribution));
  // class 0 contributions are the negation
  const neg = m.contributions(x, 0);
  t.ok(Math.abs(neg.contributions[0].contribution + contributions[0].contribution) < 1e-15);

  const json = JSON.parse(JSON.stringify(m.toJSON()));
  const m2 = LogisticModel.fromJSON(json);
  for (const row of X.slice(0, 50)) t.equal(m2.predictProba(row)[1], m.predictProba(row)[1]);
  t.throws(() => LogisticModel.fromJSON({ ...json, std: json.std.map(() => 0) }), /std/);
  t.throws(() => LogisticModel.fromJSON({ ...json, weights: [[1]] }), /weight row/);
  t.throws(() => LogisticModel.fromJSON({ ...json, temperature: Number.NaN }), /non-finite/);
  t.throws(() => m.predictProba([1, 2]), /expected 3 features/);
});

t.test('deterministic, handles constant features, separable data stays finite', async (t) => {
  const X = [
    [0, 5],
    [1, 5],
    [2, 5],
    [3, 5],
  ];
  const y = [0, 0, 1, 1];
  const a = fitLogistic(X, y, { l2: 1e-2 });
  const b = fitLogistic(X, y, { l2: 1e-2 });
  t.same(a.toJSON(), b.toJSON(), 'same input -> same model');
  t.equal(a.std[1], 1, 'constant feature gets std 1');
  t.equal(a.weights[0][1], 0, 'constant feature gets weight 0');
  t.ok(a.toJSON().weights.flat().every(Number.isFinite));
  t.ok(a.predictProba([3, 5])[1] > 0.9 && a.predictProba([0, 5])[1] < 0.1);
  t.throws(() => fitLogistic([[Number.NaN]], [1]), /non-finite/);
  t.throws(() => fitLogistic([[1], [2]], [0]), /differ/);
});

t.test('sample weights equal duplication; balanced class weights', async (t) => {
  const r = rng(5);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 200; i++) {
    const x = [gauss(r)];
    X.push(x);
    y.push(r() < sigmoid(x[0]) ? 1 : 0);
  }
  const w = X.map((_, i) => (i % 4 === 0 ? 2 : 1));
  const Xd = [...X, ...X.filter((_, i) => i % 4 === 0)];
  const yd = [...y, ...y.filter((_, i) => i % 4 === 0)];
  // standardisation differs between the two (unweighted stats) so compare in original units
  const mw = fitLogistic(X, y, { l2: 0, sampleWeights: w, standardize: false, tolerance: 1e-10 });
  const md = fitLogistic(Xd, yd, { l2: 0, standardize: false, tolerance: 1e-10 });
  t.ok(Math.abs(mw.weights[0][0] - md.weights[0][0]) < 1e-5);
  t.ok(Math.abs(mw.intercepts[0] - md.intercepts[0]) < 1e-5);

  // 90/10 imbalance, uninformative feature: balanced weights put the intercept at 0
  const Xi: number[][] = [];
  const yi: number[] = [];
  for (let i = 0; i < 1000; i++) {
    Xi.push([gauss(r)]);
    yi.push(i % 10 === 0 ? 1 : 0);
  }
  const plain = fitLogistic(Xi, yi, { l2: 1e-3 });
  const bal = fitLogistic(Xi, yi, { l2: 1e-3, classWeights: 'balanced' });
  t.ok(Math.abs(plain.intercepts[0] - logit(0.1)) < 0.05, `plain ${plain.intercepts[0]}`);
  t.ok(Math.abs(bal.intercepts[0]) < 0.05, `balanced ${bal.intercepts[0]}`);
});

t.test('temperature scaling recovers a known distortion', async (t) => {
  const r = rng(9);
  const s: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const trueLogit = gauss(r) * 2;
    y.push(r() < sigmoid(trueLogit) ? 1 : 0);
    s.push(trueLogit * 3); // over-confident by a factor 3
  }
  const T = fitTemperature(s, y);
  t.ok(Math.abs(T - 3) < 0.2, `T ${T}`);
});

t.test('lbfgs minimises a quadratic exactly', async (t) => {
  const c = [3, -2, 0.5];
  const res = lbfgs(
    (x, g) => {
      let f = 0;
      for (let i = 0; i < 3; i++) {
        f += (i + 1) * (x[i] - c[i]) ** 2;
        g[i] = 2 * (i + 1) * (x[i] - c[i]);
      }
      return f;
    },
    new Float64Array(3),
    { tolerance: 1e-10 },
  );
  for (let i = 0; i < 3; i++) t.ok(Math.abs(res.x[i] - c[i]) < 1e-8);
  t.ok(res.converged);
});

t.test('warm start reaches the same optimum', async (t) => {
  const r = rng(21);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const x = [gauss(r), gauss(r), gauss(r)];
    X.push(x);
    y.push(r() < sigmoid(x[0] - x[1]) ? 1 : 0);
  }
  const strong = fitLogistic(X, y, { l2: 0.3 });
  const cold = fitLogistic(X, y, { l2: 0.01, tolerance: 1e-10 });
  const warm = fitLogistic(X, y, { l2: 0.01, tolerance: 1e-10, init: { weights: strong.weights, intercepts: strong.intercepts } });
  for (let j = 0; j < 3; j++) t.ok(Math.abs(cold.weights[0][j] - warm.weights[0][j]) < 1e-6);
  t.throws(() => fitLogistic(X, y, { init: { weights: [[1]], intercepts: [0] } }), /wrong shape/);
});
