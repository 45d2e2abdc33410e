"""Trains the project's encoder architecture on a GPU, for a fixed wall-clock budget, from a pack (gpu_pack.py).

    python3 training/encoder/gpu_train.py --pack .devpack/pack.npz --variant A --minutes 6 --out OUT

Same model (common.Encoder), same objectives as train.py (masked LM 15% 80/10/10 with the output embedding
tied, multi-task heads on the mean-pooled L2-normalised output: human vs LLM, the four roles where known, PR
where known), same source sampling (~sqrt(rows)), one random crop of up to max_length-2 tokens per sampled
document; but large batches, bf16 autocast and the data on the GPU. Variants (--variant):

  A  masked LM + multi-task heads, weight 1.0 (train.py's recipe)
  B  masked LM only (the heads still train, on a detached copy, as a probe)
  C  masked LM + multi-task heads, weight 0.3
  D  A + a source adversary: a linear head predicts the data set from the pooled output through gradient
     reversal (weight 0.3), pushing the encoder to drop what says which data set a text came from

Every variant also trains a detached probe (heads on pooled.detach()) so the validation numbers compare
across variants. The LR schedule (warm-up, cosine to 10%) is fitted to the budget from the first steps'
speed. The best state by validation score (masked-LM loss, plus the heads' errors when they train the
encoder) is written as OUT/VARIANT.npz (float16 parameters, config, history); gpu_import.py turns it into a
checkpoint that train.py --export-only exports to ONNX.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault('ENCODER_NO_REEXEC', '1')
import common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from loop import Heads, sup_losses, decay_groups, adamw, warmup_cosine  # noqa: E402
from train import MLMHead  # noqa: E402  (train.py's, tied to the token embedding)

VARIANTS = {'A': dict(sup=1.0, adv=0.0), 'B': dict(sup=0.0, adv=0.0), 'C': dict(sup=0.3, adv=0.0),
            'D': dict(sup=1.0, adv=0.3)}


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


class Reverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -g


class Pack:
    def __init__(self, path, dev, max_length, seed):
        z = np.load(path)
        self.dev = dev
        self.ids = torch.from_numpy(z['ids'].astype(np.int64)).to(dev)
        off = z['off']
        self.vocab = int(z['vocab'])
        self.sources = [str(s) for s in z['sources']]
        n = np.diff(off)
        split = z['split']
        self.train = np.where((split == 0) & (n > 0))[0]
        self.val = np.where((split == 1) & (n > 0))[0]
        src = z['src']
        counts = np.bincount(src[self.train], minlength=len(self.sources)).astype(np.float64)
        w = np.sqrt(counts[src[self.train]]) / counts[src[self.train]]
        self.p = torch.tensor(w / w.sum(), device=dev)
        self.off = torch.from_numpy(off).to(dev)
        self.len = torch.from_numpy(n).to(dev)
        self.y_llm = torch.from_numpy(z['llm'].astype(np.int64)).to(dev)
        self.y_role = torch.from_numpy(z['role'].astype(np.int64)).to(dev)
        self.y_pr = torch.from_numpy(z['pr']).to(dev)
        self.y_src = torch.from_numpy(src.astype(np.int64)).to(dev)
        self.train_t = torch.from_numpy(self.train).to(dev)
        self.win = max_length - 2
        self.g = torch.Generator(device=dev)
        self.g.manual_seed(seed)

    def windows(self, rows, random_crop, g):
        """[CLS] crop [SEP] padded to max_length: ids, attention mask."""
        n = self.len[rows]
        take = n.clamp(max=self.win)
        if random_crop:
            start = (torch.rand(rows.shape, device=self.dev, generator=g) * (n - take + 1).float()).long()
        else:
            start = torch.zeros_like(n)
        pos = torch.arange(self.win, device=self.dev)
        inside = pos[None, :] < take[:, None]
        idx = (self.off[rows] + start)[:, None] + pos[None, :]
        tok = torch.where(inside, self.ids[idx.clamp(max=len(self.ids) - 1)], torch.zeros_like(idx))
        b = rows.shape[0]
        ids = torch.zeros((b, self.win + 2), dtype=torch.long, device=self.dev)
        ids[:, 0] = 2
        ids[:, 1:self.win + 1] = tok
        ids[torch.arange(b, device=self.dev), take + 1] = 3
        att = torch.zeros_like(ids)
        att[:, :1] = 1
        att[:, 1:self.win + 1] = inside.long()
        att[torch.arange(b, device=self.dev), take + 1] = 1
        return ids, att

    def mask(self, ids, att, prob, g):
        special = ids < 5
        sel = (torch.rand(ids.shape, device=self.dev, generator=g) < prob) & ~special & (att > 0)
        r = torch.rand(ids.shape, device=self.dev, generator=g)
        inp = ids.clone()
        inp[sel & (r < 0.8)] = 4
        rnd = sel & (r >= 0.8) & (r < 0.9)
        inp[rnd] = torch.randint(5, self.vocab, (int(rnd.sum()),), device=self.dev, generator=g)
        labels = torch.full_like(ids, -100)
        labels[sel] = ids[sel]
        return inp, labels

    def sample(self, batch):
        k = torch.multinomial(self.p, batch, replacement=True, generator=self.g)
        return self.train_t[k]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--pack', required=True)
    p.add_argument('--variant', required=True, choices=sorted(VARIANTS))
    p.add_argument('--minutes', type=float, default=6.0)
    p.add_argument('--out', required=True)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--warmup-frac', type=float, default=0.05)
    p.add_argument('--eval-seconds', type=float, default=45)
    p.add_argument('--eval-windows', type=int, default=2048)
    p.add_argument('--seed', type=int, default=1234)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--ffn', type=int, default=1024)
    p.add_argument('--max-length', type=int, default=256)
    a = p.parse_args()
    v = VARIANTS[a.variant]
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(a.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    data = Pack(a.pack, dev, a.max_length, a.seed)
    log('variant %s %s on %s: %d train rows, %d validation rows, %d tokens, vocab %d' % (
        a.variant, json.dumps(v), torch.cuda.get_device_name(0) if dev == 'cuda' else 'cpu', len(data.train),
        len(data.val), len(data.ids), data.vocab))
    model = common.Encoder(data.vocab, a.dim, a.layers, a.heads, a.ffn, a.max_length).to(dev)
    mlm = MLMHead(model).to(dev)
    heads = Heads(a.dim).to(dev)     # trains the encoder with weight v['sup']
    probe = Heads(a.dim).to(dev)     # detached: comparable validation numbers for every variant
    adv = nn.Linear(a.dim, len(data.sources)).to(dev)
    params = list(model.parameters()) + [q for n, q in mlm.named_parameters() if not n.startswith('emb.')] + \
        list(heads.parameters()) + list(probe.parameters()) + list(adv.parameters())
    opt = adamw(decay_groups(params), a.lr)
    amp = dict(device_type='cuda', dtype=torch.bfloat16) if dev == 'cuda' else dict(device_type='cpu', enabled=False)

    # fixed validation windows and masks
    gv = torch.Generator(device=dev)
    gv.manual_seed(a.seed + 7)
    vrows = torch.from_numpy(data.val).to(dev)
    if len(vrows) > a.eval_windows:
        vrows = vrows[torch.randperm(len(vrows), device=dev, generator=gv)[:a.eval_windows]].sort().values
    v_ids, v_att = data.windows(vrows, False, gv)
    v_inp, v_lab = data.mask(v_ids, v_att, 0.15, gv)

    @torch.no_grad()
    def evaluate():
        model.eval()
        tot, n = 0.0, 0
        outs = {'heads': [], 'probe': []}
        for s in range(0, len(vrows), 256):
            sl = slice(s, s + 256)
            with torch.autocast(**amp):
                h = model(v_inp[sl], v_att[sl])
                m = v_lab[sl] != -100
                tot += F.cross_entropy(mlm(h[m]).float(), v_lab[sl][m], reduction='sum').item()
                n += int(m.sum())
                hu = model(v_ids[sl], v_att[sl])
            pooled = common.mean_pool(hu.float(), v_att[sl])
            for k, hd in (('heads', heads), ('probe', probe)):
                outs[k].append([o.float() for o in hd(pooled)])
        model.train()
        res = {'mlm_loss': tot / max(n, 1)}
        yl, yr, yp = data.y_llm[vrows], data.y_role[vrows], data.y_pr[vrows]
        for k in outs:
            ol = torch.cat([o[0] for o in outs[k]])
            orl = torch.cat([o[1] for o in outs[k]])
            op = torch.cat([o[2] for o in outs[k]])
            ml, mr, mp = yl >= 0, yr >= 0, ~torch.isnan(yp)
            res[k] = {'llm_acc': float(((ol[ml] > 0).long() == yl[ml]).float().mean()),
                      'role_acc': float((orl[mr].argmax(-1) == yr[mr]).float().mean()),
                      'pr_mae': float((torch.sigmoid(op[mp]) - yp[mp]).abs().mean())}
        e = res['heads'] if v['sup'] > 0 else None
        res['score'] = res['mlm_loss'] + ((1 - e['llm_acc']) + (1 - e['role_acc']) + e['pr_mae'] if e else 0.0)
        return res

    def record(best):
        """Evaluates, logs, appends to history; returns the best (metrics, float16 state) so far."""
        res = evaluate()
        res.update(step=step, seconds=round(time.time() - t0, 1))
        history.append(res)
        log('step %d train %s | val %s' % (step, json.dumps(run), json.dumps(res)))
        if best is None or res['score'] < best[0]['score']:
            best = (res, {k: t.detach().float().cpu().numpy().astype(np.float16) for k, t in model.state_dict().items()})
        return best

    budget = a.minutes * 60
    t0 = time.time()
    total = None
    step = 0
    best = None
    history = []
    last_eval = t0
    run = {}
    while True:
        el = time.time() - t0
        if step in (10, 60) and total is None:  # speed from steps 10-60 (the first ones warm CUDA up)
            if dev == 'cuda':
                torch.cuda.synchronize()
            el = time.time() - t0
            if step == 10:
                t10 = el
            else:
                rate = (el - t10) / 50
                total = max(100, 60 + int((budget - el) / rate))
                log('%.4f s/step over steps 10-60 -> %d steps planned in %.0f s' % (rate, total, budget))
        if total is not None and step >= total or el > budget * 1.05:
            if not history or history[-1]['step'] != step:
                best = record(best)
            break
        lr = warmup_cosine(step, a.lr, int(a.warmup_frac * (total or 4000)), total or 4000)
        for gp in opt.param_groups:
            gp['lr'] = lr
        rows = data.sample(a.batch)
        ids, att = data.windows(rows, True, data.g)
        inp, lab = data.mask(ids, att, 0.15, data.g)
        with torch.autocast(**amp):
            h = model(inp, att)
            m = lab != -100
            l_mlm = F.cross_entropy(mlm(h[m]).float(), lab[m])
        pooled = common.mean_pool(h.float(), att)
        yl, yr, yp = data.y_llm[rows], data.y_role[rows], data.y_pr[rows]
        loss = l_mlm
        parts = {'mlm': l_mlm.item() if step % 50 == 0 else None}
        if v['sup'] > 0:
            l_sup, _, _ = sup_losses(heads, pooled, yl, yr, yp)
            loss = loss + v['sup'] * l_sup
        l_probe, _, _ = sup_losses(probe, pooled.detach(), yl, yr, yp)
        loss = loss + l_probe
        if v['adv'] > 0:
            z = F.normalize(Reverse.apply(pooled), dim=-1) * 10.0
            l_adv = F.cross_entropy(adv(z), data.y_src[rows])
            loss = loss + v['adv'] * l_adv
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            run = {'step': step, 'lr': lr, 'mlm': l_mlm.item(), 'loss': loss.item()}
        now = time.time()
        done = total is not None and step >= total
        if now - last_eval >= a.eval_seconds or done:
            last_eval = now
            best = record(best)
    res, state = best
    os.makedirs(a.out, exist_ok=True)
    meta = {'variant': a.variant, 'settings': v, 'args': vars(a), 'model_cfg': model.cfg, 'steps_done': step,
            'best': res, 'history': history, 'device': torch.cuda.get_device_name(0) if dev == 'cuda' else 'cpu',
            'torch': torch.__version__, 'sources': data.sources,
            'recipe': 'gpu_train.py variant %s: masked LM (15%%, 80/10/10, tied output embedding)%s%s; AdamW lr %g '
                      '(betas 0.9/0.98, wd 0.01 on matrices), warm-up %d%% then cosine to 10%% over %d steps '
                      '(fitted to a %.1f-minute budget), batch %d windows of up to %d tokens (random crop per '
                      'document), sources sampled ~sqrt(rows), bf16 autocast, dropout 0.1, grad clip 1.0, seed %d; '
                      'best state by validation score' % (
                          a.variant, ' + multi-task heads weight %.2f' % v['sup'] if v['sup'] else '',
                          ' + source adversary (gradient reversal) weight %.2f' % v['adv'] if v['adv'] else '',
                          a.lr, int(a.warmup_frac * 100), total or step, a.minutes, a.batch, a.max_length, a.seed)}
    np.savez(os.path.join(a.out, a.variant + '.npz'), meta=np.array(json.dumps(meta)), **state)
    log('best at step %d: %s -> %s' % (res['step'], json.dumps(res), os.path.join(a.out, a.variant + '.npz')))


if __name__ == '__main__':
    main()
