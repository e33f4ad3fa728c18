/**
 * The README is part of the interface: its two opening commands, the CI
 * script that must run the second one, and the first model with the
 * verdicts the README claims for it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelDir, runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

/** The fenced code blocks of a markdown text, with their info strings. */
function codeBlocks(markdown: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) blocks.push({ lang: m[1] ?? '', body: m[2] ?? '' });
  return blocks;
}

const TEST_COMMAND = 'npm install && npm test';

describe('README', () => {
  it('starts with exactly the two commands', () => {
    const first = codeBlocks(readme)[0];
    expect(readme.indexOf('```')).toBeLessThan(readme.indexOf('\n## '));
    expect(first?.body.trim().split('\n')).toEqual([
      'npm install && npx irqcheck check examples/microcode/xen-sibling-nmi.c',
      TEST_COMMAND,
    ]);
  });

  it('is what .ci/run runs', () => {
    const script = readFileSync(`${root}.ci/run`, 'utf8');
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toMatch(/^set -euo pipefail$/m);
    // Setup (installing the browser the browser test drives) may come before; the test command is the last line.
    const commands = script.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
    expect(commands[commands.length - 1]).toBe(TEST_COMMAND);
    expect(commands.slice(0, -1).every((l) => /apt-get install -y chromium/.test(l))).toBe(true);
  });

  describe('its first model', () => {
    const dir = new ModelDir('irqcheck-readme-');
    afterAll(() => dir.remove());
    const model = codeBlocks(readme).find((b) => b.lang === 'c');

    it('is verified without external NMIs', async () => {
      const file = dir.write('ping.c', model?.body ?? '');
      const run = await runCli(['check', file, '--nmis', '0', '--json']);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { verdict: string }).verdict).toBe('verified');
    });

    it('has an unknown NMI with the pragma (one external NMI)', async () => {
      const file = dir.write('ping.c', model?.body ?? '');
      const run = await runCli(['check', file, '--json']);
      expect(run.code).toBe(1);
      const json = JSON.parse(run.stdout) as { violations: { kind: string }[]; config: unknown };
      expect(json.config).toEqual({ cpus: 2, smt: 1, nmis: 1, symmetry: { reduced: false, note: expect.stringMatching(/^no symmetry reduction: /) } });
      expect(json.violations[0]?.kind).toBe('unknown-nmi');
    });
  });
});
