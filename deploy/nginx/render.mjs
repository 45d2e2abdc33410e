#!/usr/bin/env node
// Renders deploy/nginx/nginx.conf (the one source of the proxy settings) for an nginx that runs
// outside Docker, e.g. on loopback in test/deploy/nginx-failover.test.ts or on a plain host.
//
// Only the lines marked `# env: <kind>` change; every other line is kept byte for byte, so the
// load-balancing settings (least_conn, max_fails/fail_timeout, proxy_next_upstream, timeouts,
// keepalive, error pages) cannot drift between the compose deployment and what the test proves.
//
//   pid, error_log, access_log, temp   file paths, moved under `prefix`
//   servers                            one `server` line per backend, same parameters, without
//                                      `resolve` (a literal address needs no DNS, and Debian's
//                                      nginx 1.22 does not know the parameter)
//   listen                             the address nginx listens on
//
// CLI: node deploy/nginx/render.mjs --prefix /tmp/lb --listen 127.0.0.1:8080 \
//        --backend 127.0.0.1:8081 --backend 127.0.0.1:8082 > /tmp/lb/nginx.conf
//      nginx -p /tmp/lb -c /tmp/lb/nginx.conf -e /tmp/lb/error.log -g 'daemon off;'

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX_CONF_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nginx.conf');

const MARKED = /^(\s*)(\S.*?;)(\s*# env: ([a-z_]+)\s*)$/;
const KINDS = ['pid', 'error_log', 'temp', 'access_log', 'servers', 'listen'];

/**
 * @param {{ prefix: string; listen: string; backends: string[]; source?: string }} opts
 * @returns {string} the rendered configuration
 */
export function renderNginxConf(opts) {
  const { prefix, listen, backends } = opts;
  if (!path.isAbsolute(prefix)) throw new Error(`prefix must be an absolute path, got ${prefix}`);
  if (backends.length === 0) throw new Error('at least one backend is needed');
  for (const b of [listen, ...backends]) {
    if (!/^[A-Za-z0-9.\-[\]:]+:[0-9]{1,5}$/.test(b)) throw new Error(`not a host:port address: ${b}`);
  }
  const source = opts.source ?? readFileSync(NGINX_CONF_PATH, 'utf8');
  const seen = new Set();
  const inPrefix = (p) => path.join(prefix, path.basename(p));

  const out = source.split('\n').flatMap((line) => {
    const m = MARKED.exec(line);
    if (!m) return [line];
    const [, indent, directive, comment, kind] = m;
    seen.add(kind);
    const words = directive.slice(0, -1).trim().split(/\s+/);
    switch (kind) {
      case 'pid':
      case 'temp':
        return [`${indent}${words[0]} ${inPrefix(words[1])};${comment}`];
      case 'error_log':
        return [`${indent}${words[0]} ${path.join(prefix, 'error.log')} ${words.slice(2).join(' ')};${comment}`];
      case 'access_log':
        return [`${indent}${words[0]} ${path.join(prefix, 'access.log')} ${words.slice(2).join(' ')};${comment}`];
      case 'listen':
        return [`${indent}listen ${listen};${comment}`];
      case 'servers': {
        if (words[0] !== 'server') throw new Error(`"env: servers" must mark a server line: ${line}`);
        const params = words.slice(2).filter((w) => w !== 'resolve');
        return backends.map((b) => `${indent}server ${[b, ...params].join(' ')};${comment}`);
      }
      default:
        throw new Error(`unknown "env:" kind ${kind} in ${line}`);
    }
  });
  const missing = KINDS.filter((k) => !seen.has(k));
  if (missing.length > 0) throw new Error(`nginx.conf lacks lines marked env: ${missing.join(', ')}`);
  return out.join('\n');
}

/** The lines that are not environment-specific, for drift checks. */
export function sharedLines(conf) {
  return conf.split('\n').filter((l) => !MARKED.test(l));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opts = { prefix: '', listen: '', backends: [] };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--prefix') opts.prefix = path.resolve(v);
    else if (k === '--listen') opts.listen = v;
    else if (k === '--backend') opts.backends.push(v);
    else throw new Error(`unknown option ${k} (use --prefix DIR --listen HOST:PORT --backend HOST:PORT...)`);
  }
  process.stdout.write(renderNginxConf(opts));
}
