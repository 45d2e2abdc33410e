"""Turns what gpu_train.py wrote (VARIANT.npz: float16 parameters + meta) into a checkpoint folder that
train.py exports, verifies and publishes like any other:

    python3 training/encoder/gpu_import.py RUN/A.npz --ckpt-dir training/encoder/checkpoints-gpu-A
    python3 training/encoder/train.py --export-only --ckpt-dir training/encoder/checkpoints-gpu-A \
        --out training/.cache/encoders/gpu-A --version 1.2.0

The tokenizer is the one the pack was tokenized with (default models/encoder/tokenizer.json).
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,F401  (re-execs with /usr/bin/python3 when needed)
import numpy as np  # noqa: E402
import torch  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('npz')
    p.add_argument('--ckpt-dir', required=True)
    p.add_argument('--tokenizer', default='models/encoder/tokenizer.json')
    a = p.parse_args()
    z = np.load(a.npz)
    meta = json.loads(str(z['meta']))
    state = {k: torch.from_numpy(z[k].astype(np.float32)) for k in z.files if k != 'meta'}
    model = common.Encoder(**meta['model_cfg'])
    model.load_state_dict(state)  # strict: every parameter present, none extra
    os.makedirs(a.ckpt_dir, exist_ok=True)
    torch.save({'model_cfg': meta['model_cfg'], 'model': model.state_dict(), 'step': meta['best']['step'],
                'metrics': meta['best']}, os.path.join(a.ckpt_dir, 'best.pt'))
    shutil.copyfile(a.tokenizer, os.path.join(a.ckpt_dir, 'tokenizer.json'))
    summary = {'recipe': meta['recipe'], 'trained_on': meta['device'] + ', torch ' + meta['torch'],
               'data': 'the pack of training/encoder/gpu_pack.py: split=train rows of text-corpus.jsonl (sources %s),'
                       ' split=validation (%d windows) for the choice of state; test rows and gede never tokenized' % (
                           ', '.join(s for s in meta['sources'] if s != 'gede'), meta['args']['eval_windows']),
               'steps_done': meta['steps_done'], 'seed': meta['args']['seed'],
               'validation_history': meta['history'], 'weights': 'float16 copy of the float32 parameters'}
    json.dump(summary, open(os.path.join(a.ckpt_dir, 'summary.json'), 'w'), indent=1)
    print('variant %s, best step %d of %d: %s -> %s' % (meta['variant'], meta['best']['step'], meta['steps_done'],
                                                     json.dumps(meta['best']), a.ckpt_dir))


if __name__ == '__main__':
    main()
