"""Trains the project's text encoder from scratch and exports it to models/encoder/.

    npm run train:encoder            (= python3 training/encoder/train.py)

Steps (each resumable; state lives in training/encoder/checkpoints/, gitignored):
  1. read the text corpus written by `npm run data:export` (training/.cache/text-corpus.jsonl): rows with
     split=train train the model, split=validation measure it (early stopping keeps the best checkpoint),
     split=test and any `gede` row are never read into training;
  2. train a SentencePiece unigram vocabulary on train text and write it as a Hugging Face tokenizer.json;
  3. tokenize the corpus with Node and @huggingface/tokenizers (tokenize.mjs): the exact tokenizer the service
     runs, so training and serving tokenize identically;
  4. train a pre-LN transformer encoder: masked-LM on all train text + multi-task heads on the mean-pooled
     output (human vs LLM, the four roles where known, involvement ratio PR where known), fixed seed;
  5. export model.onnx (fp32) and model.int8.onnx (dynamic int8), tokenizer.json and config.json (sha256 of
     each file, dimensions, pooling, window, data, recipe, validation metrics), then verify both ONNX files in
     onnxruntime-node against the torch reference.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (re-execs with /usr/bin/python3 when needed)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender']
VERSION = '1.0.0'


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--corpus', default=os.path.join(ROOT, 'training', '.cache', 'text-corpus.jsonl'))
    p.add_argument('--out', default=os.path.join(ROOT, 'models', 'encoder'))
    p.add_argument('--ckpt-dir', default=os.path.join(HERE, 'checkpoints'))
    p.add_argument('--id', default='llmprov-encoder-small')
    p.add_argument('--seed', type=int, default=1234)
    p.add_argument('--vocab', type=int, default=12000)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--ffn', type=int, default=1024)
    p.add_argument('--max-length', type=int, default=256)
    p.add_argument('--stride', type=int, default=32, help='token overlap between windows, recorded for serving')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--steps', type=int, default=600)
    p.add_argument('--lr', type=float, default=5e-4)
    p.add_argument('--warmup', type=int, default=50)
    p.add_argument('--sup-weight', type=float, default=1.0, help='weight of the supervised multi-task losses')
    p.add_argument('--mask-prob', type=float, default=0.15)
    p.add_argument('--eval-every', type=int, default=100)
    p.add_argument('--eval-windows', type=int, default=128)
    p.add_argument('--ckpt-minutes', type=float, default=4.0)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--tokenizer-chars', type=int, default=12_000_000, help='train text sampled for the vocabulary')
    p.add_argument('--max-minutes', type=float, default=0, help='stop training after this long (0 = no limit); '
                   'the run then exports what it has and a later run resumes')
    p.add_argument('--export-only', action='store_true', help='export the best checkpoint and exit')
    p.add_argument('--no-export', action='store_true')
    p.add_argument('--no-final-eval', action='store_true', help='skip eval.py (frozen-embedding probes) before export')
    return p.parse_args()


# ---------------------------------------------------------------------------------------------------------
def read_corpus(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def file_digest(path):
    st = os.stat(path)
    return '%d-%d' % (st.st_size, int(st.st_mtime))


def build_tokenizer(args, rows, train_idx):
    path = os.path.join(args.ckpt_dir, 'tokenizer.json')
    if os.path.exists(path):
        log('tokenizer: reusing', path)
        return path
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(train_idx)
    texts, total = [], 0
    for i in order:
        t = rows[i]['text']
        texts.append(t)
        total += len(t)
        if total >= args.tokenizer_chars:
            break
    spm_prefix = os.path.join(args.ckpt_dir, 'spm')
    if os.path.exists(spm_prefix + '.model'):
        pieces = common.spm_pieces(spm_prefix + '.model')
    else:
        log('tokenizer: training SentencePiece unigram (vocab %d) on %d texts, %d chars' % (args.vocab, len(texts), total))
        pieces = common.train_sentencepiece(texts, args.vocab - len(common.SPECIALS), spm_prefix)
    counts = {}
    for i in train_idx:
        for ch in rows[i]['text']:
            counts[ch] = counts.get(ch, 0) + 1
    added = common.add_characters(pieces, counts, min_count=3)
    log('tokenizer: %d SentencePiece pieces + %d characters seen >= 3 times in train text' % (len(pieces) - added, added))
    tj = common.unigram_tokenizer_json(pieces)
    common.write_json(path + '.tmp', tj)
    os.replace(path + '.tmp', path)
    log('tokenizer: %d pieces -> %s' % (len(tj['model']['vocab']), path))
    return path


def tokenize_corpus(args, tok_path, corpus_path):
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
class MLMHead(nn.Module):
    def __init__(self, enc: common.Encoder):
        super().__init__()
        d = enc.cfg['dim']
        self.dense = nn.Linear(d, d)
        self.ln = nn.LayerNorm(d)
        self.bias = nn.Parameter(torch.zeros(enc.cfg['vocab_size']))
        self.emb = enc.tok  # tied

    def forward(self, h):
        return F.linear(self.ln(F.gelu(self.dense(h))), self.emb.weight, self.bias)


class Heads(nn.Module):
    """Probe heads on the mean-pooled, L2-normalised output (what the service hands to the text heads)."""

    def __init__(self, d):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(10.0))
        self.llm = nn.Linear(d, 1)
        self.role = nn.Linear(d, len(ROLES))
        self.pr = nn.Linear(d, 1)

    def forward(self, pooled):
        z = F.normalize(pooled, dim=-1) * self.scale
        return self.llm(z).squeeze(-1), self.role(z), self.pr(z).squeeze(-1)


class Data:
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

    def batch(self, idx, rng, mask_rng, mask_prob, vocab):
        seqs = [np.concatenate([[2], self.window(i, rng), [3]]) for i in idx]
        L = max(len(s) for s in seqs)
        n = len(seqs)
        ids = np.zeros((n, L), dtype=np.int64)
        att = np.zeros((n, L), dtype=np.int64)
        for k, s in enumerate(seqs):
            ids[k, :len(s)] = s
            att[k, :len(s)] = 1
        special = (ids < len(common.SPECIALS))
        sel = (mask_rng.random(ids.shape) < mask_prob) & ~special
        r = mask_rng.random(ids.shape)
        inp = ids.copy()
        inp[sel & (r < 0.8)] = 4  # [MASK]
        rnd = sel & (r >= 0.8) & (r < 0.9)
        inp[rnd] = mask_rng.integers(len(common.SPECIALS), vocab, size=int(rnd.sum()))
        labels = np.full(ids.shape, -100, dtype=np.int64)
        labels[sel] = ids[sel]
        lab = np.array([self.labels[i] for i in idx], dtype=np.float64)
        return (torch.from_numpy(ids), torch.from_numpy(inp), torch.from_numpy(att), torch.from_numpy(labels),
                torch.from_numpy(lab[:, 0]).long(), torch.from_numpy(lab[:, 1]).long(),
                torch.from_numpy(lab[:, 2]).float())


def sup_losses(heads, pooled, y_llm, y_role, y_pr):
    o_llm, o_role, o_pr = heads(pooled)
    total = pooled.new_zeros(())
    parts = {}
    m = y_llm >= 0
    if m.any():
        parts['llm'] = F.binary_cross_entropy_with_logits(o_llm[m], y_llm[m].float())
        total = total + parts['llm']
    m = y_role >= 0
    if m.any():
        parts['role'] = F.cross_entropy(o_role[m], y_role[m])
        total = total + parts['role']
    m = ~torch.isnan(y_pr)
    if m.any():
        parts['pr'] = F.mse_loss(torch.sigmoid(o_pr[m]), y_pr[m]) * 4.0
        total = total + parts['pr']
    return total, parts, (o_llm, o_role, o_pr)


@torch.no_grad()
def evaluate(model, mlm, heads, data, args, vocab):
    model.eval()
    rng = np.random.default_rng(args.seed + 7)
    mask_rng = np.random.default_rng(args.seed + 8)
    idx = data.val_idx
    if len(idx) > args.eval_windows:
        idx = np.sort(rng.choice(idx, args.eval_windows, replace=False))
    tot_mlm, n_mlm = 0.0, 0
    y_l, p_l, y_r, p_r, y_p, p_p = [], [], [], [], [], []
    for s in range(0, len(idx), args.batch):
        ids, inp, att, lab, yl, yr, yp = data.batch(idx[s:s + args.batch], rng, mask_rng, args.mask_prob, vocab)
        h = model(inp, att)
        m = lab != -100
        if m.any():
            tot_mlm += F.cross_entropy(mlm(h[m]), lab[m], reduction='sum').item()
            n_mlm += int(m.sum())
        h = model(ids, att)  # unmasked, as served
        o_llm, o_role, o_pr = heads(common.mean_pool(h, att))
        y_l += yl.tolist(); p_l += o_llm.tolist()
        y_r += yr.tolist(); p_r += o_role.argmax(-1).tolist()
        y_p += yp.tolist(); p_p += torch.sigmoid(o_pr).tolist()
    model.train()
    y_l, p_l, y_r, p_r, y_p, p_p = map(np.array, (y_l, p_l, y_r, p_r, y_p, p_p))
    res = {'mlm_loss': tot_mlm / max(n_mlm, 1), 'windows': int(len(idx))}
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
    # lower is better: MLM loss plus the probe errors
    res['score'] = res['mlm_loss'] + (1 - res.get('llm_acc', 0)) + (1 - res.get('role_acc', 0)) + res.get('pr_mae', 0)
    return res


def save_ckpt(path, state):
    torch.save(state, path + '.tmp')
    os.replace(path + '.tmp', path)


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    t = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


# ---------------------------------------------------------------------------------------------------------
def export(args, summary):
    best = os.path.join(args.ckpt_dir, 'best.pt')
    if not os.path.exists(best):
        best = os.path.join(args.ckpt_dir, 'last.pt')
    st = torch.load(best, map_location='cpu')
    model = common.Encoder(**st['model_cfg'])
    model.load_state_dict(st['model'])
    model.eval()
    out = args.out
    os.makedirs(out, exist_ok=True)
    stage = out + '.staging'
    os.makedirs(stage, exist_ok=True)
    tok_src = os.path.join(args.ckpt_dir, 'tokenizer.json')
    with open(tok_src, 'rb') as f, open(os.path.join(stage, 'tokenizer.json'), 'wb') as g:
        g.write(f.read())
    common.export_onnx(model, os.path.join(stage, 'model.onnx'))
    qstats = common.quantize_int8(os.path.join(stage, 'model.onnx'), os.path.join(stage, 'model.int8.onnx'))
    # torch reference for the ONNX check
    g = torch.Generator().manual_seed(5)
    V = st['model_cfg']['vocab_size']
    ids = torch.randint(len(common.SPECIALS), V, (3, 40), generator=g)
    ids[:, 0] = 2
    att = torch.ones_like(ids)
    with torch.no_grad():
        h = model(ids, att)
    pooled = F.normalize(common.mean_pool(h, att), dim=-1)
    ref_path = os.path.join(args.ckpt_dir, 'reference.json')
    json.dump({'input_ids': ids.tolist(), 'last_hidden_state_flat': h.flatten().tolist(),
               'pooled': pooled.tolist()}, open(ref_path, 'w'))
    mc = st['model_cfg']
    cfg = {
        'id': args.id,
        'version': VERSION,
        'dim': mc['dim'],
        'max_length': mc['max_length'],
        'stride': args.stride,
        'pooling': 'mean',
        'lowercase': False,
        'inputs': ['input_ids', 'attention_mask'],
        'output': 'last_hidden_state',
        'special_tokens': {'pad': common.PAD, 'unk': common.UNK, 'cls': common.CLS, 'sep': common.SEP,
                           'mask': common.MASK},
        'pad_token_id': 0,
        'architecture': {'type': 'pre-LN transformer encoder (BERT-style, learned positions, GELU)',
                         'layers': mc['layers'], 'heads': mc['heads'], 'ffn': mc['ffn'],
                         'vocab_size': mc['vocab_size'],
                         'parameters': int(sum(p.numel() for p in model.parameters()))},
        'tokenizer': {'type': 'SentencePiece unigram written as Hugging Face tokenizer.json (Metaspace); '
                              'case kept; newline -> \u21b5, tab -> \u21e5 (one character each, offsets kept)',
                      'vocab_size': mc['vocab_size']},
        'int8': {'method': 'dynamic: per-column symmetric int8 weights for every constant MatMul '
                           '(DynamicQuantizeLinear + MatMulInteger), int8 token-embedding table with per-row scales',
                 'rewritten': qstats},
        'training': dict(summary, checkpoint_step=st['step'], checkpoint_metrics=st.get('metrics')),
    }
    last_p = os.path.join(args.ckpt_dir, 'last.pt')
    if 'validation_history' not in cfg['training'] and os.path.exists(last_p):
        lst = torch.load(last_p, map_location='cpu')
        cfg['training']['steps_done'] = lst['step']
        cfg['training']['validation_history'] = lst['history']
        del lst
    fe = os.path.join(args.ckpt_dir, 'final_eval.json')
    if os.path.exists(fe):
        ev = json.load(open(fe))
        if ev.get('step') == st['step']:
            cfg['training']['validation'] = ev
    common.write_config(stage, cfg)
    # verify in onnxruntime-node before publishing
    vj = os.path.join(args.ckpt_dir, 'verify.json')
    cmd = ['node', os.path.join(HERE, 'verify.mjs'), stage, '--reference', ref_path, '--json', vj]
    if os.path.exists(args.corpus):
        cmd += ['--corpus', args.corpus, '--n', '200']
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        log('VERIFY FAILED', r.stdout[-2000:], r.stderr[-2000:])
        raise SystemExit(1)
    v = json.load(open(vj))
    cfg['training']['verification'] = v['checks']
    cfg = common.write_config(stage, cfg)
    for f in ('model.onnx', 'model.int8.onnx', 'tokenizer.json', 'config.json'):
        os.replace(os.path.join(stage, f), os.path.join(out, f))
    os.rmdir(stage)
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in cfg['files']}
    log('exported step %d to %s: %s; checks %s' % (st['step'], out, sizes, json.dumps(v['checks'])))


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.ckpt_dir, exist_ok=True)
    summary_p = os.path.join(args.ckpt_dir, 'summary.json')
    if args.export_only:
        export(args, json.load(open(summary_p)))
        return

    if not os.path.exists(args.corpus):
        raise SystemExit('no corpus at %s: run `npm run data:export` first' % args.corpus)
    rows = read_corpus(args.corpus)
    train_idx = [i for i, r in enumerate(rows) if r.get('split') == 'train' and r.get('source') != 'gede' and not r.get('eval_only')]
    val_idx = [i for i, r in enumerate(rows) if r.get('split') == 'validation' and r.get('source') != 'gede' and not r.get('eval_only')]
    log('corpus %s: %d rows, %d train, %d validation (test rows are not used)' % (args.corpus, len(rows),
                                                                                  len(train_idx), len(val_idx)))
    tok_path = build_tokenizer(args, rows, train_idx)
    vocab = len(json.load(open(tok_path))['model']['vocab'])
    prefix = tokenize_corpus(args, tok_path, args.corpus)
    data = Data(args, rows, prefix, train_idx, val_idx)
    sources = {}
    for i in data.train_idx:
        s = rows[i]['source']
        sources.setdefault(s, {'train_rows': 0, 'validation_rows': 0, 'train_tokens': 0})
        sources[s]['train_rows'] += 1
        sources[s]['train_tokens'] += int(data.off[i + 1] - data.off[i])
    for i in data.val_idx:
        s = rows[i]['source']
        sources.setdefault(s, {'train_rows': 0, 'validation_rows': 0, 'train_tokens': 0})
        sources[s]['validation_rows'] += 1
    log('train tokens %d, validation rows %d, sources %s' % (sum(v['train_tokens'] for v in sources.values()),
                                                            len(data.val_idx), json.dumps(sources)))

    torch.manual_seed(args.seed)
    model = common.Encoder(vocab, args.dim, args.layers, args.heads, args.ffn, args.max_length)
    mlm = MLMHead(model)
    heads = Heads(args.dim)
    params = list(model.parameters()) + [p for n, p in mlm.named_parameters() if not n.startswith('emb.')] + \
        list(heads.parameters())
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    rng = np.random.default_rng(args.seed)
    mask_rng = np.random.default_rng(args.seed + 1)
    step, best_score, history = 0, float('inf'), []
    last_p = os.path.join(args.ckpt_dir, 'last.pt')
    if os.path.exists(last_p):
        st = torch.load(last_p, map_location='cpu')
        model.load_state_dict(st['model'])
        mlm.load_state_dict(st['mlm'])
        heads.load_state_dict(st['heads'])
        opt.load_state_dict(st['opt'])
        rng.bit_generator.state = st['rng']
        mask_rng.bit_generator.state = st['mask_rng']
        torch.set_rng_state(st['torch_rng'])
        step, best_score, history = st['step'], st['best_score'], st['history']
        log('resumed from %s at step %d' % (last_p, step))

    summary = {
        'recipe': ('from scratch (option a). Masked-LM (%.0f%% of tokens; 80/10/10) on train text + multi-task '
                   'heads on the mean-pooled L2-normalised output (human vs LLM BCE, 4 roles CE where known, '
                   'PR MSE where known), weight %.2f; AdamW lr %g, warmup %d, cosine to 10%%, batch %d windows of '
                   'up to %d tokens (random crop per document), sources sampled ~sqrt(rows), seed %d, '
                   'dropout 0.1, grad clip 1.0; best checkpoint by validation score') % (
            args.mask_prob * 100, args.sup_weight, args.lr, args.warmup, args.batch, args.max_length,
            args.seed),
        'corpus': os.path.relpath(args.corpus, ROOT),
        'corpus_rows': len(rows),
        'splits_used': {'train': len(data.train_idx), 'validation': len(data.val_idx)},
        'data': sources,
        'steps_planned': args.steps,
        'seed': args.seed,
    }
    json.dump(summary, open(summary_p, 'w'), indent=1)

    model.train()
    t_ck = time.time()
    t_start = time.time()
    t_log = time.time()
    run_loss = {}
    step0 = step
    stop = {'signal': None}

    def on_signal(signum, _frame):
        stop['signal'] = signum

    import signal
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while step < args.steps:
        if stop['signal'] is not None:
            break
        if args.max_minutes and (time.time() - t_start) / 60 > args.max_minutes:
            log('time budget reached at step %d' % step)
            break
        for gp in opt.param_groups:
            gp['lr'] = lr_at(step, args)
        idx = rng.choice(data.train_idx, size=args.batch, p=data.p)
        ids, inp, att, lab, yl, yr, yp = data.batch(idx, rng, mask_rng, args.mask_prob, vocab)
        h = model(inp, att)
        m = lab != -100
        loss_mlm = F.cross_entropy(mlm(h[m]), lab[m])
        loss_sup, parts, _ = sup_losses(heads, common.mean_pool(h, att), yl, yr, yp)
        loss = loss_mlm + args.sup_weight * loss_sup
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        for k, v in [('mlm', loss_mlm.item())] + [(k, v.item()) for k, v in parts.items()]:
            run_loss[k] = 0.98 * run_loss.get(k, v) + 0.02 * v
        if time.time() - t_log > 60 or step == step0 + 1 or step == step0 + 10:
            log('step %d lr %.2e %s (%.2f s/step)' % (step, lr_at(step, args),
                                                     ' '.join('%s %.3f' % kv for kv in run_loss.items()),
                                                     (time.time() - t_start) / max(1, step - step0)))
            t_log = time.time()
        do_eval = step % args.eval_every == 0 or step == args.steps
        if do_eval:
            res = evaluate(model, mlm, heads, data, args, vocab)
            res['step'] = step
            history.append(res)
            log('eval %s' % json.dumps(res))
            if res['score'] < best_score:
                best_score = res['score']
                save_ckpt(os.path.join(args.ckpt_dir, 'best.pt'),
                          {'model': model.state_dict(), 'mlm': mlm.state_dict(), 'heads': heads.state_dict(),
                           'model_cfg': model.cfg, 'step': step, 'metrics': res})
                log('new best checkpoint at step %d' % step)
        if do_eval or time.time() - t_ck > args.ckpt_minutes * 60 or step == args.steps or stop['signal'] is not None:
            save_ckpt(last_p, {'model': model.state_dict(), 'mlm': mlm.state_dict(), 'heads': heads.state_dict(),
                               'opt': opt.state_dict(), 'rng': rng.bit_generator.state,
                               'mask_rng': mask_rng.bit_generator.state, 'torch_rng': torch.get_rng_state(),
                               'step': step, 'best_score': best_score, 'history': history,
                               'model_cfg': model.cfg})
            t_ck = time.time()
    if stop['signal'] is not None:
        log('stopped by signal %d at step %d: checkpoint saved, rerun to resume' % (stop['signal'], step))
        raise SystemExit(0)
    if not os.path.exists(os.path.join(args.ckpt_dir, 'best.pt')) or (history and history[-1]['step'] != step):
        res = evaluate(model, mlm, heads, data, args, vocab)
        res['step'] = step
        history.append(res)
        log('eval %s' % json.dumps(res))
        if res['score'] < best_score or not os.path.exists(os.path.join(args.ckpt_dir, 'best.pt')):
            best_score = res['score']
            save_ckpt(os.path.join(args.ckpt_dir, 'best.pt'),
                      {'model': model.state_dict(), 'mlm': mlm.state_dict(), 'heads': heads.state_dict(),
                       'model_cfg': model.cfg, 'step': step, 'metrics': res})
    summary['steps_done'] = step
    summary['validation_history'] = history
    json.dump(summary, open(summary_p, 'w'), indent=1)
    if not args.no_final_eval:
        log('final evaluation (eval.py) of the best checkpoint on the validation split')
        subprocess.run([sys.executable, os.path.join(HERE, 'eval.py'), '--corpus', args.corpus, '--ckpt-dir',
                        args.ckpt_dir, '--threads', str(args.threads)], check=True, cwd=ROOT)
    if not args.no_export:
        export(args, summary)


if __name__ == '__main__':
    main()
