"""Shared pieces of the encoder training: model, tokenizer.json writer, ONNX export, int8 quantization.

Used by train.py (the shipped encoder) and make_tiny.py (random-weight test fixtures).
Runs on Debian's python3-torch 1.13 / python3-onnx 1.12 / python3-sentencepiece; nothing else.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sys


def ensure_system_python() -> None:
    """`python3` on PATH may be a pyenv interpreter without Debian's torch: re-exec with /usr/bin/python3."""
    try:
        import torch  # noqa: F401
        import onnx  # noqa: F401
    except ImportError:
        system = '/usr/bin/python3'
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system) \
                and not os.environ.get('ENCODER_NO_REEXEC'):
            os.environ['ENCODER_NO_REEXEC'] = '1'
            os.execv(system, [system] + sys.argv)
        raise SystemExit('training/encoder needs python3-torch, python3-onnx and python3-sentencepiece '
                         '(apt-get install python3-torch python3-onnx python3-sentencepiece libopenblas0-pthread)')


ensure_system_python()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx_int8 import quantize_int8, sha256_file  # noqa: E402,F401

# ---------------------------------------------------------------------------------------------------------
# Special tokens. Ids 0..4 in every tokenizer this project writes.
PAD, UNK, CLS, SEP, MASK = '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'
SPECIALS = [PAD, UNK, CLS, SEP, MASK]
NEWLINE_MARK = '\u21b5'  # ↵  (one character: the normalizer keeps character offsets)
TAB_MARK = '\u21e5'      # ⇥


# ---------------------------------------------------------------------------------------------------------
# Tokenizer: SentencePiece unigram trained here, written as a Hugging Face tokenizer.json
# (Unigram model + Metaspace pre-tokenizer), loaded by @huggingface/tokenizers in Node for BOTH training
# (training/encoder/tokenize.mjs) and serving, so they tokenize identically.

def normalizer_json() -> dict:
    # Case, punctuation and spacing are kept (style is the signal); line breaks and tabs become visible,
    # one-character marks so that character offsets are unchanged.
    return {
        'type': 'Sequence',
        'normalizers': [
            {'type': 'Replace', 'pattern': {'String': '\r'}, 'content': ' '},
            {'type': 'Replace', 'pattern': {'String': '\n'}, 'content': NEWLINE_MARK},
            {'type': 'Replace', 'pattern': {'String': '\t'}, 'content': TAB_MARK},
        ],
    }


def normalize_for_spm(text: str) -> str:
    """Python mirror of normalizer_json(), only used to feed SentencePiece training."""
    return text.replace('\r', ' ').replace('\n', NEWLINE_MARK).replace('\t', TAB_MARK)


def train_sentencepiece(texts, vocab_size: int, model_prefix: str, max_sentence_chars: int = 2000,
                        input_sentence_size: int = 400000) -> list[tuple[str, float]]:
    """Trains a unigram model; returns [(piece, score)] without SentencePiece's own control pieces."""
    import sentencepiece as spm
    tmp = model_prefix + '.txt'
    n = 0
    with open(tmp, 'w', encoding='utf-8') as f:
        for t in texts:
            t = normalize_for_spm(t).strip()
            # SentencePiece reads one sentence per line: cut long documents into chunks at spaces.
            while t:
                if len(t) <= max_sentence_chars:
                    chunk, t = t, ''
                else:
                    cut = t.rfind(' ', 0, max_sentence_chars)
                    if cut <= 0:
                        cut = max_sentence_chars
                    chunk, t = t[:cut], t[cut:]
                chunk = chunk.strip()
                if chunk:
                    f.write(chunk + '\n')
                    n += 1
    spm.SentencePieceTrainer.train(
        input=tmp, model_prefix=model_prefix, model_type='unigram', vocab_size=vocab_size,
        character_coverage=0.9995, normalization_rule_name='identity', remove_extra_whitespaces=False,
        split_digits=True, user_defined_symbols=[NEWLINE_MARK, TAB_MARK], byte_fallback=False, hard_vocab_limit=False,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, num_threads=1, seed_sentencepiece_size=200000,
        input_sentence_size=input_sentence_size, shuffle_input_sentence=True,
        max_sentence_length=max_sentence_chars * 4 + 16, minloglevel=2)
    os.remove(tmp)
    return spm_pieces(model_prefix + '.model')


def spm_pieces(model_file: str) -> list[tuple[str, float]]:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=model_file)
    pieces = []
    for i in range(sp.get_piece_size()):
        if sp.is_unknown(i) or sp.is_control(i):
            continue
        score = sp.get_score(i)
        if sp.id_to_piece(i) in (NEWLINE_MARK, TAB_MARK):
            score = 0.0
        pieces.append((sp.id_to_piece(i), float(score)))
    return pieces


def add_characters(pieces: list[tuple[str, float]], counts: dict, min_count: int) -> int:
    """Every character seen at least min_count times becomes a piece (low score), so that e.g. '…', 'é', '€'
    or Cyrillic letters are not [UNK] (SentencePiece's character_coverage drops rare ones)."""
    have = {p for p, _ in pieces}
    low = min(s for _, s in pieces) - 1.0
    added = 0
    for ch, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < min_count or ch in have or ch in ' \n\t\r' or ch in SPECIALS:
            continue
        pieces.append((ch, low))
        have.add(ch)
        added += 1
    return added


def unigram_tokenizer_json(pieces: list[tuple[str, float]]) -> dict:
    vocab = [[s, 0.0] for s in SPECIALS] + [[p, s] for p, s in pieces if p not in SPECIALS]
    added = [{'id': i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, s in enumerate(SPECIALS)]
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': added,
        'normalizer': normalizer_json(),
        'pre_tokenizer': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always',
                          'split': False},
        'post_processor': template_processing(token_types=False),
        'decoder': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': False},
        'model': {'type': 'Unigram', 'unk_id': 1, 'vocab': vocab, 'byte_fallback': False},
    }


def template_processing(token_types: bool) -> dict:
    return {
        'type': 'TemplateProcessing',
        'single': [{'SpecialToken': {'id': CLS, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                   {'SpecialToken': {'id': SEP, 'type_id': 0}}],
        'pair': [{'SpecialToken': {'id': CLS, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                 {'SpecialToken': {'id': SEP, 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 1 if token_types else 0}},
                 {'SpecialToken': {'id': SEP, 'type_id': 1 if token_types else 0}}],
        'special_tokens': {s: {'id': s, 'ids': [SPECIALS.index(s)], 'tokens': [s]} for s in (CLS, SEP)},
    }


def wordpiece_tokenizer_json(words: list[str]) -> dict:
    """BERT-style (cased) WordPiece tokenizer, used by the second test fixture to exercise the swap."""
    vocab = {s: i for i, s in enumerate(SPECIALS)}
    for w in words:
        if w not in vocab:
            vocab[w] = len(vocab)
    added = [{'id': i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, s in enumerate(SPECIALS)]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                       'strip_accents': False, 'lowercase': False},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': template_processing(token_types=True),
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': UNK, 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': vocab},
    }


# ---------------------------------------------------------------------------------------------------------
# Model: a small pre-LayerNorm BERT-style encoder. forward(input_ids, attention_mask[, token_type_ids])
# -> last_hidden_state [batch, seq, dim]. Written with plain ops so torch.onnx exports it cleanly.

class Layer(nn.Module):
    def __init__(self, dim: int, heads: int, ffn: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim)
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.f1 = nn.Linear(dim, ffn)
        self.f2 = nn.Linear(ffn, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        b, s, d = x.shape
        h = self.heads
        y = self.ln1(x)
        q = self.q(y).view(b, s, h, d // h).transpose(1, 2)
        k = self.k(y).view(b, s, h, d // h).transpose(1, 2)
        v = self.v(y).view(b, s, h, d // h).transpose(1, 2)
        att = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(d // h)) + bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, s, d)
        x = x + self.drop(self.o(y))
        y = self.f2(self.drop(F.gelu(self.f1(self.ln2(x)))))
        return x + self.drop(y)


class Encoder(nn.Module):
    def __init__(self, vocab_size: int, dim: int, layers: int, heads: int, ffn: int, max_length: int,
                 token_types: int = 0, dropout: float = 0.1):
        super().__init__()
        self.cfg = dict(vocab_size=vocab_size, dim=dim, layers=layers, heads=heads, ffn=ffn,
                        max_length=max_length, token_types=token_types, dropout=dropout)
        self.tok = nn.Embedding(vocab_size, dim)
        self.pos = nn.Embedding(max_length, dim)
        self.typ = nn.Embedding(token_types, dim) if token_types else None
        self.ln_emb = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(dim, heads, ffn, dropout) for _ in range(layers)])
        self.ln_out = nn.LayerNorm(dim)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.tok(input_ids) + self.pos(pos)
        if self.typ is not None:
            if token_type_ids is None:
                token_type_ids = torch.zeros_like(input_ids)
            x = x + self.typ(token_type_ids)
        x = self.drop(self.ln_emb(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return self.ln_out(x)


def mean_pool(h, mask):
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1.0)


# ---------------------------------------------------------------------------------------------------------
# ONNX export + int8 dynamic quantization (onnx helpers only: Debian has no Python onnxruntime).

def export_onnx(model: Encoder, path: str, opset: int = 14) -> None:
    model = model.eval()
    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 14, 3, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    names = ['input_ids', 'attention_mask']
    args = (ids, mask)
    axes = {'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
            'last_hidden_state': {0: 'batch', 1: 'sequence'}}
    if model.typ is not None:
        names.append('token_type_ids')
        args = (ids, mask, torch.zeros_like(ids))
        axes['token_type_ids'] = {0: 'batch', 1: 'sequence'}

    class Wrap(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, *a):
            return self.m(*a)

    wrapped = Wrap(model).eval()
    with torch.no_grad():
        torch.onnx.export(wrapped, args, path, input_names=names, output_names=['last_hidden_state'],
                          dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    model.eval()  # export restores the wrapper's mode: keep the caller's model in eval mode
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)


def write_config(out_dir: str, base: dict) -> dict:
    files = {}
    for f in ('model.onnx', 'model.int8.onnx', 'tokenizer.json'):
        p = os.path.join(out_dir, f)
        if os.path.exists(p):
            files[f] = sha256_file(p)
    cfg = dict(base)
    cfg['files'] = files
    with open(os.path.join(out_dir, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(cfg, f, indent=2, ensure_ascii=False)
        f.write('\n')
    return cfg


def write_json(path: str, obj) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False, separators=(',', ':'))


def load_onnx_weights(model: Encoder, onnx_path: str) -> int:
    """Copies the weights of an encoder this project exported (export_onnx, same architecture) from ONNX back into
    `model`, for a warm start. torch.onnx renames and transposes some weights (a Linear becomes MatMul with an
    'onnx::MatMul_N' initializer holding W^T), so the map from ONNX initializer to parameter is found by exporting
    `model` itself once with every parameter set to distinct values and matching values. Returns the number of
    parameters loaded; raises when a parameter is not found or a shape differs."""
    import tempfile
    import onnx
    from onnx import numpy_helper
    params = dict(model.named_parameters())
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in params.values():
            p.copy_(torch.randn(p.shape, generator=g))
        with tempfile.TemporaryDirectory() as d:
            probe = os.path.join(d, 'probe.onnx')
            export_onnx(model, probe)
            probe_inits = {t.name: numpy_helper.to_array(t) for t in onnx.load(probe).graph.initializer}
        src = {t.name: numpy_helper.to_array(t) for t in onnx.load(onnx_path).graph.initializer}
        found = {}
        for name, arr in probe_inits.items():
            for pn, p in params.items():
                v = p.detach().numpy()
                if arr.shape == v.shape and np.array_equal(arr, v):
                    found[pn] = (name, False)
                elif arr.ndim == 2 and arr.shape == v.T.shape and np.array_equal(arr, v.T):
                    found[pn] = (name, True)
        missing = sorted(set(params) - set(found))
        if missing:
            raise SystemExit('init-onnx: no ONNX initializer for %s' % ', '.join(missing))
        for pn, (name, transposed) in found.items():
            if name not in src:
                raise SystemExit('init-onnx: %s has no initializer %s (another architecture?)' % (onnx_path, name))
            a = src[name].T if transposed else src[name]
            if a.shape != tuple(params[pn].shape):
                raise SystemExit('init-onnx: %s is %s in %s, %s here' % (pn, a.shape, onnx_path, tuple(params[pn].shape)))
            params[pn].copy_(torch.from_numpy(np.ascontiguousarray(a)))
    return len(found)
