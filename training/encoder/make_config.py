"""Writes config.json for an encoder directory (any Hugging Face encoder exported to ONNX, or ours), so the
service can load it: records dim, window, pooling, the ONNX inputs and the sha256 of every file.

    python3 training/encoder/make_config.py DIR --id NAME [--max-length 512] [--stride 64] [--quantize]

DIR must hold model.onnx (inputs input_ids, attention_mask[, token_type_ids]; output last_hidden_state) and
tokenizer.json. --quantize also writes model.int8.onnx (dynamic int8, same method as the shipped encoder);
without it an existing model.int8.onnx is kept and hashed. Needs python `onnx` and numpy (pip install onnx
numpy, or Debian's python3-onnx); no torch.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_int8 import KEEP_FP32, quantize_int8, sha256_file  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('dir')
    p.add_argument('--id', required=True, help='encoder id recorded by the heads trained on it')
    p.add_argument('--version', default='1.0.0')
    p.add_argument('--max-length', type=int, default=None,
                   help='tokens per window incl. special tokens (default: tokenizer_config.json '
                        'model_max_length, else 512)')
    p.add_argument('--stride', type=int, default=None, help='token overlap between windows (default max_length/8)')
    p.add_argument('--lowercase', action='store_true', help='the tokenizer lowercases (informational)')
    p.add_argument('--quantize', action='store_true', help='write model.int8.onnx from model.onnx')
    p.add_argument('--int8-fp32', choices=sorted(KEEP_FP32), default='none',
                   help='with --quantize: MatMuls left in fp32 (ffn-out: the FFN output projections)')
    a = p.parse_args()

    d = a.dir
    for f in ('model.onnx', 'tokenizer.json'):
        if not os.path.exists(os.path.join(d, f)):
            raise SystemExit('%s is missing %s' % (d, f))
    import onnx
    m = onnx.load(os.path.join(d, 'model.onnx'), load_external_data=False)
    inputs = [i.name for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}]
    outputs = [o.name for o in m.graph.output]
    for need in ('input_ids', 'attention_mask'):
        if need not in inputs:
            raise SystemExit('model.onnx has inputs %s; input_ids and attention_mask are required' % inputs)
    if 'last_hidden_state' not in outputs:
        raise SystemExit('model.onnx has outputs %s; last_hidden_state is required' % outputs)
    # the hidden size, from the output's shape [batch, sequence, dim]
    dims = [o for o in m.graph.output if o.name == 'last_hidden_state'][0].type.tensor_type.shape.dim
    if len(dims) != 3 or dims[2].dim_value <= 0:
        raise SystemExit('cannot read the hidden size from model.onnx (last_hidden_state [batch, sequence, dim])')
    dim = dims[2].dim_value
    max_length = a.max_length
    tc = os.path.join(d, 'tokenizer_config.json')
    if max_length is None and os.path.exists(tc):
        v = json.load(open(tc)).get('model_max_length')
        if isinstance(v, int) and 0 < v <= 100000:
            max_length = v
    max_length = max_length or 512
    stride = a.stride if a.stride is not None else max(1, max_length // 8)
    if a.quantize:
        stats = quantize_int8(os.path.join(d, 'model.onnx'), os.path.join(d, 'model.int8.onnx'), KEEP_FP32[a.int8_fp32])
        print('quantized: %s' % stats)
    files = {}
    # tokenizer_config.json (when present) changes tokenization, so it is hashed too: the service reads it
    # only when config.json vouches for it
    for f in ('model.onnx', 'model.int8.onnx', 'tokenizer.json', 'tokenizer_config.json'):
        if os.path.exists(os.path.join(d, f)):
            files[f] = sha256_file(os.path.join(d, f))
    cfg_p = os.path.join(d, 'config.json')
    old = {}
    if os.path.exists(cfg_p):
        try:
            old = json.load(open(cfg_p))
        except ValueError:
            old = {}
    if 'architectures' in old or 'model_type' in old:
        # a Hugging Face model config.json: keep it beside ours
        os.replace(cfg_p, os.path.join(d, 'hf_config.json'))
        old = {}
    cfg = {
        'id': a.id,
        'version': a.version,
        'dim': dim,
        'max_length': max_length,
        'stride': stride,
        'pooling': 'mean',
        'lowercase': bool(a.lowercase),
        'inputs': inputs,
        'output': 'last_hidden_state',
        'files': files,
        'training': old.get('training', {'note': 'external encoder; config written by training/encoder/make_config.py'}),
    }
    with open(cfg_p, 'w', encoding='utf-8') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')
    print(json.dumps(cfg, indent=2))


if __name__ == '__main__':
    main()
