"""Checks the tokenizer.json in Node (@huggingface/tokenizers 0.2.0, via ../tokenize.mjs) against what the
Python side expects (gloveenc.python_pretokenize + the vocabulary, [UNK] for anything else), on sample texts
and on N validation rows of the corpus (never test rows).
    python3 training/encoder/glove/check_tokenizer.py [TOKENIZER.json] [--n 300]
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gloveenc as G  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SAMPLES = ["The cat's hat, don't 12 cats.\n\nNew\tline \u2014 \u201cquoted\u201d it\u2019s O'Neil e-mail@x.com",
           'Dear Ms. Patel,\nThank you for your email of 12 March.\nBest regards,\nJohn',
           "I dunno, the game was ok i guess?? graphics r nice but the story drags...\n\n6/10 would not replay."]


def main():
    a = sys.argv[1:]
    tok_path = a[0] if a and not a[0].startswith('--') else os.path.join(ROOT, 'training', '.cache', 'encoders', 'glove', 'tokenizer.json')
    n = int(a[a.index('--n') + 1]) if '--n' in a else 300
    vocab = json.load(open(tok_path, encoding='utf-8'))['model']['vocab']
    texts = list(SAMPLES)
    with open(os.path.join(ROOT, 'training', '.cache', 'text-corpus.jsonl'), encoding='utf-8') as f:
        val = [json.loads(l)['text'] for l in f if '"split":"validation"' in l]
    rng = np.random.default_rng(3)
    texts += [val[i] for i in rng.choice(len(val), min(n, len(val)), replace=False)]
    with tempfile.TemporaryDirectory() as d:
        corpus = os.path.join(d, 'c.jsonl')
        with open(corpus, 'w', encoding='utf-8') as f:
            for t in texts:
                f.write(json.dumps({'text': t, 'split': 'validation', 'source': 'check'}) + '\n')
        subprocess.run(['node', os.path.join(ROOT, 'training', 'encoder', 'tokenize.mjs'), tok_path, corpus,
                        os.path.join(d, 'o'), '--splits', 'validation'], check=True, cwd=ROOT, capture_output=True)
        ids = np.fromfile(os.path.join(d, 'o.ids.bin'), dtype='<i4')
        off = np.fromfile(os.path.join(d, 'o.offsets.bin'), dtype='<i8')
    same, diff_examples, tok_total, tok_diff = 0, [], 0, 0
    inv = {i: w for w, i in vocab.items()}
    for k, t in enumerate(texts):
        node = ids[off[k]:off[k + 1]].tolist()
        py = [vocab.get(w, 1) for w in G.python_pretokenize(t)]
        tok_total += len(node)
        if node == py:
            same += 1
        else:
            tok_diff += 1
            if len(diff_examples) < 3:
                j = next((i for i, (x, y) in enumerate(zip(node, py)) if x != y), min(len(node), len(py)))
                diff_examples.append({'text': k, 'at': j, 'node': [inv.get(x) for x in node[j:j + 5]],
                                      'python': [inv.get(x) for x in py[j:j + 5]]})
        if k < len(SAMPLES):
            print('sample %d: %s' % (k, ' '.join(inv[x] for x in node)))
    print(json.dumps({'texts': len(texts), 'identical_ids': same, 'tokens': tok_total,
                      'unk_rate': float(np.mean(ids == 1)), 'differences': diff_examples}, ensure_ascii=False, indent=1))


if __name__ == '__main__':
    main()
