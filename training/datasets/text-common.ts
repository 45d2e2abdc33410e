/**
 * Shared pieces of the text-set loaders: the row type, the role paper's PR formulas, the split rule,
 * and small parsers (CSV, JSON lines, xlsx) so that loading needs no extra dependency.
 * Used by training and evaluation only, never by the server.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Role } from '../../src/roles.js';

/**
 * Where the data sets live: `DATA_DIR` if set (`SHARED_DATA_DIR`, its older name, is still read), else
 * ../shared/data from the working directory. Every loader of text and judgment data defaults to this.
 */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const dir = env.DATA_DIR || env.SHARED_DATA_DIR;
  return dir ? resolve(cwd, dir) : resolve(cwd, '..', 'shared', 'data');
}

export type Split = 'train' | 'validation' | 'test';

/** How a row was obtained when it is not a row of the data set as published. */
export type Mined = 'extender-human-prefix' | 'extender-llm-continuation';

export interface TextRow {
  /** unique within the corpus: `<source>:<subset>:<row key>` */
  id: string;
  text: string;
  /** data set folder name in ../shared/data, e.g. `apt-eval` */
  source: string;
  /** file / generator / degree inside the source, for per-subset numbers */
  subset: string;
  /** genre: news, blog, paper_abstract, homework, essay-ielts, ... */
  domain: string;
  /** source document: rows that share a human original share a group (and so a split) */
  group: string;
  split: Split;
  /** null = LLM-involved, role unknown (binary-only sets) */
  role: Role | null;
  llm: boolean;
  /** involvement ratio in [0, 1]; null when unknown */
  pr: number | null;
  /** ISO 639-1 code of the text's language */
  lang: string;
  /** the generator when known (`human` for human rows) */
  generator?: string;
  /** set on rows cut out of extender rows at the human/LLM boundary */
  mined?: Mined;
  /** evaluation only (gede): never used to train or calibrate shipped weights */
  evalOnly?: boolean;
}

// ---------------------------------------------------------------------------------------------
// PR formulas of the role paper (arXiv 2410.14259), exactly as its released rows are computed.

/**
 * Python's `round(x, 4)` (the data sets were made in Python): rounds the exact binary value, ties to
 * even. `Math.round(x * 1e4)` differs on exact ties such as 13/32 = 0.40625 (Python: 0.4062).
 */
export function round4(x: number): number {
  if (!Number.isFinite(x)) return x;
  const neg = x < 0;
  const s = Math.abs(x).toFixed(40); // exact decimal digits of the double, enough to see a tie
  const [ip, fp] = s.split('.');
  const head = fp.slice(0, 4);
  const rest = fp.slice(4);
  let n = Number(ip) * 10000 + Number(head);
  if (rest[0] > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)))) n += 1;
  else if (rest[0] === '5' && n % 2 === 1) n += 1; // exact tie: to even
  const v = n / 10000;
  return neg ? -v : v;
}

/**
 * Polisher PR: multiset Jaccard distance between `original.split(" ")` and `final.split(" ")`,
 * case-sensitive, rounded to 4 decimals. 1 - sum(min(count)) / sum(max(count)).
 */
export function polisherPR(original: string, final: string): number {
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (const t of original.split(' ')) a.set(t, (a.get(t) ?? 0) + 1);
  for (const t of final.split(' ')) b.set(t, (b.get(t) ?? 0) + 1);
  let inter = 0;
  let union = 0;
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const k of keys) {
    const x = a.get(k) ?? 0;
    const y = b.get(k) ?? 0;
    inter += Math.min(x, y);
    union += Math.max(x, y);
  }
  if (union === 0) return 0;
  return round4(1 - inter / union);
}

/** Whitespace words (the paper's `split()` without arguments). */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

export function wordCount(text: string): number {
  return words(text).length;
}

/** Extender PR: words of the LLM continuation / words of the final text (whitespace split). */
export function extenderPR(continuation: string, final: string): number {
  const total = wordCount(final);
  if (total === 0) return 0;
  return wordCount(continuation) / total;
}

/** Number of leading whitespace words two texts share (the human prefix of a completion). */
export function commonWordPrefix(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  let i = 0;
  while (i < wa.length && i < wb.length && wa[i] === wb[i]) i++;
  return i;
}

/**
 * Cuts `text` after its first `k` whitespace words: returns the prefix and the rest, as character
 * slices of the original text (whitespace between them goes to neither).
 */
export function cutAtWord(text: string, k: number): { prefix: string; rest: string; offset: number } {
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  let n = 0;
  let end = 0;
  while (n < k && (m = re.exec(text)) !== null) {
    n++;
    end = m.index + m[0].length;
  }
  const prefix = text.slice(0, end).trim();
  const restRaw = text.slice(end);
  const lead = restRaw.length - restRaw.trimStart().length;
  return { prefix, rest: restRaw.trim(), offset: end + lead };
}

// ---------------------------------------------------------------------------------------------
// Splits. Rule (fixed, written down in models/card/text.md too):
//   u = first 8 hex digits of sha256(`${SPLIT_SEED}:${group}`) / 2^32
//   u < 0.70 -> train, u < 0.85 -> validation, else test.
// Every row of a group lands in the same split, so a human original never straddles two splits.

export const SPLIT_SEED = 'llm-provenance-split-v1';
export const SPLIT_FRACTIONS = { train: 0.7, validation: 0.15, test: 0.15 } as const;

export function splitUnit(group: string, seed = SPLIT_SEED): number {
  const h = createHash('sha256').update(`${seed}:${group}`).digest('hex');
  return parseInt(h.slice(0, 8), 16) / 0x100000000;
}

export function splitOf(group: string, seed = SPLIT_SEED): Split {
  const u = splitUnit(group, seed);
  if (u < SPLIT_FRACTIONS.train) return 'train';
  if (u < SPLIT_FRACTIONS.train + SPLIT_FRACTIONS.validation) return 'validation';
  return 'test';
}

/**
 * Group key of a human original from its text, so that sets that share originals under different
 * ids (apt-eval and mixset) agree: sha1 of its first 40 whitespace words, lower-cased.
 */
export function originalKey(text: string, n = 40): string {
  const w = words(text.toLowerCase()).slice(0, n).join(' ');
  return createHash('sha1').update(w).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Parsers

/** RFC 4180 CSV (quoted fields with "" escapes and newlines), any one-character delimiter. */
export function parseCsv(src: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && src[i + 1] === '\n') {
      i++;
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
      i++;
    }
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV with a header line -> records. */
export function readCsvRecords(file: string, delimiter = ','): Record<string, string>[] {
  const rows = parseCsv(readFileSync(file, 'utf8'), delimiter);
  const header = rows[0] ?? [];
  const out: Record<string, string>[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r];
    if (cells.length === 1 && cells[0] === '') continue;
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = cells[j] ?? ''));
    out.push(rec);
  }
  return out;
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** JSON array or JSON lines, whichever the file holds. */
export function readJsonOrLines<T = Record<string, unknown>>(file: string): T[] {
  const s = readFileSync(file, 'utf8');
  const t = s.trimStart();
  if (t.startsWith('[')) return JSON.parse(t) as T[];
  return s
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** Reads the entries of a zip file (stored or deflated), enough for .xlsx. */
export function readZip(file: string): Map<string, Buffer> {
  const buf = readFileSync(file);
  // end of central directory
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let e = 0; e < count; e++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const lNameLen = buf.readUInt16LE(local + 26);
    const lExtraLen = buf.readUInt16LE(local + 28);
    const start = local + 30 + lNameLen + lExtraLen;
    const data = buf.subarray(start, start + csize);
    out.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

function colIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** First sheet of an .xlsx as records keyed by the first row (shared and inline strings, numbers). */
export function readXlsxRecords(file: string): Record<string, string>[] {
  const zip = readZip(file);
  const sstXml = zip.get('xl/sharedStrings.xml')?.toString('utf8') ?? '';
  const shared: string[] = [];
  for (const m of sstXml.matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    const parts = [...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => xmlUnescape(t[1]));
    shared.push(parts.join(''));
  }
  const sheet = zip.get('xl/worksheets/sheet1.xml')?.toString('utf8');
  if (!sheet) throw new Error(`${file}: no sheet1`);
  const grid: string[][] = [];
  for (const rm of sheet.matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells: string[] = [];
    for (const cm of rm[1].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const col = colIndex(cm[1]);
      const attrs = cm[2];
      const inner = cm[3] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      let val = '';
      if (/t="s"/.test(attrs)) val = shared[Number(v)] ?? '';
      else if (/t="inlineStr"/.test(attrs))
        val = [...inner.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => xmlUnescape(t[1])).join('');
      else val = v !== undefined ? xmlUnescape(v) : '';
      cells[col] = val;
    }
    grid.push(cells);
  }
  const header = grid[0] ?? [];
  return grid.slice(1).map((cells) => {
    const rec: Record<string, string> = {};
    header.forEach((h, j) => {
      if (h) rec[h] = cells[j] ?? '';
    });
    return rec;
  });
}

/**
 * The string literals of a Python repr, in order: `['a', "b's"]` -> ['a', "b's"], and
 * `[('hi', 'user'), ('hello', 'assistant')]` -> ['hi', 'user', 'hello', 'assistant']. Escapes
 * \\ \' \" \n \r \t \xNN \uNNNN \UNNNNNNNN are decoded; anything outside a literal is skipped.
 */
export function parsePyStrings(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const q = s[i];
    if (q !== "'" && q !== '"') {
      i++;
      continue;
    }
    let v = '';
    i++;
    while (i < s.length && s[i] !== q) {
      const c = s[i]!;
      if (c !== '\\') {
        v += c;
        i++;
        continue;
      }
      const e = s[i + 1] ?? '';
      const hex = (n: number): void => {
        const h = s.slice(i + 2, i + 2 + n);
        v += /^[0-9a-fA-F]+$/.test(h) && h.length === n ? String.fromCodePoint(parseInt(h, 16)) : `\\${e}${h}`;
        i += 2 + n;
      };
      if (e === 'x') hex(2);
      else if (e === 'u') hex(4);
      else if (e === 'U') hex(8);
      else {
        v += ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? `\\${e}`;
        i += 2;
      }
    }
    out.push(v);
    i++;
  }
  return out;
}
