"""Validation of the best checkpoint, for config.json and the model card (run after training; part of
`npm run train:encoder` only through --final-eval; standalone: python3 training/encoder/eval.py).

Measures on split=validation rows (never test):
  - masked-LM loss (fixed seeded masks) on up to --windows windows;
  - the jointly trained probe heads (human vs LLM accuracy, 4-role accuracy, PR MAE), overall and per source;
  - frozen-embedding linear probes: scikit-learn logistic regressions fitted on pooled, L2-normalised
    embeddings of train rows and scored on validation rows (what the text heads will see).
Writes training/encoder/checkpoints/final_eval.json; the next export copies it into config.json.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import loop as L  # noqa: E402
import train as T  # noqa: E402  (MLMHead)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--corpus', default=L.DEFAULT_CORPUS)
    p.add_argument('--ckpt-dir', default=os.path.join(L.HERE, 'checkpoints'))
    p.add_argument('--windows', type=int, default=768, help='validation windows')
    p.add_argument('--probe-train', type=int, default=1536, help='train rows for the linear probes')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=99)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    st = torch.load(os.path.join(a.ckpt_dir, 'best.pt'), map_location='cpu')
    mc = st['model_cfg']
    model = common.Encoder(**mc)
    model.load_state_dict(st['model'])
    model.eval()
    rows = L.read_corpus(a.corpus)
    train_idx = [i for i, r in enumerate(rows) if r.get('split') == 'train' and r.get('source') != 'gede' and not r.get('eval_only')]
    val_idx = [i for i, r in enumerate(rows) if r.get('split') == 'validation' and r.get('source') != 'gede' and not r.get('eval_only')]
    args = argparse.Namespace(max_length=mc['max_length'], seed=a.seed, batch=16, mask_prob=0.15)
    data = L.Data(args, rows, os.path.join(a.ckpt_dir, 'corpus'), train_idx, val_idx)
    vocab = mc['vocab_size']
    rng = np.random.default_rng(a.seed)
    vsel = np.sort(rng.choice(data.val_idx, min(a.windows, len(data.val_idx)), replace=False))
    tsel = np.sort(rng.choice(data.train_idx, min(a.probe_train, len(data.train_idx)), replace=False))
    from sklearn.metrics import balanced_accuracy_score
    heads = None
    mlm = None
    if 'heads' in st:
        heads = L.Heads(mc['dim'])
        heads.load_state_dict(st['heads'])
        heads.eval()
        mlm = T.MLMHead(model)
        mlm.load_state_dict(st['mlm'])
        mlm.eval()

    def embed(sel, want_mlm):
        out, mlm_sum, mlm_n = [], 0.0, 0
        wr = np.random.default_rng(a.seed + 1)
        mr = np.random.default_rng(a.seed + 2)
        with torch.no_grad():
            for s in range(0, len(sel), 16):
                ids, inp, att, lab, *_ = data.batch(sel[s:s + 16], wr, mr, 0.15, vocab)
                if want_mlm and mlm is not None:
                    h = model(inp, att)
                    m = lab != -100
                    mlm_sum += F.cross_entropy(mlm(h[m]), lab[m], reduction='sum').item()
                    mlm_n += int(m.sum())
                h = model(ids, att)
                out.append(common.mean_pool(h, att))
        return torch.cat(out), (mlm_sum / mlm_n if mlm_n else None)

    t0 = time.time()
    pv, mlm_loss = embed(vsel, True)
    pt, _ = embed(tsel, False)
    lab_v = np.array([data.labels[i] for i in vsel])
    lab_t = np.array([data.labels[i] for i in tsel])
    src_v = np.array([rows[i]['source'] for i in vsel])
    res = {'step': st['step'], 'validation_windows': int(len(vsel)), 'probe_train_rows': int(len(tsel)),
           'mlm_loss': mlm_loss, 'note': 'validation split only; one window (random crop, seeded) per row'}
    if heads is not None:
        with torch.no_grad():
            o_llm, o_role, o_pr = heads(pv)
        yl, yr, yp = lab_v[:, 0], lab_v[:, 1], lab_v[:, 2]
        m = yl >= 0
        res['heads_llm_acc'] = float(((o_llm.numpy()[m] > 0) == (yl[m] == 1)).mean())
        res['heads_llm_balanced_acc'] = float(balanced_accuracy_score(yl[m], (o_llm.numpy()[m] > 0).astype(int)))
        m = yr >= 0
        res['heads_role_acc'] = float((o_role.argmax(-1).numpy()[m] == yr[m]).mean())
        res['heads_role_balanced_acc'] = float(balanced_accuracy_score(yr[m], o_role.argmax(-1).numpy()[m]))
        m = ~np.isnan(yp)
        res['heads_pr_mae'] = float(np.abs(torch.sigmoid(o_pr).numpy()[m] - yp[m]).mean())
        per = {}
        for s in sorted(set(src_v)):
            k = (src_v == s) & (yl >= 0)
            per[s] = {'n': int(k.sum()), 'llm_acc': float(((o_llm.numpy()[k] > 0) == (yl[k] == 1)).mean())}
        res['heads_llm_acc_by_source'] = per
    from sklearn.linear_model import LogisticRegression
    Xt = F.normalize(pt, dim=-1).numpy()
    Xv = F.normalize(pv, dim=-1).numpy()
    m_t, m_v = lab_t[:, 0] >= 0, lab_v[:, 0] >= 0
    clf = LogisticRegression(max_iter=2000, C=10.0, class_weight='balanced').fit(Xt[m_t], lab_t[m_t, 0])
    res['probe_llm_acc'] = float(clf.score(Xv[m_v], lab_v[m_v, 0]))
    res['probe_llm_balanced_acc'] = float(balanced_accuracy_score(lab_v[m_v, 0], clf.predict(Xv[m_v])))
    m_t, m_v = lab_t[:, 1] >= 0, lab_v[:, 1] >= 0
    clf = LogisticRegression(max_iter=2000, C=10.0, class_weight='balanced').fit(Xt[m_t], lab_t[m_t, 1])
    res['probe_role_acc'] = float(clf.score(Xv[m_v], lab_v[m_v, 1]))
    res['probe_role_balanced_acc'] = float(balanced_accuracy_score(lab_v[m_v, 1], clf.predict(Xv[m_v])))
    res['probe_role_majority_baseline'] = float(np.bincount(lab_v[m_v, 1].astype(int)).max() / m_v.sum())
    res['probe_llm_majority_baseline'] = float(max((lab_v[lab_v[:, 0] >= 0, 0] == 1).mean(),
                                                   (lab_v[lab_v[:, 0] >= 0, 0] == 0).mean()))
    res['seconds'] = round(time.time() - t0, 1)
    json.dump(res, open(os.path.join(a.ckpt_dir, 'final_eval.json'), 'w'), indent=1)
    print(json.dumps(res, indent=1))


if __name__ == '__main__':
    main()
