/**
 * Shared by the container tests (test/deploy/container.test.ts, test/deploy/compose.test.ts):
 * whether podman and the image are there, and the podman environment.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** the image `npm run image:build` tags */
export const IMAGE = process.env.LLMP_IMAGE ?? 'localhost/llm-provenance:cpu';
/** the proxy image for compose without a registry (`deploy/base-image.sh nginx`) */
export const NGINX_IMAGE = process.env.NGINX_IMAGE ?? 'localhost/nginx:local';

function which(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
}

/** deploy/podman/containers.conf (no default ulimits, runc) unless CONTAINERS_CONF says otherwise or runc is absent */
export function podmanEnv(): NodeJS.ProcessEnv {
  if (process.env.CONTAINERS_CONF || !which('runc')) return { ...process.env };
  return { ...process.env, CONTAINERS_CONF: path.join(ROOT, 'deploy/podman/containers.conf') };
}

/** false when podman can run the image, else the reason the container tests are skipped */
export function podmanSkip(images: string[] = [IMAGE]): false | string {
  if (!which('podman')) return 'podman not installed (Debian packages podman runc catatonit): container tests skipped';
  const env = podmanEnv();
  const info = spawnSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { env, encoding: 'utf8', timeout: 60_000 });
  if (info.status !== 0) return `podman does not work here (podman info: ${(info.stderr || '').trim().split('\n').pop()}): container tests skipped`;
  for (const image of images) {
    const r = spawnSync('podman', ['image', 'exists', image], { env, timeout: 60_000 });
    if (r.status !== 0) return `image ${image} not built (npm run image:build makes it): container tests skipped`;
  }
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** polls fn until true; `dead` returns a reason (logs) when waiting is pointless */
export async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs: number, dead?: () => string | undefined): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await fn().catch(() => false)) return;
    const why = dead?.();
    if (why !== undefined) throw new Error(`${what}: the container stopped first:\n${why.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
