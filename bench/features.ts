/**
 * Micro-benchmark of the text feature extractor (src/features/text.ts).
 *
 *   npx tsx bench/features.ts            prints the markdown table
 *   npx tsx bench/features.ts --write    also writes bench/FEATURES-RESULTS.md
 *
 * bench/run.ts (encoder-serve) imports benchFeatures(). Texts are built deterministically from a fixed
 * set of English paragraphs (mixed styles: prose, lists, forum replies, markdown), so runs are
 * comparable. Timings are wall-clock per call after a warm-up (the wink-nlp model is loaded once, before
 * timing). The slope is an ordinary least-squares fit of median ms against words, per 1000 words.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { extractTextFeatures, TEXT_FEATURES, TEXT_FEATURE_VERSION } from '../src/features/text.js';

const PARAGRAPHS = [
  "The committee met on Tuesday to discuss the proposed changes to the city's recycling programme. Several residents complained that the new collection schedule was confusing, and one councillor argued that the pilot had been rushed. However, the director of public works said the early numbers were encouraging: contamination fell by almost a fifth in the first month.",
  "Honestly I don't think it matters that much. I've used both for years and the difference is tiny unless you're doing something really specific. Just pick the one your team already knows :) If it turns out to be wrong you can switch later, it's not like it's a one-way door.",
  "There are several ways to improve your sleep quality. Here are a few tips:\n\n1. Keep a consistent schedule, even on weekends.\n2. Avoid caffeine in the afternoon and evening.\n3. Make sure your bedroom is dark, quiet and cool.\n\nIn general, it is a good idea to talk to a doctor if the problem persists for more than a few weeks.",
  "## Results\n\nThe model was evaluated on three held-out sets (Smith et al., 2021). Accuracy improved from 81.2% to 86.7% [3], while calibration error decreased substantially. Notably, the gains were largest for short inputs, which suggests that the additional context features are most useful when the text itself carries little signal.",
  "My grandmother kept a garden behind the house where she grew tomatoes, beans and an absurd number of marigolds. Every summer we would spend an afternoon picking whatever was ripe, and she would tell the same stories about the war — the rationing, the letters that arrived months late, the neighbour who kept bees on the roof.",
  "It is important to note that climate models are not predictions but projections: they describe what might happen under a given set of assumptions. Furthermore, uncertainty in the models arises from several sources, including natural variability, incomplete understanding of physical processes, and the unknown future trajectory of emissions. Therefore, results should be interpreted with care.",
  "Wait, what? The store closed at 9 and we got there at 9:05... the guy literally locked the door while looking at us!!! Never going back there again. Anyway, we ended up at the diner across the street, which was honestly better — the pie alone was worth the drive.",
  "To install the package, run `npm install left-pad` in your project directory. Then import it in your code and call the function with the string and the desired length. If you encounter permission errors, check that your global npm directory is writable, or use a version manager such as nvm instead of installing Node system-wide.",
  "The defendant, who had previously been convicted of a similar offence, argued that the evidence against him was obtained unlawfully. The court rejected this claim, noting that the search had been authorised by a warrant and that the officers had acted within its scope. The appeal was dismissed, and the original sentence was upheld.",
  "Certainly! Here are the steps to bake a simple loaf of bread:\n\n- Mix flour, water, salt and yeast in a large bowl.\n- Knead the dough for about ten minutes until it is smooth and elastic.\n- Let it rise for one to two hours, then shape it and bake at 220°C for 30 minutes.\n\nLet me know if you have any other questions!",
];

/** Deterministic text of exactly `words` whitespace-separated words. */
export function sampleText(words: number, seed = 1): string {
  let state = seed >>> 0 || 1;
  const rnd = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 0x100000000;
  };
  const parts: string[] = [];
  let count = 0;
  while (count < words) {
    const p = PARAGRAPHS[Math.floor(rnd() * PARAGRAPHS.length)]!;
    parts.push(p);
    count += p.split(/\s+/).filter(Boolean).length;
  }
  // trim to exactly `words` whitespace-separated tokens, keeping the layout before the cut
  const text = parts.join('\n\n');
  let seen = 0;
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  let end = text.length;
  while ((m = re.exec(text)) !== null) {
    seen++;
    if (seen === words) { end = m.index + m[0].length; break; }
  }
  return text.slice(0, end);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface FeatureBenchRow {
  words: number;
  chars: number;
  iterations: number;
  medianMs: number;
  p95Ms: number;
  /** median process CPU time per call: less sensitive than wall time to other processes on a shared machine */
  cpuMedianMs: number;
}

export async function benchFeatures(
  opts: { sizes?: number[]; budgetMs?: number; minIterations?: number } = {},
): Promise<{ markdown: string; rows: FeatureBenchRow[]; slopeMsPer1000Words: number; cpuSlopeMsPer1000Words: number }> {
  const sizes = opts.sizes ?? [100, 500, 2000, 10000];
  const budgetMs = opts.budgetMs ?? 1500;
  const minIterations = opts.minIterations ?? 15;
  extractTextFeatures('Warm-up: loads the wink-nlp model once.');
  const rows: FeatureBenchRow[] = [];
  for (const words of sizes) {
    const text = sampleText(words);
    for (let i = 0; i < 5; i++) extractTextFeatures(text); // JIT warm-up
    const times: number[] = [];
    const cpu: number[] = [];
    const start = performance.now();
    while (times.length < minIterations || (performance.now() - start < budgetMs && times.length < 2000)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      extractTextFeatures(text);
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    rows.push({
      words, chars: [...text].length, iterations: times.length,
      medianMs: quantile(times, 0.5), p95Ms: quantile(times, 0.95), cpuMedianMs: quantile(cpu, 0.5),
    });
    await new Promise((r) => setImmediate(r));
  }
  // least-squares slope (and intercept) of median ms vs words
  const fit = (ys: number[]): [number, number] => {
    const n = rows.length;
    const mx = rows.reduce((s, r) => s + r.words, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    rows.forEach((r, i) => { sxy += (r.words - mx) * (ys[i]! - my); sxx += (r.words - mx) ** 2; });
    const b = sxx > 0 ? sxy / sxx : 0;
    return [b * 1000, my - b * mx];
  };
  const [slope, intercept] = fit(rows.map((r) => r.medianMs));
  const [cpuSlope] = fit(rows.map((r) => r.cpuMedianMs));
  const load = os.loadavg()[0] ?? 0;
  const fmt = (x: number) => x.toFixed(3);
  const lines = [
    `### Text feature extractor (${TEXT_FEATURE_VERSION}, ${TEXT_FEATURES.length} features)`,
    '',
    `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, shared; 1-min load average ${load.toFixed(1)} at the end of the run), single thread; per extractTextFeatures() call after warm-up. Wall = performance.now(); CPU = process.cpuUsage() of this process.`,
    '',
    '| words | chars | iterations | median ms (wall) | p95 ms (wall) | median ms (CPU) | median µs / word |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.words} | ${r.chars} | ${r.iterations} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${fmt(r.cpuMedianMs)} | ${((r.medianMs * 1000) / r.words).toFixed(2)} |`),
    '',
    `Fitted line (OLS of median wall ms on words): **${slope.toFixed(3)} ms per 1000 words**, intercept ${intercept.toFixed(3)} ms; CPU-time slope ${cpuSlope.toFixed(3)} ms per 1000 words.`,
    '',
  ];
  return { markdown: lines.join('\n'), rows, slopeMsPer1000Words: slope, cpuSlopeMsPer1000Words: cpuSlope };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { markdown } = await benchFeatures();
  console.log(markdown);
  if (process.argv.includes('--write')) {
    const target = join(dirname(fileURLToPath(import.meta.url)), 'FEATURES-RESULTS.md');
    writeFileSync(target, `# Feature extractor benchmark\n\nMeasured with \`npx tsx bench/features.ts --write\` on ${new Date().toISOString().slice(0, 10)}.\n\n${markdown}`);
    console.log(`wrote ${target}`);
  }
}
