/**
 * The built command line (`dist/cli.js`), for tests that need a real
 * process (signals, worker threads). `npm test` builds first; this
 * rebuilds only when dist/ is missing or older than src/, as the CLI tests
 * do.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root folder, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI's entry. */
export const CLI = `${ROOT}dist/cli.js`;

/** Builds dist/ if any source is newer than dist/cli.js. */
export function ensureBuilt(): void {
  const newest = Math.max(...readdirSync(`${ROOT}src`, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => statSync(`${ROOT}src/${f}`).mtimeMs));
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newest) execSync('npm run build', { cwd: ROOT, stdio: 'pipe' });
}
