"""
Word n-gram TF-IDF logistic regression next to the shipped text heads (the issue 5 baseline), on the
evaluation sample written by export-sample.ts. Run from the repository root with Debian's python3-sklearn:
  npx tsx training/experiments/export-sample.ts && /usr/bin/python3 training/experiments/ngram_baseline.py
Part 1: random split (train -> test): the heads alone, TF-IDF alone, their log-probability average, a
stacker fitted on validation. Part 2: leave-one-source-out: a logistic regression on the heads' inputs,
TF-IDF, and their average. Results are quoted in models/card/text.md.
"""
# ---- part 1: random split
import json, warnings, numpy as np
warnings.filterwarnings("ignore")
from sklearn.preprocessing import StandardScaler
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
ROLES=['human_author','llm_creator','llm_polisher','llm_extender']
rows=[json.loads(l) for l in open('training/.cache/exp/sample.jsonl')]
P={}
for l in open('training/.cache/exp/preds-heads.jsonl'):
    o=json.loads(l); P[o['id']]=o['p']
def probs(pp):
    rp=pp['probabilities']
    return np.array([rp[r] for r in ROLES]) if isinstance(rp,dict) else np.array(rp)
tr=[r for r in rows if r['split']=='train' and not r['eval'] and r['role']]
va=[r for r in rows if r['split']=='validation' and not r['eval'] and r['role']]
te=[r for r in rows if r['split']=='test' and not r['eval'] and r['role']]
y=lambda rs: np.array([ROLES.index(r['role']) for r in rs])
mk=lambda: TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=200000,lowercase=False,token_pattern=r"(?u)\b\w+\b|[^\w\s]")
v=mk(); Xa=v.fit_transform([r['text'] for r in tr]); m=LogisticRegression(C=3,max_iter=2000,class_weight='balanced').fit(Xa,ytr)
pva=m.predict_proba(v.transform([r['text'] for r in va])); pte=m.predict_proba(v.transform([r['text'] for r in te]))
H=lambda rs: np.array([probs(P[r['id']]) for r in rs])
hva,hte=H(va),H(te)
yva,yte=y(va),y(te)
mf=lambda yt,p: f1_score(yt,p.argmax(1),average='macro')
print('head test %.3f tfidf test %.3f'%(mf(yte,hte),mf(yte,pte)))
for w in [0.3,0.5,0.7]:
    c=w*np.log(hte+1e-9)+(1-w)*np.log(pte+1e-9); print('avg logp w_head',w,'%.3f'%mf(yte,c))
# stacker on validation (head probs are calibrated on val, so fit stacker on val with CV)
Z=lambda h,p: np.hstack([np.log(h+1e-9),np.log(p+1e-9)])
s=LogisticRegression(C=1,max_iter=1000,class_weight='balanced').fit(Z(hva,pva),yva)
print('stacker(val-fit) test %.3f'%mf(yte,s.predict_proba(Z(hte,pte))))

# ---- part 2: leave-one-source-out
X={}
for l in open('training/.cache/exp/X.jsonl'):
    o=json.loads(l); X[o['id']]=o['x']
rs=[r for r in rows if not r['eval'] and r['role'] and r['split']!='validation']
srcs=['apt-eval','comnets-homework','hppt','llmdetect','m4','mgtbench','mixset','seqxgpt']
res=[]
for s in srcs:
    tr=[r for r in rs if r['source']!=s and r['split']=='train']
    te=[r for r in rs if r['source']==s]
    ytr=np.array([ROLES.index(r['role']) for r in tr]); yte=np.array([ROLES.index(r['role']) for r in te])
    present=sorted(set(yte))
    A=np.array([X[r['id']] for r in tr]); B=np.array([X[r['id']] for r in te])
    A=np.sign(A)*np.log1p(np.abs(A)); B=np.sign(B)*np.log1p(np.abs(B))
    sc=StandardScaler().fit(A); A=np.nan_to_num(sc.transform(A)); B=np.nan_to_num(sc.transform(B))
    mx=LogisticRegression(C=0.05,max_iter=3000,class_weight='balanced').fit(A,ytr); px=mx.predict_proba(B)
    v=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=200000,lowercase=False,token_pattern=r"(?u)\b\w+\b|[^\w\s]")
    mt=LogisticRegression(C=3,max_iter=2000,class_weight='balanced').fit(v.fit_transform([r['text'] for r in tr]),ytr); pt=mt.predict_proba(v.transform([r['text'] for r in te]))
    f=lambda p: f1_score(yte,p.argmax(1),labels=present,average='macro')
    c=0.5*np.log(px+1e-9)+0.5*np.log(pt+1e-9)
    res.append((f(px),f(pt),f(c))); print(s,len(te),'X-LR %.3f tfidf %.3f avg %.3f'%res[-1],flush=True)
print('mean',np.mean(res,0))
