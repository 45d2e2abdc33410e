/**
 * Loaders of the wider sets of essays and answers: outfox (US students' essays and LLM essays on the
 * same prompts), herbold-essays (learners of English and ChatGPT on the same 90 topics), argugpt (LLM
 * essays on ESL exam prompts), ellipse (English-language learners; EVALUATION ONLY), grid (Reddit answers).
 * Rules: ../shared/data/README.md, the rows of these sets.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { listFiles } from '../text-sources.js';
import { readCsvRecords, readJson, type TextRow } from '../text-common.js';
import { pushRow, textGroup } from './common.js';

const readList = (file: string): string[] => (existsSync(file) ? readJson<string[]>(file) : []);

// --- outfox ----------------------------------------------------------------------------------------
/** OUTFOX's LLM folders and the model each holds. */
const OUTFOX_MODELS: Record<string, string> = { chatgpt: 'chatgpt', text_davinci_003: 'text-davinci-003', flan_t5_xxl: 'flan-t5-xxl' };

/**
 * outfox: README "`common/*_humans` H essays by US students (grades 6-12), `*_problem_statements` the
 * prompts; C essays by ChatGPT, davinci-003, Flan-T5-XXL on the same prompts; `*_outfox_attacks` and
 * `dipper/` humanized C". Row i of every file belongs to essay triplet i of its split: the human essay
 * is human_author (PR 0), each LLM essay, attacked or not, llm_creator (PR 1), all in the human essay's
 * group. The prompts are not rows. EVALUATION ONLY (every row, `evalOnly`): the human essays are PERSUADE 2.0's,
 * licensed CC BY-NC-SA 4.0 (scrosseye/persuade_corpus_2.0 README), and the LLM essays answer its prompts in the
 * human essays' groups; so no shipped parameter may be fitted on them.
 */
export function loadOutfox(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'outfox/data');
  for (const split of ['valid', 'test']) {
    const humans = readList(join(base, 'common', split, `${split}_humans.json`));
    const group = (i: number): string | null => (typeof humans[i] === 'string' ? textGroup(humans[i]!) : null);
    humans.forEach((text, i) =>
      pushRow(out, { key: `${split}:${i}:human`, text, source: 'outfox', subset: `${split}:human`, domain: 'essay-student', group: group(i)!, role: 'human_author', pr: 0, generator: 'human', evalOnly: true }),
    );
    const llmFiles: [string, string, string][] = [];
    for (const dir of Object.keys(OUTFOX_MODELS)) {
      llmFiles.push([join(base, dir, split, `${split}_lms.json`), dir, 'lms']);
      llmFiles.push([join(base, dir, split, `${split}_outfox_attacks.json`), dir, 'outfox-attack']);
      if (split === 'test') llmFiles.push([join(base, 'dipper', dir, 'test_attacks.json'), dir, 'dipper-attack']);
    }
    for (const [file, dir, kind] of llmFiles) {
      readList(file).forEach((text, i) => {
        const g = group(i);
        if (!g || typeof text !== 'string') return;
        pushRow(out, { key: `${split}:${i}:${dir}:${kind}`, text, source: 'outfox', subset: `${split}:${dir}:${kind}`, domain: 'essay-student', group: g, role: 'llm_creator', pr: 1, generator: OUTFOX_MODELS[dir], evalOnly: true });
      });
    }
  }
  return out;
}

// --- herbold-essays ------------------------------------------------------------------------------------
/**
 * herbold-essays: README "`;`-separated: a student's argumentative essay (essayforum, mostly learners of
 * English) + ChatGPT-3.5 and GPT-4 essays on the same topic". `Student` is human_author, `ChatGPT-3` and
 * `ChatGPT-4` llm_creator (PR 1), one group per essay (the student essay's text). These are the essays
 * of gede's brat-project set too: the shared groups go to gede's side (test) in the merged corpus.
 */
export function loadHerbold(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const f = join(dataDir, 'herbold-essays/data/essays-without-markers.csv');
  if (!existsSync(f)) return out;
  for (const r of readCsvRecords(f, ';')) {
    const student = r.Student ?? '';
    if (!student.trim()) continue;
    const group = textGroup(student);
    const id = r.id || r.File;
    pushRow(out, { key: `${id}:student`, text: student, source: 'herbold-essays', subset: 'student', domain: 'essay-argumentative', group, role: 'human_author', pr: 0, generator: 'human' });
    for (const [col, generator] of [['ChatGPT-3', 'gpt-3.5'], ['ChatGPT-4', 'gpt-4']] as const) {
      pushRow(out, { key: `${id}:${col}`, text: r[col] ?? '', source: 'herbold-essays', subset: col, domain: 'essay-argumentative', group, role: 'llm_creator', pr: 1, generator });
    }
  }
  return out;
}

// --- argugpt -----------------------------------------------------------------------------------------------
/**
 * argugpt: README "C only: machine essays by GPT-family models (and Claude, BloomZ, Flan-T5 in `ood`) on
 * ESL exam prompts (WECCL, TOEFL, GRE)". Every row llm_creator (PR 1); the essays on one prompt share a
 * group (`prompt_id`), so that a prompt never straddles two splits.
 */
export function loadArgugpt(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  for (const f of listFiles(join(dataDir, 'argugpt/data/argugpt'), (p) => p.endsWith('.csv'))) {
    const file = basename(f, '.csv');
    for (const r of readCsvRecords(f)) {
      const prompt = r.prompt_id || r.prompt || '';
      pushRow(out, {
        key: `${file}:${r.id}`,
        text: r.text ?? '',
        source: 'argugpt',
        subset: `${file}:${r.exam_type || 'ood'}`,
        domain: 'essay-esl',
        group: `argugpt:${prompt.toLowerCase()}`,
        role: 'llm_creator',
        pr: 1,
        generator: (r.model ?? 'unknown').toLowerCase(),
      });
    }
  }
  return out;
}

// --- grid ------------------------------------------------------------------------------------------------------
/**
 * grid: README "Reddit answers (AskHistorians, AskScience, ELI5), human vs GPT-3.5 (`Labels`)": `Labels`
 * 0 (7,401 rows) human_author, 1 (1,500 rows) llm_creator (PR 1), as the README's counts say. The
 * questions are not in the file: each answer is its own group (M4's Reddit answers share some: merged).
 */
export function loadGrid(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const f = join(dataDir, 'grid/gpt_reddit_dataset_cleaned.csv');
  if (!existsSync(f)) return out;
  readCsvRecords(f).forEach((r, i) => {
    const llm = r.Labels === '1';
    if (!llm && r.Labels !== '0') return;
    const text = r.Data ?? '';
    pushRow(out, { key: String(i), text, source: 'grid', subset: llm ? 'gpt-3.5' : 'human', domain: 'reddit', group: textGroup(text), role: llm ? 'llm_creator' : 'human_author', pr: llm ? 1 : 0, generator: llm ? 'gpt-3.5' : 'human' });
  });
  return out;
}

// --- ellipse (EVALUATION ONLY, CC BY-NC-SA 4.0: never in the shipped weights) ---------------------------------
/**
 * ellipse: README "evaluation only, never in the shipped weights (non-commercial). H only: essays by
 * English-language learners, grades 8-12": human_author (PR 0), `evalOnly` (split test, like gede's),
 * subset by grade.
 */
export function loadEllipse(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const f = join(dataDir, 'ellipse/ELLIPSE_Final_github_test.csv');
  if (!existsSync(f)) return out;
  for (const r of readCsvRecords(f)) {
    const text = r.full_text ?? '';
    pushRow(out, { key: r.text_id_kaggle ?? '', text, source: 'ellipse', subset: `grade-${r.grade || 'unknown'}`, domain: 'essay-ell', group: textGroup(text), role: 'human_author', pr: 0, generator: 'human', evalOnly: true });
  }
  return out;
}
