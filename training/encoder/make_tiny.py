"""Writes two tiny random-weight encoders for tests (same format as models/encoder/):

  test/fixtures/tiny-encoder/    dim 32, 1 layer, SentencePiece-unigram tokenizer (like the shipped encoder),
                                 inputs input_ids + attention_mask, max_length 64
  test/fixtures/tiny-encoder-b/  dim 48, 2 layers, BERT-style cased WordPiece tokenizer, inputs input_ids +
                                 attention_mask + token_type_ids, max_length 48 (a differently shaped encoder
                                 to test the swap)

Deterministic (fixed seeds, built-in text). Run: python3 training/encoder/make_tiny.py
"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (re-execs with /usr/bin/python3 when needed)
import torch  # noqa: E402

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
        pieces = common.train_sentencepiece(texts, vocab_size=400, model_prefix=os.path.join(tmp, 'spm'),
                                            max_sentence_chars=400)
    # make sure every character of the built-in text is a piece (no [UNK] on it)
    have = {p for p, _ in pieces}
    for ch in sorted(set(common.normalize_for_spm(TEXT).replace(' ', '\u2581'))):
        if ch not in have:
            pieces.append((ch, -20.0))
            have.add(ch)
    tj = common.unigram_tokenizer_json(pieces)
    common.write_json(os.path.join(out_dir, 'tokenizer.json'), tj)
    return len(tj['model']['vocab'])


def write_tokenizer_b(out_dir):
    words = re.findall(r"\w+|[^\w\s]", TEXT)
    freq = {}
    for w in words:
        freq[w] = freq.get(w, 0) + 1
    common_words = sorted(freq, key=lambda w: (-freq[w], w))[:150]
    chars = sorted(set(c for c in TEXT if not c.isspace()))
    vocab = chars + ['##' + c for c in chars if c.isalnum()] + common_words
    tj = common.wordpiece_tokenizer_json(vocab)
    common.write_json(os.path.join(out_dir, 'tokenizer.json'), tj)
    return len(tj['model']['vocab'])


def make(out_dir, fixture_id, write_tok, dim, layers, heads, ffn, max_length, stride, token_types, seed):
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    vocab_size = write_tok(out_dir)
    torch.manual_seed(seed)
    model = common.Encoder(vocab_size, dim, layers, heads, ffn, max_length, token_types=token_types, dropout=0.0)
    # random weights, a bit larger than the init so different texts give visibly different vectors
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.3)
    model.eval()
    common.export_onnx(model, os.path.join(out_dir, 'model.onnx'))
    common.quantize_int8(os.path.join(out_dir, 'model.onnx'), os.path.join(out_dir, 'model.int8.onnx'))
    inputs = ['input_ids', 'attention_mask'] + (['token_type_ids'] if token_types else [])
    cfg = common.write_config(out_dir, {
        'id': fixture_id,
        'version': '1.0.0',
        'dim': dim,
        'max_length': max_length,
        'stride': stride,
        'pooling': 'mean',
        'lowercase': False,
        'inputs': inputs,
        'output': 'last_hidden_state',
        'special_tokens': {'pad': common.PAD, 'unk': common.UNK, 'cls': common.CLS, 'sep': common.SEP,
                           'mask': common.MASK},
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
