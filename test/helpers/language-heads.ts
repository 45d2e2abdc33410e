/**
 * Text heads fitted on synthetic rows for a fake embedder (no model files), saved twice: without a
 * `languages` list (`without`) and with `languages.supported: ["en"]` (`with`). Their thresholds are 0, so a
 * supported text is always flagged with confidence high: what changes for another language shows.
 * Used by test/detectors/text-language.test.ts and test/web/browser.test.ts (issue 48).
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROLES } from '../../src/detectors/types.js';
import type { TextEmbedder } from '../../src/encoder/types.js';
import { DIM, fakeEmbedder as fakeEmbedderFor, SHA, SYNTHETIC_VOCAB, vec } from './fake-embedder.js';
import { extractTextFeatures, TEXT_FEATURE_VERSION, TEXT_FEATURES } from '../../src/features/text.js';
import { fitTextHeadsFrom } from '../../training/fit/text-heads.js';
import { assembleInputs, inputNamesFor } from '../../src/heads/text-heads.js';
import { saveHeads } from '../../training/fit/save-heads.js';

export const fakeEmbedder: TextEmbedder = fakeEmbedderFor();
const vocab = SYNTHETIC_VOCAB;
function textFor(k: number, i: number): string {
  const words = vocab[k].split(' ');
  const out: string[] = [];
  for (let j = 0; j < 30 + (i % 20); j++) out.push(words[(j * 7 + i) % words.length]);
  return out.join(' ') + '.';
}

/** fits and saves the heads under dir: returns the two heads directories */
export async function saveLanguageHeads(dir: string): Promise<{ with: string; without: string }> {
  const out = { with: path.join(dir, 'with'), without: path.join(dir, 'without') };
  const shape = { features: TEXT_FEATURES.map((f) => f.name), embedding_dim: DIM, contrast: false };
  const mk = (n: number, salt: number) => {
    const X: Float64Array[] = [];
    const roles: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      const s = textFor(k, i + salt);
      X.push(assembleInputs(shape, { f: extractTextFeatures(s), e: vec(s) }));
      roles.push(k);
    }
    return { X, masks: roles.map((k) => 1 << k), roles, pr: roles.map((k) => (k === 0 ? 0 : k === 1 ? 1 : 0.5)), weights: new Float64Array(n).fill(1) };
  };
  const fitted = fitTextHeadsFrom(mk(48, 0), mk(48, 1000), { inputs: inputNamesFor(shape.features, DIM, false), maxIterations: 40 });
  await saveHeads(
    out.without,
    { standardizer: fitted.standardizer.json, role: fitted.role.json, involvement: fitted.involvement },
    {
      id: 'llm-provenance-text',
      version: 'test+{role}',
      created: new Date().toISOString(),
      encoder: { id: 'fake-encoder', version: '1', dim: DIM, files: { 'model.int8.onnx': SHA }, trained_with: SHA },
      feature_version: TEXT_FEATURE_VERSION,
      features: TEXT_FEATURES.map((f) => f.name),
      embedding_dim: DIM,
      contrast: false,
      roles: [...ROLES],
      calibration: fitted.calibration,
      thresholds: { ai_probability: 0, short_text_words: 80, confidence: { high: 0, medium: 0 } },
      training_data: [],
    },
  );
  await cp(out.without, out.with, { recursive: true });
  const cfg = JSON.parse(await readFile(path.join(out.without, 'config.json'), 'utf8'));
  await writeFile(path.join(out.with, 'config.json'), JSON.stringify({ ...cfg, languages: { supported: ['en'] } }));
  return out;
}
