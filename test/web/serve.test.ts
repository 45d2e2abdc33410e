/** src/web/serve.ts on its own: the page's files at /, the model card at /model-card, nothing else. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import t from 'tap';
import { defaultWebRoot, registerWeb, webPlugin } from '../../src/web/serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmp-web-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const CARD = path.join(tmp, 'MODEL_CARD.md');
writeFileSync(CARD, '# Model card\n\nTrained on | things.\n');

t.equal(defaultWebRoot(), path.join(ROOT, 'web'), 'finds web/ at the repository root');

t.test('serves the page, its assets and the model card', async (t) => {
  const app = Fastify();
  await registerWeb(app, { modelCardPath: CARD });
  t.teardown(() => app.close());

  const page = await app.inject({ method: 'GET', url: '/' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.equal(page.body, readFileSync(path.join(ROOT, 'web/index.html'), 'utf8'));
  t.notMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script (CSP script-src self)');
  t.notMatch(page.body, /\son[a-z]+=/i, 'no inline event handlers');
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'nothing loaded from another host');

  for (const [file, type] of [['app.js', /javascript/], ['style.css', /^text\/css/], ['model-card.html', /^text\/html/], ['model-card.js', /javascript/], ['favicon.svg', /^image\/svg\+xml/]] as const) {
    const r = await app.inject({ method: 'GET', url: `/${file}` });
    t.equal(r.statusCode, 200, file);
    t.match(r.headers['content-type'], type, `${file} content type`);
  }

  const card = await app.inject({ method: 'GET', url: '/model-card' });
  t.equal(card.statusCode, 200);
  t.match(card.headers['content-type'], /^text\/markdown; charset=utf-8/);
  t.equal(card.body, readFileSync(CARD, 'utf8'));

  const missing = await app.inject({ method: 'GET', url: '/nope.js' });
  t.equal(missing.statusCode, 404, 'only files in web/ are served');
  const traversal = await app.inject({ method: 'GET', url: '/..%2fpackage.json' });
  t.equal(traversal.statusCode, 404, 'nothing outside web/');
});

t.test('a missing model card is a 404 problem', async (t) => {
  const app = Fastify();
  await app.register(webPlugin, { modelCardPath: path.join(tmp, 'absent.md') });
  t.teardown(() => app.close());
  const r = await app.inject({ method: 'GET', url: '/model-card' });
  t.equal(r.statusCode, 404);
  t.match(r.headers['content-type'], /^application\/problem\+json/);
  const body = JSON.parse(r.body);
  t.match(body, { status: 404, type: /model-card-not-found/, detail: /absent\.md/ });
});

t.test('next to another static registration of web/ it serves /model-card only', async (t) => {
  const app = Fastify();
  await app.register(fastifyStatic, { root: path.join(ROOT, 'web'), prefix: '/', wildcard: false, index: ['index.html'] });
  await app.register(webPlugin, { modelCardPath: CARD });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/model-card' })).statusCode, 200);
});

t.test('without web/ assets only the model card is served', async (t) => {
  const app = Fastify();
  await app.register(webPlugin, { modelCardPath: CARD, webRoot: tmp });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/model-card' })).statusCode, 200);
});
