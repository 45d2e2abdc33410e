"""gede ranking of a blend of the two shipped text heads: w * logit(ai_probability of models/heads)
+ (1 - w) * logit(ai_probability of models/heads-features-only). Reads what export-sample.ts wrote.
A diagnostic read off gede itself (evaluation only): a lead for a leave-one-source-out sweep, not a choice.

  npx tsx training/experiments/export-sample.ts && /usr/bin/python3 training/experiments/blend_gede.py
"""
import bisect, json, math, re

S = {r['id']: r for r in map(json.loads, open('training/.cache/exp/sample.jsonl'))}
P = {n: {r['id']: r['p'] for r in map(json.loads, open(f'training/.cache/exp/preds-{n}.jsonl'))} for n in ['heads', 'heads-features-only']}
ids = [i for i, r in S.items() if r['eval']]
human_ielts = [i for i in ids if S[i]['role'] == 'human_author' and S[i]['domain'] == 'essay-ielts']
generated = [i for i in ids if S[i]['role'] == 'llm_creator' and 'dipper' not in S[i]['subset'] and not re.search(r'rewrite-\d', S[i]['subset'])]


def logit(p):
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def auroc(neg, pos):
    neg = sorted(neg)
    return sum(bisect.bisect_left(neg, p) + 0.5 * (bisect.bisect_right(neg, p) - bisect.bisect_left(neg, p)) for p in pos) / len(neg) / len(pos)


for w in [0, 0.25, 0.5, 0.75, 1]:
    f = lambda i: w * logit(P['heads'][i]['aiProbability']) + (1 - w) * logit(P['heads-features-only'][i]['aiProbability'])
    neg = [f(i) for i in human_ielts]
    pos = sorted(f(i) for i in generated)
    t = pos[int(len(pos) * 0.1)]
    print(f'w {w}: AUROC human IELTS vs fully generated {auroc(neg, pos):.4f}, IELTS FPR at 90% recall {100 * sum(v >= t for v in neg) / len(neg):.1f}%')
