"""Small stand-in corpus for developing the pipeline before `npm run data:export` exists.

Writes training/.cache/dev-corpus.jsonl in the export's format from the English M4 files (human vs Llama-2,
role human_author / llm_creator), split by source document with a fixed hash. Not used for the shipped model.
"""
import hashlib
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.environ.get('DATA_DIR') or os.environ.get('SHARED_DATA_DIR') or os.path.join(ROOT, '..', 'shared', 'data')


def split_of(group: str) -> str:
    h = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 10
    return 'test' if h == 0 else 'validation' if h == 1 else 'train'


def main():
    out = os.path.join(ROOT, 'training', '.cache', 'dev-corpus.jsonl')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    n = 0
    with open(out, 'w', encoding='utf-8') as f:
        for dom in ('arxiv', 'reddit', 'wikihow', 'wikipedia'):
            p = os.path.join(DATA, 'm4', 'data', 'test_%s_llama2.jsonl' % dom)
            for i, line in enumerate(open(p, encoding='utf-8')):
                r = json.loads(line)
                group = 'm4/%s/%d' % (dom, i)
                for kind in ('human_text', 'machine_text'):
                    t = r.get(kind)
                    if not isinstance(t, str) or not t.strip():
                        continue
                    llm = kind == 'machine_text'
                    f.write(json.dumps({'id': '%s/%s' % (group, kind), 'text': t, 'source': 'm4', 'domain': dom,
                                        'group': group, 'split': split_of(group),
                                        'role': 'llm_creator' if llm else 'human_author', 'llm': llm,
                                        'pr': 1.0 if llm else 0.0}) + '\n')
                    n += 1
    print('wrote %d rows to %s' % (n, out), file=sys.stderr)


if __name__ == '__main__':
    main()
