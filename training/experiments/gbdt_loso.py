"""
Gradient-boosted trees as the role head, leave-one-source-out, against a logistic regression on the same
rows and inputs (the proxy of ngram_baseline.py and source_erasure.py; the shipped MLP is not refitted here).
Inputs: the shipped heads' raw input vectors (X.jsonl). Train rows: the train split of the other sets with a
known role, weighted so that each role weighs the same and inside it each set; scored on every sampled row of
the held-out set with a role (macro-F1 over the roles present), the 9 sets of the card's LOSO mean; gede by
the ranking of 1 - P(human) (AUROC human IELTS vs fully generated) with both fitted on every set.
Run from the repository root after export-sample.ts, with Debian's python3-sklearn:
  npx tsx training/experiments/export-sample.ts && /usr/bin/python3 training/experiments/gbdt_loso.py
Results are quoted in training/experiments/README.md.
"""
import json, re, sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.preprocessing import StandardScaler
from exp_data import LOSO_SETS, ROLES, load_sample, role_then_set_weights

rows, X, labelled = load_sample()
srcs = LOSO_SETS


def weights(tr):
    return role_then_set_weights(tr) * len(tr)


def models():
    return {
        'logistic (C 0.05)': lambda: LogisticRegression(C=0.05, max_iter=400),
        'hist-gbdt (depth 4, 300 it, lr 0.05)': lambda: HistGradientBoostingClassifier(max_depth=4, max_iter=300, learning_rate=0.05, l2_regularization=1.0, early_stopping=False, random_state=0),
    }


def fit(make, tr):
    A = np.array([X[r['id']] for r in tr])
    y = np.array([ROLES.index(r['role']) for r in tr])
    sc = StandardScaler().fit(A)
    m = make().fit(sc.transform(A), y, sample_weight=weights(tr))
    return lambda B: m.predict_proba(sc.transform(B))


only = sys.argv[1:] or list(models())
for name, make in models().items():
    if not any(o in name for o in only):
        continue
    t0 = time.time()
    f1s = {}
    for s in srcs:
        tr = [r for r in labelled if r['source'] != s and r['split'] == 'train']
        te = [r for r in labelled if r['source'] == s]
        p = fit(make, tr)(np.array([X[r['id']] for r in te]))
        y = [ROLES.index(r['role']) for r in te]
        present = sorted(set(y))
        f1s[s] = f1_score(y, p.argmax(1), labels=present, average='macro')
    tr = [r for r in labelled if r['split'] == 'train']
    g = [r for r in rows if r['eval']]
    ai = 1 - fit(make, tr)(np.array([X[r['id']] for r in g]))[:, 0]
    hi = [a for a, r in zip(ai, g) if r['role'] == 'human_author' and r['domain'] == 'essay-ielts']
    gen = [a for a, r in zip(ai, g) if r['role'] == 'llm_creator' and 'dipper' not in r['subset'] and not re.search(r'rewrite-\d', r['subset'])]
    au = roc_auc_score([0] * len(hi) + [1] * len(gen), hi + gen)
    t90 = sorted(gen)[int(len(gen) * 0.1)]
    fpr90 = sum(a >= t90 for a in hi) / len(hi)
    print(f"{name}: LOSO macro-F1 {np.mean(list(f1s.values())):.3f} (9 sets); gede AUROC {au:.3f}, IELTS FPR at 90% recall {100 * fpr90:.1f}%; {time.time() - t0:.0f} s")
    print('  ' + ', '.join(f'{k} {v:.3f}' for k, v in f1s.items()), flush=True)
