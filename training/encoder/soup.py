"""Weight averaging ("model soup", WiSE-FT) of two exported encoders of the same architecture and tokenizer:
every ONNX initializer becomes alpha * A + (1 - alpha) * B. Fine-tuning further fits the training sets; averaging
the weights before and after is a known way to keep part of the gain and part of the earlier robustness.

    python3 training/encoder/soup.py A_DIR B_DIR --alpha 0.5 --out DIR --version 1.2.0-soup

Both directories must hold model.onnx with the same graph (same nodes, same initializer names and shapes:
true of a warm start, `train.py --init-onnx`) and the same tokenizer.json. Writes DIR/model.onnx, the int8
model (same method as the shipped encoder), the tokenizer and a config.json copied from B's with the version,
the sha256 of every file and a `training` record that names both ingredients. Needs python `onnx` and numpy.
"""
import argparse
import filecmp
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_int8 import quantize_int8, sha256_file  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('a')
    p.add_argument('b')
    p.add_argument('--alpha', type=float, default=0.5, help='weight of A (B gets 1 - alpha)')
    p.add_argument('--out', required=True)
    p.add_argument('--version', required=True)
    x = p.parse_args()
    if not 0.0 <= x.alpha <= 1.0:
        raise SystemExit('--alpha must be in [0, 1]')
    import onnx
    from onnx import numpy_helper

    if not filecmp.cmp(os.path.join(x.a, 'tokenizer.json'), os.path.join(x.b, 'tokenizer.json'), shallow=False):
        raise SystemExit('the two encoders have different tokenizers: their weights cannot be averaged')
    ma = onnx.load(os.path.join(x.a, 'model.onnx'))
    mb = onnx.load(os.path.join(x.b, 'model.onnx'))
    if [n.op_type for n in ma.graph.node] != [n.op_type for n in mb.graph.node]:
        raise SystemExit('the two graphs differ: not the same architecture')
    ia = {t.name: numpy_helper.to_array(t) for t in ma.graph.initializer}
    if sorted(ia) != sorted(t.name for t in mb.graph.initializer):
        raise SystemExit('the two graphs have different initializers')
    averaged = 0
    for i, t in enumerate(mb.graph.initializer):
        va, vb = ia[t.name], numpy_helper.to_array(t)
        if va.shape != vb.shape:
            raise SystemExit('initializer %s: shape %s vs %s' % (t.name, va.shape, vb.shape))
        if np.issubdtype(vb.dtype, np.floating):
            v = (x.alpha * va.astype(np.float64) + (1 - x.alpha) * vb.astype(np.float64)).astype(vb.dtype)
            mb.graph.initializer[i].CopyFrom(numpy_helper.from_array(v, t.name))
            averaged += 1
        elif not np.array_equal(va, vb):  # integer constants (shapes, axes) must agree
            raise SystemExit('integer initializer %s differs' % t.name)
    os.makedirs(x.out, exist_ok=True)
    onnx.save(mb, os.path.join(x.out, 'model.onnx'))
    shutil.copyfile(os.path.join(x.b, 'tokenizer.json'), os.path.join(x.out, 'tokenizer.json'))
    stats = quantize_int8(os.path.join(x.out, 'model.onnx'), os.path.join(x.out, 'model.int8.onnx'))
    ca = json.load(open(os.path.join(x.a, 'config.json')))
    cb = json.load(open(os.path.join(x.b, 'config.json')))
    cfg = dict(cb)
    cfg['version'] = x.version
    cfg['int8'] = dict(cb.get('int8', {}), rewritten=stats)
    cfg['files'] = {f: sha256_file(os.path.join(x.out, f)) for f in ('model.onnx', 'model.int8.onnx', 'tokenizer.json')}
    cfg['training'] = {
        'recipe': 'weight average of two encoders (training/encoder/soup.py): every float initializer = '
                  '%g * A + %g * B; no training of its own' % (x.alpha, 1 - x.alpha),
        'alpha': x.alpha,
        'averaged_initializers': averaged,
        'A': {k: ca.get(k) for k in ('id', 'version', 'files')},
        'B': {k: cb.get(k) for k in ('id', 'version', 'files', 'training')},
    }
    with open(os.path.join(x.out, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')
    print('averaged %d initializers (alpha %g) -> %s; int8 %s' % (averaged, x.alpha, x.out, stats))


if __name__ == '__main__':
    main()
