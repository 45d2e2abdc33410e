// docs/FEATURES.md is generated from TEXT_FEATURES; fail when it drifts.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFeaturesMarkdown } from '../../scripts/feature-docs.js';
import { TEXT_FEATURES } from '../../src/features/text.js';

const docPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'FEATURES.md');

t.test('docs/FEATURES.md is in sync with TEXT_FEATURES', async (t) => {
  const committed = readFileSync(docPath, 'utf8');
  t.equal(committed, renderFeaturesMarkdown(), 'regenerate with: npx tsx scripts/feature-docs.ts');
  for (const f of TEXT_FEATURES) t.ok(committed.includes(`| \`${f.name}\` | ${f.family} |`), `${f.name} row present`);
});
