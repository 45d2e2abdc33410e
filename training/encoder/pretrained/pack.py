"""Packs the tokenized encoder corpus into one compressed file that `finetune.py train` reads (here or on a lent
GPU machine); `finetune.py prepare` runs it.

    python3 training/encoder/pretrained/pack.py --corpus training/.cache/text-corpus.jsonl \
        --tokenized PREFIX --tokenizer TOKENIZER.json --out PACK/pack.npz

PREFIX is what tokenize.mjs wrote (PREFIX.ids.bin, PREFIX.offsets.bin) for the same corpus: only split=train
and split=validation rows carry tokens (test rows and gede are never tokenized). The pack holds, per corpus
row: token offsets, split (0 train, 1 validation, 2 unused), source index, llm / role / PR labels; and the token
ids as uint16 (the vocabulary is < 65,536). No text travels, only ids.
"""
import argparse
import json
import os
import sys

import numpy as np

ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender']


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--corpus', required=True)
    p.add_argument('--tokenized', required=True)
    p.add_argument('--tokenizer', default='models/encoder/tokenizer.json')
    p.add_argument('--out', required=True)
    a = p.parse_args()
    ids = np.fromfile(a.tokenized + '.ids.bin', dtype='<i4')
    off = np.fromfile(a.tokenized + '.offsets.bin', dtype='<i8')
    vocab = len(json.load(open(a.tokenizer))['model']['vocab'])
    if ids.max() >= 65536 or vocab >= 65536:
        sys.exit('vocabulary too large for uint16')
    sources, split, src, llm, role, pr = [], [], [], [], [], []
    with open(a.corpus, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            ok = r.get('source') != 'gede' and not r.get('eval_only')
            s = r.get('split')
            split.append(0 if (ok and s == 'train') else 1 if (ok and s == 'validation') else 2)
            if r['source'] not in sources:
                sources.append(r['source'])
            src.append(sources.index(r['source']))
            v = r.get('llm')
            llm.append(-1 if v is None else int(bool(v)))
            role.append(ROLES.index(r['role']) if r.get('role') in ROLES else -1)
            x = r.get('pr')
            pr.append(float(x) if isinstance(x, (int, float)) else float('nan'))
    if len(off) != len(split) + 1:
        sys.exit('tokenized corpus (%d rows) does not match the corpus (%d rows)' % (len(off) - 1, len(split)))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    np.savez_compressed(a.out, ids=ids.astype(np.uint16), off=off, split=np.array(split, np.int8),
                        src=np.array(src, np.int16), llm=np.array(llm, np.int8), role=np.array(role, np.int8),
                        pr=np.array(pr, np.float32), vocab=np.array(vocab), sources=np.array(sources))
    sp = np.array(split)
    print('packed %d rows (%d train, %d validation), %d tokens, vocab %d, %d sources -> %s (%.1f MB)' % (
        len(sp), (sp == 0).sum(), (sp == 1).sum(), len(ids), vocab, len(sources), a.out,
        os.path.getsize(a.out) / 1e6))


if __name__ == '__main__':
    main()
