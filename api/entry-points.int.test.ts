// The production entry points read the environment and nothing else: no local-services helper
// anywhere in what they import, and no start without the secrets.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** Every project file reachable from `entry` through relative imports. */
function importGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  // import x from './a.js', export { y } from './b.js', import './c.js', import('./d.js')
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    const spec = (m[1] ?? m[2])!.replace(/\.js$/, '.ts');
    importGraph(resolve(dirname(entry), spec), seen);
  }
  return seen;
}

describe('entry points', () => {
  it.each(['api/main.ts', 'worker/main.ts'])('%s imports nothing from scripts/', (entry) => {
    const files = [...importGraph(resolve(root, entry))].map((f) => relative(root, f));
    expect(files).toContain('shared/config.ts');
    expect(files.filter((f) => f.startsWith('scripts/'))).toEqual([]);
  });

  it.each(['api/main.ts', 'worker/main.ts'])('%s refuses to start without JWT_SECRET and ADMIN_TOKEN, saying so', async (entry) => {
    const env = { PATH: process.env.PATH, DATABASE_URL: 'postgres://127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' };
    const failed = await run(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, timeout: 30_000 }).catch((err) => err);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/JWT_SECRET: is required/);
    expect(failed.stderr).toMatch(/ADMIN_TOKEN: is required/);
  });
});
