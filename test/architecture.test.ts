/**
 * The stages import one way (DESIGN.md §8): lang → compile → machine/kernel
 * → check → report, with the CLI and the pipeline only wiring them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', 'src');

/** Which stages each stage may import. `check` sees no x86; `report` reads traces, not engine internals. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  lang: [],
  compile: ['lang'],
  check: [],
  machine: ['compile', 'lang', 'check'],
  kernel: ['machine', 'compile', 'lang'],
  report: ['machine', 'check', 'compile'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  for (const [stage, allowed] of Object.entries(ALLOWED)) {
    it(`${stage} imports only ${allowed.length === 0 ? 'itself' : allowed.join(', ')}, through their index`, () => {
      for (const file of files(join(SRC, stage))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/from '(\.\.\/[^']+)'/g)) {
          const target = (m[1] as string).replace(/^\.\.\//, '').split('/');
          const other = target[0] as string;
          expect(allowed, `${relative(SRC, file)} imports ${m[1]}`).toContain(other);
          expect(target[1], `${relative(SRC, file)} must import ${other} through its index.ts`).toBe('index.js');
        }
      }
    });
  }
});
