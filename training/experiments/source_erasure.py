"""
Source erasure: project the directions that separate the data sets out of the heads' inputs, then
leave-one-source-out. Inside each role, the per-source mean input vectors (standardised, train split of the
other sets) are centred; their top-k singular directions are removed from every vector before a
class-balanced logistic regression (the proxy of ngram_baseline.py part 2; the shipped MLP is not refitted).
Run from the repository root after export-sample.ts, with Debian's python3-sklearn:
  npx tsx training/experiments/export-sample.ts && /usr/bin/python3 training/experiments/source_erasure.py
Results are quoted in training/experiments/README.md.
"""
import json, warnings, numpy as np, sys
warnings.filterwarnings("ignore")
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
ROLES=['human_author','llm_creator','llm_polisher','llm_extender']
rows=[json.loads(l) for l in open('training/.cache/exp/sample.jsonl')]
X={}
for l in open('training/.cache/exp/X.jsonl'):
    o=json.loads(l); X[o['id']]=np.array(o['x'])
rs=[r for r in rows if not r['eval'] and r['role'] and r['split']!='validation']
gede=[r for r in rows if r['eval']]
srcs=['apt-eval','comnets-homework','hanna','hppt','llmdetect','m4','mgtbench','mixset','seqxgpt']
E=slice(180,436)
def erase_dirs(A, tr, k, cols):
    # directions spanned by per-(source) means inside each role, centred per role
    D=[]
    for role in ROLES:
        idx=[i for i,r in enumerate(tr) if r['role']==role]
        if not idx: continue
        srcs_=sorted(set(tr[i]['source'] for i in idx))
        if len(srcs_)<2: continue
        M=np.array([A[[i for i in idx if tr[i]['source']==s]][:,cols].mean(0) for s in srcs_])
        D.append(M-M.mean(0))
    D=np.vstack(D)
    u,sv,vt=np.linalg.svd(D,full_matrices=False)
    return vt[:k]
def run(k, cols, C=0.05):
    res=[]
    for s in srcs:
        tr=[r for r in rs if r['source']!=s and r['split']=='train']
        te=[r for r in rs if r['source']==s]
        ytr=np.array([ROLES.index(r['role']) for r in tr]); yte=np.array([ROLES.index(r['role']) for r in te])
        A=np.array([X[r['id']] for r in tr]); B=np.array([X[r['id']] for r in te])
        A=np.sign(A)*np.log1p(np.abs(A)); B=np.sign(B)*np.log1p(np.abs(B))
        sc=StandardScaler().fit(A); A=np.nan_to_num(sc.transform(A)); B=np.nan_to_num(sc.transform(B))
        if k>0:
            V=erase_dirs(A,tr,k,cols)
            A[:,cols]-= (A[:,cols]@V.T)@V; B[:,cols]-= (B[:,cols]@V.T)@V
        m=LogisticRegression(C=C,max_iter=3000,class_weight='balanced').fit(A,ytr)
        p=m.predict_proba(B)
        res.append(f1_score(yte,p.argmax(1),labels=sorted(set(yte)),average='macro'))
    return np.array(res)
cols_emb=np.arange(180,436); cols_all=np.arange(0,530)
for name,k,cols in [('none',0,cols_emb),('emb k4',4,cols_emb),('emb k8',8,cols_emb),('emb k16',16,cols_emb),('emb k32',32,cols_emb),('all k16',16,cols_all),('all k32',32,cols_all)]:
    r=run(k,cols); print(name, ' '.join('%.3f'%x for x in r), 'mean9 %.3f mean8 %.3f'%(r.mean(), np.delete(r,2).mean()), flush=True)
