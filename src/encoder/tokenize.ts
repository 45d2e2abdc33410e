/**
 * Tokenization with character offsets, and the split of a text into overlapping windows.
 *
 * @huggingface/tokenizers 0.2.0 returns ids and token strings but no offsets, so offsets are recovered
 * by aligning each token's surface form (the token with its tokenizer's markers removed: WordPiece "##",
 * ByteLevel byte alphabet, Metaspace "▁", byte-fallback "<0xNN>", end-of-word suffixes) with the input
 * text, left to right, with a bounded look-ahead. Tokens that cannot be placed (unknown tokens, text
 * changed by the normalizer beyond case and accents) share out the gap between their neighbours. Window
 * offsets are therefore exact whenever the window edge falls on a placeable token, and otherwise err on
 * the side of covering more text; the first window starts at 0 and the last ends at text.length.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizedText {
  /** token ids without special tokens */
  ids: Int32Array;
  /** character offsets of each token in the input text: [starts[i], ends[i]) */
  starts: Int32Array;
  ends: Int32Array;
}

export interface WindowSpec {
  /** ids fed to the model, special tokens included */
  ids: Int32Array;
  /** character range of the input text this window covers */
  start: number;
  end: number;
  /** the text's tokens in this window: [tokenStart, tokenEnd) of TokenizedText, after the prefix special tokens */
  tokenStart: number;
  tokenEnd: number;
}

type Json = Record<string, unknown>;

function components(node: unknown, key: string): Json[] {
  if (node === null || typeof node !== 'object') return [];
  const n = node as Json;
  const list = Array.isArray(n[key]) ? (n[key] as unknown[]) : [n];
  return list.flatMap((x) => (x && typeof x === 'object' && Array.isArray((x as Json)[key]) ? components(x, key) : [x as Json]));
}

/** GPT-2 byte <-> unicode alphabet used by ByteLevel pre-tokenizers. */
function byteLevelDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const m = new Map<string, number>();
  bs.forEach((b, i) => m.set(String.fromCharCode(cs[i]), b));
  return m;
}

const WS = /\s/u;
function isWs(ch: string): boolean {
  return WS.test(ch);
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export class TextTokenizer {
  readonly tokenizer: Tokenizer;
  /** special tokens placed before / after the content of every window */
  readonly prefixIds: number[];
  readonly suffixIds: number[];
  readonly padId: number;
  private readonly added = new Set<string>();
  private readonly unk: string | null;
  private readonly byteLevel: Map<string, number> | null;
  private readonly byteFallback: boolean;
  private readonly subwordPrefix: string | null;
  private readonly wordSuffix: string | null;
  private readonly metaspace: string | null;
  /** Replace normalizers with a literal pattern and visible content (e.g. "\n" -> "↵"), undone on surfaces */
  private readonly replaced: [string, string][];

  /**
   * Long texts are encoded in chunks cut at whitespace where no vocabulary piece can cross the cut, which
   * gives the same ids as one call (checked on a probe text at load) and avoids the superlinear
   * garbage-collection cost of one huge Unigram lattice (20,000 words: ~1.2 s in one call, ~0.2 s in
   * chunks). A text with no whitespace for 4 chunks is cut anyway, to bound the time any text can take.
   * null: always encoded in one call.
   */
  private readonly chunking: 'space' | 'whitespace' | null;
  static readonly CHUNK_CHARS = 2000;
  /** pieces (a word and the whitespace before it) whose encodings are memoised, at most this many */
  static readonly MEMO_MAX = 50_000;
  /** pieces longer than this are encoded but not memoised */
  static readonly MEMO_PIECE_CHARS = 64;
  private readonly memo = new Map<string, { ids: number[]; tokens: string[] }>();
  /** encoding word by word with the memo gives the same ids as whole-text encoding (proven at start) */
  private readonly memoized: boolean;

  constructor(tokenizerJson: unknown, tokenizerConfig: Record<string, unknown> = {}) {
    const tj = tokenizerJson as Json;
    this.tokenizer = new Tokenizer(tj, tokenizerConfig);
    const model = (tj.model ?? {}) as Json;
    for (const t of (tj.added_tokens as Json[] | undefined) ?? []) if (typeof t.content === 'string') this.added.add(t.content);
    this.unk = typeof model.unk_token === 'string' ? model.unk_token : null;
    const parts = [...components(tj.pre_tokenizer, 'pretokenizers'), ...components(tj.decoder, 'decoders')];
    this.byteLevel = parts.some((p) => p.type === 'ByteLevel') ? byteLevelDecoder() : null;
    const ms = parts.find((p) => p.type === 'Metaspace');
    this.metaspace = ms ? (typeof ms.replacement === 'string' ? ms.replacement : '\u2581') : null;
    this.replaced = [];
    for (const nm of components(tj.normalizer, 'normalizers')) {
      const pat = (nm.pattern as Json | undefined)?.String;
      if (nm.type === 'Replace' && typeof pat === 'string' && pat !== '' && typeof nm.content === 'string' && nm.content.trim() !== '')
        this.replaced.push([nm.content, pat]);
    }
    this.byteFallback = model.byte_fallback === true || parts.some((p) => p.type === 'ByteFallback');
    const csp = model.continuing_subword_prefix;
    this.subwordPrefix = typeof csp === 'string' && csp !== '' ? csp : model.type === 'WordPiece' ? '##' : null;
    this.wordSuffix = typeof model.end_of_word_suffix === 'string' && model.end_of_word_suffix !== '' ? model.end_of_word_suffix : null;

    // special tokens: find the content ids of a probe text inside its encoding with specials
    const probe = this.tokenizer.encode('a b', { add_special_tokens: false }).ids;
    const full = this.tokenizer.encode('a b').ids;
    let at = -1;
    for (let i = 0; probe.length > 0 && i + probe.length <= full.length && at < 0; i++) {
      if (probe.every((id: number, j: number) => full[i + j] === id)) at = i;
    }
    if (at < 0) {
      this.prefixIds = this.tokenizer.encode('').ids;
      this.suffixIds = [];
    } else {
      this.prefixIds = full.slice(0, at);
      this.suffixIds = full.slice(at + probe.length);
    }
    this.chunking = null;
    const proposed = chunkingFor(tj, this.metaspace);
    if (proposed) {
      // prove it on a probe: chunked ids must equal whole-text ids, else never chunk
      const probe = PROBE.repeat(3);
      const whole = this.tokenizer.encode(probe, { add_special_tokens: false }).ids;
      this.chunking = proposed;
      const chunked = this.encodeChunks(probe, 40).ids;
      if (chunked.length !== whole.length || chunked.some((id, i) => id !== whole[i])) this.chunking = null;
    }
    // the same cut at every safe whitespace, each piece's encoding memoised (as Hugging Face's Rust
    // tokenizers cache words): proven on the probe too, else whole chunks only
    let memoized = false;
    if (this.chunking !== null) {
      const probe = PROBE.repeat(3);
      const whole = this.tokenizer.encode(probe, { add_special_tokens: false }).ids;
      this.memoized = true;
      const pieces = this.encodePieces(probe).ids;
      memoized = pieces.length === whole.length && pieces.every((id, i) => id === whole[i]);
      this.memo.clear();
    }
    this.memoized = memoized;

    const padding = tj.padding as Json | null | undefined;
    const padToken = typeof tokenizerConfig.pad_token === 'string' ? tokenizerConfig.pad_token : undefined;
    this.padId =
      (typeof padding?.pad_id === 'number' ? padding.pad_id : undefined) ??
      (padToken ? this.tokenizer.token_to_id(padToken) : undefined) ??
      this.tokenizer.token_to_id('[PAD]') ??
      this.tokenizer.token_to_id('<pad>') ??
      0;
  }

  get specialCount(): number {
    return this.prefixIds.length + this.suffixIds.length;
  }

  /** true when long texts are encoded in chunks (see `chunking`) */
  get chunked(): boolean {
    return this.chunking !== null;
  }

  /** encode() without special tokens, in chunks of about `chunkChars` when that is exact */
  encodeChunks(text: string, chunkChars = TextTokenizer.CHUNK_CHARS): { ids: number[]; tokens: string[] } {
    if (this.chunking === null || text.length <= chunkChars) return this.tokenizer.encode(text, { add_special_tokens: false });
    const ids: number[] = [];
    const tokens: string[] = [];
    const cut = this.chunking === 'space' ? (c: string) => c === ' ' : isWs;
    let start = 0;
    const hardLimit = 4 * chunkChars;
    while (start < text.length) {
      let end = start + chunkChars;
      while (end < text.length && !cut(text[end]) && end - start < hardLimit) end++;
      // no safe cut for 4 chunks (no whitespace at all): cut anyway, keeping surrogate pairs whole; only such
      // pathological texts can then differ from whole-text tokenization, next to the cut
      if (end < text.length && !cut(text[end]) && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end++;
      const enc = this.tokenizer.encode(text.slice(start, end), { add_special_tokens: false });
      for (let i = 0; i < enc.ids.length; i++) {
        ids.push(enc.ids[i]);
        tokens.push(enc.tokens[i]);
      }
      start = end;
    }
    return { ids, tokens };
  }

  /**
   * encode() without special tokens, cut before every safe whitespace character (see `chunking`); each
   * piece (whitespace + word) is encoded once and memoised, so frequent words cost a map lookup. Only
   * used when the constructor proved it equal to whole-text encoding on its probe.
   */
  encodePieces(text: string): { ids: number[]; tokens: string[] } {
    if (!this.memoized || this.chunking === null) return this.encodeChunks(text);
    const cut = this.chunking === 'space' ? (c: string) => c === ' ' : isWs;
    const ids: number[] = [];
    const tokens: string[] = [];
    const n = text.length;
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i < n && !cut(text[i])) continue;
      const piece = text.slice(start, i);
      start = i;
      const enc = this.memo.get(piece) ?? this.encodePiece(piece);
      for (let k = 0; k < enc.ids.length; k++) {
        ids.push(enc.ids[k]);
        tokens.push(enc.tokens[k]);
      }
    }
    return { ids, tokens };
  }

  private encodePiece(piece: string): { ids: number[]; tokens: string[] } {
    const enc = piece.length > TextTokenizer.CHUNK_CHARS ? this.encodeChunks(piece) : this.tokenizer.encode(piece, { add_special_tokens: false });
    const out = { ids: Array.from(enc.ids as ArrayLike<number>), tokens: Array.from(enc.tokens as ArrayLike<string>) };
    if (piece.length <= TextTokenizer.MEMO_PIECE_CHARS) {
      if (this.memo.size >= TextTokenizer.MEMO_MAX) this.memo.clear();
      this.memo.set(piece, out);
    }
    return out;
  }

  /** Tokenizes without special tokens and recovers each token's character offsets. */
  tokenize(text: string): TokenizedText {
    const enc = this.encodePieces(text);
    const n = enc.ids.length;
    const ids = Int32Array.from(enc.ids);
    const surfaces = this.surfaces(enc.tokens);
    const { starts, ends } = align(text, surfaces);
    if (starts.length !== n) throw new Error('token/offset length mismatch');
    return { ids, starts, ends };
  }

  /** The text each token stands for, or null when it cannot be placed (unknown token). */
  private surfaces(tokens: string[]): (string | null)[] {
    const out: (string | null)[] = new Array(tokens.length);
    const decoder = new TextDecoder('utf-8', { fatal: false });
    let pendingBytes = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (this.added.has(t)) {
        out[i] = t === this.unk ? null : t;
        continue;
      }
      if (this.byteLevel) {
        const bytes = new Uint8Array(t.length);
        let ok = true;
        let k = 0;
        for (const ch of t) {
          const b = this.byteLevel.get(ch);
          if (b === undefined) {
            ok = false;
            break;
          }
          bytes[k++] = b;
        }
        if (ok) {
          out[i] = decoder.decode(bytes.subarray(0, k), { stream: true });
          pendingBytes = true;
          continue;
        }
      }
      if (this.byteFallback && /^<0x[0-9A-Fa-f]{2}>$/.test(t)) {
        out[i] = decoder.decode(Uint8Array.of(parseInt(t.slice(3, 5), 16)), { stream: true });
        pendingBytes = true;
        continue;
      }
      if (pendingBytes) {
        decoder.decode(); // flush an incomplete sequence
        pendingBytes = false;
      }
      let s = t;
      if (this.subwordPrefix && s.startsWith(this.subwordPrefix) && s.length > this.subwordPrefix.length) s = s.slice(this.subwordPrefix.length);
      if (this.wordSuffix && s.endsWith(this.wordSuffix)) s = s.slice(0, -this.wordSuffix.length);
      if (this.metaspace) s = s.split(this.metaspace).join(' ');
      for (const [content, pattern] of this.replaced) if (s.includes(content)) s = s.split(content).join(pattern);
      out[i] = t === this.unk ? null : s;
    }
    return out;
  }

  /**
   * Splits a tokenized text into windows of at most maxLength tokens (special tokens included) that
   * overlap by `overlap` tokens. The last window is shifted left to be full length when the text is long.
   * An empty text gives one window holding only the special tokens.
   */
  windows(text: string, tok: TokenizedText, maxLength: number, overlap: number): WindowSpec[] {
    const content = Math.max(1, maxLength - this.specialCount);
    const ov = Math.min(Math.max(0, overlap), content - 1);
    const step = content - ov;
    const n = tok.ids.length;
    const ranges: [number, number][] = [];
    if (n <= content) ranges.push([0, n]);
    else {
      for (let a = 0; ; a += step) {
        if (a + content >= n) {
          ranges.push([Math.max(0, n - content), n]);
          break;
        }
        ranges.push([a, a + content]);
      }
    }
    return ranges.map(([a, b], w) => {
      const ids = new Int32Array(this.prefixIds.length + (b - a) + this.suffixIds.length);
      ids.set(this.prefixIds, 0);
      ids.set(tok.ids.subarray(a, b), this.prefixIds.length);
      ids.set(this.suffixIds, this.prefixIds.length + (b - a));
      const start = w === 0 || b === a ? 0 : tok.starts[a];
      const end = w === ranges.length - 1 || b === a ? text.length : tok.ends[b - 1];
      return { ids, start, end: Math.max(start, end), tokenStart: a, tokenEnd: b };
    });
  }
}

const PROBE =
  'The committee met on Tuesday.  Two spaces, a tab\there, and\nnew lines\n\n  indented text; café, naïve, 3.50 $, ' +
  '“quotes” — dashes… 😀 emoji, UPPER case, under_scores, e-mail@example.com, [brackets] (parens) #tags ';

/**
 * Where a long text may be cut without changing its tokens: before a space when the tokenizer is
 * Metaspace-based and no vocabulary piece holds the space marker after its first character (so no piece
 * can cross the cut); before any whitespace when the pre-tokenizer already splits on whitespace.
 */
function chunkingFor(tj: Json, metaspace: string | null): 'space' | 'whitespace' | null {
  const pre = components(tj.pre_tokenizer, 'pretokenizers');
  if (pre.length > 0 && ['BertPreTokenizer', 'Whitespace', 'WhitespaceSplit'].includes(String(pre[0].type))) return 'whitespace';
  if (metaspace && pre.length === 1 && pre[0].type === 'Metaspace') {
    const vocab = (tj.model as Json | undefined)?.vocab;
    const pieces: string[] = Array.isArray(vocab)
      ? vocab.map((v) => (Array.isArray(v) ? String(v[0]) : String(v)))
      : vocab && typeof vocab === 'object'
        ? Object.keys(vocab)
        : [];
    if (pieces.length > 0 && !pieces.some((p) => p.indexOf(metaspace, 1) > 0)) return 'space';
  }
  return null;
}

/**
 * Places each surface string in `text`, left to right. null / empty surfaces and surfaces that do not
 * match within the look-ahead are "pending" and share out the gap up to the next placed token.
 */
export function align(text: string, surfaces: (string | null)[]): { starts: Int32Array; ends: Int32Array } {
  const n = surfaces.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let cursor = 0;
  const pending: number[] = [];
  const flush = (upTo: number) => {
    const k = pending.length;
    if (k === 0) return;
    const span = Math.max(0, upTo - cursor);
    for (let j = 0; j < k; j++) {
      starts[pending[j]] = whole(cursor + Math.floor((span * j) / k));
      ends[pending[j]] = whole(cursor + Math.ceil((span * (j + 1)) / k));
    }
    pending.length = 0;
  };
  // never cut a surrogate pair in two
  const whole = (p: number): number => {
    const c = text.charCodeAt(p);
    return p > 0 && p < text.length && c >= 0xdc00 && c <= 0xdfff && (text.charCodeAt(p - 1) & 0xfc00) === 0xd800 ? p + 1 : p;
  };
  const foldCache = new Map<string, string>();
  const foldChar = (c: string): string => {
    let f = foldCache.get(c);
    if (f === undefined) foldCache.set(c, (f = fold(c)));
    return f;
  };
  // exact match, else a match up to case and accents (normalizers that lowercase or strip accents)
  const matchAt = (p: number, core: string, folded: string): boolean => {
    if (text.startsWith(core, p)) return true;
    if (p + core.length > text.length || foldChar(text[p]) !== foldChar(core[0])) return false;
    return fold(text.substr(p, core.length)) === folded;
  };
  for (let i = 0; i < n; i++) {
    const s = surfaces[i];
    if (s === null || s === '') {
      pending.push(i);
      continue;
    }
    const core = s.trim();
    if (core === '') {
      // a whitespace token (e.g. "\n\n" in byte-level vocabularies)
      if (pending.length === 0 && text.startsWith(s, cursor)) {
        starts[i] = cursor;
        ends[i] = cursor += s.length;
      } else pending.push(i);
      continue;
    }
    let p = cursor;
    while (p < text.length && isWs(text[p])) p++;
    const folded = fold(core);
    let found = matchAt(p, core, folded) ? p : -1;
    if (found < 0) {
      // bounded look-ahead (the text skipped by unplaced tokens), so the cost stays linear
      const limit = Math.min(text.length - core.length, p + Math.min(512, 32 + 16 * pending.length));
      for (let q = p + 1; q <= limit; q++) {
        if (matchAt(q, core, folded)) {
          found = q;
          break;
        }
      }
    }
    if (found < 0) {
      pending.push(i);
      continue;
    }
    flush(found);
    starts[i] = found;
    ends[i] = found + core.length;
    cursor = found + core.length;
  }
  flush(text.length);
  return { starts, ends };
}
