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
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (re-execs with /usr/bin/python3 when needed)
import loop as L  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from loop import log  # noqa: E402

HERE = L.HERE
ROOT = L.ROOT
VERSION = '1.0.0'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    L.add_io_args(p, out=os.path.join(ROOT, 'models', 'encoder'), ckpt_dir=os.path.join(HERE, 'checkpoints'),
                  id='llmprov-encoder-small')
    p.add_argument('--vocab', type=int, default=12000)
    L.add_arch_args(p)
    L.add_window_args(p)
    L.add_schedule_args(p, steps=600, lr=5e-4, warmup=50)
    L.add_mlm_args(p)
    L.add_loop_args(p, eval_every=100, eval_windows=128, threads=2, max_minutes=0)
    p.add_argument('--tokenizer-chars', type=int, default=12_000_000, help='train text sampled for the vocabulary')
    L.add_export_args(p)
    p.add_argument('--version', default=VERSION, help='version written into config.json')
    p.add_argument('--no-final-eval', action='store_true', help='skip eval.py (frozen-embedding probes) before export')
    p.add_argument('--init-onnx', metavar='DIR', default=None,
                   help='warm start from an encoder this recipe exported (e.g. models/encoder): its tokenizer.json, '
                        'its architecture (config.json) and its model.onnx weights; the MLM and multi-task heads, '
                        'which are not exported, start afresh')
    args = p.parse_args()
    args.init_config = None
    if args.init_onnx:  # the warm start's config.json, read once: its architecture here, its record in summary.json
        args.init_config = json.load(open(os.path.join(args.init_onnx, 'config.json')))
        a = args.init_config['architecture']
        args.dim, args.layers, args.heads, args.ffn, args.max_length = \
            args.init_config['dim'], a['layers'], a['heads'], a['ffn'], args.init_config['max_length']
    return args


# ---------------------------------------------------------------------------------------------------------
def build_tokenizer(args, rows, train_idx):
    path = os.path.join(args.ckpt_dir, 'tokenizer.json')
    if args.init_onnx and not os.path.exists(path):
        shutil.copyfile(os.path.join(args.init_onnx, 'tokenizer.json'), path)
        log('tokenizer: from', args.init_onnx)
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


# ---------------------------------------------------------------------------------------------------------
def export(args, summary):
    st, model = L.load_checkpoint(args, common.Encoder, fallback_last=True)
    stage = L.staging(args.out, os.path.join(args.ckpt_dir, 'tokenizer.json'))
    qstats = L.export_onnx_pair(model, stage)
    # torch reference for the ONNX check
    mc = st['model_cfg']
    ref_path = L.write_reference(model, L.reference_ids(len(common.SPECIALS), mc['vocab_size']),
                                 os.path.join(args.ckpt_dir, 'reference.json'))
    cfg = L.base_config(args, args.id, args.version, mc['dim'], mc['max_length'], L.SPECIAL_TOKENS)
    cfg.update({
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
    })
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
    # verify in onnxruntime-node before publishing
    cfg, checks, sizes = L.verify_and_publish(args, stage, args.out, cfg, ref_path,
                                              os.path.join(args.ckpt_dir, 'verify.json'))
    log('exported step %d to %s: %s; checks %s' % (st['step'], args.out, sizes, json.dumps(checks)))


def make_trainer(args, data, vocab):
    torch.manual_seed(args.seed)
    model = common.Encoder(vocab, args.dim, args.layers, args.heads, args.ffn, args.max_length)
    if args.init_onnx:
        n = common.load_onnx_weights(model, os.path.join(args.init_onnx, 'model.onnx'))
        log('init-onnx: %d parameter tensors from %s' % (n, args.init_onnx))
    mlm = MLMHead(model)
    heads = L.Heads(args.dim)
    params = list(model.parameters()) + [p for n, p in mlm.named_parameters() if not n.startswith('emb.')] + \
        list(heads.parameters())
    opt = L.adamw(L.decay_groups(params), args.lr)
    return L.MLMTrainer(args, model, mlm, heads, params, opt, data, vocab)


def main():
    args = parse_args()
    summary_p = L.prepare(args, export)

    rows, train_idx, val_idx = L.load_splits(args.corpus)
    tok_path = build_tokenizer(args, rows, train_idx)
    vocab = len(json.load(open(tok_path))['model']['vocab'])
    prefix = L.tokenize_corpus(args, tok_path, args.corpus)
    data = L.Data(args, rows, prefix, train_idx, val_idx)
    sources = L.source_stats(rows, data)
    log('train tokens %d, validation rows %d, sources %s' % (sum(v['train_tokens'] for v in sources.values()),
                                                            len(data.val_idx), json.dumps(sources)))

    trainer = make_trainer(args, data, vocab)
    trainer.resume()
    start = 'from scratch (option a)' if not args.init_onnx else (
        'warm start (option a) from %s: its tokenizer and encoder weights, fresh MLM and multi-task heads'
        % os.path.relpath(os.path.abspath(args.init_onnx), ROOT))
    recipe = (start + '. Masked-LM (%.0f%% of tokens; 80/10/10) on train text + multi-task '
              'heads on the mean-pooled L2-normalised output (human vs LLM BCE, 4 roles CE where known, '
              'PR MSE where known), weight %.2f; AdamW lr %g, warmup %d, cosine to 10%%, batch %d windows of '
              'up to %d tokens (random crop per document), sources sampled ~sqrt(rows), seed %d, '
              'dropout 0.1, grad clip 1.0; best checkpoint by validation %s') % (
        args.mask_prob * 100, args.sup_weight, args.lr, args.warmup, args.batch, args.max_length, args.seed,
        'score (MLM loss + head errors)' if args.sup_weight > 0 else 'MLM loss')
    more = {}
    if args.init_config:  # the lineage: what the warm start started from (its own training record included)
        more['warm_start'] = {k: args.init_config.get(k) for k in ('id', 'version', 'files', 'training')}
    summary = L.run_summary(args, recipe, rows, data, data=sources, **more)
    json.dump(summary, open(summary_p, 'w'), indent=1)
    trainer.run()
    summary['steps_done'] = trainer.step
    summary['validation_history'] = trainer.history
    json.dump(summary, open(summary_p, 'w'), indent=1)
    if not args.no_final_eval:
        log('final evaluation (eval.py) of the best checkpoint on the validation split')
        subprocess.run([sys.executable, os.path.join(HERE, 'eval.py'), '--corpus', args.corpus, '--ckpt-dir',
                        args.ckpt_dir, '--threads', str(args.threads)], check=True, cwd=ROOT)
    if not args.no_export:
        export(args, summary)


if __name__ == '__main__':
    main()
