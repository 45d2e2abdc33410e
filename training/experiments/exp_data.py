"""What the Python experiments beside this file share: export-sample.ts's files and the text heads' weighting."""
import json
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
