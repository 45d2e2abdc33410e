import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { TextTokenizer, align } from '../../src/encoder/tokenize.js';

const fixture = (name: string) => {
  const dir = new URL(`../fixtures/${name}/`, import.meta.url);
  const config = JSON.parse(readFileSync(new URL('config.json', dir), 'utf8')) as { max_length: number; stride: number };
  return { tok: new TextTokenizer(JSON.parse(readFileSync(new URL('tokenizer.json', dir), 'utf8'))), config };
};

const sample =
  'Style is the signal: punctuation, case and   whitespace all count.\n\tA second line — with an em dash, ' +
  'a café, “quotes”, numbers like 3.50 and 1,000, and an emoji 😀. ';

interface Asserts {
  ok(v: unknown, msg?: string): unknown;
  equal(a: unknown, b: unknown, msg?: string): unknown;
  same(a: unknown, b: unknown, msg?: string): unknown;
}

function checkWindows(t: Asserts, name: string, text: string) {
  const { tok, config } = fixture(name);
  const tk = tok.tokenize(text);
  const wins = tok.windows(text, tk, config.max_length, config.stride);
  t.ok(wins.length >= 1, 'at least one window');
  t.equal(wins[0].start, 0, 'first window starts at 0');
  t.equal(wins[wins.length - 1].end, text.length, 'last window ends at the end of the text');
  const content = config.max_length - tok.specialCount;
  let covered = 0; // tokens covered so far, in order
  for (let i = 0; i < wins.length; i++) {
    const w = wins[i];
    t.ok(w.ids.length <= config.max_length, `window ${i} fits max_length`);
    t.same([...w.ids.subarray(0, tok.prefixIds.length)], tok.prefixIds, 'window starts with the prefix specials');
    t.same([...w.ids.subarray(w.ids.length - tok.suffixIds.length)], tok.suffixIds, 'window ends with the suffix specials');
    t.ok(w.start <= w.end, 'start <= end');
    if (i > 0) {
      t.ok(w.start > wins[i - 1].start, `window ${i} starts after the previous one`);
      t.ok(w.start < wins[i - 1].end, `window ${i} overlaps the previous one in characters`);
    }
    // the window's content tokens are a contiguous run of the text's tokens
    const body = [...w.ids.subarray(tok.prefixIds.length, w.ids.length - tok.suffixIds.length)];
    const at = i === wins.length - 1 ? tk.ids.length - body.length : i * (content - config.stride);
    t.same(body, [...tk.ids.subarray(at, at + body.length)], `window ${i} holds tokens ${at}..${at + body.length}`);
    if (i > 0) t.ok(at < covered, 'token ranges overlap');
    t.ok(at <= covered, 'no token is skipped');
    covered = at + body.length;
  }
  t.equal(covered, tk.ids.length, 'every token is in a window (nothing truncated)');
}

t.test('long text: windows cover it completely, in order, with overlap (Unigram/Metaspace fixture)', async (t) => {
  checkWindows(t, 'tiny-encoder', sample.repeat(30));
});

t.test('long text: windows cover it completely, in order, with overlap (WordPiece fixture)', async (t) => {
  checkWindows(t, 'tiny-encoder-b', sample.repeat(30));
});

t.test('token offsets point at the text the token stands for', async (t) => {
  const { tok } = fixture('tiny-encoder');
  const text = 'Hello world, the lazy dog.\nNew line.';
  const tk = tok.tokenize(text);
  const pieces = tok.tokenizer.encode(text, { add_special_tokens: false }).tokens;
  for (let i = 0; i < pieces.length; i++) {
    const surface = pieces[i].replaceAll('\u2581', ' ').replaceAll('\u21b5', '\n').trim();
    if (surface !== '') t.equal(text.slice(tk.starts[i], tk.ends[i]), surface, `token ${i} ${pieces[i]}`);
  }
  const b = fixture('tiny-encoder-b').tok;
  const tb = b.tokenize('Hello world');
  const pb = b.tokenizer.encode('Hello world', { add_special_tokens: false }).tokens;
  t.equal(pb.map((p, i) => 'Hello world'.slice(tb.starts[i], tb.ends[i])).join('|'), pb.map((p) => p.replace(/^##/, '')).join('|'));
});

t.test('empty and whitespace-only texts give one window of special tokens', async (t) => {
  for (const name of ['tiny-encoder', 'tiny-encoder-b']) {
    const { tok, config } = fixture(name);
    for (const text of ['', '   \n ']) {
      const tk = tok.tokenize(text);
      const wins = tok.windows(text, tk, config.max_length, config.stride);
      t.equal(wins.length, 1);
      t.equal(wins[0].start, 0);
      t.equal(wins[0].end, text.length);
      t.ok(wins[0].ids.length >= tok.specialCount);
    }
  }
});

t.test('align: unknown tokens share the gap, surrogate pairs stay whole', async (t) => {
  const text = 'ab 😀😀 cd';
  const { starts, ends } = align(text, ['ab', null, null, 'cd']);
  t.same([starts[0], ends[0]], [0, 2]);
  t.same([starts[3], ends[3]], [8, 10]);
  for (const i of [1, 2]) {
    t.ok(starts[i] >= 2 && ends[i] <= 8 && starts[i] <= ends[i]);
    t.not(text.charCodeAt(starts[i]) >= 0xdc00 && text.charCodeAt(starts[i]) <= 0xdfff, true, 'not inside a pair');
  }
});

t.test('property: any text is covered in order by its windows', async (t) => {
  const { tok, config } = fixture('tiny-encoder');
  const b = fixture('tiny-encoder-b');
  const word = fc.oneof(
    fc.constantFrom('the', 'The', 'model', 'café', '—', '😀', '日本', '[SEP]', '\n', '\t', '  ', ',', '.', '3.14'),
    fc.string({ maxLength: 8 }),
  );
  fc.assert(
    fc.property(fc.array(word, { maxLength: 400 }), (words) => {
      const text = words.join(' ');
      for (const [tk_, cfg] of [[tok, config], [b.tok, b.config]] as const) {
        const tk = tk_.tokenize(text);
        for (let i = 0; i < tk.ids.length; i++) {
          if (!(tk.starts[i] >= 0 && tk.starts[i] <= tk.ends[i] && tk.ends[i] <= text.length)) return false;
          if (i > 0 && tk.starts[i] < tk.starts[i - 1]) return false;
        }
        const wins = tk_.windows(text, tk, cfg.max_length, cfg.stride);
        if (wins[0].start !== 0 || wins[wins.length - 1].end !== text.length) return false;
        for (let i = 1; i < wins.length; i++) if (wins[i].start > wins[i - 1].end || wins[i].start < wins[i - 1].start) return false;
        if (wins.some((w) => w.ids.length > cfg.max_length)) return false;
      }
      return true;
    }),
    { numRuns: 150, seed: 42 },
  );
  t.pass('property held');
});

t.test('long texts are tokenized in chunks with exactly the ids of one whole-text call', async (t) => {
  for (const name of ['tiny-encoder', 'tiny-encoder-b']) {
    const { tok } = fixture(name);
    t.ok(tok.chunked, `${name}: chunking is proven safe for this tokenizer`);
    const word = fc.oneof(fc.constantFrom('the', 'Model', 'café', '—', '😀', '\n', '\t', '  ', ',', '3.14', '[SEP]', '↵'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 50, maxLength: 600 }), fc.integer({ min: 5, max: 300 }), (words, chunk) => {
        const text = words.join(' ');
        const whole = tok.tokenizer.encode(text, { add_special_tokens: false }).ids;
        const parts = tok.encodeChunks(text, chunk).ids;
        return whole.length === parts.length && whole.every((id: number, i: number) => id === parts[i]);
      }),
      { numRuns: 60, seed: 7 },
    );
  }
});

t.test('word-by-word memoised encoding gives exactly the ids and tokens of one whole-text call', async (t) => {
  const shipped = new URL('../../models/encoder/tokenizer.json', import.meta.url);
  const toks: [string, TextTokenizer][] = [
    ['tiny-encoder', fixture('tiny-encoder').tok],
    ['tiny-encoder-b', fixture('tiny-encoder-b').tok],
    ['models/encoder', new TextTokenizer(JSON.parse(readFileSync(shipped, 'utf8')))],
  ];
  const word = fc.oneof(
    fc.constantFrom('the', 'The', 'Model', 'café', '—', '😀', '\n', '\t', '  ', ',', '3.14', '[SEP]', '↵', 'naïve', '“q”', '\u200b', '\r\n'),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
  );
  for (const [name, tok] of toks) {
    // the same words recur across texts, so later texts are served from the memo
    fc.assert(
      fc.property(fc.array(word, { minLength: 0, maxLength: 300 }), fc.constantFrom(' ', '  ', '\n', ' \t'), (words, sep) => {
        const text = words.join(sep);
        const whole = tok.tokenizer.encode(text, { add_special_tokens: false });
        const pieces = tok.encodePieces(text);
        return (
          whole.ids.length === pieces.ids.length &&
          whole.ids.every((id: number, i: number) => id === pieces.ids[i] && whole.tokens[i] === pieces.tokens[i])
        );
      }),
      { numRuns: 120, seed: 11 },
    );
    t.pass(`${name}: memoised word pieces equal whole-text encoding on 120 random texts`);
    const again = tok.tokenize(sample);
    t.same([...again.ids], [...tok.tokenize(sample).ids], `${name}: a second call (from the memo) gives the same ids`);
  }
});

t.test('window arithmetic: overlap is clamped, the last window is full length, no window is empty', async (t) => {
  const { tok } = fixture('tiny-encoder-b');
  const text = 'one two three four five six seven eight nine ten eleven';
  const tk = tok.tokenize(text);
  const n = tk.ids.length;
  const body = (w: { ids: Int32Array }) => [...w.ids.subarray(tok.prefixIds.length, w.ids.length - tok.suffixIds.length)];
  for (const [maxLength, overlap] of [[5, 0], [5, 1], [5, 2], [5, 99], [6, 3], [2 + n, 4], [3 + n, 0]]) {
    const wins = tok.windows(text, tk, maxLength, overlap);
    const content = maxLength - tok.specialCount;
    const ov = Math.min(overlap, content - 1);
    for (const w of wins) {
      t.ok(body(w).length >= 1 && body(w).length <= content, `[${maxLength},${overlap}] window holds 1..${content} tokens`);
    }
    if (n > content) {
      t.equal(body(wins[wins.length - 1]).length, content, 'the last window is shifted left to be full');
      for (let i = 1; i < wins.length - 1; i++) t.same(body(wins[i]).slice(0, ov), body(wins[i - 1]).slice(content - ov), `consecutive windows share ${ov} tokens`);
    } else t.equal(wins.length, 1);
    t.same(body(wins[wins.length - 1]).slice(-1), [tk.ids[n - 1]], 'the last token is in the last window');
  }
});
