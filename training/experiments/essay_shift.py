"""
Why gede's human essays are flagged: out of the training distribution, longer, or a genre?
1. The shipped heads' ai_probability of the human texts per (data set, domain): the test split of the training
   sets and every gede essay (preds-heads.jsonl), median and share at or above the default threshold.
2. The same by length (100-word buckets): test-split human texts, gede human essays, gede generated essays.
3. Mahalanobis distance of each text's whole-text embedding (X.jsonl columns of emb_0..emb_255) to the train
   split's mean and covariance: the share above the validation split's 95th / 99th percentile, per set; an
   out-of-domain warning built that way would fire where this share is high.
Run from the repository root after export-sample.ts:
  npx tsx training/experiments/export-sample.ts && /usr/bin/python3 training/experiments/essay_shift.py
Results are quoted in training/experiments/README.md.
"""
import collections, json
import numpy as np

rows = [json.loads(l) for l in open('training/.cache/exp/sample.jsonl')]
P = {o['id']: o['p'] for o in map(json.loads, open('training/.cache/exp/preds-heads.jsonl'))}
cfg = json.load(open('models/heads/config.json'))
threshold = cfg['thresholds']['ai_probability']  # the served default
names = json.load(open('models/heads/standardizer.json'))['inputs']
emb = [j for j, n in enumerate(names) if n.startswith('emb_')]


def shown(r):
    return r['split'] == 'test' or r['eval']


print(f'1. human texts, ai_probability by (set, domain); default threshold {threshold}')
by = collections.defaultdict(list)
for r in rows:
    if r['role'] == 'human_author' and shown(r):
        by[(r['source'], r['domain'])].append(P[r['id']]['aiProbability'])
for k, v in sorted(by.items(), key=lambda kv: -np.median(kv[1])):
    v = np.array(v)
    print(f'  {k[0]}/{k[1]}: n {len(v)}, median {np.median(v):.3f}, flagged {100 * (v >= threshold).mean():.1f}%')

print('2. by length (words), share flagged')
for name, sel in [
    ('test-split human', lambda r: r['role'] == 'human_author' and r['split'] == 'test' and not r['eval']),
    ('gede human', lambda r: r['role'] == 'human_author' and r['eval']),
    ('gede generated (not dipper)', lambda r: r['eval'] and r['role'] == 'llm_creator' and 'dipper' not in r['subset']),
]:
    b = collections.defaultdict(list)
    for r in rows:
        if sel(r):
            b[min(len(r['text'].split()) // 100, 6)].append(P[r['id']]['aiProbability'])
    print(f'  {name}: ' + ' | '.join(f'{k * 100}-{k * 100 + 99}: n {len(v)}, median {np.median(v):.2f}, flagged {100 * np.mean(np.array(v) >= threshold):.0f}%' for k, v in sorted(b.items())))

print('3. embedding Mahalanobis distance to the train split')
X = {}
for l in open('training/.cache/exp/X.jsonl'):
    o = json.loads(l)
    X[o['id']] = np.array(o['x'], dtype=np.float64)[emb]
tr = np.array([X[r['id']] for r in rows if r['split'] == 'train' and not r['eval']])
mu = tr.mean(0)
Ci = np.linalg.inv(np.cov(tr - mu, rowvar=False) + 1e-4 * np.eye(len(emb)))


def dist(r):
    v = X[r['id']] - mu
    return float(np.sqrt(v @ Ci @ v))


va = np.array([dist(r) for r in rows if r['split'] == 'validation' and not r['eval']])
q95, q99 = np.quantile(va, 0.95), np.quantile(va, 0.99)
print(f'  validation split: 95th percentile {q95:.1f}, 99th {q99:.1f}')
g = collections.defaultdict(list)
for r in rows:
    if shown(r):
        g[f"gede {r['domain']} {'human' if r['role'] == 'human_author' else 'LLM'}" if r['eval'] else r['source'] + ' (test)'].append(dist(r))
for k, v in sorted(g.items()):
    v = np.array(v)
    print(f'  {k}: n {len(v)}, median {np.median(v):.1f}, above 95th {100 * (v > q95).mean():.0f}%, above 99th {100 * (v > q99).mean():.0f}%')
