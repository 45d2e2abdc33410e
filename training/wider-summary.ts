/**
 * Issue 45: counts of the corpus with the wider sets merged in (rows per set x role x split, groups
 * shared across sets, what merging did), on ../shared/data (DATA_DIR overrides). Markdown on stdout.
 * Loads every set once (about a minute on 2 cores); trains nothing, writes nothing.
 *   npx tsx training/wider-summary.ts [--no-eval]
 */
import { collectTextCorpus, sharedDataDir } from './datasets/text.js';
import { widerSummary } from './datasets/wider/summary.js';

const t0 = Date.now();
const { rows, wider } = collectTextCorpus({ dataDir: sharedDataDir(), wider: true, includeEval: !process.argv.includes('--no-eval') });
console.log(widerSummary(rows, wider));
console.log(`\n(${sharedDataDir()}, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
