/**
 * The deployment files validate and agree with each other and with the service:
 * - deploy/k8s/*.yaml against the Kubernetes JSON schemas (kubernetes-models: validators generated
 *   from the Kubernetes OpenAPI schemas, offline), plus the cross-references a schema cannot see
 *   (selectors, probe paths, HPA target, grace-period arithmetic, env names the service knows);
 * - docker-compose.yml through `docker-compose config` (Debian's docker-compose), then its content;
 * - the Dockerfile's stages and the build context left by .dockerignore;
 * - deploy/nginx/nginx.conf renders for loopback without touching the shared lines, and nginx -t
 *   accepts the result.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { CONFIG_VARIABLES } from '../../src/config.js';
// @ts-expect-error plain ESM helper without type declarations
import { renderNginxConf, sharedLines, NGINX_CONF_PATH } from '../../deploy/nginx/render.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const K8S = path.join(ROOT, 'deploy/k8s');
const KNOWN_ENV = new Set(CONFIG_VARIABLES.map((v) => v.name));

type Obj = Record<string, any>;

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function loadDocs(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs.map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS() as Obj;
  }).filter((d) => d != null);
}

function validateK8s(obj: Obj): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema for ${key}`);
  new Model(obj).validate();
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

const manifestFiles = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const all: Obj[] = manifestFiles.flatMap((f) => loadDocs(path.join(K8S, f)));
const byKind = (kind: string) => {
  const found = all.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in deploy/k8s, found ${found.length}`);
  return found[0];
};

/** A tiny strategic-merge for the GPU overlay: maps merge deeply, lists of named items merge by name. */
function strategicMerge(base: any, patch: any): any {
  if (Array.isArray(base) && Array.isArray(patch)) {
    if (!patch.every((p) => p && typeof p === 'object' && 'name' in p)) return patch;
    const out = base.map((b) => ({ ...b }));
    for (const p of patch) {
      const i = out.findIndex((b) => b.name === p.name);
      if (i === -1) out.push(p);
      else out[i] = strategicMerge(out[i], p);
    }
    return out;
  }
  if (base && patch && typeof base === 'object' && typeof patch === 'object' && !Array.isArray(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? strategicMerge(base[k], v) : v;
    return out;
  }
  return patch;
}

t.test('kubernetes manifests validate against the Kubernetes schemas', async (t) => {
  t.same(manifestFiles.sort(), ['deployment.yaml', 'hpa.yaml', 'pdb.yaml', 'service.yaml']);
  for (const obj of all) {
    t.doesNotThrow(() => validateK8s(obj), `${obj.kind} ${obj.metadata?.name} is valid`);
  }
  // the validator bites: known-bad variants are rejected
  const d = structuredClone(byKind('Deployment'));
  d.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  t.throws(() => validateK8s(d), 'a string containerPort is rejected');
  const d2 = structuredClone(byKind('Deployment'));
  delete d2.spec.selector;
  t.throws(() => validateK8s(d2), 'a Deployment without selector is rejected');
  const h = structuredClone(byKind('HorizontalPodAutoscaler'));
  h.spec.metrics[0].resource.target.averageUtilization = '70%';
  t.throws(() => validateK8s(h), 'a non-integer utilization is rejected');
});

t.test('kubernetes manifests agree with each other and with the service', async (t) => {
  const dep = byKind('Deployment');
  const svc = byKind('Service');
  const hpa = byKind('HorizontalPodAutoscaler');
  const pdb = byKind('PodDisruptionBudget');
  const pod = dep.spec.template;
  const [c] = pod.spec.containers;

  t.ok(matches(dep.spec.selector.matchLabels, pod.metadata.labels), 'Deployment selector matches its pods');
  t.ok(matches(svc.spec.selector, pod.metadata.labels), 'Service selects the pods');
  t.ok(matches(pdb.spec.selector.matchLabels, pod.metadata.labels), 'PodDisruptionBudget selects the pods');
  t.same(
    { apiVersion: hpa.spec.scaleTargetRef.apiVersion, kind: hpa.spec.scaleTargetRef.kind, name: hpa.spec.scaleTargetRef.name },
    { apiVersion: dep.apiVersion, kind: dep.kind, name: dep.metadata.name },
    'the HPA scales this Deployment',
  );
  t.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, 'a drain can always evict one pod (minAvailable < minReplicas)');
  t.ok(dep.spec.strategy.rollingUpdate.maxUnavailable === 0, 'rolling updates never drop below the wanted replicas');

  const portNames = c.ports.map((p: Obj) => p.name);
  t.ok(portNames.includes(svc.spec.ports[0].targetPort), 'Service targetPort names a container port');
  const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
  t.equal(String(c.ports[0].containerPort), env.PORT, 'container port = PORT');
  t.equal(env.HOST, '0.0.0.0');
  for (const name of Object.keys(env)) t.ok(KNOWN_ENV.has(name), `env ${name} is a variable src/config.ts reads`);

  t.equal(c.readinessProbe.httpGet.path, '/readyz', 'readiness on /readyz');
  t.equal(c.livenessProbe.httpGet.path, '/healthz', 'liveness on /healthz');
  t.ok(c.startupProbe, 'a startup probe covers model loading');
  for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) t.ok(portNames.includes(p.httpGet.port), 'probe port is a named container port');
  t.ok(c.resources.requests.cpu && c.resources.requests.memory, 'resource requests set');
  t.ok(c.resources.limits.memory, 'memory limit set');
  t.ok(pod.spec.securityContext.runAsNonRoot, 'runs as non-root');

  // graceful termination: the grace period covers preStop + the service's drain, with margin
  const preStop = c.lifecycle.preStop.exec.command;
  t.equal(preStop[0], 'sleep');
  const preStopS = Number(preStop[1]);
  const drainS = Number(env.SHUTDOWN_GRACE_MS) / 1000;
  t.ok(Number.isFinite(drainS) && drainS > 0, 'SHUTDOWN_GRACE_MS is set explicitly');
  t.ok(pod.spec.terminationGracePeriodSeconds >= preStopS + drainS + 1,
    `terminationGracePeriodSeconds ${pod.spec.terminationGracePeriodSeconds} >= preStop ${preStopS} + drain ${drainS} + 1`);

  const kust = parseYaml(readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8'));
  t.same([...kust.resources].sort(), manifestFiles.sort(), 'kustomization lists every manifest');
});

t.test('the GPU overlay yields a valid Deployment asking for one GPU with DEVICE=cuda', async (t) => {
  const kust = parseYaml(readFileSync(path.join(K8S, 'gpu/kustomization.yaml'), 'utf8'));
  t.same(kust.resources, ['../']);
  const [patch] = loadDocs(path.join(K8S, 'gpu', kust.patches[0].path));
  const merged = strategicMerge(byKind('Deployment'), patch);
  t.doesNotThrow(() => validateK8s(merged));
  const [c] = merged.spec.template.spec.containers;
  t.equal(merged.spec.template.spec.containers.length, 1, 'the patch merges into the existing container');
  t.equal(c.image, 'llm-provenance:cuda');
  t.equal(c.env.find((e: Obj) => e.name === 'DEVICE').value, 'cuda');
  t.equal(c.env.filter((e: Obj) => e.name === 'DEVICE').length, 1);
  t.equal(c.resources.limits['nvidia.com/gpu'], '1');
  t.equal(c.readinessProbe.httpGet.path, '/readyz', 'probes survive the patch');
});

const upstreamHost = (() => {
  const m = /^\s*server\s+([A-Za-z0-9.-]+):(\d+)\s.*# env: servers/m.exec(readFileSync(NGINX_CONF_PATH, 'utf8'));
  if (!m) throw new Error('no upstream server line in deploy/nginx/nginx.conf');
  return { host: m[1], port: m[2] };
})();

const COMPOSE_BIN = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => existsSync(p));
const composeSkip = COMPOSE_BIN ? false : 'docker-compose binary absent (Debian package docker-compose): cannot run `docker-compose config`';

t.test('docker-compose.yml passes `docker-compose config` and wires replicas behind nginx', { skip: composeSkip }, async (t) => {
  const bin = COMPOSE_BIN!;
  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(bin, ['-f', path.join(ROOT, 'docker-compose.yml'), ...args], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000,
    });
    t.equal(r.status, 0, `docker-compose ${args.join(' ')} exits 0${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
    return r.stdout;
  };
  const cfg = parseYaml(run(['config']));
  t.same(Object.keys(cfg.services).sort(), ['app', 'app-gpu', 'nginx']);
  const { app, nginx } = cfg.services;
  const gpu = cfg.services['app-gpu'];

  t.ok(app.deploy.replicas >= 2, 'N >= 2 replicas by default');
  t.equal(parseYaml(run(['config'], { APP_REPLICAS: '5' })).services.app.deploy.replicas, 5, 'APP_REPLICAS sets N');
  for (const [name, s] of [['app', app], ['app-gpu', gpu]] as const) {
    t.ok(s.networks.default.aliases.includes(upstreamHost.host), `${name} answers to nginx's upstream name ${upstreamHost.host}`);
    t.equal(s.environment.PORT, upstreamHost.port, `${name} listens on the upstream port`);
    t.equal(s.environment.HOST, '0.0.0.0');
    t.match(s.healthcheck.test.join(' '), /\/readyz/, `${name} healthcheck on /readyz`);
    t.equal(s.restart, 'unless-stopped', `${name} restart policy`);
    t.ok(s.deploy.resources.limits.memory && s.deploy.resources.limits.cpus, `${name} resource limits`);
    for (const k of Object.keys(s.environment)) t.ok(KNOWN_ENV.has(k), `${name} env ${k} is a variable src/config.ts reads`);
    const graceS = Number(/^(\d+)s$/.exec(s.stop_grace_period)?.[1]);
    t.ok(graceS >= Number(s.environment.SHUTDOWN_GRACE_MS) / 1000 + 1, `${name} stop_grace_period covers SHUTDOWN_GRACE_MS`);
  }
  t.equal(app.environment.DEVICE, 'cpu');
  t.equal(app.build.target, 'cpu');
  t.equal(gpu.environment.DEVICE, 'cuda');
  t.equal(gpu.build.target, 'cuda');
  t.same(gpu.profiles, ['gpu'], 'the CUDA service only runs with --profile gpu');
  t.same(gpu.deploy.resources.reservations.devices, [{ capabilities: ['gpu'], count: 1, driver: 'nvidia' }]);

  t.match(nginx.image, /^nginx:1\.(2[89]|[3-9]\d)/, 'nginx >= 1.28 (upstream `resolve` needs >= 1.27.3)');
  const mount = nginx.volumes.find((v: Obj | string) => (typeof v === 'string' ? v : v.target)?.toString().includes('/etc/nginx/nginx.conf'));
  const source = typeof mount === 'string' ? mount.split(':')[0] : mount?.source;
  t.equal(source && path.resolve(ROOT, source), NGINX_CONF_PATH, 'nginx runs deploy/nginx/nginx.conf');
  t.ok(nginx.ports.some((p: Obj | string) => String(typeof p === 'string' ? p : p.target).includes('8080')), 'nginx publishes 8080');

  const gpuOnly = parseYaml(run(['--profile', 'gpu', 'config']));
  t.ok(gpuOnly.services['app-gpu'], 'the gpu profile renders');
});

t.test('compose and Dockerfile agree: port, health path; nginx entrypoint points the resolver at the container\'s DNS', async (t) => {
  const compose = parseYaml(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const df = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const { app, nginx } = compose.services;
  t.equal(app.environment.PORT, /\bPORT=(\d+)/.exec(df)?.[1], 'compose PORT = the image\'s PORT');
  t.same(app.expose, [app.environment.PORT], 'replicas expose PORT');
  t.match(app.healthcheck.test.join(' '), new RegExp(`127\\.0\\.0\\.1:${app.environment.PORT}/readyz`), 'compose healthcheck asks /readyz on PORT');
  t.match(app.image, /^llm-provenance:cpu$/);
  // the entrypoint script, run by a real sh on copies of the files it reads and writes
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmp-resolver-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = String(nginx.entrypoint[2]).replace(/\$\$/g, '$');
  t.match(script, /exec nginx -c \/tmp\/nginx\.conf/);
  for (const [ns, want] of [['10.89.0.1', '10.89.0.1'], ['127.0.0.11', '127.0.0.11'], ['', '127.0.0.11']]) {
    writeFileSync(path.join(dir, 'resolv.conf'), `search dns.podman\n${ns ? `nameserver ${ns}\n` : ''}options ndots:0\n`);
    const local = script.replaceAll('/etc/resolv.conf', path.join(dir, 'resolv.conf')).replaceAll('/etc/nginx/nginx.conf', NGINX_CONF_PATH)
      .replaceAll('/tmp/nginx.conf', path.join(dir, 'out.conf')).replace(/^exec nginx .*$/m, '');
    const r = spawnSync('sh', ['-c', local], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    const out = readFileSync(path.join(dir, 'out.conf'), 'utf8');
    const src = readFileSync(NGINX_CONF_PATH, 'utf8');
    t.match(out, new RegExp(`^\\s*resolver ${want.replace(/\./g, '\\.')} valid=`, 'm'), `nameserver ${ns || '(none)'}: resolver ${want}`);
    t.equal(out.split('\n').filter((l, i) => l !== src.split('\n')[i]).length, ns && ns !== '127.0.0.11' ? 1 : 0, 'only the resolver line changes');
  }
});

t.test('Dockerfile: multi-stage CPU and CUDA targets with what the service needs', async (t) => {
  const df = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = new Map<string, string>();
  let cur = '';
  for (const line of df.split('\n')) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) { cur = m[2] ?? m[1]; stages.set(cur, line + '\n'); continue; }
    if (cur) stages.set(cur, stages.get(cur) + line + '\n');
  }
  t.ok([...stages.keys()].at(-1) === 'cpu', 'cpu is the last (default) target');
  t.match(stages.get('deps'), /ONNXRUNTIME_NODE_INSTALL=skip/);
  t.match(stages.get('deps'), /COPY package\.json package-lock\.json/);
  t.match(stages.get('deps'), /npm ci\b/, 'installs from the lockfile');
  t.match(stages.get('deps'), /test -f node_modules\/fastify\/package\.json/, 'npm ci is checked (npm 10 can exit 0 after failed fetches)');
  t.match(stages.get('build'), /tsc -p tsconfig\.json/);
  t.match(stages.get('prod-deps'), /npm prune --omit=dev/);
  t.notMatch(stages.get('prod-deps'), /COPY src/, 'the runtime node_modules do not depend on the sources');
  t.match(stages.get('cuda-deps'), /^FROM prod-deps AS cuda-deps/m);
  t.match(stages.get('cuda-deps'), /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/);
  t.match(df, /ARG CUDA_IMAGE=nvidia\/cuda:12\.[0-9.]+-cudnn-runtime-/, 'CUDA 12 + cuDNN runtime base');
  for (const target of ['cpu', 'cuda']) {
    const s = stages.get(target) ?? '';
    t.match(s, /^USER 1000:1000$/m, `${target}: non-root user`);
    t.match(s, /HOST=0\.0\.0\.0/, `${target}: HOST=0.0.0.0`);
    t.match(s, /PORT=8080/, `${target}: PORT 8080`);
    t.match(s, /^COPY models \.\/models$/m, `${target}: models baked in`);
    t.match(s, /HEALTHCHECK .*\/readyz/, `${target}: HEALTHCHECK on /readyz`);
    t.match(s, /CMD \["node", "dist\/src\/server\.js"\]/, `${target}: runs the compiled server`);
    t.match(s, new RegExp(`DEVICE=${target}`), `${target}: DEVICE=${target}`);
  }

  // the base image is a build argument: the official image by default, deploy/base-image.sh's without a registry
  t.match(df, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m, 'default base: the official node:20 image');
  for (const s of ['deps', 'cpu']) t.match(stages.get(s), /^FROM \$\{NODE_IMAGE\} AS /, `${s} is built FROM \${NODE_IMAGE}`);
  const baseScript = readFileSync(path.join(ROOT, 'deploy/base-image.sh'), 'utf8');
  t.match(baseScript, /^NODE_VERSION=20\.\d+\.\d+$/m, 'deploy/base-image.sh pins a Node 20 release');
  t.match(baseScript, /^NODE_INTEGRITY=sha512-[A-Za-z0-9+/]{86}==$/m, 'and its sha512');
  t.match(baseScript, /^NPM_INTEGRITY=sha512-[A-Za-z0-9+/]{86}==$/m);
  t.match(baseScript, /debootstrap --variant=minbase --arch=amd64 "\$SUITE"/);
  t.match(baseScript, /^SUITE=bookworm$/m, 'same Debian release as node:20-bookworm-slim');

  // the image and the app agree: port, health path, environment
  const { loadConfig } = await import('../../src/config.js');
  const routes = readdirSync(path.join(ROOT, 'src/routes'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(path.join(ROOT, 'src/routes', f), 'utf8')).join('\n');
  t.match(routes, /['"]\/readyz['"]/, 'the service has the /readyz route the HEALTHCHECK asks');
  for (const target of ['cpu', 'cuda']) {
    const s = stages.get(target) ?? '';
    const envLine = /^ENV (.+)$/m.exec(s)?.[1] ?? '';
    const env = Object.fromEntries([...envLine.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    for (const k of Object.keys(env)) {
      if (k === 'NODE_ENV' || k.startsWith('NVIDIA_')) continue;
      t.ok(KNOWN_ENV.has(k), `${target}: ENV ${k} is a variable src/config.ts reads`);
    }
    t.doesNotThrow(() => loadConfig(env), `${target}: the image's ENV is a valid configuration`);
    t.match(s, new RegExp(`^EXPOSE ${env.PORT}$`, 'm'), `${target}: EXPOSE = PORT (${env.PORT})`);
    t.match(s, /HEALTHCHECK [^\n]*process\.env\.PORT\|\|8080/, `${target}: the HEALTHCHECK asks the port the service listens on`);
    t.match(s, /^STOPSIGNAL SIGTERM$/m, `${target}: SIGTERM stops it (the service drains on SIGTERM)`);
  }

  // every path copied from the build context exists and survives .dockerignore
  const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  const globRe = (p: string) => {
    const anyDepth = p.startsWith('**/');
    const body = (anyDepth ? p.slice(3) : p).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${body}(?:/.*)?$`);
  };
  const sources = [...df.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
  t.ok(sources.length >= 5);
  for (const src of new Set(sources)) {
    t.ok(existsSync(path.join(ROOT, src)), `COPY source ${src} exists`);
    t.notOk(ignore.some((p) => globRe(p).test(src)), `COPY source ${src} is not excluded by .dockerignore`);
  }
  for (const heavy of ['node_modules', '.git', 'dist', 'training']) t.ok(ignore.some((p) => globRe(p).test(heavy)), `${heavy} stays out of the build context`);
});

t.test('nginx.conf renders for loopback changing only env-marked lines', async (t) => {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'llmp-nginx-t-'));
  t.teardown(() => rmSync(prefix, { recursive: true, force: true }));
  const source = readFileSync(NGINX_CONF_PATH, 'utf8');
  const conf: string = renderNginxConf({ prefix, listen: '127.0.0.1:1', backends: ['127.0.0.1:2', '127.0.0.1:3'] });
  t.same(sharedLines(conf), sharedLines(source), 'every shared line is kept byte for byte');
  t.match(conf, /^\s*least_conn;/m);
  t.match(conf, /^\s*proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;/m);
  t.match(conf, /^\s*server 127\.0\.0\.1:2 max_fails=3 fail_timeout=10s;/m);
  t.match(conf, /^\s*server 127\.0\.0\.1:3 max_fails=3 fail_timeout=10s;/m);
  t.notMatch(conf, /\/tmp\/nginx[._]/, 'no path left outside the prefix');
  t.throws(() => renderNginxConf({ prefix, listen: '127.0.0.1:1', backends: [], source }), 'needs a backend');
  t.throws(() => renderNginxConf({ prefix, listen: '127.0.0.1:1', backends: ['x:1'], source: source.replace('# env: listen', '') }), /env: listen/, 'a lost marker is an error, not a silent drift');
});

const NGINX = '/usr/sbin/nginx';
t.test('nginx -t accepts the rendered configuration', { skip: existsSync(NGINX) ? false : `${NGINX} not installed (Debian package nginx)` }, async (t) => {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'llmp-nginx-t-'));
  t.teardown(() => rmSync(prefix, { recursive: true, force: true }));
  const conf: string = renderNginxConf({ prefix, listen: '127.0.0.1:1', backends: ['127.0.0.1:2', '127.0.0.1:3'] });
  const file = path.join(prefix, 'nginx.conf');
  writeFileSync(file, conf);
  const r = spawnSync(NGINX, ['-t', '-p', prefix, '-c', file, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], { encoding: 'utf8' });
  t.equal(r.status, 0, `nginx -t accepts the rendered config: ${r.stderr.trim()}`);
});
