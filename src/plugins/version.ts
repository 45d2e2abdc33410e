/** The service's name and version, read once from package.json. */
import { readFileSync } from 'node:fs';

function findPackageJson(): { name: string; version: string } {
  // src/plugins/version.ts and dist/src/plugins/version.js both sit below the package root
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const p = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'llm-provenance' && typeof p.version === 'string') return { name: p.name, version: p.version };
    } catch {
      /* try the next */
    }
  }
  return { name: 'llm-provenance', version: '0.0.0' };
}

const pkg = findPackageJson();
export const SERVICE_NAME: string = pkg.name;
export const SERVICE_VERSION: string = pkg.version;
