import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHECK = join(import.meta.dirname, '../../src/check');

describe('check/index.ts', () => {
  it('check imports nothing outside itself but node built-ins (it knows no x86, no C)', () => {
    const outside: string[] = [];
    for (const file of readdirSync(CHECK, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(CHECK, file), 'utf8');
      for (const match of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
        const target = match[1];
        if (!target.startsWith('./') && !target.startsWith('node:')) outside.push(file + ' → ' + target);
      }
    }
    expect(outside).toEqual([]);
  });

  it('re-exports every explorer and the search result types by name', () => {
    const text = readFileSync(join(CHECK, 'index.ts'), 'utf8');
    expect(text).not.toMatch(/export \*/);
    for (const name of ['BreadthFirstExplorer', 'DepthFirstExplorer', 'SearchResult', 'TransitionSystem', 'ExploreOptions']) {
      expect(text).toContain(name);
    }
  });
});
