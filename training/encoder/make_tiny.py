"""Writes two tiny random-weight encoders for tests (same format as models/encoder/):

  test/fixtures/tiny-encoder/    dim 32, 1 layer, SentencePiece-unigram tokenizer (like the shipped encoder),
                                 inputs input_ids + attention_mask, max_length 64
  test/fixtures/tiny-encoder-b/  dim 48, 2 layers, BERT-style cased WordPiece tokenizer, inputs input_ids +
                                 attention_mask + token_type_ids, max_length 48 (a differently shaped encoder
                                 to test the swap)

Deterministic (fixed seeds, built-in text). Run: python3 training/encoder/make_tiny.py

Self-contained (the small pre-LN BERT-style model, the SentencePiece-unigram and WordPiece tokenizer.json
writers, the ONNX export) apart from onnx_int8.py; Debian's python3-torch, python3-onnx and
python3-sentencepiece are all it needs.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


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

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx_int8 import quantize_int8, sha256_file  # noqa: E402

# ---------------------------------------------------------------------------------------------------------
# Special tokens. Ids 0..4 in every tokenizer this project writes.
PAD, UNK, CLS, SEP, MASK = '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'
SPECIALS = [PAD, UNK, CLS, SEP, MASK]
NEWLINE_MARK = '\u21b5'  # ↵  (one character: the normalizer keeps character offsets)
TAB_MARK = '\u21e5'      # ⇥


# ---------------------------------------------------------------------------------------------------------
# Tokenizer: SentencePiece unigram trained here (the kind of tokenizer the from-scratch encoder shipped with),
# written as a Hugging Face tokenizer.json (Unigram model + Metaspace pre-tokenizer) that the service's
# @huggingface/tokenizers loads.

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


# ---------------------------------------------------------------------------------------------------------
# ONNX export (int8: onnx_int8.py, onnx helpers only: Debian has no Python onnxruntime).

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


# ---------------------------------------------------------------------------------------------------------
# The two fixtures

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))

TEXT = """The committee met on Tuesday to discuss the budget. Several members raised concerns about the timeline,
and the chair promised a revised plan by next week.

In conclusion, it is important to note that renewable energy plays a crucial role in addressing climate change.
Furthermore, investing in solar and wind power can create jobs, reduce emissions, and foster innovation.

I dunno, the game was ok i guess?? graphics r nice but the story drags after chapter 3... 6/10 would not replay.

Dear Ms. Patel,
Thank you for your email of 12 March. We have reviewed your request and will send the documents shortly.
Best regards,
John

We propose a novel method for text classification that leverages transformer encoders. Experiments on three
benchmarks show improvements of 2.3% over strong baselines, while reducing inference cost by 40%.

Overall, this delightful restaurant offers a seamless blend of flavors, ambiance, and exceptional service,
making it a must-visit destination for food enthusiasts seeking a memorable dining experience.

He walked home in the rain. The streets were empty; a dog barked somewhere. "Not again," he muttered.
\tIndented line with a tab, numbers 0123456789 and symbols: @#$%&*()[]{}<>/\\|+=-_~^`'!?.,;:
"""


def write_tokenizer_a(out_dir):
    with tempfile.TemporaryDirectory() as tmp:
        texts = [p for p in TEXT.split('\n\n')] * 3
        pieces = train_sentencepiece(texts, vocab_size=400, model_prefix=os.path.join(tmp, 'spm'),
                                            max_sentence_chars=400)
    # make sure every character of the built-in text is a piece (no [UNK] on it)
    have = {p for p, _ in pieces}
    for ch in sorted(set(normalize_for_spm(TEXT).replace(' ', '\u2581'))):
        if ch not in have:
            pieces.append((ch, -20.0))
            have.add(ch)
    tj = unigram_tokenizer_json(pieces)
    write_json(os.path.join(out_dir, 'tokenizer.json'), tj)
    return len(tj['model']['vocab'])


def write_tokenizer_b(out_dir):
    words = re.findall(r"\w+|[^\w\s]", TEXT)
    freq = {}
    for w in words:
        freq[w] = freq.get(w, 0) + 1
    common_words = sorted(freq, key=lambda w: (-freq[w], w))[:150]
    chars = sorted(set(c for c in TEXT if not c.isspace()))
    vocab = chars + ['##' + c for c in chars if c.isalnum()] + common_words
    tj = wordpiece_tokenizer_json(vocab)
    write_json(os.path.join(out_dir, 'tokenizer.json'), tj)
    return len(tj['model']['vocab'])


def make(out_dir, fixture_id, write_tok, dim, layers, heads, ffn, max_length, stride, token_types, seed):
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    vocab_size = write_tok(out_dir)
    torch.manual_seed(seed)
    model = Encoder(vocab_size, dim, layers, heads, ffn, max_length, token_types=token_types, dropout=0.0)
    # random weights, a bit larger than the init so different texts give visibly different vectors
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.3)
    model.eval()
    export_onnx(model, os.path.join(out_dir, 'model.onnx'))
    quantize_int8(os.path.join(out_dir, 'model.onnx'), os.path.join(out_dir, 'model.int8.onnx'))
    inputs = ['input_ids', 'attention_mask'] + (['token_type_ids'] if token_types else [])
    cfg = write_config(out_dir, {
        'id': fixture_id,
        'version': '1.0.0',
        'dim': dim,
        'max_length': max_length,
        'stride': stride,
        'pooling': 'mean',
        'lowercase': False,
        'inputs': inputs,
        'output': 'last_hidden_state',
        'special_tokens': {'pad': PAD, 'unk': UNK, 'cls': CLS, 'sep': SEP,
                           'mask': MASK},
        'pad_token_id': 0,
        'architecture': {'layers': layers, 'heads': heads, 'ffn': ffn, 'vocab_size': vocab_size,
                         'token_types': token_types},
        'training': {'note': 'TEST FIXTURE: random weights (seed %d), not trained; written by '
                             'training/encoder/make_tiny.py' % seed},
    })
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print('%s: vocab %d, dim %d, layers %d, %d bytes, files %s' % (out_dir, vocab_size, dim, layers, size,
                                                                  list(cfg['files'])))


def main():
    make(os.path.join(ROOT, 'test', 'fixtures', 'tiny-encoder'), 'tiny-encoder-test', write_tokenizer_a,
         dim=32, layers=1, heads=2, ffn=64, max_length=64, stride=16, token_types=0, seed=1)
    make(os.path.join(ROOT, 'test', 'fixtures', 'tiny-encoder-b'), 'tiny-encoder-b-test', write_tokenizer_b,
         dim=48, layers=2, heads=4, ffn=96, max_length=48, stride=8, token_types=2, seed=2)


if __name__ == '__main__':
    main()
