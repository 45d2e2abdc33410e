"""What the Python experiments beside this file share: export-sample.ts's files and the text heads' weighting."""
import json, re
import numpy as np

ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender']
# the card's 9 leave-one-source-out sets with two or more roles
LOSO_SETS = ['apt-eval', 'comnets-homework', 'hanna', 'hppt', 'llmdetect', 'm4', 'mgtbench', 'mixset', 'seqxgpt']


def load_sample():
    """(rows of sample.jsonl, {id: the shipped heads' raw input vector of X.jsonl}, the rows with a role that are not evaluation-only)"""
    rows = [json.loads(l) for l in open('training/.cache/exp/sample.jsonl')]
    X = {}
    for l in open('training/.cache/exp/X.jsonl'):
        o = json.loads(l)
        X[o['id']] = np.array(o['x'], dtype=np.float32)
    return rows, X, [r for r in rows if not r['eval'] and r['role']]


def role_then_set_weights(tr):
    """every role the same total weight, inside it every data set the same; sums to 1"""
    w = np.zeros(len(tr))
    for role in ROLES:
        idx = [i for i, r in enumerate(tr) if r['role'] == role]
        ss = sorted(set(tr[i]['source'] for i in idx))
        for s in ss:
            j = [i for i in idx if tr[i]['source'] == s]
            w[j] = 1.0 / len(ss) / len(j)
    return w / w.sum()


def gede_ielts_and_generated(rows, scores):
    """gede's scores split into the human IELTS essays and the fully generated essays (no DIPPER paraphrase, no
    rewrite-<n> humanisation), the two sides of the issue's gede targets; `rows` and `scores` align"""
    hi = [a for a, r in zip(scores, rows) if r['role'] == 'human_author' and r['domain'] == 'essay-ielts']
    gen = [a for a, r in zip(scores, rows) if r['role'] == 'llm_creator' and 'dipper' not in r['subset'] and not re.search(r'rewrite-\d', r['subset'])]
    return hi, gen


def flag_threshold(human_scores, rate=0.05):
    """the score above which a share `rate` of these human texts lies (flagged: score > threshold)"""
    pv = np.sort(human_scores)
    return pv[int(np.ceil(len(pv) * (1 - rate))) - 1]
