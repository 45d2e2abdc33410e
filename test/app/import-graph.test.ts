/**
 * The shape of the house (issue 46), checked on the real import graph of src/ (dependency-cruiser) and of the
 * Python under training/:
 *
 * - src/ imports only src/ (and packages): never training/, bench/, scripts/ or test/, which import src/;
 * - no circle of imports in src/;
 * - every module of src/ is reached from the service's start-up or the CLI (a module only training uses lives in
 *   training/, e.g. training/fit/, the fitting of the heads);
 * - imports point down the layers below. A module may import its own unit (its folder, or itself for a
 *   top-level file) and any unit of a lower layer; never a unit of its own layer or of a higher one:
 *
 *     8  cli/                      the command line (in-process: app, server; or a URL)
 *     7  server.ts                 start-up: config -> app -> listen -> drain
 *     6  app.ts                    registers plugins and routes
 *     5  routes/, web/             HTTP only: validate, call a detector, shape the answer; the page's plugin
 *     4  plugins/                  cross-cutting HTTP concerns (errors, metrics, admission, auth, swagger)
 *     3  schemas/                  TypeBox schemas: validation, serialisation, OpenAPI
 *     2  detectors/                features + embedding -> heads -> calibrated answers; no HTTP
 *     1  heads/, likelihood/       the trained parts; the opt-in causal language model
 *     0  roles.ts, config.ts, features/, encoder/   the role vocabulary, the settings, pure features, the encoder
 *
 *   A new top-level entry of src/ fails the test until it is given a layer here.
 * - training/ Python: no circle of imports (each script puts its own folder and training/encoder on sys.path,
 *   so a module name is a file of that folder or of its parent).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const LAYERS: Record<string, number> = {
  'roles.ts': 0,
  'config.ts': 0,
  features: 0,
  encoder: 0,
  heads: 1,
  likelihood: 1,
  detectors: 2,
  schemas: 3,
  plugins: 4,
  routes: 5,
  web: 5,
  'app.ts': 6,
  'server.ts': 7,
  cli: 8,
};

/** 'src/heads/mlp.ts' -> 'heads'; 'src/app.ts' -> 'app.ts' */
const unitOf = (file: string): string => file.split('/')[1];

type Graph = Map<string, string[]>;

/** every circle of a graph, as one path per strongly connected component (Tarjan) */
function circles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

t.test('the circle finder finds circles (a check of the check)', async (t) => {
  t.same(circles(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), []);
  t.same(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  t.same(circles(new Map([['a', ['a']]])), [['a']]);
});

t.test('src/: nothing from outside src, no circle, every arrow points down the layers', async (t) => {
  const result = await cruise(
    ['src'],
    {
      tsPreCompilationDeps: true,
      exclude: { path: 'node_modules' },
      doNotFollow: { path: 'node_modules' },
      baseDir: ROOT,
      // packages that name their entry points in package.json "exports" (eld/small)
      enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    },
    undefined,
    { tsConfig: extractTSConfig(path.join(ROOT, 'tsconfig.json')) },
  );
  if (typeof result.output === 'string') throw new Error('dependency-cruiser gave no module list');
  const graph: Graph = new Map();
  const outside: string[] = [];
  for (const m of result.output.modules) {
    if (!m.source.startsWith('src/')) continue;
    const deps = new Set<string>();
    for (const d of m.dependencies) {
      if (d.coreModule || d.resolved.includes('node_modules/')) continue;
      if (d.couldNotResolve) outside.push(`${m.source} imports '${d.module}', which does not resolve`);
      else if (!d.resolved.startsWith('src/')) outside.push(`${m.source} imports ${d.resolved}`);
      else deps.add(d.resolved);
    }
    // detectors/index.ts loads its parts by a computed path (importPart): those arrows count too
    const text = readFileSync(path.join(ROOT, m.source), 'utf8');
    for (const [, rel] of text.matchAll(/importPart<[^>]*>\(\s*'([^']+)'/g)) {
      deps.add(path.posix.join(path.posix.dirname(m.source), rel).replace(/\.js$/, '.ts'));
    }
    // a worker thread's entry, started by its URL (encoder/worker-session.ts): an arrow too
    for (const [, rel] of text.matchAll(/new Worker\(new URL\('([^']+)', import\.meta\.url\)/g)) {
      deps.add(path.posix.join(path.posix.dirname(m.source), rel).replace(/\.js$/, '.ts'));
    }
    // ... or by startModuleWorker(new URL(`./x.${'ts' or 'js'}`, import.meta.url)) (the supervised workers, issue 44)
    for (const [, base] of text.matchAll(/startModuleWorker\(new URL\(`(\.[^`$]+)\.\$\{[^`]*\}`, import\.meta\.url\)/g)) {
      deps.add(path.posix.join(path.posix.dirname(m.source), `${base}.ts`));
    }
    graph.set(m.source, [...deps]);
  }
  t.ok(graph.size >= 60, `${graph.size} modules in src/`);
  t.ok(graph.get('src/detectors/text.ts')?.includes('src/heads/text-heads.ts'), 'the graph has the static imports');
  t.ok(graph.get('src/detectors/index.ts')?.includes('src/detectors/text.ts'), 'and the computed ones');

  t.same(outside, [], 'src/ imports nothing from training/, bench/, scripts/ or test/');
  t.same(circles(graph), [], 'no circle of imports in src/');

  const unplaced = readdirSync(path.join(ROOT, 'src')).filter((e) => !(e in LAYERS));
  t.same(unplaced, [], 'every top-level entry of src/ has a layer (LAYERS in this test)');
  const upward: string[] = [];
  for (const [from, deps] of graph) {
    for (const to of deps) {
      const [a, b] = [unitOf(from), unitOf(to)];
      if (a !== b && !(LAYERS[b] < LAYERS[a])) upward.push(`${from} (layer ${LAYERS[a]}) -> ${to} (layer ${LAYERS[b]})`);
    }
  }
  t.same(upward, [], 'no import to the same layer or up');

  // every module of src/ is reached from the service's start-up or the CLI (a module only training uses belongs in training/)
  const reached = new Set<string>();
  const todo = ['src/server.ts', 'src/cli/index.ts'];
  for (let m = todo.pop(); m !== undefined; m = todo.pop()) {
    if (reached.has(m)) continue;
    reached.add(m);
    todo.push(...(graph.get(m) ?? []));
  }
  t.same([...graph.keys()].filter((m) => !reached.has(m)), [], 'every module of src/ is reached from src/server.ts or src/cli/index.ts');
});

t.test('training/ Python: no circle of imports', async (t) => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '__pycache__') continue;
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.py')) files.push(rel);
    }
  };
  walk('training');
  /** a module name seen from `file`: a file of its folder, else of the folder above (the sys.path the scripts set) */
  const resolve = (file: string, name: string): string | undefined => {
    const dir = path.posix.dirname(file);
    return [`${dir}/${name}.py`, `${path.posix.dirname(dir)}/${name}.py`].find((f) => files.includes(f));
  };
  const graph: Graph = new Map();
  for (const f of files) {
    const deps = new Set<string>();
    for (const line of readFileSync(path.join(ROOT, f), 'utf8').split('\n')) {
      // top level and inside functions alike (the old circle was two imports inside functions)
      const m = /^\s*(?:from\s+([\w.]+)\s+import\b|import\s+([\w.]+(?:\s*,\s*[\w.]+)*))/.exec(line);
      if (!m) continue;
      const names = m[1] ? [m[1]] : m[2].split(',').map((s) => s.trim());
      for (const name of names) {
        const hit = resolve(f, name.split('.')[0]);
        if (hit) deps.add(hit);
      }
    }
    graph.set(f, [...deps]);
  }
  t.ok(graph.get('training/encoder/pretrained/finetune.py')?.includes('training/encoder/pretrained/wheel.py'), 'the parser sees the imports');
  t.ok(graph.get('training/encoder/pretrained/convert.py')?.includes('training/encoder/onnx_int8.py'), 'from the folder above too');
  t.same(circles(graph), [], 'no circle of imports among training/ Python modules');
});
