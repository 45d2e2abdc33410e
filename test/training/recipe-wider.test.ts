/**
 * training/recipe.ts: the heads' corpus is today's sets and the wider sets (recipe B) unless HEADS_WIDER=false, which
 * trains the shipped default heads' recipe A and labels it 1.1.0 (README of training/: `npm run train`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (env: Record<string, string>): string[] => {
  const code = "import('./training/recipe.ts').then((m) => console.log(m.HEADS_WIDER, m.HEADS_VERSION))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HEADS_WIDER: '', ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split(' ');
};

t.test('recipe B by default, recipe A (labelled 1.1.0) with HEADS_WIDER=false', async (t) => {
  t.same(read({}), ['true', '1.2.0+{role}'], 'default: the wider sets too');
  t.same(read({ HEADS_WIDER: 'false' }), ['false', '1.1.0+{role}'], "HEADS_WIDER=false: today's sets only");
});
