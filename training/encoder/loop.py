"""Training pieces shared by the three encoder recipes of issue 4:

    train.py            option (a), from scratch (the shipped models/encoder)
    use_lite/train.py   option (b), Universal Sentence Encoder lite fine-tuned
    glove/train.py      option (c), GloVe-initialised word embedding

What lives here: corpus reading and splits, tokenizing with ../tokenize.mjs, the supervised multi-task heads
(human vs LLM, 4 roles, PR) with their data sampler, losses and validation metrics, the LR schedule, the
argument groups every recipe has, the step loop (resume from last.pt with RNG states, periodic evaluation and
best.pt, checkpoint every --ckpt-minutes, --max-minutes budget, SIGTERM/SIGINT -> checkpoint and exit), and the
export tail (staging folder, torch reference for verify.mjs, config.json, publish). Each recipe keeps its model,
tokenizer, initialisation, freezing schedule and config.json descriptions in its own file.
"""
import json
import math
import os
import signal
import subprocess
import time

import common  # noqa: F401  (re-execs with /usr/bin/python3 when needed)
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))  # training/encoder
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
from multitask import ROLES  # noqa: E402
DEFAULT_CORPUS = os.path.join(ROOT, 'training', '.cache', 'text-corpus.jsonl')


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


# ---------------------------------------------------------------------------------------------------------
# Arguments every recipe has (each passes its own defaults).

def add_io_args(p, out, ckpt_dir, id):
    p.add_argument('--corpus', default=DEFAULT_CORPUS)
    p.add_argument('--out', default=out)
    p.add_argument('--ckpt-dir', default=ckpt_dir)
    p.add_argument('--id', default=id)
    p.add_argument('--seed', type=int, default=1234)


def add_arch_args(p):
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--ffn', type=int, default=1024)


def add_window_args(p, max_length=256, max_length_help=None):
    p.add_argument('--max-length', type=int, default=max_length, help=max_length_help)
    p.add_argument('--stride', type=int, default=32, help='token overlap between windows, recorded for serving')
    p.add_argument('--batch', type=int, default=16)


def add_schedule_args(p, steps, lr, warmup, lr_help=None, warmup_help=None):
    p.add_argument('--steps', type=int, default=steps)
    p.add_argument('--lr', type=float, default=lr, help=lr_help)
    p.add_argument('--warmup', type=int, default=warmup, help=warmup_help)


def add_mlm_args(p):
    p.add_argument('--mask-prob', type=float, default=0.15)
    p.add_argument('--sup-weight', type=float, default=1.0, help='weight of the supervised multi-task losses')


def add_loop_args(p, eval_every, eval_windows, threads, max_minutes):
    p.add_argument('--eval-every', type=int, default=eval_every)
    p.add_argument('--eval-windows', type=int, default=eval_windows)
    p.add_argument('--ckpt-minutes', type=float, default=4.0)
    p.add_argument('--threads', type=int, default=threads)
    p.add_argument('--max-minutes', type=float, default=max_minutes,
                   help='stop training after this long (0 = no limit); the run then checkpoints, exports what it '
                        'has, and a later run resumes')


def add_export_args(p, export_only_help='export the best checkpoint and exit'):
    p.add_argument('--export-only', action='store_true', help=export_only_help)
    p.add_argument('--no-export', action='store_true')


def prepare(args, export=None):
    """torch threads, the checkpoint folder; with --export-only, export(args, summary) and exit. Returns the path
    of CKPT/summary.json."""
    torch.set_num_threads(args.threads)
    os.makedirs(args.ckpt_dir, exist_ok=True)
    summary_p = os.path.join(args.ckpt_dir, 'summary.json')
    if export is not None and args.export_only:
        export(args, json.load(open(summary_p)))
        raise SystemExit(0)
    return summary_p


def run_summary(args, recipe, rows, dataset, **more):
    """summary.json (copied into config.json training): recipe, data used, plan; the recipe's own keys in between."""
    return dict({'recipe': recipe, 'corpus': os.path.relpath(args.corpus, ROOT), 'corpus_rows': len(rows),
                 'splits_used': {'train': len(dataset.train_idx), 'validation': len(dataset.val_idx)}},
                **more, steps_planned=args.steps, seed=args.seed)


# ---------------------------------------------------------------------------------------------------------
# Corpus

def read_corpus(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def load_splits(path):
    """Rows of the corpus plus the indices of split=train and split=validation rows; test rows, `gede` (evaluation
    only) and eval_only rows are never returned."""
    if not os.path.exists(path):
        raise SystemExit('no corpus at %s: run `npm run data:export` first' % path)
    rows = read_corpus(path)
    ok = lambda r: r.get('source') != 'gede' and not r.get('eval_only')  # noqa: E731
    train_idx = [i for i, r in enumerate(rows) if r.get('split') == 'train' and ok(r)]
    val_idx = [i for i, r in enumerate(rows) if r.get('split') == 'validation' and ok(r)]
    log('corpus %s: %d rows, %d train, %d validation (test rows are not used)' % (path, len(rows), len(train_idx),
                                                                                  len(val_idx)))
    return rows, train_idx, val_idx


def source_stats(rows, data):
    """{source: {train_rows, validation_rows, train_tokens}} of the rows a Data object samples."""
    sources = {}
    for i in data.train_idx:
        s = sources.setdefault(rows[i]['source'], {'train_rows': 0, 'validation_rows': 0, 'train_tokens': 0})
        s['train_rows'] += 1
        s['train_tokens'] += int(data.off[i + 1] - data.off[i])
    for i in data.val_idx:
        sources.setdefault(rows[i]['source'], {'train_rows': 0, 'validation_rows': 0, 'train_tokens': 0})
        sources[rows[i]['source']]['validation_rows'] += 1
    return sources


def file_digest(path):
    st = os.stat(path)
    return '%d-%d' % (st.st_size, int(st.st_mtime))


def tokenize_corpus(args, tok_path, corpus_path):
    """CKPT/corpus.{ids,offsets}.bin by tokenize.mjs (the service's @huggingface/tokenizers); reused while the
    corpus and tokenizer are unchanged."""
    prefix = os.path.join(args.ckpt_dir, 'corpus')
    meta_p = prefix + '.meta.json'
    tok_sha = common.sha256_file(tok_path)
    stamp = {'corpus': corpus_path, 'corpus_digest': file_digest(corpus_path), 'tokenizer_sha256': tok_sha}
    if os.path.exists(meta_p) and os.path.exists(prefix + '.stamp.json'):
        if json.load(open(prefix + '.stamp.json')) == stamp:
            log('tokenize: reusing', prefix)
            return prefix
    log('tokenize: node tokenize.mjs (same @huggingface/tokenizers as serving)')
    subprocess.run(['node', os.path.join(HERE, 'tokenize.mjs'), tok_path, corpus_path, prefix], check=True, cwd=ROOT)
    json.dump(stamp, open(prefix + '.stamp.json', 'w'))
    return prefix


# ---------------------------------------------------------------------------------------------------------
# Supervised multi-task objective: heads on the mean-pooled, L2-normalised output

from multitask import Heads, sup_losses  # noqa: E402,F401  (torch only: pretrained/finetune.py shares them)


class Data:
    """Tokenized rows, labels, sources sampled ~sqrt(rows), one random crop per sampled document; batch() adds
    [CLS]/[SEP] and masked-LM inputs."""

    def __init__(self, args, rows, prefix, train_idx, val_idx):
        self.ids = np.fromfile(prefix + '.ids.bin', dtype='<i4')
        self.off = np.fromfile(prefix + '.offsets.bin', dtype='<i8')
        assert len(self.off) == len(rows) + 1, 'tokenized corpus does not match the corpus rows'
        self.rows = rows
        self.args = args
        self.win = args.max_length - 2
        self.train_idx = np.array([i for i in train_idx if self.off[i + 1] > self.off[i]])
        self.val_idx = np.array([i for i in val_idx if self.off[i + 1] > self.off[i]])
        # sample sources with probability ~ sqrt(rows): big sets do not drown small ones
        src = [rows[i]['source'] for i in self.train_idx]
        counts = {}
        for s in src:
            counts[s] = counts.get(s, 0) + 1
        w = np.array([math.sqrt(counts[s]) / counts[s] for s in src])
        self.p = w / w.sum()
        self.labels = {}
        for i in list(self.train_idx) + list(self.val_idx):
            r = rows[i]
            llm = r.get('llm')
            role = r.get('role')
            pr = r.get('pr')
            self.labels[i] = (-1 if llm is None else int(bool(llm)),
                              ROLES.index(role) if role in ROLES else -1,
                              float(pr) if isinstance(pr, (int, float)) else float('nan'))

    def window(self, i, rng):
        a, b = int(self.off[i]), int(self.off[i + 1])
        if b - a > self.win:
            a = a + int(rng.integers(0, b - a - self.win + 1))
            b = a + self.win
        return self.ids[a:b]

    def label_tensors(self, idx):
        lab = np.array([self.labels[i] for i in idx], dtype=np.float64)
        return (torch.from_numpy(lab[:, 0]).long(), torch.from_numpy(lab[:, 1]).long(),
                torch.from_numpy(lab[:, 2]).float())

    def batch(self, idx, rng, mask_rng, mask_prob, vocab):
        seqs = [np.concatenate([[2], self.window(i, rng), [3]]) for i in idx]
        ids, att = pad(seqs)
        special = (ids < len(common.SPECIALS))
        sel = (mask_rng.random(ids.shape) < mask_prob) & ~special
        r = mask_rng.random(ids.shape)
        inp = ids.copy()
        inp[sel & (r < 0.8)] = 4  # [MASK]
        rnd = sel & (r >= 0.8) & (r < 0.9)
        inp[rnd] = mask_rng.integers(len(common.SPECIALS), vocab, size=int(rnd.sum()))
        labels = np.full(ids.shape, -100, dtype=np.int64)
        labels[sel] = ids[sel]
        return (torch.from_numpy(ids), torch.from_numpy(inp), torch.from_numpy(att), torch.from_numpy(labels),
                *self.label_tensors(idx))


def pad(seqs):
    """int64 ids and attention mask [n, longest], padded with 0 under mask 0."""
    L = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), L), dtype=np.int64)
    att = np.zeros((len(seqs), L), dtype=np.int64)
    for k, s in enumerate(seqs):
        ids[k, :len(s)] = s
        att[k, :len(s)] = 1
    return ids, att


def eval_rows(data, args):
    """The seeded validation sample every recipe evaluates on (args.eval_windows rows) and its window rng."""
    rng = np.random.default_rng(args.seed + 7)
    idx = data.val_idx
    if len(idx) > args.eval_windows:
        idx = np.sort(rng.choice(idx, args.eval_windows, replace=False))
    return idx, rng


class ProbeScores:
    """Collects the heads' outputs over validation batches -> llm_acc, role_acc (+ role_n), pr_mae."""

    def __init__(self):
        self.y_l, self.p_l, self.y_r, self.p_r, self.y_p, self.p_p = [], [], [], [], [], []

    def add(self, outputs, yl, yr, yp):
        o_llm, o_role, o_pr = outputs
        self.y_l += yl.tolist(); self.p_l += o_llm.tolist()
        self.y_r += yr.tolist(); self.p_r += o_role.argmax(-1).tolist()
        self.y_p += yp.tolist(); self.p_p += torch.sigmoid(o_pr).tolist()

    def metrics(self, res):
        y_l, p_l, y_r, p_r, y_p, p_p = map(np.array, (self.y_l, self.p_l, self.y_r, self.p_r, self.y_p, self.p_p))
        m = y_l >= 0
        if m.any():
            res['llm_acc'] = float(((p_l[m] > 0) == (y_l[m] == 1)).mean())
        m = y_r >= 0
        if m.any():
            res['role_acc'] = float((p_r[m] == y_r[m]).mean())
            res['role_n'] = int(m.sum())
        m = ~np.isnan(y_p)
        if m.any():
            res['pr_mae'] = float(np.abs(p_p[m] - y_p[m]).mean())
        return res


@torch.no_grad()
def evaluate(model, mlm, heads, data, args, vocab):
    """Masked-LM loss + the heads on the unmasked input (as served); score = MLM loss + probe errors."""
    model.eval()
    idx, rng = eval_rows(data, args)
    mask_rng = np.random.default_rng(args.seed + 8)
    tot_mlm, n_mlm = 0.0, 0
    scores = ProbeScores()
    for s in range(0, len(idx), args.batch):
        ids, inp, att, lab, yl, yr, yp = data.batch(idx[s:s + args.batch], rng, mask_rng, args.mask_prob, vocab)
        h = model(inp, att)
        m = lab != -100
        if m.any():
            tot_mlm += F.cross_entropy(mlm(h[m]), lab[m], reduction='sum').item()
            n_mlm += int(m.sum())
        h = model(ids, att)  # unmasked, as served
        scores.add(heads(common.mean_pool(h, att)), yl, yr, yp)
    model.train()
    res = scores.metrics({'mlm_loss': tot_mlm / max(n_mlm, 1), 'windows': int(len(idx))})
    # lower is better: MLM loss plus the probe errors; masked LM alone (--sup-weight 0) leaves the heads
    # untrained, so their errors are noise and the score is the MLM loss
    res['score'] = res['mlm_loss']
    if getattr(args, 'sup_weight', 1.0) > 0:
        res['score'] += (1 - res.get('llm_acc', 0)) + (1 - res.get('role_acc', 0)) + res.get('pr_mae', 0)
    return res


# ---------------------------------------------------------------------------------------------------------
# Optimiser, schedule, checkpoints, step loop

def decay_groups(params, **extra):
    """AdamW groups: weight decay 0.01 on matrices, none on vectors (biases, LayerNorm, scales)."""
    return [{'params': [p for p in params if p.dim() >= 2], 'weight_decay': 0.01, **extra},
            {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0, **extra}]


def adamw(groups, lr):
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.98), eps=1e-6)


def warmup_cosine(step, lr, warmup, total):
    """Linear warm-up over `warmup` steps, then cosine from lr to 10% of lr at step `total`."""
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def lr_at(step, args):
    return warmup_cosine(step, args.lr, args.warmup, args.steps)


def save_ckpt(path, state):
    torch.save(state, path + '.tmp')
    os.replace(path + '.tmp', path)


class Trainer:
    """The step loop. CKPT/last.pt holds {<module>: state_dict for each of `modules`, 'opt', <rng name>: numpy
    bit-generator state for each of `rngs`, 'torch_rng', 'step', 'best_score', 'history', 'model_cfg', + the
    keys of `extra`}; CKPT/best.pt holds the modules, 'model_cfg', 'step' and 'metrics' of the best evaluation.

    A recipe subclasses it and defines train_step(step) -> {loss name: float} (one optimiser step: LRs,
    batch, forward, backward, opt.step) and evaluate() -> metrics with 'score' (lower is better); describe(),
    should_eval() and record_eval() can be overridden."""

    log_first = (1, 10)     # steps after the start (or resume) that are always logged
    ema = (0.98, 0.02)      # running loss in the log lines

    def __init__(self, args, modules, opt, rngs, extra=None):
        self.args = args
        self.modules = modules
        self.model = modules['model']
        self.opt = opt
        self.rngs = rngs
        self.extra = dict(extra or {})
        self.last_p = os.path.join(args.ckpt_dir, 'last.pt')
        self.best_p = os.path.join(args.ckpt_dir, 'best.pt')
        self.step, self.best_score, self.history = 0, float('inf'), []
        self.saved_step = None
        self.seconds = 0.0

    def resume(self):
        if not os.path.exists(self.last_p):
            return
        st = torch.load(self.last_p, map_location='cpu')
        for name, m in self.modules.items():
            m.load_state_dict(st[name])
        self.opt.load_state_dict(st['opt'])
        for name, r in self.rngs.items():
            r.bit_generator.state = st[name]
        torch.set_rng_state(st['torch_rng'])
        self.step, self.best_score, self.history = st['step'], st['best_score'], st['history']
        for k in self.extra:
            self.extra[k] = st.get(k)
        self.saved_step = self.step
        log('resumed from %s at step %d' % (self.last_p, self.step))

    def save_last(self):
        state = {name: m.state_dict() for name, m in self.modules.items()}
        state['opt'] = self.opt.state_dict()
        for name, r in self.rngs.items():
            state[name] = r.bit_generator.state
        state.update(torch_rng=torch.get_rng_state(), step=self.step, best_score=self.best_score,
                     history=self.history, model_cfg=self.model.cfg, **self.extra)
        save_ckpt(self.last_p, state)
        self.saved_step = self.step

    def save_best(self, res):
        state = {name: m.state_dict() for name, m in self.modules.items()}
        state.update(model_cfg=self.model.cfg, step=self.step, metrics=res)
        save_ckpt(self.best_p, state)

    # -- hooks ------------------------------------------------------------------------------------------
    def train_step(self, step):
        raise NotImplementedError

    def evaluate(self):
        raise NotImplementedError

    def describe(self, step, run_loss, sec_per_step):
        return 'step %d lr %.2e %s (%.2f s/step)' % (step, lr_at(step, self.args),
                                                     ' '.join('%s %.3f' % kv for kv in run_loss.items()), sec_per_step)

    def should_eval(self, step):
        return step % self.args.eval_every == 0 or step == self.args.steps

    def record_eval(self, res):
        self.history.append(res)
        log('eval %s' % json.dumps(res))
        if res['score'] < self.best_score or not os.path.exists(self.best_p):
            self.best_score = min(self.best_score, res['score'])
            self.save_best(res)
            log('new best checkpoint at step %d' % self.step)

    def need_final_eval(self):
        return not self.history or self.history[-1]['step'] != self.step or not os.path.exists(self.best_p)

    # -- the loop ---------------------------------------------------------------------------------------
    def run_eval(self):
        res = self.evaluate()
        res['step'] = self.step
        self.record_eval(res)

    def run(self):
        """Trains to args.steps (or until the time budget or a signal); last.pt is always saved at the step
        reached. On a signal it exits (0) after that save: rerun to resume. Otherwise the step reached is
        evaluated (once) before returning, and best.pt exists."""
        args = self.args
        stop = {'signal': None}

        def on_signal(signum, _frame):
            stop['signal'] = signum

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.model.train()
        t_start = t_ck = t_log = time.time()
        run_loss = {}
        step0 = self.step
        while self.step < args.steps and stop['signal'] is None:
            if args.max_minutes and (time.time() - t_start) / 60 > args.max_minutes:
                log('time budget reached at step %d' % self.step)
                break
            losses = self.train_step(self.step)
            self.step += 1
            a, b = self.ema
            for k, v in losses.items():
                run_loss[k] = a * run_loss.get(k, v) + b * v
            if time.time() - t_log > 60 or self.step - step0 in self.log_first:
                log(self.describe(self.step, run_loss, (time.time() - t_start) / max(1, self.step - step0)))
                t_log = time.time()
            evaluated = self.should_eval(self.step)
            if evaluated:
                self.run_eval()
            if evaluated or time.time() - t_ck > args.ckpt_minutes * 60 or stop['signal'] is not None:
                self.save_last()
                t_ck = time.time()
        if self.saved_step != self.step:
            self.save_last()
        if stop['signal'] is not None:
            log('stopped by signal %d at step %d: checkpoint saved, rerun to resume' % (stop['signal'], self.step))
            raise SystemExit(0)
        if self.need_final_eval():
            self.run_eval()
            self.save_last()
        self.seconds = time.time() - t_start


class MLMTrainer(Trainer):
    """Options (a) and (c): masked LM (args.mlm_weight, default 1) + the supervised multi-task heads
    (args.sup_weight) on the same forward pass, rngs 'rng' (sampling, crops) and 'mask_rng' (masks); LR =
    lr_at(step) x the group's 'lr_mult' (default 1); gradients clipped to norm 1 over `params`."""

    def __init__(self, args, model, mlm, heads, params, opt, data, vocab):
        rngs = {'rng': np.random.default_rng(args.seed), 'mask_rng': np.random.default_rng(args.seed + 1)}
        super().__init__(args, {'model': model, 'mlm': mlm, 'heads': heads}, opt, rngs)
        self.mlm, self.heads, self.params, self.data, self.vocab = mlm, heads, params, data, vocab

    def set_lrs(self, step):
        base = lr_at(step, self.args)
        for gp in self.opt.param_groups:
            gp['lr'] = base * gp.get('lr_mult', 1.0)

    def train_step(self, step):
        args, data = self.args, self.data
        self.set_lrs(step)
        rng, mask_rng = self.rngs['rng'], self.rngs['mask_rng']
        idx = rng.choice(data.train_idx, size=args.batch, p=data.p)
        ids, inp, att, lab, yl, yr, yp = data.batch(idx, rng, mask_rng, args.mask_prob, self.vocab)
        h = self.model(inp, att)
        m = lab != -100
        loss_mlm = F.cross_entropy(self.mlm(h[m]), lab[m])
        loss_sup, parts, _ = sup_losses(self.heads, common.mean_pool(h, att), yl, yr, yp)
        loss = getattr(args, 'mlm_weight', 1.0) * loss_mlm + args.sup_weight * loss_sup
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in self.params if p.grad is not None], 1.0)
        self.opt.step()
        return dict([('mlm', loss_mlm.item())] + [(k, v.item()) for k, v in parts.items()])

    def evaluate(self):
        return evaluate(self.model, self.mlm, self.heads, self.data, self.args, self.vocab)


# ---------------------------------------------------------------------------------------------------------
# Export tail: staging folder, torch reference for verify.mjs, config.json, publish

def load_checkpoint(args, model_class, fallback_last=False):
    """CKPT/best.pt (or last.pt when there is no best.pt and fallback_last) -> (checkpoint, model in eval mode)."""
    path = os.path.join(args.ckpt_dir, 'best.pt')
    if fallback_last and not os.path.exists(path):
        path = os.path.join(args.ckpt_dir, 'last.pt')
    st = torch.load(path, map_location='cpu')
    model = model_class(**st['model_cfg'])
    model.load_state_dict(st['model'])
    model.eval()
    return st, model


def export_onnx_pair(model, stage):
    """model.onnx (common.export_onnx) and model.int8.onnx in the staging folder; returns the int8 rewrite stats."""
    common.export_onnx(model, os.path.join(stage, 'model.onnx'))
    return common.quantize_int8(os.path.join(stage, 'model.onnx'), os.path.join(stage, 'model.int8.onnx'))


def staging(out, tok_src):
    """OUT.staging/ with a copy of the tokenizer; the other files are written there and published together."""
    os.makedirs(out, exist_ok=True)
    stage = out + '.staging'
    os.makedirs(stage, exist_ok=True)
    with open(tok_src, 'rb') as f, open(os.path.join(stage, 'tokenizer.json'), 'wb') as g:
        g.write(f.read())
    return stage


def reference_ids(low, high, cls=True):
    """The fixed (seed 5) 3 x 40 random ids the torch reference is computed on."""
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(low, high, (3, 40), generator=g)
    if cls:
        ids[:, 0] = 2
    return ids


def write_reference(model, ids, path):
    """last_hidden_state and the pooled (masked mean + L2) output of the torch model, for verify.mjs --reference."""
    att = torch.ones_like(ids)
    with torch.no_grad():
        h = model(ids, att)
    pooled = F.normalize(common.mean_pool(h, att), dim=-1)
    json.dump({'input_ids': ids.tolist(), 'last_hidden_state_flat': h.flatten().tolist(),
               'pooled': pooled.tolist()}, open(path, 'w'))
    return path


def base_config(args, id, version, dim, max_length, special_tokens):
    """The fields of config.json every encoder directory has (models/encoder/config.json's schema)."""
    return {
        'id': id,
        'version': version,
        'dim': dim,
        'max_length': max_length,
        'stride': args.stride,
        'pooling': 'mean',
        'lowercase': False,
        'inputs': ['input_ids', 'attention_mask'],
        'output': 'last_hidden_state',
        'special_tokens': special_tokens,
        'pad_token_id': 0,
    }


SPECIAL_TOKENS = {'pad': common.PAD, 'unk': common.UNK, 'cls': common.CLS, 'sep': common.SEP, 'mask': common.MASK}


def verify_and_publish(args, stage, out, cfg, ref_path, verify_json, merge_checks=False, before_publish=None):
    """Writes config.json, runs verify.mjs on the staging folder (exit on failure), records its checks in
    cfg['training']['verification'] (merged into what is there with merge_checks), lets before_publish(cfg) add
    more, rewrites config.json and moves the four files into `out`. Returns (cfg, checks, sizes)."""
    common.write_config(stage, cfg)
    cmd = ['node', os.path.join(HERE, 'verify.mjs'), stage, '--reference', ref_path, '--json', verify_json]
    if os.path.exists(args.corpus):
        cmd += ['--corpus', args.corpus, '--n', '200']
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        log('VERIFY FAILED', r.stdout[-2000:], r.stderr[-2000:])
        raise SystemExit(1)
    v = json.load(open(verify_json))
    if merge_checks:
        cfg['training']['verification'] = dict(cfg['training'].get('verification', {}), **v['checks'])
    else:
        cfg['training']['verification'] = v['checks']
    if before_publish:
        before_publish(cfg)
    cfg = common.write_config(stage, cfg)
    for f in ('model.onnx', 'model.int8.onnx', 'tokenizer.json', 'config.json'):
        os.replace(os.path.join(stage, f), os.path.join(out, f))
    os.rmdir(stage)
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in cfg['files']}
    return cfg, v['checks'], sizes
