/**
 * Refits only the involvement ratio's point and interval of trained text heads (training/text-fit.ts
 * fitInvolvement, the step `npm run train` runs after the role head), on the same validation rows, with
 * the role head, the ratio regressors and the thresholds left as they are:
 *
 *   npx tsx training/refit-ratio.ts [--heads DIR] [--encoder DIR]
 *
 * For a change of how the ratio is formed from the role probabilities, without the 45 minutes of the
 * role head and the held-out thresholds. `npm run train` gives the same involvement.json. It also records the
 * encoder directory's current file hashes when its fp32 model is the one the heads were trained on (an int8 file
 * quantized again).
 */
import path from 'node:path';
import { loadTextCorpus } from './datasets/text.js';
import { DEFAULT_CAPS, headData, headsInputOptions, prepareInputs, sampleRows, type SampleCaps } from './datasets/text-pipeline.js';
import { fitInvolvement, predictAll, ratioMetrics } from './text-fit.js';
import { TextHeads, type TextHeadsConfigBase } from '../src/heads/text-heads.js';
import { saveHeads } from './fit/save-heads.js';
import { arg, openEmbedder } from './train-text.js';
import { HEADS_VERSION } from './recipe.js';

const log = (s: string) => console.log(`[refit-ratio ${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main(): Promise<void> {
  const dir = path.resolve(arg('--heads') ?? 'models/heads');
  const heads = await TextHeads.load(dir);
  const caps = ((heads.config.training as { sample_caps?: SampleCaps } | undefined)?.sample_caps) ?? DEFAULT_CAPS;
  const sample = sampleRows(loadTextCorpus({ includeEval: false }), caps).filter((r) => !r.evalOnly && r.split === 'validation');
  const enc = await openEmbedder(heads.config.encoder ? path.resolve(arg('--encoder') ?? 'models/encoder') : null, 'fp32');
  const data = await prepareInputs({ rows: sample, embedder: enc.embedder, encoderFiles: enc.files, ...headsInputOptions(heads), log });
  await enc.embedder?.close();
  const val = headData(sample, data.X);
  const old = heads.involvement;
  const involvement = fitInvolvement(heads.role, { polisher: old.polisher, extender: old.extender, direct: old.direct }, val.X.map((x) => heads.standardizer.apply(x)), val.pr, old.conformal.coverage);
  log(`${old.method} -> ${involvement.method} ${JSON.stringify(involvement.consistent ?? {})}; validation MAE ${JSON.stringify(involvement.validation_mae)}; interval ${JSON.stringify(involvement.interval_choice)}`);
  const { files: _files, ...base } = heads.config;
  const refitted = new TextHeads(heads.config, heads.standardizer.json, heads.role.json, involvement, heads.lexicon);
  const metrics = { ...((base.metrics as Record<string, unknown>) ?? {}) };
  const v = (metrics.validation ?? {}) as Record<string, unknown>;
  metrics.validation = { ...v, involvement: ratioMetrics(val.pr, predictAll(refitted, val.X)) };
  const config: TextHeadsConfigBase = {
    ...base,
    version: HEADS_VERSION,
    calibration: { ...base.calibration, involvement: involvement.conformal },
    // the encoder directory's current files (an int8 file quantized again from the same model.onnx; trained_with,
    // the fp32 file the heads were trained on, must be among them)
    encoder: base.encoder && enc.files['model.onnx'] === base.encoder.trained_with ? { ...base.encoder, version: enc.version ?? base.encoder.version, files: enc.files } : base.encoder,
    metrics,
  };
  await saveHeads(dir, { standardizer: heads.standardizer.json, role: heads.role.json, involvement, lexicon: heads.lexicon }, config);
  log(`wrote ${dir}/involvement.json and config.json; validation ${JSON.stringify(metrics.validation)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
