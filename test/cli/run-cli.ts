/**
 * Runs the command line in-process, as `node dist/cli.js ...` would, and
 * captures what it prints: `main(argv)` resolves to the exit code; stdout
 * and stderr are collected by replacing `process.stdout.write` and
 * `process.stderr.write` for the duration of the call. Models are written
 * to a fresh folder under the system's temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli.js';

/** What one run of the CLI gave. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `irqcheck <args>` and captures its output. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A temporary folder of model files; `remove()` deletes it. */
export class ModelDir {
  readonly root: string;

  constructor(prefix = 'irqcheck-cli-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Writes `text` to `name` (folders created as needed) and returns its absolute path. */
  write(name: string, text: string): string {
    const path = join(this.root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  }

  /** The absolute path of `name` inside the folder (the file need not exist). */
  path(name: string): string {
    return join(this.root, name);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Lines of a stack trace, as Node prints them. */
export const STACK_LINE = /^\s+at .+/m;
